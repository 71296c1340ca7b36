// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox regions: create or open a named or anonymous shared region
 * and read its state; the buffers handles carry (ABI 1.4): an anonymous
 * region created and mapped in one call, a received handle mapped, and
 * both undone.  A ring (ring.c) is a region bound as one.
 * Every function returns a negative errno on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/* mmap() the first @bytes of region @fd, MAP_SHARED; 0 or -errno. */
static int region_map(int fd, uint64_t bytes, int prot, void **addr)
{
	void *p;

	/* A 32-bit process cannot map more than size_t says. */
	if (bytes != (size_t)bytes)
		return -EFBIG;
	p = mmap(NULL, (size_t)bytes, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

SHMBOX_API int shmbox_region_create_map(uint64_t bytes, void **addr)
{
	int fd, err;

	if (!addr)
		return -EINVAL;
	fd = shmbox_region_open(NULL, 0, bytes, 0600, 1);
	if (fd < 0)
		return fd;
	err = region_map(fd, bytes, PROT_READ | PROT_WRITE, addr);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

SHMBOX_API int shmbox_region_map_handle(const struct shmbox_handle *h,
					int writable, void **addr)
{
	if (!h || !addr)
		return -EINVAL;
	/* A ring maps whole, with its control page: shmbox_ring_from_fd(). */
	if (h->flags & SHMBOX_HANDLE_RING)
		return -EMEDIUMTYPE;
	if (h->fd < 0)
		return -EBADF;
	return region_map(h->fd, h->bytes,
			  PROT_READ | (writable ? PROT_WRITE : 0), addr);
}

SHMBOX_API int shmbox_region_unmap_close(int fd, void *addr, uint64_t bytes)
{
	int err = 0;

	if (addr && munmap(addr, (size_t)bytes) < 0)
		err = -errno;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	return err;
}
