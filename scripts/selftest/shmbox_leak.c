// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to leak memory when loaded: proves that
 * "make check KERNEL=debug" fails when kmemleak finds an unreferenced
 * object.  Built and loaded only by "make check-selftest" on a kernel with
 * CONFIG_DEBUG_KMEMLEAK; it is not part of shmbox.ko and has no knobs.
 *
 * Several blocks are allocated and their addresses dropped, so a stale copy
 * of one pointer left in a register or on a stack cannot hide every leak.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#define SHMBOX_LEAK_BLOCKS	8
#define SHMBOX_LEAK_SIZE	200

static noinline void shmbox_leak_one(unsigned int i)
{
	char *p = kmalloc(SHMBOX_LEAK_SIZE, GFP_KERNEL);

	/* The contents name the culprit in kmemleak's hex dump. */
	if (p)
		snprintf(p, SHMBOX_LEAK_SIZE, "shmbox-leak-selftest %u", i);
}

static int __init shmbox_leak_init(void)
{
	unsigned int i;

	for (i = 0; i < SHMBOX_LEAK_BLOCKS; i++)
		shmbox_leak_one(i);
	pr_info("shmbox_leak: leaked %u blocks of %u bytes on purpose\n",
		SHMBOX_LEAK_BLOCKS, SHMBOX_LEAK_SIZE);
	return 0;
}

static void __exit shmbox_leak_exit(void)
{
}

module_init(shmbox_leak_init);
module_exit(shmbox_leak_exit);
MODULE_DESCRIPTION("shmbox runner self-test: leak memory on load");
MODULE_LICENSE("GPL");
