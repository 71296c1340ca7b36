// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox - shared-memory rings and mailboxes through /dev/shmbox.
 *
 * This file owns the misc device, its file operations (read and write go
 * to the bound mailbox, mbox.c) and ioctl dispatch
 * (commands 0x20-0x3f go to mbox.c, region and ring commands to region.c),
 * the module parameters (limits) and the helpers that copy ioctl argument
 * structures in and out.
 *
 * Locking: the limits are single words written by the module-parameter
 * code (which serialises writers with the kernel_param lock) and read with
 * READ_ONCE(); the ioctl helpers touch no shared state.
 *
 * Lifetime: the misc device exists from module_init() to module_exit().
 * Every open file holds a reference on the module through fops->owner, so
 * the module cannot go while a file is open; its struct shmbox_file lives
 * from open to release (the last close and the last unmap).
 *
 * Device node mode: 0666.  Opening /dev/shmbox grants nothing by itself;
 * every object carries its own owner, group and mode and is checked on
 * open, exactly like files in /dev/shm or queues in /dev/mqueue, so any
 * user may reach the device the way any user may call shm_open().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "shmbox.h"

/* ---- limits --------------------------------------------------------- */

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
MODULE_PARM_DESC(max_objects, "Objects (regions and mailboxes) alive at once (default 1024)");
module_param_cb(max_region_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_REGION_BYTES], 0644);
MODULE_PARM_DESC(max_region_bytes, "Bytes of one shared region (default 64 MiB)");
module_param_cb(max_total_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_TOTAL_BYTES], 0644);
MODULE_PARM_DESC(max_total_bytes, "Bytes of all shared regions together (default 256 MiB)");
module_param_cb(max_msg_size, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_MSG_SIZE], 0644);
MODULE_PARM_DESC(max_msg_size, "Bytes of one message (default 64 KiB)");
module_param_cb(max_mbox_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_MBOX_BYTES], 0644);
MODULE_PARM_DESC(max_mbox_bytes, "Bytes queued in one mailbox (default 1 MiB)");
module_param_cb(max_user_bytes, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_USER_BYTES], 0644);
MODULE_PARM_DESC(max_user_bytes, "Bytes queued by one user in all mailboxes (default 16 MiB)");
module_param_cb(mbox_spin_ns, &shmbox_limit_ops, &shmbox_limits[SHMBOX_LIM_SPIN_NS], 0644);
MODULE_PARM_DESC(mbox_spin_ns, "Mailbox waits poll this long on an otherwise idle CPU before sleeping, 0 never (default 50000, at most 1000000)");

/* ---- ioctl argument helpers ----------------------------------------- */

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

/* ---- ioctls ---------------------------------------------------------- */

static long shmbox_ioc_get_version(void __user *uarg)
{
	struct shmbox_version v;
	u32 usize;
	int ret;

	ret = shmbox_copy_arg_in(&v, sizeof(v), SHMBOX_VERSION_SIZE_VER0,
				 uarg, &usize);
	if (ret)
		return ret;
	if (v.flags || v.abi_major || v.abi_minor || v.name_max || v.pad ||
	    v.features)
		return -EINVAL;

	v.abi_major = SHMBOX_ABI_MAJOR;
	v.abi_minor = SHMBOX_ABI_MINOR;
	v.name_max = SHMBOX_NAME_MAX;
	v.features = SHMBOX_FEAT_VERSION | SHMBOX_FEAT_REGION | SHMBOX_FEAT_RING |
		     shmbox_mbox_features();
	return shmbox_copy_arg_out(uarg, usize, &v, sizeof(v));
}

static long shmbox_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != SHMBOX_IOC_MAGIC)
		return -ENOTTY;
	if (_IOC_NR(cmd) >= 0x20 && _IOC_NR(cmd) <= 0x3f)
		return shmbox_mbox_ioctl(file, cmd, uarg);

	switch (cmd) {
	case SHMBOX_IOC_GET_VERSION:
		return shmbox_ioc_get_version(uarg);
	case SHMBOX_IOC_UNLINK:
		return shmbox_ioc_unlink(uarg);
	case SHMBOX_IOC_REGION_OPEN:
		return shmbox_ioc_region_open(file, uarg);
	case SHMBOX_IOC_REGION_STAT:
		return shmbox_ioc_region_stat(file, uarg);
	case SHMBOX_IOC_RING_WAIT:
		return shmbox_ioc_ring_wait(file, uarg);
	case SHMBOX_IOC_RING_WAKE:
		return shmbox_ioc_ring_wake(file, uarg);
	default:
		return -ENOTTY;
	}
}

