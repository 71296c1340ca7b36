// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Built by "make install-test" against an installed tree, with only
 * "pkg-config --cflags --libs libshmbox": proves that the headers, the
 * library and the .pc file work together.  Runs without the module: the
 * device may be absent, which the library reports as -ENOENT.
 * EXPECTED_VERSION is the .pc file's version: the library must agree.
 * The newest symbol version's functions are called too, so that the
 * installed library is known to have them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libshmbox.h>

int main(void)
{
	struct shmbox_version v = { .size = sizeof(v) };
	int fd = shmbox_dev_open(), err;

	if (strcmp(shmbox_lib_version(), EXPECTED_VERSION)) {
		fprintf(stderr, "library version %s, pkg-config says %s\n",
			shmbox_lib_version(), EXPECTED_VERSION);
		return 1;
	}
	/*
	 * libshmbox 1.5's symbols (LIBSHMBOX_1.5) resolve, with the
	 * library's convention: no fd is -EBADF; an unlink of a name nobody
	 * made is -ENOENT, or the device's error when there is none.
	 */
	if (shmbox_mbox_notify(-1, SHMBOX_NOTIFY_REMOVE, 0, 0, 0) != -EBADF) {
		fprintf(stderr, "shmbox_mbox_notify(-1) did not say -EBADF\n");
		return 1;
	}
	err = shmbox_unlink_flags("shmbox-install-test-none", 0,
				  SHMBOX_UNLINK_KEEP);
	if (err != -ENOENT && err != fd) {
		fprintf(stderr, "shmbox_unlink_flags(): %d\n", err);
		return 1;
	}
	if (fd >= 0 && shmbox_get_version(fd, &v) == 0)
		printf("module ABI %u.%u\n", v.abi_major, v.abi_minor);
	else if (fd != -ENOENT && fd != -ENXIO && fd != -ENODEV && fd < 0)
		return 1;
	printf("libshmbox %s, ABI header %d.%d, name max %d\n",
	       shmbox_lib_version(), SHMBOX_ABI_MAJOR, SHMBOX_ABI_MINOR,
	       SHMBOX_NAME_MAX);
	return 0;
}
