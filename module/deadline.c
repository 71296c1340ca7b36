// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox deadline sleep: one place turns an absolute deadline
 * (CLOCK_MONOTONIC, or CLOCK_REALTIME with SHMBOX_MSG_REALTIME, or
 * SHMBOX_TIMEOUT_NONE) into a sleep, for every blocking ioctl.  A leaf:
 * it includes nothing of shmbox but its own header and the uapi header
 * (for SHMBOX_TIMEOUT_NONE).
 *
 * Locking: none; the caller holds no spinlock (it sleeps).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>

#include <linux/shmbox.h>

#include "deadline.h"

int shmbox_schedule_deadline(const struct shmbox_deadline *d)
{
	ktime_t expires;

	if (d->ns == SHMBOX_TIMEOUT_NONE || d->ns > KTIME_MAX) {
		schedule();
		return 0;
	}
	if (shmbox_deadline_now(d) >= d->ns) {
		__set_current_state(TASK_RUNNING);
		return -ETIMEDOUT;
	}
	/*
	 * An absolute CLOCK_REALTIME hrtimer expires when the clock reads
	 * @d->ns, however it is set meanwhile (clock_was_set() reprograms
	 * it), as POSIX wants of an absolute realtime timeout.
	 */
	expires = ns_to_ktime(d->ns);
	if (!schedule_hrtimeout_range_clock(&expires, current->timer_slack_ns,
					    HRTIMER_MODE_ABS,
					    d->realtime ? CLOCK_REALTIME :
							  CLOCK_MONOTONIC))
		return -ETIMEDOUT;
	return 0;
}
