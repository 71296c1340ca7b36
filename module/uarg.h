/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox ioctl argument copies (uarg.c).  A leaf: includes nothing of
 * shmbox.
 */
#ifndef _SHMBOX_UARG_H
#define _SHMBOX_UARG_H

#include <linux/compiler.h>
#include <linux/types.h>

/* The biggest ioctl argument structure the kernel will look at. */
#define SHMBOX_ARG_MAX		4096

int shmbox_copy_arg_in(void *karg, size_t ksize, size_t size_ver0,
		       const void __user *uarg, u32 *usize);
int shmbox_copy_arg_out(void __user *uarg, u32 usize, const void *karg,
			size_t ksize);

#endif /* _SHMBOX_UARG_H */
