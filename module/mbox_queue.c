// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox queue: the priority queues of a mailbox and its lists of
 * waiting senders and receivers, and every operation on them under
 * mb->lock: link and reserve a message, add it to and take it out of the
 * mailbox's accounts, find what a receive gets, hand new messages to
 * waiting receivers, let waiting senders in (refill), settle a receive's
 * reservations (discarding what a synchronous sender withdrew meanwhile),
 * and kill the mailbox.
 *
 * Owns: mb->queue (the priority tree and rings), the counters, ->senders, ->takers,
 * ->receivers, ->dead and each message's ->state and ->sw.
 *
 * Locking: mb->lock (a spinlock) protects all of it.  Functions named for
 * an operation on a locked mailbox assert it (lockdep_assert_held());
 * the few that take it themselves (shmbox_mbox_settle(), _kill()) say
 * so.  Nothing here allocates, copies to or from user space, or sleeps,
 * so the lock is only ever held for a bounded walk: a new message is
 * matched only against the waiting receivers, a new receiver only against
 * the queue (shmbox_mbox_offer()).  mb->poll_wq's own lock nests inside
 * mb->lock.  Wake-ups of served waiters are collected in a struct
 * shmbox_wakeups and issued by the caller after the lock.
 *
 * Lifetime: a wait entry (struct shmbox_swait, struct shmbox_rwait) lives
 * on its task's stack and is reached here only while it is linked (or,
 * for a synchronous sender, while its message's ->sw points at it: a
 * sender that gives up clears ->sw under mb->lock before it returns, and
 * a message it withdrew while a receiver held it stays that receiver's
 * until shmbox_mbox_settle() discards it).  Whoever takes a receiver's
 * entry off the list stores its ->released flag (release) as its very
 * last access to it: a receiver that sees the flag and a message returns
 * without taking mb->lock.
 */
#include <linux/bitops.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched.h>

#include "mbox.h"
#include "trace.h"

/* Queue @t's wake-up for after mb->lock (traced). */
static void shmbox_mbox_wake(struct shmbox_wakeups *wq, struct task_struct *t)
{
	trace_shmbox_mbox_wake(t);
	shmbox_wake_add(wq, t);
}

/*
 * Wake a waiter just served (its entry taken off its list, under
 * mb->lock) unless it is polling: then it sees the entry gone by itself
 * (shmbox_waiter_sleeps() has the barrier pairing).  The entry lives on
 * the waiter's stack, but the waiter takes mb->lock before it returns.
 */
static void shmbox_waiter_wake(struct shmbox_wakeups *wq,
			       struct shmbox_waiter *w)
{
	if (shmbox_waiter_sleeps(&w->spinning))
		shmbox_mbox_wake(wq, w->task);
}

/*
 * shmbox_msg_link_prio - shmbox_msg_link() for a priority that is not the
 * highest queued, or has no leader: find its leader in the tree, or make
 * @msg the leader of a new ring.  Ordered from the highest priority, so
 * the tree's cached leftmost node is what a receive gets.
 */
