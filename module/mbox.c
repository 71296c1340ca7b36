// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailboxes: not implemented yet (issue 4).  Owns nothing; every
 * mailbox command fails with ENOTTY.
 */
#include "shmbox.h"

long shmbox_mbox_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	return -ENOTTY;
}

__poll_t shmbox_mbox_poll(struct file *file, struct poll_table_struct *pt)
{
	return 0;
}

u64 shmbox_mbox_features(void)
{
	return 0;
}

int shmbox_mbox_init(void)
{
	return 0;
}

void shmbox_mbox_exit(void)
{
}
