// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox limits: the module parameters that bound what users may create
 * and queue (max_objects, max_region_bytes, max_total_bytes,
 * max_msg_size, max_mbox_bytes, max_user_bytes, max_user_objects,
 * max_user_region_bytes, mbox_spin_ns), each with its range; a write out
 * of range fails with ERANGE.
 *
 * Owns: the limits table.  A leaf: it includes nothing of shmbox but its
 * own header.
 *
 * Locking: each limit is one word, written by the module-parameter code
 * (which serialises writers with the kernel_param lock) with WRITE_ONCE()
 * and read with READ_ONCE(): a reader sees the old or the new value.
 *
 * Lifetime: static, for the module's lifetime.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/time64.h>

#include "limits.h"

struct shmbox_limit_param {
	unsigned long val;
	unsigned long min;
	unsigned long max;
};

static struct shmbox_limit_param shmbox_limits[SHMBOX_LIM_NR] = {
	[SHMBOX_LIM_OBJECTS]     = { 1024, 1, 1UL << 20 },
	[SHMBOX_LIM_REGION_BYTES] = { 64UL << 20, PAGE_SIZE, 1UL << 30 },
	[SHMBOX_LIM_TOTAL_BYTES] = { 256UL << 20, PAGE_SIZE, 1UL << 40 },
	[SHMBOX_LIM_MSG_SIZE]    = { 64UL << 10, 1, 16UL << 20 },
	[SHMBOX_LIM_MBOX_BYTES]  = { 1UL << 20, 1, 1UL << 30 },
	[SHMBOX_LIM_USER_BYTES]  = { 16UL << 20, 1, 1UL << 32 },
	[SHMBOX_LIM_SPIN_NS]     = { 50 * NSEC_PER_USEC, 0, NSEC_PER_MSEC },
	[SHMBOX_LIM_USER_OBJECTS] = { 256, 1, 1UL << 20 },
	[SHMBOX_LIM_USER_REGION_BYTES] = { 128UL << 20, PAGE_SIZE, 1UL << 40 },
};

unsigned long shmbox_limit(enum shmbox_limit_id id)
{
	return READ_ONCE(shmbox_limits[id].val);
}

static int shmbox_limit_set(const char *val, const struct kernel_param *kp)
{
	struct shmbox_limit_param *lim = kp->arg;
	unsigned long v;
	int ret;

	ret = kstrtoul(val, 0, &v);
	if (ret)
		return ret;
	if (v < lim->min || v > lim->max)
		return -ERANGE;
	WRITE_ONCE(lim->val, v);
	return 0;
}

static int shmbox_limit_get(char *buf, const struct kernel_param *kp)
{
	const struct shmbox_limit_param *lim = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%lu\n", READ_ONCE(lim->val));
}

static const struct kernel_param_ops shmbox_limit_ops = {
	.set = shmbox_limit_set,
	.get = shmbox_limit_get,
};

module_param_cb(max_objects, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_OBJECTS], 0644);
MODULE_PARM_DESC(max_objects, "Objects (regions and mailboxes) alive at once in one IPC namespace (default 1024)");
module_param_cb(max_region_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_REGION_BYTES], 0644);
MODULE_PARM_DESC(max_region_bytes, "Bytes of one shared region (default 64 MiB)");
module_param_cb(max_total_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_TOTAL_BYTES], 0644);
MODULE_PARM_DESC(max_total_bytes, "Bytes of all shared regions of one IPC namespace together (default 256 MiB)");
module_param_cb(max_msg_size, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_MSG_SIZE], 0644);
MODULE_PARM_DESC(max_msg_size, "Bytes of one message (default 64 KiB)");
module_param_cb(max_mbox_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_MBOX_BYTES], 0644);
MODULE_PARM_DESC(max_mbox_bytes, "Bytes queued in one mailbox (default 1 MiB)");
module_param_cb(max_user_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_USER_BYTES], 0644);
MODULE_PARM_DESC(max_user_bytes, "Bytes queued in all the mailboxes one user owns (default 16 MiB)");
module_param_cb(max_user_objects, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_USER_OBJECTS], 0644);
MODULE_PARM_DESC(max_user_objects, "Objects one user owns, in all namespaces (default 256; CAP_SYS_RESOURCE exempt)");
module_param_cb(max_user_region_bytes, &shmbox_limit_ops,
		&shmbox_limits[SHMBOX_LIM_USER_REGION_BYTES], 0644);
MODULE_PARM_DESC(max_user_region_bytes, "Bytes of the shared regions one user owns, in all namespaces (default 128 MiB; CAP_SYS_RESOURCE exempt)");
module_param_cb(mbox_spin_ns, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_SPIN_NS], 0644);
MODULE_PARM_DESC(mbox_spin_ns, "Mailbox waits poll this long on an otherwise idle CPU before sleeping, 0 never (default 50000, at most 1000000)");