void shmbox_msg_link_prio(struct shmbox_mbox *mb, struct shmbox_msg *msg,
			  bool head)
{
	struct rb_node **link = &mb->queue.rb_root.rb_node, *parent = NULL;
	struct shmbox_msg *lead;
	bool leftmost = true;

	lockdep_assert_held(&mb->lock);
	while (*link) {
		parent = *link;
		lead = rb_entry(parent, struct shmbox_msg, prio_node);
		if (msg->prio == lead->prio) {
			shmbox_msg_join(mb, lead, msg, head);
			return;
		}
		if (msg->prio > lead->prio) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	INIT_LIST_HEAD(&msg->node);
	rb_link_node(&msg->prio_node, parent, link);
	rb_insert_color_cached(&msg->prio_node, &mb->queue, leftmost);
}

/* The first message from @from, for shmbox_mbox_first(). */
struct shmbox_msg *shmbox_mbox_first_from(struct shmbox_mbox *mb,
					  struct pid_namespace *ns, pid_t from)
{
	struct shmbox_msg *lead, *msg;
	struct rb_node *rb;

	lockdep_assert_held(&mb->lock);
	for (rb = rb_first_cached(&mb->queue); rb; rb = rb_next(rb)) {
		lead = rb_entry(rb, struct shmbox_msg, prio_node);
		msg = lead;
		do {
			if (pid_nr_ns(msg->sender, ns) == from)
				return msg;
			msg = list_next_entry(msg, node);
		} while (msg != lead);
	}
	return NULL;
}

/*
 * Take waiting receiver @rw off mb->receivers, handing it @msg (reserved)
 * or nothing, and wake it unless it polls.  The release store of
 * ->released is the last access to @rw, whose task may then return (its
 * wake-up, if any, holds its own task reference): a receiver that sees it
 * set with a message returns without mb->lock (shmbox_recv_take()).
 */
void shmbox_rwait_serve(struct shmbox_mbox *mb, struct shmbox_rwait *rw,
			struct shmbox_msg *msg, struct shmbox_wakeups *wq)
{
	lockdep_assert_held(&mb->lock);
	list_del_init(&rw->w.node);
	mb->nr_rwait--;
	rw->msg = msg;
	shmbox_waiter_wake(wq, &rw->w);
	/* Last access to @rw; pairs with the load in shmbox_recv_take(). */
	smp_store_release(&rw->released, true);
}

/*
 * Offer @msg, just queued, to the waiting receivers in their FIFO order:
 * the first whose filter it passes and whose buffer it fits gets it,
 * reserved; a peeker, or a receiver whose buffer is too small, that it
 * passes is woken without it and looks again itself.
 */
static void shmbox_mbox_offer_one(struct shmbox_mbox *mb, struct shmbox_msg *msg,
				  struct shmbox_wakeups *wq)
{
	struct shmbox_rwait *rw, *tmp;

	lockdep_assert_held(&mb->lock);
	list_for_each_entry_safe(rw, tmp, &mb->receivers, w.node) {
		mb->offer_steps++;
		if (rw->from && pid_nr_ns(msg->sender, rw->ns) != rw->from)
			continue;
		if (rw->peek || msg->len > rw->buflen ||
		    shmbox_handles_nr(msg->handles) > rw->hcap) {
			shmbox_rwait_serve(mb, rw, NULL, wq);
			continue;
		}
		shmbox_msg_reserve(mb, msg);
		shmbox_rwait_serve(mb, rw, msg, wq);
		return;
	}
}

/*
 * shmbox_mbox_offer - hand messages just queued to waiting receivers
 * @msgs, @n:	the messages this lock hold queued (sent, refilled or put
 *		back), in their queue order; at most SHMBOX_VEC_CHUNK
 *
 * Only new messages need matching: a receiver looks at the queue under
 * mb->lock before it waits, and waits only if nothing queued is for it,
 * so no waiting receiver has a match among the older messages.  The cost
 * is therefore waiters x new messages, whatever the queue's length (a
 * walk of every waiter against the whole queue let receivers filtering
 * on a silent sender make each send quadratic under the spinlock).  The
 * messages are offered in receive order (highest priority first, FIFO
 * within one), so the first waiter gets what a receive would get.
 */
void __shmbox_mbox_offer(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
			 u32 n, struct shmbox_wakeups *wq)
{
	unsigned long left;
	u32 i, best;

	lockdep_assert_held(&mb->lock);
	/* Every caller queues at most one chunk per lock hold. */
	if (WARN_ON_ONCE(n > SHMBOX_VEC_CHUNK))
		n = SHMBOX_VEC_CHUNK;
	left = BIT(n) - 1;
	while (left && !list_empty(&mb->receivers)) {
		best = __ffs(left);
		for_each_set_bit(i, &left, n)
			if (msgs[i]->prio > msgs[best]->prio)
				best = i;
		__clear_bit(best, &left);
		shmbox_mbox_offer_one(mb, msgs[best], wq);
	}
}

/*
 * Pipelined send: move the messages of senders waiting for room into the
 * mailbox while they fit, in the senders' FIFO order, and offer them to
 * waiting receivers.  An asynchronous sender is done and woken; a
 * synchronous one keeps waiting for the take.
 */
void shmbox_mbox_refill(struct shmbox_mbox *mb, struct shmbox_wakeups *wq)
{
	struct shmbox_msg *added[SHMBOX_VEC_CHUNK], *first = NULL;
	u32 n = 0, before = mb->nr_msgs;
	struct shmbox_swait *sw;

	lockdep_assert_held(&mb->lock);
	while (!list_empty(&mb->senders)) {
		sw = list_first_entry(&mb->senders, struct shmbox_swait, w.node);
		if (!shmbox_mbox_room_for(mb, shmbox_msg_cost(sw->msg)))
			break;
		list_del_init(&sw->w.node);
		shmbox_mbox_add(mb, sw->msg);
		if (!first)
			first = sw->msg;
		added[n++] = sw->msg;
		if (sw->sync) {
			sw->state = SHMBOX_SW_QUEUED;
			list_add_tail(&sw->w.node, &mb->takers);
		} else {
			sw->state = SHMBOX_SW_DONE;
			shmbox_waiter_wake(wq, &sw->w);
		}
		if (n == ARRAY_SIZE(added)) {
			shmbox_mbox_offer(mb, added, n, wq);
			n = 0;
		}
	}
	shmbox_mbox_offer(mb, added, n, wq);
	if (first)
		shmbox_mbox_notify_check(mb, before, first);
}

/*
 * Take reserved or queued @msg out of the mailbox's accounts (mb->lock
 * held), and its header as a spare for the senders if nobody else (no
 * peeker) holds it.  A sender may reuse a spare header as soon as the
 * lock is dropped, so what the rest of the work needs is taken out into
 * @done, for shmbox_done_finish().
 */
static void shmbox_mbox_drop(struct shmbox_mbox *mb, struct shmbox_msg *msg,
			     struct shmbox_done *done)
{
	shmbox_mbox_sub(mb, msg);
	done->acct = msg->acct;
	done->cost = shmbox_msg_cost(msg);
	done->sender = msg->sender;
	done->msg = shmbox_mbox_spare_keep(mb, msg) ? NULL : msg;
}

/*
 * Reserved or queued @msg is received (mb->lock held) by a receive whose
 * file's call table is @calls (NULL: it cannot report a handle): counted,
 * its synchronous sender done (a call's served, into @calls), and
 * dropped (shmbox_mbox_drop()).
 */
void shmbox_mbox_received(struct shmbox_mbox *mb, struct shmbox_msg *msg,
			  struct shmbox_calltab *calls, struct shmbox_done *done,
			  struct shmbox_wakeups *wq)
{
	struct shmbox_swait *sw;

	lockdep_assert_held(&mb->lock);
	mb->received++;
	if (msg->sw) {
		sw = msg->sw;
		list_del_init(&sw->w.node);	/* off mb->takers */
		sw->state = SHMBOX_SW_DONE;
		msg->sw = NULL;
		mb->sent++;
		/*
		 * A call's request: served into @calls, its caller waits on
		 * for the answer, which wakes it (call.c), so no wake-up
		 * here, on the server's way to the request.
		 */
		if (!sw->call || !shmbox_call_serve(sw->call, calls))
			shmbox_waiter_wake(wq, &sw->w);
	}
	trace_shmbox_mbox_recv(&mb->obj, msg->len, msg->prio, msg->sender);
	shmbox_mbox_drop(mb, msg, done);
}

/*
 * After mb->lock: end the charges of @n received messages (one quota
 * operation per run charged to the same account) and drop the
 * references.  The account lives as long as the mailbox, which the
 * receiver holds.
 */
void shmbox_done_finish(const struct shmbox_done *done, u32 n)
{
	struct shmbox_acct *acct = NULL;
	u64 cost = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		if (done[i].acct != acct) {
			if (acct)
				shmbox_acct_uncharge(acct, SHMBOX_RES_MSG_BYTES,
						     cost);
			acct = done[i].acct;
			cost = 0;
		}
		cost += done[i].cost;
		if (done[i].msg)
			shmbox_msg_put(done[i].msg);
		else
			put_pid(done[i].sender);
	}
	if (acct)
		shmbox_acct_uncharge(acct, SHMBOX_RES_MSG_BYTES, cost);
}

