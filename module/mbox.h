/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox mailbox internals, shared by the mailbox files of module/ and
 * their KUnit tests.  The files, from the ABI down (each includes only
 * what is below it):
 *
 *	mbox_vec.c	the vector ioctls (send and receive many messages):
 *			their descriptors, over mbox.c's shared steps
 *	mbox.c		mailbox objects and the ioctls on them: open, stat,
 *			send, receive; read, write, poll
 *	mbox_call.c	the call ioctls: call, reply, reply-and-receive, and
 *			each file's table of the calls it took
 *	mbox_notify.c	the notification registration (SHMBOX_IOC_MBOX_NOTIFY)
 *			and its firing
 *	mbox_send.c	the one send path (a chunk of messages; a call's
 *			request is one)
 *	mbox_recv.c	the one receive path (a chunk of messages)
 *	inbox.c		the tables of inboxes (by owner program, by id)
 *	mbox_wait.c	the one sleep of a mailbox wait, its errno ladder and
 *			the adaptive spin
 *	mbox_queue.c	the queue under mb->lock: link, reserve, hand over to
 *			waiting receivers, refill from waiting senders, kill
 *	mbox_msg.c	messages: allocation, payload copy-in, charge, the
 *			spare-header cache
 *	handle.c	handles in messages: taken from a sender's fds,
 *			opened and installed as a receiver's
 *	call.c		call records, their state machine, the caller's
 *			wait for the reply, the tables of reply handles
 *	account.c	per-user accounts (lock-free charges)
 *	wake.c		wake-ups batched until a spinlock is dropped, the
 *			adaptive spin
 *
 * Lock order (docs/design.md has the whole module's): mb->lock, then
 * mb->poll_wq's lock, a call table's tab->lock (a commit that serves a
 * call), or a notification's target: the holder's siglock or the
 * eventfd's wait queue lock.  shmbox_inbox_lock is never nested with mb->lock; a message
 * charge takes no lock.
 */
#ifndef _SHMBOX_MBOX_H
#define _SHMBOX_MBOX_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "shmbox.h"
#include "limits.h"
#include "account.h"
#include "call.h"
#include "handle.h"
#include "wake.h"

/* Payloads up to this size live in the message header's slab object. */
#define SHMBOX_MSG_INLINE	192

/*
 * Vector calls, and the queue operations under one lock hold, work in
 * chunks of at most this many messages: one copy of their descriptors
 * each way, one charge, one lock round trip to queue them or to take them
 * and one to commit them.
 */
#define SHMBOX_VEC_CHUNK	16

/* Spare headers a mailbox keeps (once a sender asked for one). */
#define SHMBOX_MBOX_SPARE	32

enum shmbox_msg_state {
	SHMBOX_MSG_NEW,		/* the sender's, not in the mailbox */
	SHMBOX_MSG_QUEUED,	/* on a priority queue */
	SHMBOX_MSG_RESERVED,	/* detached by a receiver that copies it out */
	SHMBOX_MSG_WITHDRAWN,	/* reserved, its sender gave up: to discard */
};

struct shmbox_swait;

/*
 * While queued, the messages of one priority form a ring through ->node,
 * oldest first; the oldest, its leader, also stands for the priority in
 * mb->queue, a tree ordered from the highest priority (see
 * shmbox_msg_link()).  ->prio_node is RB_EMPTY_NODE() on the others.
 */
struct shmbox_msg {
	union {
		struct list_head node;	/* its priority's ring while queued */
		struct llist_node spare; /* mbox->spare while a spare */
	};
	struct rb_node prio_node;	/* in mb->queue while it leads */
	refcount_t ref;
	u8 state;			/* enum shmbox_msg_state */
	u16 prio;
	u32 len;
	u32 reply_max;			/* a call's: its reply buffer */
	u64 handle;			/* a call's request: its handle; else 0 */
	struct pid *sender;		/* thread group of the sender */
	u64 sender_id;			/* its inbox when it sent, 0: none */
	kuid_t uid;			/* sender's euid */
	struct shmbox_acct *acct;	/* charged: the mailbox owner's */
	struct shmbox_swait *sw;	/* synchronous sender waiting for it */
	struct shmbox_handles *handles;	/* what it carries, or NULL */
	void *data;
	u8 inline_data[SHMBOX_MSG_INLINE];
};

/*
 * A task waiting in a mailbox: its entry on mb->senders, mb->takers or
 * mb->receivers.
 * Whoever serves it takes it off the list under mb->lock and then wakes
 * the task unless it polls (->spinning, see shmbox_spin_until()).
 */
struct shmbox_waiter {
	struct list_head node;		/* empty once served */
	struct task_struct *task;
	bool spinning;
};

enum shmbox_swait_state {
	SHMBOX_SW_ROOM,		/* on mbox->senders, waiting for room */
	SHMBOX_SW_QUEUED,	/* on mbox->takers: queued, waiting for the take */
	SHMBOX_SW_DONE,		/* sent (taken, for a synchronous send) */
};

/* A sender that waits: for room, then (synchronous) for the take. */
struct shmbox_swait {
	struct shmbox_waiter w;		/* on ->senders (ROOM), ->takers (QUEUED) */
	struct shmbox_msg *msg;
	struct shmbox_call *call;	/* a call's request: to serve */
	int state;			/* enum shmbox_swait_state */
	bool sync;
};

/* A receiver that waits for a message. */
struct shmbox_rwait {
	struct shmbox_waiter w;		/* on mbox->receivers, FIFO */
	struct shmbox_msg *msg;		/* handed over, already reserved */
	struct pid_namespace *ns;	/* to match @from */
	pid_t from;			/* 0: any sender */
	u32 buflen;
	u32 hcap;			/* handles it takes (U32_MAX: drops) */
	bool peek;
	bool released;			/* served, see shmbox_rwait_serve() */
};

struct shmbox_mbox {
	struct shmbox_obj obj;
	u32 capacity;			/* SHMBOX_MBOX_UNBOUNDED: none */
	u32 max_msg;
	/* Inbox only (inbox.c): owner program, id, table linkage, fds. */
	struct pid *inbox_pid;		/* owner's thread group */
	u64 inbox_gen;			/* owner's exec generation */
	u64 inbox_id;			/* never 0 for an inbox */
	struct hlist_node inbox_node;	/* by owner; RCU readers */
	struct hlist_node inbox_id_node; /* by id */
	unsigned int inbox_fds;		/* under shmbox_inbox_lock */
	struct rcu_head rcu;		/* freed after RCU readers of the table */

	spinlock_t lock;		/* everything below but the spares */
	bool dead;			/* removed: EIDRM */
	struct rb_root_cached queue;	/* priority leaders, highest first */
	u32 nr_msgs;			/* queued + reserved */
	u64 bytes;			/* their payload */
	u64 charged;			/* their SHMBOX_MSG_COST() */
	u64 sent, received;
	u32 nr_swait, nr_rwait;		/* blocked senders, receivers */
	u32 nr_calls;			/* queued or reserved requests of calls */
	u32 nr_handles;			/* carried by the queued or reserved */
	atomic_t calls_serving;		/* in the call tables of its files */
	u64 offer_steps;		/* receivers shmbox_mbox_offer() examined */
	struct list_head senders;	/* struct shmbox_swait waiting for room */
	struct list_head takers;	/* ... synchronous, waiting for the take */
	struct list_head receivers;	/* struct shmbox_rwait, FIFO */
	wait_queue_head_t poll_wq;
	struct shmbox_notify *notify;	/* the registration, or NULL */

	/* Spare message headers for senders, see mbox_msg.c.  No lock. */
	struct llist_head spare;	/* pushed by receivers */
	struct llist_node *spare_stash;	/* a chain parked by a sender */
	atomic_t nr_spare;
	bool keep_spares;		/* a sender asked for one: keep them */
};

static inline struct shmbox_mbox *to_mbox(struct shmbox_obj *obj)
{
	return container_of(obj, struct shmbox_mbox, obj);
}

/* What is left to do for a received message once mb->lock is dropped. */
struct shmbox_done {
	struct shmbox_acct *acct;	/* its charge, to end */
	u64 cost;
	struct pid *sender;
	struct shmbox_msg *msg;		/* to put; NULL: its header is a spare */
};

/* ---- messages (mbox_msg.c) ---------------------------------------------- */

/* What @msg costs against the quotas: payload, header, handles. */
static inline u64 shmbox_msg_cost(const struct shmbox_msg *msg)
{
	return SHMBOX_MSG_COST_H(msg->len, shmbox_handles_nr(msg->handles));
}

int shmbox_msg_cache_init(void);
void shmbox_msg_cache_exit(void);
struct shmbox_msg *shmbox_msg_new(u64 ubuf, u32 len, u32 prio,
				  struct shmbox_msg *spare);
u32 shmbox_msgs_charge(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
		       u32 n, int *err);
void shmbox_msg_put(struct shmbox_msg *msg);
void shmbox_msg_done(struct shmbox_msg *msg);
u32 shmbox_mbox_spares_take(struct shmbox_mbox *mb, struct shmbox_msg **spare,
			    u32 n);
void __shmbox_mbox_spares_give(struct shmbox_mbox *mb,
			       struct shmbox_msg **spare, u32 n);

/* Headers from shmbox_mbox_spares_take() that a send did not use. */
static inline void shmbox_mbox_spares_give(struct shmbox_mbox *mb,
					   struct shmbox_msg **spare, u32 n)
{
	if (n)
		__shmbox_mbox_spares_give(mb, spare, n);
}

bool shmbox_mbox_spare_keep(struct shmbox_mbox *mb, struct shmbox_msg *msg);
void shmbox_mbox_spares_free(struct shmbox_mbox *mb);

/* ---- the queue under mb->lock (mbox_queue.c) ----------------------------- */

/*
 * The queue's small operations are inline: every message of a stream
 * goes through them, and each out-of-line call was measurable (call64
 * under TCG).  The rest are in mbox_queue.c.  All need mb->lock held.
 */

static inline void shmbox_mbox_poll_wake(struct shmbox_mbox *mb)
{
	lockdep_assert_held(&mb->lock);
	if (wq_has_sleeper(&mb->poll_wq))
		wake_up_interruptible_poll(&mb->poll_wq, EPOLLIN | EPOLLOUT |
					   EPOLLRDNORM | EPOLLWRNORM);
}

/* The leader of the highest priority queued: what a receive gets. */
static inline struct shmbox_msg *shmbox_mbox_top(struct shmbox_mbox *mb)
{
	struct rb_node *top = rb_first_cached(&mb->queue);

	return top ? rb_entry(top, struct shmbox_msg, prio_node) : NULL;
}

/* Queue @msg in the ring of @lead, of the same priority (see below). */
static inline void shmbox_msg_join(struct shmbox_mbox *mb,
				   struct shmbox_msg *lead,
				   struct shmbox_msg *msg, bool head)
{
	list_add_tail(&msg->node, &lead->node);
	if (!head) {
		RB_CLEAR_NODE(&msg->prio_node);
		return;
	}
	rb_replace_node_cached(&lead->prio_node, &msg->prio_node, &mb->queue);
	RB_CLEAR_NODE(&lead->prio_node);
}

void shmbox_msg_link_prio(struct shmbox_mbox *mb, struct shmbox_msg *msg,
			  bool head);

/*
 * Queue @msg at the head or the tail of its priority.  Both go into the
 * priority's ring just before its leader (the ring's tail); at the head,
 * @msg then takes the leader's place in the tree.  A priority without a
 * leader, or one below the highest, is found in the tree (mbox_queue.c):
 * O(log p) for p priorities in use, O(1) for the highest.
 */
static inline void shmbox_msg_link(struct shmbox_mbox *mb,
				   struct shmbox_msg *msg, bool head)
{
	struct shmbox_msg *lead = shmbox_mbox_top(mb);

	lockdep_assert_held(&mb->lock);
	msg->state = SHMBOX_MSG_QUEUED;
	if (lead && lead->prio == msg->prio)
		shmbox_msg_join(mb, lead, msg, head);
	else
		shmbox_msg_link_prio(mb, msg, head);
}

/* Take a queued message off its queue; it stays counted in the mailbox. */
static inline void shmbox_msg_reserve(struct shmbox_mbox *mb,
				      struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	if (!RB_EMPTY_NODE(&msg->prio_node)) {
		/* A leader: the next of its priority leads, if any. */
		if (list_empty(&msg->node))
			rb_erase_cached(&msg->prio_node, &mb->queue);
		else
			rb_replace_node_cached(&msg->prio_node,
					       &list_next_entry(msg, node)->prio_node,
					       &mb->queue);
		RB_CLEAR_NODE(&msg->prio_node);
	}
	list_del_init(&msg->node);
	msg->state = SHMBOX_MSG_RESERVED;
}

/* Is a message queued (not counting those reserved by receivers)? */
static inline bool shmbox_mbox_queued(struct shmbox_mbox *mb)
{
	return !RB_EMPTY_ROOT(&mb->queue.rb_root);
}

/* Account a new message into the mailbox and queue it at the tail. */
static inline void shmbox_mbox_add(struct shmbox_mbox *mb,
				   struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	mb->nr_msgs++;
	mb->bytes += msg->len;
	mb->charged += shmbox_msg_cost(msg);
	mb->nr_calls += msg->handle != 0;
	mb->nr_handles += shmbox_handles_nr(msg->handles);
	/* A synchronous send counts as sent when it is taken. */
	if (!msg->sw)
		mb->sent++;
	shmbox_msg_link(mb, msg, false);
}

/* Remove a reserved or queued message from the mailbox's accounts. */
static inline void shmbox_mbox_sub(struct shmbox_mbox *mb,
				   struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	if (msg->state == SHMBOX_MSG_QUEUED)
		shmbox_msg_reserve(mb, msg);
	mb->nr_msgs--;
	mb->bytes -= msg->len;
	mb->charged -= shmbox_msg_cost(msg);
	mb->nr_calls -= msg->handle != 0;
	mb->nr_handles -= shmbox_handles_nr(msg->handles);
	msg->state = SHMBOX_MSG_NEW;
}

/*
 * The synchronous sender of reserved @msg gives up (its deadline, a
 * signal, a non-blocking send's short wait): the receiver that holds it
 * discards it when it settles (shmbox_mbox_settle()), and the sender's
 * wait entry is no longer reachable from it.
 */
static inline void shmbox_msg_withdraw(struct shmbox_mbox *mb,
				       struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	msg->sw = NULL;
	msg->state = SHMBOX_MSG_WITHDRAWN;
}

/* Would a message of @cost fit now (capacity, mailbox byte quota)? */
static inline bool shmbox_mbox_room_for(struct shmbox_mbox *mb, u64 cost)
{
	lockdep_assert_held(&mb->lock);
	if (mb->capacity && mb->capacity != SHMBOX_MBOX_UNBOUNDED &&
	    mb->nr_msgs >= mb->capacity)
		return false;
	return mb->charged + cost <= shmbox_limit(SHMBOX_LIM_MBOX_BYTES);
}

struct shmbox_msg *shmbox_mbox_first_from(struct shmbox_mbox *mb,
					  struct pid_namespace *ns, pid_t from);

/* The message a receive would get: highest priority, oldest, from @from. */
static inline struct shmbox_msg *
shmbox_mbox_first(struct shmbox_mbox *mb, struct pid_namespace *ns, pid_t from)
{
	lockdep_assert_held(&mb->lock);
	if (from)
		return shmbox_mbox_first_from(mb, ns, from);
	return shmbox_mbox_top(mb);
}

void __shmbox_mbox_offer(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
			 u32 n, struct shmbox_wakeups *wq);

/* Hand @msgs, just queued, to waiting receivers (see mbox_queue.c). */
static inline void shmbox_mbox_offer(struct shmbox_mbox *mb,
				     struct shmbox_msg **msgs, u32 n,
				     struct shmbox_wakeups *wq)
{
	lockdep_assert_held(&mb->lock);
	if (n && !list_empty(&mb->receivers))
		__shmbox_mbox_offer(mb, msgs, n, wq);
}

void shmbox_mbox_refill(struct shmbox_mbox *mb, struct shmbox_wakeups *wq);

/* Room was made: let waiting senders in, tell pollers. */
static inline void shmbox_mbox_kick(struct shmbox_mbox *mb,
				    struct shmbox_wakeups *wq)
{
	if (!list_empty(&mb->senders))
		shmbox_mbox_refill(mb, wq);
	shmbox_mbox_poll_wake(mb);
}

/* ---- notification (mbox_notify.c) ---------------------------------------- */

void shmbox_mbox_notify_fire(struct shmbox_mbox *mb,
			     const struct shmbox_msg *msg);
void shmbox_mbox_flush(struct shmbox_mbox *mb);
void shmbox_mbox_notify_drop(struct shmbox_mbox *mb);

/*
 * New messages, the first @msg, were queued in @mb, which held @before
 * messages, and offered to waiting receivers: if the mailbox was empty
 * and one of them is still queued, no receiver was waiting for it, which
 * is when a registration fires (mq_notify()'s rule).
 */
static inline void shmbox_mbox_notify_check(struct shmbox_mbox *mb,
					    u32 before,
					    const struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	if (unlikely(mb->notify) && !before && shmbox_mbox_queued(mb))
		shmbox_mbox_notify_fire(mb, msg);
}

void shmbox_mbox_init_queues(struct shmbox_mbox *mb);
void shmbox_rwait_serve(struct shmbox_mbox *mb, struct shmbox_rwait *rw,
			struct shmbox_msg *msg, struct shmbox_wakeups *wq);
void shmbox_mbox_received(struct shmbox_mbox *mb, struct shmbox_msg *msg,
			  struct shmbox_calltab *calls, struct shmbox_done *done,
			  struct shmbox_wakeups *wq);
void shmbox_done_finish(const struct shmbox_done *done, u32 n);
u32 shmbox_mbox_settle(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
		       u32 ncommit, u32 nput, struct shmbox_calltab *calls);
void shmbox_mbox_kill(struct shmbox_mbox *mb);
bool shmbox_mbox_writable(struct shmbox_mbox *mb);

/* ---- waiting (mbox_wait.c) ----------------------------------------------- */

int shmbox_wait_verdict(struct shmbox_mbox *mb, bool nonblock,
			bool check_signal, bool timed_out);
bool shmbox_mbox_sleep(struct shmbox_mbox *mb, struct shmbox_wakeups *wq,
		       struct shmbox_waiter *w, bool sender, bool poll,
		       const struct shmbox_deadline *deadline)
	__releases(&mb->lock);

/* ---- send (mbox_send.c) -------------------------------------------------- */

/* One send call, its arguments checked. */
struct shmbox_send {
	struct shmbox_mbox *mb;
	u64 sender_id;			/* stamped on every message */
	struct shmbox_call *call;	/* a call's request (one, sync) */
	/* Per message: the fds it moves, filled by the build; NULL: none. */
	struct shmbox_moved *moved;
	bool sync;			/* wait until a receiver took it */
	bool nonblock;
	struct shmbox_deadline deadline;
};

u32 shmbox_mbox_send(const struct shmbox_send *s,
		     const struct shmbox_mbox_msgx *m, u32 n, int *err);

/* ---- receive (mbox_recv.c) ----------------------------------------------- */

/* One receive call, its arguments checked. */
struct shmbox_recv {
	struct shmbox_mbox *mb;
	struct pid_namespace *ns;	/* the receiver's, to match @from */
	pid_t from;			/* 0: any sender */
	bool peek;
	bool nonblock;
	bool whole;			/* SHMBOX_MSG_WHOLE: a buffer for any */
	bool handles;			/* can report handles (else: dropped) */
	bool cloexec;			/* new fds O_CLOEXEC */
	struct shmbox_deadline deadline;
	/* The receiving file's call table; NULL: cannot report handles. */
	struct shmbox_calltab *calls;
	/*
	 * Where the results go: the first @rsize bytes of len, prio, pid,
	 * uid, id, handle, reply_max and rflags of user descriptor i are
	 * written at @ures + i * @stride; NULL: nowhere (read(2)).  @tailp:
	 * where the @tailsize bytes from id on go instead, for a single
	 * receive whose later results are apart from the rest, after its
	 * deadline (SHMBOX_IOC_MBOX_RECV); NULL: nowhere or within @rsize.
	 */
	void __user *ures;
	u32 stride;
	u32 rsize;
	void __user *tailp;
	u32 tailsize;
};

u32 shmbox_mbox_recv(const struct shmbox_recv *r, struct shmbox_mbox_msgx *m,
		     u32 n, bool wait, int *err);

/* ---- the ABI's shared steps (mbox.c), for the vector and call ioctls --- */

/* The flags of a send: SHMBOX_IOC_MBOX_SEND's and _SENDV's. */
#define SHMBOX_SEND_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC | \
				 SHMBOX_MSG_TO_ID | SHMBOX_MSG_REALTIME)

