/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox internal interfaces shared by the files of module/.
 *
 * Owns: the declarations of the module-wide limits (module parameters) and
 * of the ioctl argument helpers.  Locking: the limits are plain words read
 * with READ_ONCE() and written only by the module-parameter code, so a
 * reader sees either the old or the new value; nothing here takes a lock.
 * Lifetime: everything declared here lives as long as the module.
 */
#ifndef _SHMBOX_INTERNAL_H
#define _SHMBOX_INTERNAL_H

#include <linux/types.h>
#include <linux/compiler.h>

/* The longest object name, without the terminating NUL. */
#define SHMBOX_NAME_MAX		255

/* The biggest ioctl argument structure the kernel will look at. */
#define SHMBOX_ARG_MAX		4096

enum shmbox_limit_id {
	SHMBOX_LIM_OBJECTS,		/* objects (regions + mailboxes) alive */
	SHMBOX_LIM_REGION_BYTES,	/* bytes of one shared region */
	SHMBOX_LIM_TOTAL_BYTES,		/* bytes of all shared regions */
	SHMBOX_LIM_MSG_SIZE,		/* bytes of one message */
	SHMBOX_LIM_MBOX_BYTES,		/* bytes queued in one mailbox */
	SHMBOX_LIM_USER_BYTES,		/* bytes queued by one user, all mailboxes */
	SHMBOX_LIM_NR
};

unsigned long shmbox_limit(enum shmbox_limit_id id);

int shmbox_copy_arg_in(void *karg, size_t ksize, size_t size_ver0,
		       const void __user *uarg, u32 *usize);
int shmbox_copy_arg_out(void __user *uarg, u32 usize, const void *karg,
			size_t ksize);

#endif /* _SHMBOX_INTERNAL_H */
