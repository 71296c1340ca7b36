/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox wake batch (wake.c): tasks to wake once a spinlock is dropped;
 * and the two halves of the adaptive spin, the waiter's poll and the
 * waker's test.  A leaf: includes nothing of shmbox but the uapi header
 * and deadline.h, another leaf.
 */
#ifndef _SHMBOX_WAKE_H
#define _SHMBOX_WAKE_H

#include <linux/compiler.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/timekeeping.h>

#include <linux/shmbox.h>

#include "deadline.h"

/*
 * Tasks to wake once the caller's spinlock is dropped, so that they do
 * not wake up only to spin on it (the kernel's wake_q is not exported to
 * modules).  Past SHMBOX_WAKE_BATCH a task is woken at once, under the
 * lock, which is correct too: a waiter rechecks its state under the lock.
 */
#define SHMBOX_WAKE_BATCH	8

struct shmbox_wakeups {
	unsigned int n;
	struct task_struct *task[SHMBOX_WAKE_BATCH];
};

/* Queue @t (with a task reference) for shmbox_wake_flush(). */
void shmbox_wake_add(struct shmbox_wakeups *wq, struct task_struct *t);
void __shmbox_wake_flush(struct shmbox_wakeups *wq);

/* Wake and put every queued task; call with no spinlock held. */
static inline void shmbox_wake_flush(struct shmbox_wakeups *wq)
{
	if (wq->n)
		__shmbox_wake_flush(wq);
}

/*
 * shmbox_waiter_sleeps - must the waker wake a waiter it just served?
 * @spinning:	the waiter's flag, set while it polls its wait entry
 *
 * Called after the waker took the waiter's entry off its list (under the
 * lock that guards the list).  A polling waiter sees its entry gone by
 * itself and needs no wake-up.  The barrier orders the list_del_init()
 * before the load of ->spinning, and pairs with the barrier the poller
 * issues after clearing ->spinning and before it looks at its entry the
 * last time: either the waker sees the flag clear and wakes the task, or
 * the task sees its entry gone and does not sleep.
 */
static inline bool shmbox_waiter_sleeps(const bool *spinning)
{
	/* Orders the caller's list_del_init() before the ->spinning load. */
	smp_mb();
	return !READ_ONCE(*spinning);
}

/*
 * shmbox_spin_until - poll for a wait's condition before sleeping on it
 * @done, @arg:	the condition (a constant at each call site: inlined)
 * @spinning:	the waiter's flag, set while it polls; its waker reads it
 *		with shmbox_waiter_sleeps() once it made @done true
 * @spin_ns:	the longest poll (the mbox_spin_ns parameter); 0: none
 * @deadline:	the wait's deadline
 *
 * The one adaptive spin of every wait (mailbox waiters, callers waiting
 * for their reply).  Called with the task state TASK_INTERRUPTIBLE and no
 * lock held.  A peer on another CPU usually answers within microseconds,
 * while a sleep puts a wake-up (an IPI to an idle CPU, the idle exit) on
 * the critical path of every message.  Like KVM's halt polling, the task
 * polls only while nothing else wants its CPU (single_task_running(),
 * need_resched()), no signal is pending and the deadline has not passed.
 * It polls in TASK_RUNNING with *@spinning set, so a waker has nothing to
 * do: no remote wake-up at all.
 *
 *	waiter					waker
 *	WRITE_ONCE(*spinning, false)		make @done true
 *	set_current_state() (full barrier)	smp_mb()
 *	@done?					READ_ONCE(*spinning)?
 *
 * Either the waker sees the flag clear and wakes the task, or the task
 * sees @done and does not sleep: no wake-up is lost.
 *
 * Return: true if @done (the task is TASK_RUNNING), false if the task
 * must sleep (its state is set again, and @done was checked after that).
 */
static __always_inline bool shmbox_spin_until(bool (*done)(const void *arg),
					      const void *arg, bool *spinning,
					      u64 spin_ns,
					      const struct shmbox_deadline *deadline)
{
	bool ok = false;
	u64 now, end;

	if (!spin_ns || !single_task_running())
		return false;
	if (deadline->ns != SHMBOX_TIMEOUT_NONE) {
		now = shmbox_deadline_now(deadline);
		if (now >= deadline->ns)
			return false;
		spin_ns = min(spin_ns, deadline->ns - now);
	}
	/* local_clock(): cheap, unlike some clocksources (HPET) */
	end = local_clock() + spin_ns;
	WRITE_ONCE(*spinning, true);
	__set_current_state(TASK_RUNNING);
	do {
		ok = done(arg);
		if (ok)
			break;
		cpu_relax();
	} while (!need_resched() && single_task_running() &&
		 !signal_pending(current) && local_clock() < end);
	WRITE_ONCE(*spinning, false);
	if (ok)
		return true;
	/* Implies smp_mb(): pairs with shmbox_waiter_sleeps(). */
	set_current_state(TASK_INTERRUPTIBLE);
	if (!done(arg))
		return false;
	__set_current_state(TASK_RUNNING);
	return true;
}

#endif /* _SHMBOX_WAKE_H */
