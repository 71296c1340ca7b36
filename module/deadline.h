/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox deadline sleep (deadline.c), shared by every blocking ioctl.  A
 * leaf: includes nothing of shmbox.
 */
#ifndef _SHMBOX_DEADLINE_H
#define _SHMBOX_DEADLINE_H

#include <linux/types.h>

/*
 * Sleep in the current task state (set by prepare_to_wait*) until woken,
 * or until @deadline_ns (absolute CLOCK_MONOTONIC, SHMBOX_TIMEOUT_NONE for
 * never).  Returns -ETIMEDOUT once the deadline has passed, else 0.
 */
int shmbox_schedule_deadline(u64 deadline_ns);

#endif /* _SHMBOX_DEADLINE_H */
