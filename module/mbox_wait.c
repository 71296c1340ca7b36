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
 * polls: the waiter polls its own entry without the lock, and the barrier
 * pair of shmbox_mbox_spin() and shmbox_waiter_sleeps() keeps that
 * correct:
 *
 *	waiter (polling)			waker (mb->lock held)
 *	WRITE_ONCE(->spinning, false)		list_del_init(&w->node)
 *	set_current_state() (full barrier)	smp_mb()
 *	list_empty(&w->node)?			READ_ONCE(->spinning)?
 *
 * Either the waker sees ->spinning clear and wakes the task, or the task
 * sees its entry gone and does not sleep: no wake-up is lost.
 *
 * Lifetime: nothing outlives a call.
 */
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>

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

/*
 * shmbox_mbox_spin - poll a queued wait entry before sleeping on it
 * @w:		the entry, on mb->receivers or mb->senders
 * @deadline:	the wait's absolute CLOCK_MONOTONIC deadline
 *
 * Called without mb->lock, the task's state already TASK_INTERRUPTIBLE.
 * A peer on another CPU usually answers within microseconds, while a
 * sleep puts a wake-up (an IPI to an idle CPU, the idle exit) on the
 * critical path of every message.  Like KVM's halt polling, the task
 * polls for at most the mbox_spin_ns parameter, and only while nothing
 * else wants its CPU (single_task_running(), need_resched()), no signal is
 * pending and the deadline has not passed.  It polls in TASK_RUNNING with
 * ->spinning set, so a waker has nothing to do: no remote wake-up at all.
 *
 * Return: true if the entry was served (the task is TASK_RUNNING), false
 * if the task must go to sleep (its state is set again, and the entry was
 * checked after that, so no wake-up is lost).
 */
static bool shmbox_mbox_spin(struct shmbox_waiter *w, u64 deadline)
{
	u64 spin_ns = shmbox_limit(SHMBOX_LIM_SPIN_NS), now, end;
	bool served;

	if (!spin_ns || !single_task_running())
		return false;
	if (deadline != SHMBOX_TIMEOUT_NONE) {
		now = ktime_get_ns();
		if (now >= deadline)
			return false;
		spin_ns = min(spin_ns, deadline - now);
	}
	/* local_clock(): cheap, unlike some clocksources (HPET) */
	end = local_clock() + spin_ns;
	WRITE_ONCE(w->spinning, true);
	__set_current_state(TASK_RUNNING);
	do {
		served = list_empty(&w->node);
		if (served)
			break;
		cpu_relax();
	} while (!need_resched() && single_task_running() &&
		 !signal_pending(current) && local_clock() < end);
	WRITE_ONCE(w->spinning, false);
	if (served)
		return true;
	/* Implies smp_mb(): pairs with shmbox_waiter_sleeps(). */
	set_current_state(TASK_INTERRUPTIBLE);
	if (!list_empty(&w->node))
		return false;
	__set_current_state(TASK_RUNNING);
	return true;
}

/*
 * shmbox_mbox_sleep - wait once: for a wake-up, a signal or the deadline
 * @wq:		wake-ups the caller collected under the lock, issued here
 * @w:		the caller's entry, linked (only looked at if @poll)
 * @sender:	for the tracepoints: a sender's wait, else a receiver's
 * @poll:	poll @w first (shmbox_mbox_spin())
 * @deadline:	absolute CLOCK_MONOTONIC ns, or SHMBOX_TIMEOUT_NONE
 *
 * Called with mb->lock held and the task state set (TASK_INTERRUPTIBLE,
 * or TASK_KILLABLE); returns without the lock, TASK_RUNNING.  The caller
 * takes the lock again and looks at its state: a wake-up says only that
 * something changed.
 * Return: true if the deadline passed.
 */
bool shmbox_mbox_sleep(struct shmbox_mbox *mb, struct shmbox_wakeups *wq,
		       struct shmbox_waiter *w, bool sender, bool poll,
		       u64 deadline)
	__releases(&mb->lock)
{
	bool timed_out = false;

	spin_unlock(&mb->lock);
	shmbox_wake_flush(wq);
	trace_shmbox_mbox_wait(&mb->obj, sender, 0);
	if ((!poll || !shmbox_mbox_spin(w, deadline)) &&
	    shmbox_schedule_deadline(deadline))
		timed_out = true;
	trace_shmbox_mbox_wait_done(&mb->obj, sender,
				    timed_out ? -ETIMEDOUT : 0);
	return timed_out;
}
