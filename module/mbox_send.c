// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox send: the one send path, for SHMBOX_IOC_MBOX_SEND,
 * SHMBOX_IOC_MBOX_SENDV and write(2) alike.  A call sends a chunk of up
 * to SHMBOX_VEC_CHUNK messages (a single send is a chunk of one):
 *
 *	build	copy each payload in, into a spare header when it fits
 *		inline (mbox_msg.c), take its handles (handle.c), without
 *		mb->lock, and stamp the call's sender inbox id on it;
 *	charge	all of them to the mailbox owner's account at once;
 *	queue	as many as fit, under one lock hold, handing them straight
 *		to waiting receivers (shmbox_mbox_offer());
 *	wait	a message that does not fit, or a synchronous one, waits
 *		alone in shmbox_send_wait(), the one sleep loop of a sender:
 *		for room, for a receiver, and for that receiver's copy-out.
 *		Its deadline, a signal and O_NONBLOCK apply in every phase;
 *		a sender that gives up withdraws its message, also from a
 *		receiver that is copying it out.
 *
 * A call's request (SHMBOX_IOC_MBOX_CALL, mbox_call.c) is a synchronous
 * send of one message that carries the call's handle: the receive that
 * commits it serves the call (mbox_queue.c).  O_NONBLOCK applies to its
 * room, and on a rendezvous mailbox to the take; once it is queued in a
 * mailbox with a capacity, the call waits for the take as it will for
 * the reply.
 *
 * Owns: a message from its build until it is queued (then the mailbox's,
 * mbox_queue.c) or withdrawn (then freed here, or, if a receiver holds
 * it, that receiver's to discard); a sender's wait entry (struct
 * shmbox_swait, on its stack).
 *
 * Locking: mb->lock around the queue step and each look of the wait
 * loop; no user copy or allocation under it.  A message handed to the
 * mailbox is never touched again without it: a receiver may free it.
 * Whether a synchronous send succeeds is decided under it: a receiver's
 * commit (the send succeeds) or the sender's withdrawal (the receiver
 * discards the message), whichever takes the lock first.
 *
 * Lifetime: the caller holds a reference to the mailbox for the call.
 */
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched.h>

#include "mbox.h"
#include "trace.h"

/*
 * How long a non-blocking synchronous send waits for the copy-out of a
 * receiver it handed its message to (a waiting receiver): far longer than
 * any copy of a mapped buffer takes, even under emulation, and short
 * enough that a receiver stalled on its buffer cannot block it for long.
 * Documented in the uapi header (SHMBOX_IOC_MBOX_SEND).
 */
#define SHMBOX_SYNC_COPY_WAIT_NS	(100 * NSEC_PER_MSEC)

/*
 * Can a message of @len bytes with @nh handles ever go into @mb?  0 or
 * -EMSGSIZE.
 */
static int shmbox_msg_fits(struct shmbox_mbox *mb, u32 len, u32 nh)
{
	if (len > mb->max_msg || len > shmbox_limit(SHMBOX_LIM_MSG_SIZE) ||
	    SHMBOX_MSG_COST_H(len, nh) > shmbox_limit(SHMBOX_LIM_MBOX_BYTES))
		return -EMSGSIZE;
	return 0;
}

/*
 * A new message of descriptor @m (payload copied in, handles taken:
 * all or nothing), from @spare if not NULL; @moved: where its moved fds
 * go.  Return: it, or an ERR_PTR().
 */
static struct shmbox_msg *shmbox_msg_build(const struct shmbox_mbox_msgx *m,
					   struct shmbox_msg *spare,
					   struct shmbox_moved *moved)
{
	struct shmbox_msg *msg;
	int ret;

	moved->n = 0;
	msg = shmbox_msg_new(m->buf, m->len, m->prio, spare);
	if (IS_ERR(msg) || !m->nr_handles)
		return msg;
	ret = shmbox_handles_grab(m->handles, m->nr_handles, &msg->handles,
				  moved);
	if (ret) {
		shmbox_msg_put(msg);
		return ERR_PTR(ret);
	}
	return msg;
}

/*
 * Build the messages of descriptors @m[0..n) (checked by the caller):
 * payloads copied in, each inline one into a spare header if there is
 * one, handles taken (their moved fds into @moved[i], if not NULL).
 * Return: how many were built, a prefix; *@err says why the next one
 * was not.
 */
static u32 shmbox_msgs_build(struct shmbox_mbox *mb,
			     const struct shmbox_mbox_msgx *m,
			     struct shmbox_msg **msgs, u32 n,
			     struct shmbox_moved *moved, int *err)
{
	struct shmbox_moved none;
	struct shmbox_msg *spare[SHMBOX_VEC_CHUNK], *msg;
	u32 i, nspare, ninline = 0;

