// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox regions and rings: being written (issue 3).  Owns nothing yet.
 */
#include "shmbox.h"

long shmbox_ioc_region_open(struct file *file, void __user *uarg)
{
	return -ENOTTY;
}

long shmbox_ioc_region_stat(struct file *file, void __user *uarg)
{
	return -ENOTTY;
}

long shmbox_ioc_ring_wait(struct file *file, void __user *uarg)
{
	return -ENOTTY;
}

long shmbox_ioc_ring_wake(struct file *file, void __user *uarg)
{
	return -ENOTTY;
}

int shmbox_region_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}

__poll_t shmbox_region_poll(struct file *file, struct poll_table_struct *pt)
{
	return 0;
}
