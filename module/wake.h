/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox wake batch (wake.c): tasks to wake once a spinlock is dropped.
 * A leaf: includes nothing of shmbox.
 */
#ifndef _SHMBOX_WAKE_H
#define _SHMBOX_WAKE_H

#include <linux/compiler.h>
#include <linux/sched.h>

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

#endif /* _SHMBOX_WAKE_H */
