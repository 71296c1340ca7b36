/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mailbox selftests (mbox_*.c): unique names, the
 * ioctl argument structs filled in, one-call send and receive of
 * strings, the mailbox's stat and check_mbox_state() to assert all of
 * it at once, waiting until children are asleep in the kernel, and the
 * "mb" fixture: a fresh named unbounded mailbox, mode 0600, per test.
 *
 * Synchronisation with children never relies on sleeping for a while:
 * wait_blocked() polls the mailbox's stat (blocked_senders/receivers)
 * until the child is really asleep in the kernel.
 *
 * Include after kselftest_harness.h.
 */
#ifndef SHMBOX_SELFTEST_MBOX_UTIL_H
#define SHMBOX_SELFTEST_MBOX_UTIL_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libshmbox.h"
#include "util.h"

#define NS	1000000000ULL
#define FOREVER	SHMBOX_TIMEOUT_NONE

/* What @clk reads, in nanoseconds. */
static inline uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* A name no other test (or run of this one) uses. */
static inline void mb_name(char *buf, size_t len)
{
	static int seq;

	snprintf(buf, len, "mbox-%d-%d", getpid(), seq++);
}

/* The ioctls' arguments, valid, every other field 0: open, send, recv. */
static inline struct shmbox_mbox_open oarg(const char *name,
					   unsigned int flags,
					   unsigned int cap,
					   unsigned int mode)
{
	struct shmbox_mbox_open o = { .size = sizeof(o), .flags = flags,
		.name = (uintptr_t)name, .capacity = cap, .mode = mode };

	return o;
}

static inline struct shmbox_mbox_send sarg(const void *buf, unsigned int len,
					   unsigned int prio,
					   unsigned int flags)
{
	struct shmbox_mbox_send s = { .size = sizeof(s), .flags = flags,
		.buf = (uintptr_t)buf, .len = len, .prio = prio,
		.deadline_ns = FOREVER };

	return s;
}

static inline struct shmbox_mbox_recv rarg(void *buf, unsigned int len,
					   unsigned int flags)
{
	struct shmbox_mbox_recv r = { .size = sizeof(r), .flags = flags,
		.buf = (uintptr_t)buf, .len = len, .deadline_ns = FOREVER };

	return r;
}

/* Create mailbox @name with @cap; returns a bound O_RDWR fd or -errno. */
static inline int mkmbox(const char *name, unsigned int cap, unsigned int mode)
{
	struct shmbox_mbox_attr a = { .capacity = cap, .mode = mode };

	return shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, &a,
				O_RDWR);
}

/* Create this process's inbox with @cap; a bound O_RDWR fd or -errno. */
static inline int mkinbox(unsigned int cap, unsigned int mode)
{
	struct shmbox_mbox_attr a = { .capacity = cap, .mode = mode };

	return shmbox_inbox_open(SHMBOX_O_CREAT, &a, O_RDWR);
}

static inline int send_str(int fd, const char *s, unsigned int prio)
{
	return shmbox_mbox_send(fd, s, strlen(s), prio, 0, FOREVER);
}

/* Receive into @buf as a string ("" on error); the length or -errno. */
static inline int recv_str(int fd, char *buf, size_t cap, unsigned int flags,
			   uint64_t deadline, struct shmbox_msg_info *info)
{
	int n = shmbox_mbox_recv(fd, buf, cap - 1, flags, deadline, info);

	buf[n >= 0 ? n : 0] = 0;
	return n;
}

/* The mailbox's stat; every byte 0xff if the call failed. */
static inline struct shmbox_mbox_stat mstat(int fd)
{
	struct shmbox_mbox_stat st;

	if (shmbox_mbox_stat(fd, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/*
 * What a mailbox holds and has done.  check_mbox_state(fd, .depth = 2,
 * .bytes = 5, .sent = 2) states all of it: a field not named is expected
 * to be 0.
 */
struct mbox_state {
	unsigned int depth;		/* messages queued */
	uint64_t bytes;			/* their payload bytes */
	uint64_t sent;
	uint64_t received;
	unsigned int blocked_senders;
	unsigned int blocked_receivers;
};

#define check_mbox_state(fd, ...) \
	__check_mbox_state(_metadata, __LINE__, (fd), \
			   (struct mbox_state){ __VA_ARGS__ })

static inline void __check_mbox_state(struct __test_metadata *_metadata,
				      int line, int fd, struct mbox_state want)
{
	struct shmbox_mbox_stat st;

	ASSERT_EQ(0, shmbox_mbox_stat(fd, &st))
		TH_LOG("check_mbox_state() at line %d", line);
	EXPECT_EQ(want.depth, st.depth) TH_LOG("depth, line %d", line);
	EXPECT_EQ(want.bytes, st.bytes) TH_LOG("bytes, line %d", line);
	EXPECT_EQ(want.sent, st.sent) TH_LOG("sent, line %d", line);
	EXPECT_EQ(want.received, st.received)
		TH_LOG("received, line %d", line);
	EXPECT_EQ(want.blocked_senders, st.blocked_senders)
		TH_LOG("blocked_senders, line %d", line);
	EXPECT_EQ(want.blocked_receivers, st.blocked_receivers)
		TH_LOG("blocked_receivers, line %d", line);
}

/* Wait (up to ~20 s) until @fd's mailbox has @n blocked senders/receivers. */
static inline int wait_blocked(int fd, unsigned int senders,
			       unsigned int receivers)
{
	int i;

	for (i = 0; i < 20000; i++) {
		struct shmbox_mbox_stat st = mstat(fd);

		if (st.blocked_senders == senders &&
		    st.blocked_receivers == receivers)
			return 0;
		usleep(1000);
	}
	return -1;
}

/* A child's exit code, 128 + the signal that killed it, or -1. */
static inline int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Fork a child that sends @str to @fd, and wait until it is the @nth
 * blocked sender there.  Return its pid (for reap(); it exits 0 once its
 * send succeeded), or -1.
 */
static inline pid_t blocked_sender(int fd, const char *str, unsigned int nth)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(send_str(fd, str, 0) ? 1 : 0);
	if (pid < 0)
		return -1;
	if (wait_blocked(fd, nth, 0)) {
		kill(pid, SIGKILL);
		reap(pid);
		return -1;
	}
	return pid;
}

/* In a child: become NOBODY or exit 99. */
static inline void drop_to_nobody(void)
{
	if (become_nobody())
		_exit(99);
}

/* Point descriptors @m[0..n) at the words @w[0..n), one word each. */
static inline void vec_words(struct shmbox_mbox_msg *m, unsigned int *w, int n)
{
	memset(m, 0, n * sizeof(*m));
	for (int i = 0; i < n; i++) {
		m[i].buf = (uintptr_t)&w[i];
		m[i].len = sizeof(w[i]);
	}
}

/* The "mb" fixture: a named unbounded mailbox, mode 0600, bound O_RDWR. */
FIXTURE(mb) {
	char name[64];
	int fd;
};

FIXTURE_SETUP(mb)
{
	mb_name(self->name, sizeof(self->name));
	self->fd = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(mb)
{
	close(self->fd);
	shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
}

#endif /* SHMBOX_SELFTEST_MBOX_UTIL_H */
