// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox core: device access and version query.
 * Every exported function returns a negative errno on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libshmbox.h"

#define SHMBOX_API __attribute__((visibility("default")))

SHMBOX_API int shmbox_dev_open(void)
{
	int fd = open(SHMBOX_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

SHMBOX_API int shmbox_get_version(int fd, struct shmbox_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	if (ioctl(fd, SHMBOX_IOC_GET_VERSION, v) < 0)
		return -errno;
	return 0;
}

SHMBOX_API const char *shmbox_lib_version(void)
{
	return "1.1.0";
}

SHMBOX_API int shmbox_unlink(const char *name, unsigned int kind)
{
	struct shmbox_unlink u;
	int fd, err = 0;

	fd = shmbox_dev_open();
	if (fd < 0)
		return fd;
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.kind = kind;
	u.name = (uintptr_t)name;
	if (ioctl(fd, SHMBOX_IOC_UNLINK, &u) < 0)
		err = -errno;
	close(fd);
	return err;
}