/*
 * Discard the withdrawn messages among a receive's @msgs[0..n) (mb->lock
 * held), each into @done[*@ndone++], and close the gaps they leave, the
 * others keeping their order.
 * Return: how many came before the first withdrawn one (@n if none).
 */
static u32 shmbox_settle_withdrawn(struct shmbox_mbox *mb,
				   struct shmbox_msg **msgs, u32 n,
				   struct shmbox_done *done, u32 *ndone)
{
	u32 i, left = 0, first = n;

	lockdep_assert_held(&mb->lock);
	for (i = 0; i < n; i++) {
		if (msgs[i]->state != SHMBOX_MSG_WITHDRAWN) {
			msgs[left++] = msgs[i];
			continue;
		}
		if (first == n)
			first = i;
		shmbox_mbox_drop(mb, msgs[i], &done[(*ndone)++]);
	}
	return first;
}

/*
 * shmbox_mbox_settle - end the reservations of a receive
 * @msgs:	reserved messages, in the order the receive took them
 *		(@ncommit + @nput at most SHMBOX_VEC_CHUNK); used as scratch
 * @ncommit:	the first @ncommit were copied out: they are received
 * @nput:	the @nput after them were not: back to the heads of their
 *		queues, in their order
 * @calls:	the receiving file's call table, for the calls among the
 *		commits (see shmbox_mbox_received())
 *
 * One lock round trip for both, put-backs first: no other receiver can
 * take a message queued behind them in between, and the room the commits
 * make lets waiting senders in only behind them.
 *
 * This is where a receive meets a withdrawal (shmbox_msg_withdraw()): a
 * message whose synchronous sender gave up while the receive held it is
 * discarded here, not received (freed and uncharged after the lock).  It
 * also ends the commits, so that a vector's results have no hole: the
 * messages after it are put back like those not copied out.
 * Return: how many of @msgs came before the first withdrawn one
 * (@ncommit + @nput if none was); of those, the first @ncommit at most
 * were received.
 */
