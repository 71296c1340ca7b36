// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox deadline sleep: one place turns an absolute CLOCK_MONOTONIC
 * deadline (or SHMBOX_TIMEOUT_NONE) into a sleep, for every blocking
 * ioctl.  A leaf: it includes nothing of shmbox but its own header and
 * the uapi header (for SHMBOX_TIMEOUT_NONE).
 *
 * Locking: none; the caller holds no spinlock (it sleeps).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>

#include <linux/shmbox.h>

#include "deadline.h"

int shmbox_schedule_deadline(u64 deadline_ns)
{
	ktime_t expires;

	if (deadline_ns == SHMBOX_TIMEOUT_NONE || deadline_ns > KTIME_MAX) {
		schedule();
		return 0;
	}
	if (ktime_get_ns() >= deadline_ns) {
		__set_current_state(TASK_RUNNING);
		return -ETIMEDOUT;
	}
	expires = ns_to_ktime(deadline_ns);
	if (!schedule_hrtimeout_range_clock(&expires, current->timer_slack_ns,
					    HRTIMER_MODE_ABS, CLOCK_MONOTONIC))
		return -ETIMEDOUT;
	return 0;
}
