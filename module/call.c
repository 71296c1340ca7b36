// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox calls: the record of a call (SHMBOX_IOC_MBOX_CALL), the one
 * state machine every call goes through, the caller's wait for its reply,
 * and the table of reply handles of the calls one open file took.
 *
 *	PENDING	--a receive commits the request-->	SERVED (in a table)
 *	PENDING	--the receive cannot report a handle-->	FAILED
 *	SERVED	--the server's reply-->			REPLIED
 *	SERVED	--the server's file is released-->	FAILED
 *	SERVED	--the caller gives up or dies-->	ABANDONED
 *
 * A signal that interrupts the caller's wait for the answer does not end
 * the call: the caller parks it on its file (struct shmbox_callpark) and
 * a restarted call resumes the wait, so a request is never sent twice.
 * A parked call the caller never resumes is abandoned when its file is
 * released or when SHMBOX_CALL_PARK_MAX newer calls were parked there.
 *
 * While PENDING, the request is a synchronous message in a mailbox and
 * the mailbox decides (under mb->lock) between its commit and its
 * withdrawal, as for any synchronous send.  From SERVED, exactly one
 * transition wins, by atomic_cmpxchg(): a reply can never reach a caller
 * that gave up, and a caller never waits for a server that is gone.
 *
 * Reply handles: 64 bits from one counter, never 0, never reused while
 * the module is loaded.  A table belongs to one open file; a handle is
 * looked up only in the table of the file it is presented on, so a
 * handle of another file's call, or a guessed one, finds nothing.
 *
 * Owns: struct shmbox_call (its slab cache, handles, state, reply
 * buffer, the reply's handles (handle.c) and the reply's quota charge), struct shmbox_calltab and
 * struct shmbox_callpark.
 *
 * Locking: tab->lock (a spinlock) protects a table's buckets and ->nr;
 * it nests inside mb->lock (a receive's commit serves a call under it)
 * and nothing nests inside it.  park->lock protects a park's array and
 * nests in nothing.  ->state is changed by atomic operations
 * alone.  The reply fields are written by the one server that took the
 * call out of its table, before its cmpxchg to REPLIED, and read by the
 * caller after it saw REPLIED (acquire).  The caller's wait is the
 * adaptive spin of wake.h on ->state, then a sleep: a server that makes
 * the call leave SERVED wakes the caller unless it polls.  The commit
 * that serves a call wakes nobody (mbox_queue.c): a caller still asleep
 * in its wait for the take is woken by the answer, which it then finds.
 *
 * Lifetime: a call is referenced by its caller for the whole
 * SHMBOX_IOC_MBOX_CALL and by its table while it is in one (or by the
 * server that took it out, to reply); the caller's reference moves to
 * its park while the call is parked.  The caller's task is referenced
 * by the call, so a server may wake it after the caller saw the answer
 * and returned.  The last put frees the reply and ends its charge.
 */
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/shmbox.h>

#include "call.h"
#include "deadline.h"
#include "limits.h"
#include "wake.h"

static struct kmem_cache *shmbox_call_cache;
static atomic64_t shmbox_call_seq;	/* the last handle given */

/*
 * shmbox_call_new - the record of a call by current
 * @reply_max:	the size of the caller's reply buffer
 * @reply_hmax:	the entries of its reply handle array
 * @acct:	the caller's account: its reply is charged there
 *
 * Return: the call, PENDING, with a new handle and the caller's
 * reference; or NULL (no memory).
 */
struct shmbox_call *shmbox_call_new(u32 reply_max, u32 reply_hmax,
				    struct shmbox_acct *acct)
{
	struct shmbox_call *call;

	call = kmem_cache_alloc(shmbox_call_cache, GFP_KERNEL);
	if (!call)
		return NULL;
	INIT_HLIST_NODE(&call->node);
	refcount_set(&call->ref, 1);
	atomic_set(&call->state, SHMBOX_CALL_PENDING);
	call->spinning = false;
	call->handle = atomic64_inc_return(&shmbox_call_seq);
	call->reply_max = reply_max;
	call->reply_hmax = reply_hmax;
	call->task = get_task_struct(current);
	call->reply_len = 0;
	call->reply = NULL;
	call->reply_handles = NULL;
	call->replier = NULL;
	call->reply_uid = GLOBAL_ROOT_UID;
	call->reply_id = 0;
	shmbox_acct_hold(acct);
	call->acct = acct;
	call->obj = NULL;
	return call;
}

/* Free a reply built by shmbox_call_set_reply() and end its charge. */
static void shmbox_call_drop_reply(struct shmbox_call *call)
{
	shmbox_acct_uncharge(call->acct, SHMBOX_RES_MSG_BYTES,
			     SHMBOX_MSG_COST_H(call->reply_len,
					       shmbox_handles_nr(call->reply_handles)));
	if (call->reply != call->reply_inline)
		kvfree(call->reply);
	shmbox_handles_drop(call->reply_handles);
	put_pid(call->replier);
}

void shmbox_call_put(struct shmbox_call *call)
{
	if (!refcount_dec_and_test(&call->ref))
		return;
	if (call->reply)
		shmbox_call_drop_reply(call);
	shmbox_acct_put(call->acct);
	put_task_struct(call->task);
	kmem_cache_free(shmbox_call_cache, call);
}

/* ---- the table of reply handles ------------------------------------------ */

void shmbox_calltab_init(struct shmbox_calltab *tab, atomic_t *serving)
{
	int i;

	spin_lock_init(&tab->lock);
	tab->nr = 0;
	tab->serving = serving;
	for (i = 0; i < ARRAY_SIZE(tab->head); i++)
		INIT_HLIST_HEAD(&tab->head[i]);
}

static struct hlist_head *shmbox_calltab_bucket(struct shmbox_calltab *tab,
						u64 handle)
{
	return &tab->head[hash_64(handle, SHMBOX_CALLTAB_BITS)];
}

/* Put @call in @tab, with the reference its caller gives the table. */
void shmbox_calltab_add(struct shmbox_calltab *tab, struct shmbox_call *call)
{
	spin_lock(&tab->lock);
	hlist_add_head(&call->node, shmbox_calltab_bucket(tab, call->handle));
	tab->nr++;
	if (tab->serving)
		atomic_inc(tab->serving);
	spin_unlock(&tab->lock);
}

/*
 * shmbox_calltab_take - take the call with reply handle @handle out of
 * @tab, with the table's reference (give it back with
 * shmbox_calltab_add() or put it)
 *
 * Return: the call, or NULL if @tab has none with that handle.
 */
struct shmbox_call *shmbox_calltab_take(struct shmbox_calltab *tab, u64 handle)
{
	struct shmbox_call *call;

	spin_lock(&tab->lock);
	hlist_for_each_entry(call, shmbox_calltab_bucket(tab, handle), node) {
		if (call->handle != handle)
			continue;
		hlist_del_init(&call->node);
		tab->nr--;
		if (tab->serving)
			atomic_dec(tab->serving);
		spin_unlock(&tab->lock);
		return call;
	}
	spin_unlock(&tab->lock);
	return NULL;
}

/*
 * Move every call of @tab onto @out, with the table's references.
 * Return: how many.
 */
u32 shmbox_calltab_drain(struct shmbox_calltab *tab, struct hlist_head *out)
{
	struct shmbox_call *call;
	struct hlist_node *tmp;
	u32 n, i;

	spin_lock(&tab->lock);
	n = tab->nr;
	for (i = 0; i < ARRAY_SIZE(tab->head); i++) {
		hlist_for_each_entry_safe(call, tmp, &tab->head[i], node) {
			hlist_del(&call->node);
			hlist_add_head(&call->node, out);
		}
	}
	tab->nr = 0;
	if (tab->serving)
		atomic_sub(n, tab->serving);
	spin_unlock(&tab->lock);
	return n;
}

/*
 * shmbox_calltab_fail_all - the file of @tab goes away: every call it
 * took and has not answered fails (EPIPE for its caller; a call its
 * caller abandoned is just freed).  Return: how many callers were told.
 */
u32 shmbox_calltab_fail_all(struct shmbox_calltab *tab)
{
	struct shmbox_call *call;
	struct hlist_node *tmp;
	HLIST_HEAD(calls);
	u32 told = 0;

	shmbox_calltab_drain(tab, &calls);
	hlist_for_each_entry_safe(call, tmp, &calls, node) {
		hlist_del_init(&call->node);
		told += shmbox_call_complete(call, SHMBOX_CALL_FAILED);
		shmbox_call_put(call);
	}
	return told;
}

/* ---- the state machine --------------------------------------------------- */

/*
 * shmbox_call_serve - a receive committed the request of @call
 * @tab:	the receiving file's table, or NULL if that receive cannot
 *		report a handle: then nobody can answer, and the call fails
 *
 * Called under the mailbox's lock, which decides between this and the
 * caller's withdrawal; the caller looks at ->state only after the
 * mailbox told it its request was taken.
 * Return: true if served (its caller is woken by its answer), false if
 * it failed (its caller must be woken now).
 */
bool shmbox_call_serve(struct shmbox_call *call, struct shmbox_calltab *tab)
{
	if (!tab) {
		atomic_set(&call->state, SHMBOX_CALL_FAILED);
		return false;
	}
	refcount_inc(&call->ref);		/* the table's */
	atomic_set(&call->state, SHMBOX_CALL_SERVED);
	shmbox_calltab_add(tab, call);
	return true;
}

/*
 * shmbox_call_set_reply - build the reply of @call, taken out of its
 * table by the one server that answers it
 * @ubuf, @len:	the reply in the server's memory (@len checked against
 *		->reply_max by the caller)
 * @id:		the server's inbox id, for the caller
 * @h:		its handles (checked against ->reply_hmax), or NULL: the
 *		call's on success, still the server's on failure
 *
 * The reply is charged to its caller's account (its max_user_bytes)
 * until the caller copied it out, so that a caller that keeps replies
 * (a parked call it never resumes) spends its own quota, not its
 * server's.
 * Return: 0, -ENOSPC (the caller's max_user_bytes), -ENOMEM or -EFAULT,
 * with nothing changed.
 */
int shmbox_call_set_reply(struct shmbox_call *call, u64 ubuf, u32 len, u64 id,
			  struct shmbox_handles *h)
{
	u64 cost = SHMBOX_MSG_COST_H(len, shmbox_handles_nr(h));
	struct shmbox_acct *acct = call->acct;
	void *data = call->reply_inline;
	int ret;

	ret = shmbox_acct_charge(acct, SHMBOX_RES_MSG_BYTES, cost, -ENOSPC,
				 false);
	if (ret)
		return ret;
	if (len > SHMBOX_CALL_INLINE) {
		data = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!data) {
			ret = -ENOMEM;
			goto uncharge;
		}
	}
	if (copy_from_user(data, u64_to_user_ptr(ubuf), len)) {
		ret = -EFAULT;
		goto free_data;
	}
	call->reply = data;
	call->reply_len = len;
	call->reply_handles = h;
	call->replier = get_pid(task_tgid(current));
	call->reply_uid = current_euid();
	call->reply_id = id;
	return 0;

free_data:
	if (data != call->reply_inline)
		kvfree(data);
uncharge:
	shmbox_acct_uncharge(acct, SHMBOX_RES_MSG_BYTES, cost);
	return ret;
}