u32 shmbox_mbox_settle(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
		       u32 ncommit, u32 nput, struct shmbox_calltab *calls)
{
	struct shmbox_done done[SHMBOX_VEC_CHUNK];
	struct shmbox_wakeups wq = {};
	u32 n = ncommit + nput, kept, nback, ndone = 0, i;
	struct shmbox_msg *msg;

	if (WARN_ON_ONCE(n > SHMBOX_VEC_CHUNK) || !n)
		return 0;
	spin_lock(&mb->lock);
	kept = shmbox_settle_withdrawn(mb, msgs, n, done, &ndone);
	ncommit = min(ncommit, kept);
	nback = n - ndone - ncommit;
	for (i = ncommit + nback; i-- > ncommit;) {
		msg = msgs[i];
		shmbox_msg_link(mb, msg, true);
		if (msg->sw)
			shmbox_mbox_wake(&wq, msg->sw->w.task);
	}
	shmbox_mbox_offer(mb, msgs + ncommit, nback, &wq);
	for (i = 0; i < ncommit; i++)
		shmbox_mbox_received(mb, msgs[i], calls, &done[ndone++], &wq);
	shmbox_mbox_kick(mb, &wq);
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	shmbox_done_finish(done, ndone);
	return kept;
}

/* Mark the mailbox removed and wake every waiter with EIDRM. */
void shmbox_mbox_kill(struct shmbox_mbox *mb)
{
	struct shmbox_rwait *rw, *rtmp;
	struct shmbox_swait *sw, *stmp;
	struct shmbox_wakeups wq = {};

	spin_lock(&mb->lock);
	WRITE_ONCE(mb->dead, true);
	list_for_each_entry_safe(rw, rtmp, &mb->receivers, w.node)
		shmbox_rwait_serve(mb, rw, NULL, &wq);
	/* Each finds mb->dead and fails with EIDRM. */
	list_for_each_entry_safe(sw, stmp, &mb->senders, w.node) {
		list_del_init(&sw->w.node);
		shmbox_waiter_wake(&wq, &sw->w);
	}
	/*
	 * And those waiting for their take, off mb->takers: a sender that
	 * polls sees only its entry leave its list, never a wake-up.
	 */
	list_for_each_entry_safe(sw, stmp, &mb->takers, w.node) {
		list_del_init(&sw->w.node);
		shmbox_waiter_wake(&wq, &sw->w);
	}
	/* Ordered against poll_wait() by mb->lock, which poll takes after. */
	if (waitqueue_active(&mb->poll_wq))
		wake_up_interruptible_poll(&mb->poll_wq, EPOLLERR | EPOLLHUP);
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
}

/* The lock and everything it protects, empty (also used by KUnit). */
void shmbox_mbox_init_queues(struct shmbox_mbox *mb)
{
	spin_lock_init(&mb->lock);
	mb->queue = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&mb->senders);
	INIT_LIST_HEAD(&mb->takers);
	INIT_LIST_HEAD(&mb->receivers);
	init_waitqueue_head(&mb->poll_wq);
	init_llist_head(&mb->spare);
}

/* Would a send of a short message complete without waiting? */
bool shmbox_mbox_writable(struct shmbox_mbox *mb)
{
	lockdep_assert_held(&mb->lock);
	/* Rendezvous: only a waiting receiver takes a send at once. */
	if (!mb->capacity)
		return !list_empty(&mb->receivers);
	/* Waiting senders go first; else the room an empty message needs. */
	return list_empty(&mb->senders) &&
	       shmbox_mbox_room_for(mb, SHMBOX_MSG_COST(0));
}