bool shmbox_send_target_ok(u32 flags, pid_t pid, u64 id);
int shmbox_send_begin(struct file *file, u32 flags, pid_t pid, u64 id,
		      u64 deadline, struct shmbox_send *s);
int shmbox_recv_begin(struct file *file, u32 flags, pid_t pid,
		      u64 deadline, struct shmbox_recv *r);
void shmbox_recv_results(struct shmbox_recv *r, void __user *ulen,
			 void __user *utail, u32 tailsize);

/* ---- calls (mbox_call.c) -------------------------------------------------- */

struct shmbox_calltab *shmbox_mbox_calltab(struct file *file,
					   struct shmbox_mbox *mb);

/* ---- inboxes (inbox.c) --------------------------------------------------- */

int shmbox_inbox_open(struct file *file, struct shmbox_open_args *args,
		      struct shmbox_obj **objp);
void shmbox_inbox_init(struct shmbox_mbox *mb);
void shmbox_inbox_put_fd(struct shmbox_mbox *mb);
struct shmbox_mbox *shmbox_inbox_get(pid_t pid);
struct shmbox_mbox *shmbox_inbox_get_id(u64 id);
u64 shmbox_inbox_self_id(void);
pid_t shmbox_inbox_pid_vnr(struct shmbox_mbox *mb);
bool shmbox_inboxes_empty(void);

#endif /* _SHMBOX_MBOX_H */
