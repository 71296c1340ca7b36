// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox - shared-memory rings and mailboxes through /dev/shmbox.
 *
 * This file owns the misc device, its file operations (ioctl goes to the
 * command table, ioctl.c; read and write to the bound mailbox, mbox.c)
 * and module init and exit.  Nothing calls into it: the limits are in limits.c, the argument
 * copies in uarg.c.
 *
 * Locking: none of its own.
 *
 * Lifetime: the misc device exists from module_init() to module_exit().
 * Every open file holds a reference on the module through fops->owner, so
 * the module cannot go while a file is open; its struct shmbox_file lives
 * from open to release (the last close and the last unmap).  A handle
 * received in a message is such a file too, made by handle.c with these
 * operations (an anonymous inode, not the device node's).
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
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "handle.h"
#include "shmbox.h"

static long shmbox_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	return shmbox_ioctl_dispatch(file, cmd, (void __user *)arg);
}

static int shmbox_open(struct inode *inode, struct file *file)
{
	struct shmbox_file *sf = shmbox_file_alloc();

	if (!sf)
		return -ENOMEM;
	file->private_data = sf;
	return nonseekable_open(inode, file);
}

static int shmbox_release(struct inode *inode, struct file *file)
{
	/* The calls it took fail, those parked on it are abandoned. */
	shmbox_calls_release(file->private_data);
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

/* Every close(2) of an fd: a mailbox's notification may go (mq_close()). */
static int shmbox_flush(struct file *file, fl_owner_t id)
{
	shmbox_mbox_flush_file(file);
	return 0;
}

static int shmbox_mmap(struct file *file, struct vm_area_struct *vma)
{
	return shmbox_region_mmap(file, vma);
}

static __poll_t shmbox_poll(struct file *file, struct poll_table_struct *pt)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_obj *obj;

	/* Pairs with the release store in shmbox_obj_bind(). */
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
	.flush		= shmbox_flush,
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

static int __init shmbox_init(void)
{
	int ret;

	/* Handles received in messages are files with these operations. */
	shmbox_handles_init(&shmbox_fops);
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
