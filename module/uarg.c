// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox ioctl arguments: copy a sized argument structure in (checking
 * its size against the version-0 size and that bytes past what this
 * kernel knows are zero, copy_struct_from_user()) and a result back out.
 *
 * Owns: nothing but these two helpers.  A leaf: it includes nothing of
 * shmbox but its own header.
 *
 * Locking: none; no shared state.  Callers hold no lock across them
 * (they may fault and sleep).
 */
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include "uarg.h"

/**
 * shmbox_copy_arg_in - read a sized ioctl argument structure
 * @karg:	kernel copy, @ksize bytes
 * @ksize:	sizeof the kernel's structure
 * @size_ver0:	smallest size ever published for this structure
 * @uarg:	user pointer; its first member is "__u32 size"
 * @usize:	out: the size the caller claimed, for shmbox_copy_arg_out()
 *
 * Return: 0, -EFAULT, -EINVAL (size below version 0) or -E2BIG (too big,
 * or non-zero bytes past what this kernel knows).
 */
int shmbox_copy_arg_in(void *karg, size_t ksize, size_t size_ver0,
		       const void __user *uarg, u32 *usize)
{
	u32 size;
	int ret;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < size_ver0)
		return -EINVAL;
	if (size > SHMBOX_ARG_MAX)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, size);
	if (ret)
		return ret;
	/* The size the kernel acts on is the one it read first. */
	*(u32 *)karg = size;
	*usize = size;
	return 0;
}

/**
 * shmbox_copy_arg_out - write an ioctl result structure back
 * @uarg:	user pointer
 * @usize:	the size the caller claimed (validated by shmbox_copy_arg_in())
 * @karg:	kernel structure, fully initialised
 * @ksize:	its size
 *
 * Bytes past @ksize in a larger user structure were checked to be zero on
 * the way in and are left alone.
 */
int shmbox_copy_arg_out(void __user *uarg, u32 usize, const void *karg,
			size_t ksize)
{
	if (copy_to_user(uarg, karg, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}
