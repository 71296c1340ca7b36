// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox-litter TAG: create objects of every kind and leave them behind,
 * for the module unload to clean up (guest-init.sh runs it before every
 * rmmod of the load/unload cycles; kmemleak then checks nothing leaked).
 *
 * Leaves: a named plain region with its pages touched, a named ring with
 * records in it, a named mailbox holding messages of several priorities
 * and sizes (inline and separately allocated payloads), an empty named
 * mailbox, and an auto-remove mailbox whose last user is this process.
 * Every object is opened, used and its fd simply closed at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmbox.h>

static const char *tag = "x";

static void die(const char *what)
{
	fprintf(stderr, "shmbox-litter %s: %s: %s\n", tag, what, strerror(errno));
	exit(1);
}

static int dev(void)
{
	int fd = open("/dev/shmbox", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/shmbox");
	return fd;
}

static int region(const char *name, uint64_t bytes, uint32_t flags)
{
	struct shmbox_region_open o = {
		.size = sizeof(o),
		.flags = SHMBOX_O_CREAT | flags,
		.name = (uintptr_t)name,
		.bytes = bytes,
		.mode = 0600,
	};
	int fd = dev();

	if (ioctl(fd, SHMBOX_IOC_REGION_OPEN, &o))
		die(name);
	return fd;
}

static int mbox(const char *name, uint32_t flags, uint32_t capacity)
{
	struct shmbox_mbox_open o = {
		.size = sizeof(o),
		.flags = SHMBOX_O_CREAT | flags,
		.name = (uintptr_t)name,
		.capacity = capacity,
		.mode = 0600,
	};
	int fd = dev();

	if (ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o))
		die(name);
	return fd;
}

static void send(int fd, const void *buf, uint32_t len, uint32_t prio)
{
	struct shmbox_mbox_send s = {
		.size = sizeof(s),
		.flags = SHMBOX_MSG_NONBLOCK,
		.buf = (uintptr_t)buf,
		.len = len,
		.prio = prio,
	};

	if (ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s))
		die("send");
}

int main(int argc, char **argv)
{
	static char payload[8192];
	char name[64];
	struct shmbox_ring_ctl *ctl;
	size_t map;
	char *p;
	int fd, i;

	if (argc > 1)
		tag = argv[1];
	memset(payload, 'L', sizeof(payload));

	snprintf(name, sizeof(name), "litter-%s-region", tag);
	fd = region(name, 16 * 4096, 0);
	p = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap region");
	for (i = 0; i < 16; i++)
		p[i * 4096] = (char)i;
	munmap(p, 16 * 4096);
	close(fd);

	snprintf(name, sizeof(name), "litter-%s-ring", tag);
	fd = region(name, 4 * 4096, SHMBOX_REGION_RING | SHMBOX_RING_PRODUCER);
	map = SHMBOX_RING_MAP_SIZE(4 * 4096);
	ctl = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ctl == MAP_FAILED)
		die("mmap ring");
	if (ctl->magic != SHMBOX_RING_MAGIC)
		die("ring magic");
	p = (char *)ctl + SHMBOX_RING_CTL_SIZE;
	memset(p, 'R', 256);		/* records nobody will consume */
	__atomic_store_n(&ctl->prod_pos, 256, __ATOMIC_RELEASE);
	munmap(ctl, map);
	close(fd);

	snprintf(name, sizeof(name), "litter-%s-mbox", tag);
	fd = mbox(name, 0, SHMBOX_MBOX_UNBOUNDED);
	for (i = 0; i < 24; i++)
		send(fd, payload, (i % 3) ? 100 : 5000, i % SHMBOX_MSG_PRIO_MAX);
	close(fd);

	snprintf(name, sizeof(name), "litter-%s-empty", tag);
	close(mbox(name, 0, 4));

	snprintf(name, sizeof(name), "litter-%s-auto", tag);
	fd = mbox(name, SHMBOX_O_AUTOREMOVE, 8);
	send(fd, payload, 10, 1);
	close(fd);
	return 0;
}
