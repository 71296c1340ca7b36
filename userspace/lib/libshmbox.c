// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox core: device access, version query, unlink, deadlines.
 * Every exported function returns a negative errno on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* The Makefile's LIB_VER, so that the version is written once. */
#ifndef SHMBOX_LIB_VERSION
#error "SHMBOX_LIB_VERSION is set by the Makefile (LIB_VER)"
#endif

SHMBOX_API int shmbox_dev_open(void)
{
	int fd = open(SHMBOX_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

SHMBOX_API int shmbox_get_version(int fd, struct shmbox_version *v)
{
	SHMBOX_ARG_INIT(v);
	if (ioctl(fd, SHMBOX_IOC_GET_VERSION, v) < 0)
		return -errno;
	return 0;
}

SHMBOX_API const char *shmbox_lib_version(void)
{
	return SHMBOX_LIB_VERSION;
}

/*
 * The argument is this header's struct shmbox_unlink (version 1, with
 * @flags): a module before ABI 1.5 takes it while @flags is 0 and fails a
 * non-zero one with E2BIG.
 */
SHMBOX_API int shmbox_unlink_flags(const char *name, unsigned int kind,
				   unsigned int flags)
{
	struct shmbox_unlink u;
	int fd, err = 0;

	fd = shmbox_dev_open();
	if (fd < 0)
		return fd;
	SHMBOX_ARG_INIT(&u);
	u.kind = kind;
	u.name = (uintptr_t)name;
	u.flags = flags;
	if (ioctl(fd, SHMBOX_IOC_UNLINK, &u) < 0)
		err = -errno;
	close(fd);
	return err;
}

SHMBOX_API int shmbox_unlink(const char *name, unsigned int kind)
{
	return shmbox_unlink_flags(name, kind, 0);
}

SHMBOX_API uint64_t shmbox_deadline_in(uint64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec + ns;
}
