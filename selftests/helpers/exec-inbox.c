// SPDX-License-Identifier: GPL-2.0
/*
 * exec-inbox: the program selftests/mbox_id.c execs in a process that
 * already has an inbox, as itself and as a setuid-root copy (the image
 * has both, in /usr/libexec/shmbox).  It uses nothing but the uapi header
 * and libc, so that it also runs setuid (where LD_LIBRARY_PATH is
 * ignored).  stdin and stdout are pipes to the test; it writes a line per
 * step:
 *
 *	ready EUID	it runs (the exec is done); then it waits for a byte
 *	inbox ID	its own inbox, created with SHMBOX_O_EXCL (mode 0666):
 *			a new one, or "error ERRNO"
 *	got MSG		the one message it received there (10 s deadline),
 *			or "error ERRNO"
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmbox.h>

static int inbox_open(void)
{
	struct shmbox_mbox_open o = {
		.size = sizeof(o), .capacity = 8, .mode = 0666,
		.flags = SHMBOX_MBOX_INBOX | SHMBOX_O_CREAT | SHMBOX_O_EXCL,
	};
	int fd = open(SHMBOX_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o) < 0)
		return -errno;
	return fd;
}

static uint64_t inbox_id(int fd)
{
	struct shmbox_mbox_stat st = { .size = sizeof(st) };

	return ioctl(fd, SHMBOX_IOC_MBOX_STAT, &st) < 0 ? 0 : st.inbox_id;
}

static int recv_one(int fd, char *buf, size_t cap)
{
	struct shmbox_mbox_recv r = {
		.size = sizeof(r), .buf = (uintptr_t)buf, .len = cap - 1,
	};
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r.deadline_ns = (ts.tv_sec + 10) * 1000000000ULL + ts.tv_nsec;
	if (ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r) < 0)
		return -errno;
	buf[r.len] = 0;
	return 0;
}

int main(void)
{
	char go, buf[64];
	int fd, err;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("ready %u\n", (unsigned int)geteuid());
	if (read(0, &go, 1) != 1)
		return 1;
	umask(0);
	fd = inbox_open();
	if (fd < 0) {
		printf("error %d\n", -fd);
		return 1;
	}
	printf("inbox %llu\n", (unsigned long long)inbox_id(fd));
	err = recv_one(fd, buf, sizeof(buf));
	if (err)
		printf("error %d\n", -err);
	else
		printf("got %s\n", buf);
	return err ? 1 : 0;
}