	for (i = 0; i < n; i++)
		ninline += m[i].len <= SHMBOX_MSG_INLINE;
	nspare = ninline ? shmbox_mbox_spares_take(mb, spare, ninline) : 0;
	for (i = 0; i < n; i++) {
		*err = shmbox_msg_fits(mb, m[i].len, m[i].nr_handles);
		if (*err)
			break;
		msg = shmbox_msg_build(&m[i],
				       m[i].len <= SHMBOX_MSG_INLINE && nspare ?
				       spare[--nspare] : NULL,
				       moved ? &moved[i] : &none);
		if (IS_ERR(msg)) {
			*err = PTR_ERR(msg);
			break;
		}
		msgs[i] = msg;
	}
	shmbox_mbox_spares_give(mb, spare, nspare);
	return i;
}

/*
 * The queue step: queue as many of @msgs (new, charged, asynchronous) as
 * fit now, in order, under one lock hold, and hand them to waiting
 * receivers.  Nothing goes in while senders wait for room: they are
 * first.  Return: how many were queued.
 */
static u32 shmbox_send_queue(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
			     u32 n)
{
	struct shmbox_wakeups wq = {};
	u32 i = 0, before;

	spin_lock(&mb->lock);
	before = mb->nr_msgs;
	if (!mb->dead && list_empty(&mb->senders)) {
		while (i < n &&
		       shmbox_mbox_room_for(mb, shmbox_msg_cost(msgs[i]))) {
			/* Once queued, a receiver may take and free it. */
			trace_shmbox_mbox_send(&mb->obj, msgs[i]->len,
					       msgs[i]->prio, 0);
			if (msgs[i]->handles)
				trace_shmbox_mbox_handles(&mb->obj,
							  msgs[i]->handles->n,
							  false);
			shmbox_mbox_add(mb, msgs[i++]);
		}
		if (i) {
			shmbox_mbox_offer(mb, msgs, i, &wq);
			shmbox_mbox_notify_check(mb, before, msgs[0]);
			shmbox_mbox_poll_wake(mb);
		}
	}
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	return i;
}

/*
 * A waiting sender's first look (mb->lock held): its message queued now,
 * or its entry on mb->senders to wait for room, or an errno (EIDRM, or
 * EAGAIN without waiting) with the message still the sender's.
 */
static int shmbox_send_enter(struct shmbox_mbox *mb, struct shmbox_swait *sw,
			     bool nonblock, struct shmbox_wakeups *wq)
{
	u32 before = mb->nr_msgs;

	lockdep_assert_held(&mb->lock);
	if (mb->dead)
		return -EIDRM;
	if (list_empty(&mb->senders) &&
	    shmbox_mbox_room_for(mb, shmbox_msg_cost(sw->msg))) {
		shmbox_mbox_add(mb, sw->msg);
		sw->state = SHMBOX_SW_DONE;
		if (sw->sync) {
			sw->state = SHMBOX_SW_QUEUED;
			list_add_tail(&sw->w.node, &mb->takers);
		}
		shmbox_mbox_offer(mb, &sw->msg, 1, wq);
		shmbox_mbox_notify_check(mb, before, sw->msg);
		shmbox_mbox_poll_wake(mb);
		return 0;
	}
	if (nonblock)
		return -EAGAIN;
	list_add_tail(&sw->w.node, &mb->senders);
	sw->state = SHMBOX_SW_ROOM;
	return 0;
}

/*
 * shmbox_send_look - where a waiting sender stands (mb->lock held)
 * @poll:	out: poll before the next sleep
 *
 * A sender waits for room, then (synchronous) for a receiver, then for
 * that receiver's copy-out, and may give up in each phase (the errno
 * ladder of shmbox_wait_verdict()).  A non-blocking send never waits for
 * room or for a receiver; it waits only for a copy-out under way, until
 * its short deadline (shmbox_send_wait()), and then fails with EAGAIN.
 *
 * Return: 0 to sleep again (the task state is set), or the errno the send
 * fails with, its message withdrawn: still the sender's, or, if a
 * receiver holds it, marked for that receiver to discard (sw->msg is then
 * NULL).
 */
static int shmbox_send_look(struct shmbox_mbox *mb, struct shmbox_swait *sw,
			    bool nonblock, bool timed_out,
			    struct shmbox_wakeups *wq, bool *poll)
{
	struct shmbox_msg *msg = sw->msg;
	int ret;

	lockdep_assert_held(&mb->lock);
	/* Its entry leaves its list when it may go on: pollable. */
	*poll = true;
	if (sw->state == SHMBOX_SW_ROOM) {
		/* A non-blocking send never waits for room. */
		ret = shmbox_wait_verdict(mb, false, true, timed_out);
		if (ret) {
			list_del_init(&sw->w.node);
			/* Leaving the head may let the next one in. */
			shmbox_mbox_kick(mb, wq);
			return ret;
		}
	} else if (msg->state == SHMBOX_MSG_QUEUED) {
		/* Synchronous, nobody took it yet: may withdraw. */
		ret = shmbox_wait_verdict(mb, nonblock, true, timed_out);
		if (ret) {
			list_del_init(&sw->w.node);
			msg->sw = NULL;
			shmbox_mbox_sub(mb, msg);
			shmbox_mbox_kick(mb, wq);
			return ret;
		}
	} else {
		/*
		 * A receiver is copying it out.  Its commit makes the send
		 * succeed; if we give up first, the receiver finds the
		 * message withdrawn when it settles, and discards it.
		 */
		ret = shmbox_wait_verdict(mb, false, true, timed_out);
		if (ret) {
			list_del_init(&sw->w.node);
			shmbox_msg_withdraw(mb, msg);
			sw->msg = NULL;
			/* The short wait of a non-blocking send ended. */
			return ret == -ETIMEDOUT && nonblock && !sw->call ?
			       -EAGAIN : ret;
		}
	}
	__set_current_state(TASK_INTERRUPTIBLE);
	return 0;
}

