/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox deadline sleep (deadline.c), shared by every blocking ioctl.  A
 * leaf: includes nothing of shmbox.
 */
#ifndef _SHMBOX_DEADLINE_H
#define _SHMBOX_DEADLINE_H

#include <linux/timekeeping.h>
#include <linux/types.h>

/*
 * An absolute deadline: @ns on CLOCK_MONOTONIC, or on CLOCK_REALTIME with
 * @realtime (SHMBOX_MSG_REALTIME), or SHMBOX_TIMEOUT_NONE for never.
 */
struct shmbox_deadline {
	u64 ns;
	bool realtime;
};

/* Now, on @d's clock. */
static inline u64 shmbox_deadline_now(const struct shmbox_deadline *d)
{
	return d->realtime ? ktime_get_real_ns() : ktime_get_ns();
}

/*
 * Sleep in the current task state (set by prepare_to_wait*) until woken,
 * or until @d.  A realtime deadline follows the clock when it is set.
 * Returns -ETIMEDOUT once the deadline has passed, else 0.
 */
int shmbox_schedule_deadline(const struct shmbox_deadline *d);

#endif /* _SHMBOX_DEADLINE_H */