/*
 * shmbox_call_complete - end a SERVED call: REPLIED (its reply set) or
 * FAILED (its server's file went away), and wake its caller
 *
 * Return: true if this ended it; false if the caller had abandoned it.
 */
bool shmbox_call_complete(struct shmbox_call *call, int state)
{
	if (atomic_cmpxchg(&call->state, SHMBOX_CALL_SERVED, state) !=
	    SHMBOX_CALL_SERVED)
		return false;
	/* The cmpxchg is a full barrier; shmbox_waiter_sleeps() another. */
	if (shmbox_waiter_sleeps(&call->spinning))
		wake_up_process(call->task);
	return true;
}

/* The caller gives up on a SERVED call.  Return: false if answered. */
bool shmbox_call_abandon(struct shmbox_call *call)
{
	return atomic_cmpxchg(&call->state, SHMBOX_CALL_SERVED,
			      SHMBOX_CALL_ABANDONED) == SHMBOX_CALL_SERVED;
}

/*
 * shmbox_call_orphaned - has the caller of SERVED @call died?
 *
 * A waiting caller that dies abandons its call on the way out (a fatal
 * signal ends its wait), but a parked call has no waiter: its fd may
 * outlive its caller in another process, and only its caller's thread
 * may resume it.  Such a call is abandoned here, when its server
 * answers it.  Return: true if it was abandoned now or before.
 */