/*
 * shmbox_send_wait - send one message that may have to wait, consuming it
 * @msg:	new, charged; the mailbox's, a receiver's or freed here,
 *		whatever happens
 *
 * The one sleep loop of a sender: for room, then (synchronous, or a
 * rendezvous mailbox) for a receiver to take the message.  A
 * non-blocking synchronous send sleeps only while a receiver it handed
 * the message to copies it out, and for SHMBOX_SYNC_COPY_WAIT_NS at most.
 * Return: 0 once sent, or a negative errno with the message withdrawn.
 */
static int shmbox_send_wait(const struct shmbox_send *s, struct shmbox_msg *msg)
{
	struct shmbox_mbox *mb = s->mb;
	struct shmbox_swait sw = { .w.task = current, .msg = msg,
				   .call = s->call };
	bool timed_out = false, blocked = false, poll, nb_take;
	struct shmbox_wakeups wq = {};
	struct shmbox_deadline deadline = s->deadline;
	int ret;

	sw.sync = s->sync || !mb->capacity;
	/* A call queued with room waits for its take as for its reply. */
	nb_take = s->nonblock && !(s->call && mb->capacity);
	if (nb_take && sw.sync && !s->call)
		deadline.ns = min(deadline.ns, shmbox_deadline_now(&deadline) +
					       SHMBOX_SYNC_COPY_WAIT_NS);
	INIT_LIST_HEAD(&sw.w.node);
	msg->sw = sw.sync ? &sw : NULL;
	spin_lock(&mb->lock);
	ret = shmbox_send_enter(mb, &sw, s->nonblock, &wq);
	while (!ret && sw.state != SHMBOX_SW_DONE) {
		ret = shmbox_send_look(mb, &sw, nb_take, timed_out, &wq, &poll);
		if (ret)
			break;
		if (!blocked) {
			blocked = true;
			mb->nr_swait++;
		}
		timed_out = shmbox_mbox_sleep(mb, &wq, &sw.w, true, poll,
					      &deadline);
		spin_lock(&mb->lock);
	}
	if (blocked)
		mb->nr_swait--;
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	if (ret && sw.msg)
		shmbox_msg_done(sw.msg);
	return ret;
}

/*
 * shmbox_mbox_send - the one send path
 * @s:		the call
 * @m, @n:	descriptors of the messages, checked (at most
 *		SHMBOX_VEC_CHUNK)
 * @err:	out: why the first message not sent failed
 *
 * Sends in order and stops at the first failure; the messages after it
 * are withdrawn (freed, uncharged).
 * Return: how many were sent.
 */
u32 shmbox_mbox_send(const struct shmbox_send *s,
		     const struct shmbox_mbox_msgx *m, u32 n, int *err)
{
	struct shmbox_msg *msgs[SHMBOX_VEC_CHUNK];
	struct shmbox_mbox *mb = s->mb;
	u32 built, charged, i = 0, k;
	int ret;

	if (WARN_ON_ONCE(n > SHMBOX_VEC_CHUNK))
		n = SHMBOX_VEC_CHUNK;
	if (READ_ONCE(mb->dead)) {
		*err = -EIDRM;
		return 0;
	}
	built = shmbox_msgs_build(mb, m, msgs, n, s->moved, err);
	for (k = 0; k < built; k++)
		msgs[k]->sender_id = s->sender_id;
	if (s->call && built) {
		msgs[0]->handle = s->call->handle;
		msgs[0]->reply_max = s->call->reply_max;
	}
	charged = shmbox_msgs_charge(mb, msgs, built, err);
	for (k = charged; k < built; k++)
		shmbox_msg_put(msgs[k]);
	while (i < charged) {
		if (!s->sync && mb->capacity)
			i += shmbox_send_queue(mb, msgs + i, charged - i);
		if (i == charged)
			break;
		ret = shmbox_send_wait(s, msgs[i]);
		trace_shmbox_mbox_send(&mb->obj, m[i].len, m[i].prio, ret);
		if (!ret && m[i].nr_handles)
			trace_shmbox_mbox_handles(&mb->obj, m[i].nr_handles,
						  false);
		if (ret) {
			*err = ret;
			break;
		}
		i++;
	}
	for (k = i + 1; k < charged; k++)
		shmbox_msg_done(msgs[k]);
	return i;
}
