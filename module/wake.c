// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox wake batch: wake-ups collected under a spinlock and issued after
 * it.  A leaf: includes nothing of shmbox but its own header.
 *
 * Owns: struct shmbox_wakeups, which lives on its user's stack.
 * Locking: none of its own; shmbox_wake_add() may be called under any
 * spinlock, shmbox_wake_flush() with none held.
 * Lifetime: each queued task is held by a task reference from
 * shmbox_wake_add() until shmbox_wake_flush() has woken it.
 */
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "wake.h"

void shmbox_wake_add(struct shmbox_wakeups *wq, struct task_struct *t)
{
	if (wq->n == SHMBOX_WAKE_BATCH) {
		wake_up_process(t);
		return;
	}
	get_task_struct(t);
	wq->task[wq->n++] = t;
}

void __shmbox_wake_flush(struct shmbox_wakeups *wq)
{
	while (wq->n) {
		struct task_struct *t = wq->task[--wq->n];

		wake_up_process(t);
		put_task_struct(t);
	}
}
