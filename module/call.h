/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox calls (call.c): the record of one call (a request waiting for
 * its reply), its state, and the table of reply handles of the calls an
 * open file took.  Includes nothing of the mailboxes: they attach a call
 * to a request message and hand it to a table when a receive commits.
 */
#ifndef _SHMBOX_CALL_H
#define _SHMBOX_CALL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/pid.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include "account.h"
#include "deadline.h"
#include "handle.h"

struct shmbox_obj;
struct task_struct;

/* Replies up to this size live in the call record (as message payloads). */
#define SHMBOX_CALL_INLINE	192

/*
 * A call's state.  PENDING until a receive commits its request; then
 * SERVED (the receiving file's table holds it) or, if that receive could
 * not report a handle, FAILED.  From SERVED exactly one transition wins
 * (atomic_cmpxchg()): the reply (REPLIED), the server's file going away
 * (FAILED), or the caller giving up (ABANDONED).
 */
enum shmbox_call_state {
	SHMBOX_CALL_PENDING,
	SHMBOX_CALL_SERVED,
	SHMBOX_CALL_REPLIED,
	SHMBOX_CALL_FAILED,
	SHMBOX_CALL_ABANDONED,
};

struct shmbox_call {
	struct hlist_node node;		/* its table's bucket while SERVED */
	refcount_t ref;			/* the caller's, and its table's */
	atomic_t state;			/* enum shmbox_call_state */
	bool spinning;			/* the caller polls ->state */
	u64 handle;			/* never 0, never reused */
	u32 reply_max;			/* the caller's reply buffer */
	u32 reply_hmax;			/* ... and its reply handle array */
	struct task_struct *task;	/* the caller, referenced */
	/* The reply: written by the one server that answers, before REPLIED. */
	u32 reply_len;
	void *reply;			/* NULL until a reply was built */
	struct shmbox_handles *reply_handles;	/* its handles, or NULL */
	struct pid *replier;		/* its thread group */
	kuid_t reply_uid;
	u64 reply_id;			/* its inbox id, 0: none */
	struct shmbox_acct *acct;	/* the caller's: pays the reply; held */
	struct shmbox_obj *obj;		/* its mailbox while parked, referenced */
	u8 reply_inline[SHMBOX_CALL_INLINE];
};

/* The calls a file took and has not answered, by reply handle. */
#define SHMBOX_CALLTAB_BITS	6

struct shmbox_calltab {
	spinlock_t lock;		/* the buckets, ->nr */
	u32 nr;				/* calls in it */
	atomic_t *serving;		/* a counter of its mailbox's, or NULL */
	struct hlist_head head[1 << SHMBOX_CALLTAB_BITS];
};

/*
 * The calls a file's callers parked: interrupted by a signal after a
 * server took their request, waiting to be resumed (SHMBOX_CALL_PARK_MAX,
 * oldest first).
 */
struct shmbox_callpark {
	spinlock_t lock;		/* ->n, ->call[] */
	u32 n;
	struct shmbox_call *call[SHMBOX_CALL_PARK_MAX];
};

int shmbox_call_cache_init(void);
void shmbox_call_cache_exit(void);
struct shmbox_call *shmbox_call_new(u32 reply_max, u32 reply_hmax,
				    struct shmbox_acct *acct);
void shmbox_call_put(struct shmbox_call *call);

void shmbox_calltab_init(struct shmbox_calltab *tab, atomic_t *serving);
void shmbox_calltab_add(struct shmbox_calltab *tab, struct shmbox_call *call);
struct shmbox_call *shmbox_calltab_take(struct shmbox_calltab *tab, u64 handle);
u32 shmbox_calltab_drain(struct shmbox_calltab *tab, struct hlist_head *out);

bool shmbox_call_serve(struct shmbox_call *call, struct shmbox_calltab *tab);
int shmbox_call_set_reply(struct shmbox_call *call, u64 ubuf, u32 len, u64 id,
			  struct shmbox_handles *h);
bool shmbox_call_complete(struct shmbox_call *call, int state);
bool shmbox_call_abandon(struct shmbox_call *call);
bool shmbox_call_orphaned(struct shmbox_call *call);
int shmbox_call_wait(struct shmbox_call *call,
		     const struct shmbox_deadline *deadline);
u32 shmbox_calltab_fail_all(struct shmbox_calltab *tab);

void shmbox_callpark_init(struct shmbox_callpark *park);
struct shmbox_call *shmbox_callpark_add(struct shmbox_callpark *park,
					struct shmbox_call *call);
struct shmbox_call *shmbox_callpark_take(struct shmbox_callpark *park,
					 u64 handle);
u32 shmbox_callpark_drain(struct shmbox_callpark *park,
			  struct shmbox_call **out);

#endif /* _SHMBOX_CALL_H */