static int shmbox_open(struct inode *inode, struct file *file)
{
	struct shmbox_file *sf;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	if (!sf)
		return -ENOMEM;
	file->private_data = sf;
	return nonseekable_open(inode, file);
}

static int shmbox_release(struct inode *inode, struct file *file)
{
	shmbox_file_release(file);
	return 0;
}

/* read(2) and write(2) move one message of the bound mailbox. */
static ssize_t shmbox_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	return shmbox_mbox_read(file, buf, count);
}

static ssize_t shmbox_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	return shmbox_mbox_write(file, buf, count);
}

static int shmbox_mmap(struct file *file, struct vm_area_struct *vma)
{
	return shmbox_region_mmap(file, vma);
}

static __poll_t shmbox_poll(struct file *file, struct poll_table_struct *pt)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_obj *obj;

	/* Pairs with the cmpxchg() in shmbox_obj_bind(). */
	obj = smp_load_acquire(&sf->obj);
	if (!obj)
		return EPOLLERR;
	if (obj->kind == SHMBOX_KIND_REGION)
		return shmbox_region_poll(file, pt);
	return shmbox_mbox_poll(file, pt);
}

static const struct file_operations shmbox_fops = {
	.owner		= THIS_MODULE,
	.open		= shmbox_open,
	.release	= shmbox_release,
	.read		= shmbox_read,
	.write		= shmbox_write,
	.unlocked_ioctl	= shmbox_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= shmbox_mmap,
	.poll		= shmbox_poll,
};

static struct miscdevice shmbox_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "shmbox",
	.fops	= &shmbox_fops,
	.mode	= 0666,
};

/* Every argument structure must keep the size it was published with. */
static_assert(sizeof(struct shmbox_version) == SHMBOX_VERSION_SIZE_VER0);
static_assert(sizeof(struct shmbox_unlink) == SHMBOX_UNLINK_SIZE_VER0);
static_assert(sizeof(struct shmbox_region_open) == SHMBOX_REGION_OPEN_SIZE_VER0);
static_assert(sizeof(struct shmbox_region_stat) == SHMBOX_REGION_STAT_SIZE_VER0);
static_assert(sizeof(struct shmbox_ring_wait) == SHMBOX_RING_WAIT_SIZE_VER0);
static_assert(sizeof(struct shmbox_ring_wake) == SHMBOX_RING_WAKE_SIZE_VER0);
static_assert(sizeof(struct shmbox_ring_ctl) <= SHMBOX_RING_CTL_SIZE);

static int __init shmbox_init(void)
{
	int ret;

	ret = shmbox_mbox_init();
	if (ret)
		return ret;
	ret = shmbox_proc_init();
	if (ret)
		goto exit_mbox;
	ret = misc_register(&shmbox_misc);
	if (ret) {
		pr_err("cannot register /dev/shmbox: %d\n", ret);
		goto exit_proc;
	}
	pr_info("ABI %u.%u ready, minor %d\n", SHMBOX_ABI_MAJOR,
		SHMBOX_ABI_MINOR, shmbox_misc.minor);
	return 0;

exit_proc:
	shmbox_proc_exit();
exit_mbox:
	shmbox_mbox_exit();
	return ret;
}

static void __exit shmbox_exit(void)
{
	misc_deregister(&shmbox_misc);
	shmbox_proc_exit();
	shmbox_names_cleanup();
	shmbox_mbox_exit();
}

module_init(shmbox_init);
module_exit(shmbox_exit);

MODULE_DESCRIPTION("shmbox: shared-memory rings and mailboxes");
MODULE_AUTHOR("The shmbox developers");
MODULE_LICENSE("GPL");
