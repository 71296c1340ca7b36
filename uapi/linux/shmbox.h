/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shmbox - shared-memory rings and mailboxes through one character device.
 *
 * This header is the whole user ABI of /dev/shmbox.  It compiles standalone
 * as C and as C++ and uses only fixed-size types.
 *
 * Conventions shared by every ioctl
 * ---------------------------------
 *  - The argument is a pointer to a structure whose first member is
 *    "__u32 size": the caller sets it to sizeof() of the structure it was
 *    compiled with.  The kernel reads that many bytes the way
 *    copy_struct_from_user() does: a smaller (older) structure is
 *    zero-extended, a larger (newer) one is accepted only if every byte the
 *    kernel does not know is zero (otherwise E2BIG).  A size below the
 *    first published version of the structure (the *_SIZE_VER0 constants)
 *    is EINVAL; a size above 4096 is E2BIG.  Output structures are written
 *    back with min(size, kernel size) bytes.
 *  - The command numbers are frozen at the version-0 size of their
 *    structure: when a structure grows, its command number does not change;
 *    the real size travels in ->size.
 *  - Every flag the kernel does not know, every reserved field and every
 *    padding member must be zero, otherwise EINVAL.
 *  - Pointers to user memory are passed as __u64.
 *  - Timeouts are absolute CLOCK_MONOTONIC times in nanoseconds.
 *  - A command the device does not know fails with ENOTTY.
 *  - Common errors for every command: EFAULT (the argument or a buffer it
 *    points to is not accessible), EINVAL (bad size, unknown flag, non-zero
 *    reserved or padding field), E2BIG (see above).
 */
#ifndef _UAPI_LINUX_SHMBOX_H
#define _UAPI_LINUX_SHMBOX_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define SHMBOX_DEVICE_PATH	"/dev/shmbox"

/* ABI version: the major changes only on an incompatible change (never so far). */
#define SHMBOX_ABI_MAJOR	1
#define SHMBOX_ABI_MINOR	0

/* Feature bits reported by SHMBOX_IOC_GET_VERSION. */
#define SHMBOX_FEAT_VERSION	_BITULL(0)	/* SHMBOX_IOC_GET_VERSION itself */

#define SHMBOX_IOC_MAGIC	0xB9

/**
 * struct shmbox_version - argument of SHMBOX_IOC_GET_VERSION
 * @size:	in: sizeof(struct shmbox_version) as compiled by the caller
 * @flags:	in: must be 0
 * @abi_major:	out: SHMBOX_ABI_MAJOR of the running module
 * @abi_minor:	out: SHMBOX_ABI_MINOR of the running module
 * @name_max:	out: longest object name in bytes, without the NUL
 * @pad:	must be 0
 * @features:	out: SHMBOX_FEAT_* bits the running module supports
 */
struct shmbox_version {
	__u32 size;
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 name_max;
	__u32 pad;
	__u64 features;
};

#define SHMBOX_VERSION_SIZE_VER0	32

/*
 * SHMBOX_IOC_GET_VERSION - report the ABI version, limits and feature bits.
 *
 * Works on any open /dev/shmbox file, bound or not.
 * Errors: only the common ones.
 */
#define SHMBOX_IOC_GET_VERSION	_IOWR(SHMBOX_IOC_MAGIC, 0x00, struct shmbox_version)

#endif /* _UAPI_LINUX_SHMBOX_H */
