// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox waiting: the one sleep of every mailbox wait (senders
 * waiting for room or for the take, receivers waiting for a message), its
 * one errno ladder, and the adaptive spin before it.
 *
 * Owns: nothing; a wait entry (struct shmbox_waiter) is its task's.
 *
 * Locking: the waiter decides under mb->lock whether to wait
 * (shmbox_wait_verdict()), links its entry and sets its task state, then
 * calls shmbox_mbox_sleep(), which drops the lock.  Whoever serves the
 * entry takes it off its list under mb->lock and wakes the task unless it
 * polls: the waiter polls its own entry without the lock
 * (shmbox_spin_until(), wake.h, whose barrier pair with
 * shmbox_waiter_sleeps() keeps that correct, the entry's removal being
 * the condition).
 *
 * Lifetime: nothing outlives a call.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "mbox.h"
#include "trace.h"

/*
 * shmbox_wait_verdict - the one errno ladder of a mailbox wait
 * @nonblock:	the call may not wait
 * @check_signal: look at signals (a receive that finds nothing on its
 *		first look sleeps once, so that schedule() notices one)
 * @timed_out:	the last sleep reached the deadline
 *
 * Checked under mb->lock each time a waiter looks at its state: removed
 * (EIDRM) before a non-blocking call that would wait (EAGAIN), before a
 * signal (ERESTARTSYS), before the deadline (ETIMEDOUT).
 * Return: 0 to wait on, else the errno the call fails with.
 */
int shmbox_wait_verdict(struct shmbox_mbox *mb, bool nonblock,
			bool check_signal, bool timed_out)
{
	lockdep_assert_held(&mb->lock);
	if (mb->dead)
		return -EIDRM;
	if (nonblock)
		return -EAGAIN;
	if (check_signal && signal_pending(current))
		return -ERESTARTSYS;
	if (timed_out)
		return -ETIMEDOUT;
	return 0;
}

/* Has the waiter's entry been served (taken off its list)? */
static bool shmbox_waiter_served(const void *w)
{
	return list_empty(&((const struct shmbox_waiter *)w)->node);
}

/*
 * shmbox_mbox_sleep - wait once: for a wake-up, a signal or the deadline
 * @wq:		wake-ups the caller collected under the lock, issued here
 * @w:		the caller's entry, linked (only looked at if @poll)
 * @sender:	for the tracepoints: a sender's wait, else a receiver's
 * @poll:	poll @w first (shmbox_spin_until())
 * @deadline:	the wait's deadline
 *
 * Called with mb->lock held and the task state set (TASK_INTERRUPTIBLE,
 * or TASK_KILLABLE); returns without the lock, TASK_RUNNING.  The caller
 * takes the lock again and looks at its state: a wake-up says only that
 * something changed.
 * Return: true if the deadline passed.
 */
bool shmbox_mbox_sleep(struct shmbox_mbox *mb, struct shmbox_wakeups *wq,
		       struct shmbox_waiter *w, bool sender, bool poll,
		       const struct shmbox_deadline *deadline)
	__releases(&mb->lock)
{
	bool timed_out = false;

	spin_unlock(&mb->lock);
	shmbox_wake_flush(wq);
	trace_shmbox_mbox_wait(&mb->obj, sender, 0);
	if ((!poll ||
	     !shmbox_spin_until(shmbox_waiter_served, w, &w->spinning,
				shmbox_limit(SHMBOX_LIM_SPIN_NS), deadline)) &&
	    shmbox_schedule_deadline(deadline))
		timed_out = true;
	trace_shmbox_mbox_wait_done(&mb->obj, sender,
				    timed_out ? -ETIMEDOUT : 0);
	return timed_out;
}
