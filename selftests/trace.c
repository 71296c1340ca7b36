// SPDX-License-Identifier: GPL-2.0
/*
 * trace: the shmbox tracepoints fire -- mailbox send, receive, sleep
 * begin/end and wake-up, ring wait and wake -- as seen through tracefs
 * (/sys/kernel/tracing, mounted by the guest's init).  Skips if tracefs
 * or the shmbox events are not there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"

#define TRACEFS	"/sys/kernel/tracing"
#define EVENTS	TRACEFS "/events/shmbox"

static int write_file(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* A small file's contents, as a string. */
static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

/* The whole trace buffer as text (malloc'ed). */
static char *read_trace(void)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(TRACEFS "/trace", O_RDONLY);

	if (fd < 0 || !buf)
		return NULL;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

#define SPIN_NS	"/sys/module/shmbox/parameters/mbox_spin_ns"

FIXTURE(trace) {
	char name[64];
	char spin_ns[32];
};

FIXTURE_SETUP(trace)
{
	if (access(EVENTS "/enable", W_OK))
		SKIP(return, "no %s (tracefs or CONFIG_TRACEPOINTS missing)", EVENTS);
	snprintf(self->name, sizeof(self->name), "trace-%d", getpid());
	/*
	 * A waiter that polls (mbox_spin_ns) and is served while polling is
	 * never woken, so no wake event: wait-and-wake needs it off.
	 */
	ASSERT_EQ(0, read_file(SPIN_NS, self->spin_ns, sizeof(self->spin_ns)));
	ASSERT_EQ(0, write_file(SPIN_NS, "0", 0));
	ASSERT_EQ(0, write_file(EVENTS "/enable", "1", 0));
	ASSERT_EQ(0, write_file(TRACEFS "/tracing_on", "1", 0));
	ASSERT_EQ(0, write_file(TRACEFS "/trace", "", O_TRUNC));
}

FIXTURE_TEARDOWN(trace)
{
	write_file(EVENTS "/enable", "0", 0);
	if (self->spin_ns[0])
		write_file(SPIN_NS, self->spin_ns, 0);
	shmbox_unlink(self->name, 0);
}

TEST_F(trace, mailbox_send_recv_wait_wake)
{
	char want[128], buf[16], *t;
	int fd, status;
	pid_t pid;

	fd = shmbox_mbox_open(self->name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, NULL,
			      O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_mbox_send(fd, "hello", 5, 3, 0, SHMBOX_NOWAIT));
	ASSERT_EQ(5, shmbox_mbox_recv(fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
				      NULL));
	/* A receive that sleeps and times out. */
	ASSERT_EQ(-ETIMEDOUT, shmbox_mbox_recv(fd, buf, sizeof(buf), 0,
					       shmbox_deadline_in(1000000),
					       NULL));
	/* A receiver that sleeps until a sender wakes it. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(shmbox_mbox_recv(fd, buf, sizeof(buf), 0,
				       SHMBOX_TIMEOUT_NONE, NULL) == 2 ? 0 : 1);
	for (;;) {
		struct shmbox_mbox_stat st;

		ASSERT_EQ(0, shmbox_mbox_stat(fd, &st));
		if (st.blocked_receivers)
			break;
		usleep(1000);
	}
	ASSERT_EQ(0, shmbox_mbox_send(fd, "hi", 2, 0, 0, SHMBOX_NOWAIT));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	close(fd);

	t = read_trace();
	ASSERT_NE(NULL, t);
	snprintf(want, sizeof(want),
		 "shmbox_mbox_send: mbox=%s obj=", self->name);
	EXPECT_NE(NULL, strstr(t, want)) TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(t, " len=5 prio=3 ret=0"));
	snprintf(want, sizeof(want), "shmbox_mbox_recv: mbox=%s obj=", self->name);
	EXPECT_NE(NULL, strstr(t, want));
	snprintf(want, sizeof(want), "len=5 prio=3 sender=%d", getpid());
	EXPECT_NE(NULL, strstr(t, want));
	snprintf(want, sizeof(want), "shmbox_mbox_wait: mbox=%s", self->name);
	EXPECT_NE(NULL, strstr(t, want));
	EXPECT_NE(NULL, strstr(t, "side=recv ret=-110"));
	snprintf(want, sizeof(want), "shmbox_mbox_wake: comm=trace pid=%d", pid);
	EXPECT_NE(NULL, strstr(t, want));
	free(t);
}

TEST_F(trace, ring_wait_and_wake)
{
	struct shmbox_ring_wake k = { .size = sizeof(k), .flags = SHMBOX_RING_DATA };
	struct shmbox_ring_wait w = { .size = sizeof(w),
				      .flags = SHMBOX_RING_DATA | SHMBOX_RING_NONBLOCK };
	char want[128], *t;
	int fd;

	fd = shmbox_region_open(self->name, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
				SHMBOX_REGION_RING, 4096, 0600, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_RING_WAKE, &k));
	ASSERT_EQ(-1, ioctl(fd, SHMBOX_IOC_RING_WAIT, &w));
	ASSERT_EQ(EAGAIN, errno);
	close(fd);

	t = read_trace();
	ASSERT_NE(NULL, t);
	snprintf(want, sizeof(want),
		 "shmbox_ring_wake: ring=%s obj=", self->name);
	EXPECT_NE(NULL, strstr(t, want)) TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(t, "wake=consumer"));
	snprintf(want, sizeof(want), "shmbox_ring_wait: ring=%s obj=", self->name);
	EXPECT_NE(NULL, strstr(t, want));
	EXPECT_NE(NULL, strstr(t, "side=consumer seen=0 ret=-11"));
	free(t);
}

TEST_HARNESS_MAIN
