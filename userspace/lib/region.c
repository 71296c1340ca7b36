// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox regions: create or open a named or anonymous shared region
 * and read its state.  A ring (ring.c) is a region bound as one.
 * Every function returns a negative errno on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

SHMBOX_API int shmbox_region_open(const char *name, unsigned int flags,
				  uint64_t bytes, unsigned int mode,
				  int writable)
{
	struct shmbox_region_open o;
	int fd, err;

	fd = open(SHMBOX_DEVICE_PATH, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	SHMBOX_ARG_INIT(&o);
	o.flags = flags;
	o.name = (uintptr_t)name;
	o.bytes = bytes;
	o.mode = mode;
	if (ioctl(fd, SHMBOX_IOC_REGION_OPEN, &o) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

SHMBOX_API int shmbox_region_stat(int fd, struct shmbox_region_stat *st)
{
	SHMBOX_ARG_INIT(st);
	return ioctl(fd, SHMBOX_IOC_REGION_STAT, st) < 0 ? -errno : 0;
}
