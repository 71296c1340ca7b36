// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shmboxctl - inspect and drive /dev/shmbox from the command line.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libshmbox.h"

static int usage(FILE *f)
{
	fprintf(f,
		"usage: shmboxctl COMMAND [ARGS]\n"
		"commands:\n"
		"  version    print the module's ABI version, limits and features\n"
		"  help       this text\n");
	return f == stderr ? 2 : 0;
}

static int cmd_version(void)
{
	struct shmbox_version v;
	int fd, err;

	fd = shmbox_dev_open();
	if (fd < 0) {
		fprintf(stderr, "shmboxctl: %s: %s\n", SHMBOX_DEVICE_PATH,
			strerror(-fd));
		return 1;
	}
	err = shmbox_get_version(fd, &v);
	close(fd);
	if (err) {
		fprintf(stderr, "shmboxctl: version: %s\n", strerror(-err));
		return 1;
	}
	printf("abi %u.%u features 0x%llx name_max %u library %s\n",
	       v.abi_major, v.abi_minor, (unsigned long long)v.features,
	       v.name_max, shmbox_lib_version());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help"))
		return usage(stdout);
	if (!strcmp(argv[1], "version"))
		return cmd_version();
	fprintf(stderr, "shmboxctl: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