bool shmbox_call_orphaned(struct shmbox_call *call)
{
	if (!(READ_ONCE(call->task->flags) & PF_EXITING))
		return false;
	shmbox_call_abandon(call);
	return atomic_read(&call->state) == SHMBOX_CALL_ABANDONED;
}

static bool shmbox_call_answered(const void *arg)
{
	const struct shmbox_call *call = arg;

	return atomic_read(&call->state) != SHMBOX_CALL_SERVED;
}

/*
 * shmbox_call_wait - the caller waits for the answer to its call, once a
 * receive committed its request (->state no longer PENDING)
 * @deadline:	the whole call's
 *
 * An answer that came wins over a signal or the deadline that came at
 * the same time.  The deadline and a fatal signal abandon the call.
 * Another signal only interrupts the wait: the call is still SERVED, for
 * the caller to park and resume.
 * Return: 0 (REPLIED), -EPIPE (FAILED), -ETIMEDOUT / -EINTR (abandoned),
 * or -ERESTARTSYS (interrupted, still SERVED).
 */
int shmbox_call_wait(struct shmbox_call *call,
		     const struct shmbox_deadline *deadline)
{
	bool timed_out = false;
	int state;

	/* A parked call had it set, so that no server woke a stranger. */
	WRITE_ONCE(call->spinning, false);
	for (;;) {
		state = atomic_read_acquire(&call->state);
		if (state != SHMBOX_CALL_SERVED)
			break;
		if (signal_pending(current) && !fatal_signal_pending(current))
			return -ERESTARTSYS;
		if (fatal_signal_pending(current) || timed_out) {
			if (shmbox_call_abandon(call))
				return timed_out ? -ETIMEDOUT : -EINTR;
			continue;		/* answered meanwhile */
		}
		set_current_state(TASK_INTERRUPTIBLE);
		if (shmbox_call_answered(call) ||
		    shmbox_spin_until(shmbox_call_answered, call,
				      &call->spinning,
				      shmbox_limit(SHMBOX_LIM_SPIN_NS),
				      deadline)) {
			__set_current_state(TASK_RUNNING);
			continue;
		}
		timed_out = shmbox_schedule_deadline(deadline) != 0;
		__set_current_state(TASK_RUNNING);
	}
	return state == SHMBOX_CALL_REPLIED ? 0 : -EPIPE;
}

