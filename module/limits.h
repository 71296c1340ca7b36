/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox limits (limits.c): module parameters, read with shmbox_limit().
 * A leaf: includes nothing of shmbox.
 */
#ifndef _SHMBOX_LIMITS_H
#define _SHMBOX_LIMITS_H

enum shmbox_limit_id {
	SHMBOX_LIM_OBJECTS,		/* objects alive in one IPC namespace */
	SHMBOX_LIM_REGION_BYTES,	/* bytes of one shared region */
	SHMBOX_LIM_TOTAL_BYTES,		/* bytes of one namespace's regions */
	SHMBOX_LIM_MSG_SIZE,		/* bytes of one message */
	SHMBOX_LIM_MBOX_BYTES,		/* bytes queued in one mailbox */
	SHMBOX_LIM_USER_BYTES,		/* bytes queued in one user's mailboxes */
	SHMBOX_LIM_SPIN_NS,		/* mailbox waits: ns to poll before sleeping */
	SHMBOX_LIM_USER_OBJECTS,	/* objects one user owns */
	SHMBOX_LIM_USER_REGION_BYTES,	/* region bytes one user owns */
	SHMBOX_LIM_NR
};

/* The limit's current value (one word: the old or the new one). */
unsigned long shmbox_limit(enum shmbox_limit_id id);

#endif /* _SHMBOX_LIMITS_H */
