// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to WARN once when loaded: proves that
 * "make check" fails when the guest kernel log holds a warning.  Built and
 * loaded only by "make check-selftest".
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init shmbox_warn_init(void)
{
	WARN(1, "shmbox runner self-test: deliberate warning\n");
	return 0;
}

static void __exit shmbox_warn_exit(void)
{
}

module_init(shmbox_warn_init);
module_exit(shmbox_warn_exit);
MODULE_DESCRIPTION("shmbox runner self-test: WARN on load");
MODULE_LICENSE("GPL");