/* ---- parked calls --------------------------------------------------------- */

void shmbox_callpark_init(struct shmbox_callpark *park)
{
	spin_lock_init(&park->lock);
	park->n = 0;
}

/*
 * shmbox_callpark_add - park @call, interrupted, with its caller's
 * reference; no server will wake its caller until it is resumed
 *
 * Return: NULL, or the oldest parked call, taken out to make room: its
 * caller's reference, for the caller to abandon and put.
 */
struct shmbox_call *shmbox_callpark_add(struct shmbox_callpark *park,
					struct shmbox_call *call)
{
	struct shmbox_call *old = NULL;

	/* Its waker sees a poller, and leaves the task alone. */
	WRITE_ONCE(call->spinning, true);
	spin_lock(&park->lock);
	if (park->n == SHMBOX_CALL_PARK_MAX) {
		old = park->call[0];
		memmove(&park->call[0], &park->call[1],
			--park->n * sizeof(park->call[0]));
	}
	park->call[park->n++] = call;
	spin_unlock(&park->lock);
	return old;
}

/*
 * Take the call @handle that current parked out of @park, with the
 * caller's reference.  Return: the call, or NULL.
 */
struct shmbox_call *shmbox_callpark_take(struct shmbox_callpark *park,
					 u64 handle)
{
	struct shmbox_call *call;
	u32 i;

	spin_lock(&park->lock);
	for (i = 0; i < park->n; i++) {
		call = park->call[i];
		if (call->handle != handle || call->task != current)
			continue;
		memmove(&park->call[i], &park->call[i + 1],
			(park->n - i - 1) * sizeof(park->call[0]));
		park->n--;
		spin_unlock(&park->lock);
		return call;
	}
	spin_unlock(&park->lock);
	return NULL;
}

/* Take every call out of @park into @out.  Return: how many. */
u32 shmbox_callpark_drain(struct shmbox_callpark *park,
			  struct shmbox_call **out)
{
	u32 n;

	spin_lock(&park->lock);
	n = park->n;
	memcpy(out, park->call, n * sizeof(*out));
	park->n = 0;
	spin_unlock(&park->lock);
	return n;
}

int shmbox_call_cache_init(void)
{
	size_t off = offsetof(struct shmbox_call, reply_inline);

	/* Only the inline reply is ever copied to or from user space. */
	shmbox_call_cache = kmem_cache_create_usercopy("shmbox_call",
						       sizeof(struct shmbox_call),
						       0, SLAB_ACCOUNT, off,
						       SHMBOX_CALL_INLINE, NULL);
	return shmbox_call_cache ? 0 : -ENOMEM;
}

void shmbox_call_cache_exit(void)
{
	kmem_cache_destroy(shmbox_call_cache);
}
