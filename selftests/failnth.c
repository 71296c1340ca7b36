// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every ioctl and mmap path survives each of its
 * allocations failing.
 *
 * For each path, with n = 1, 2, ...: build a fresh state, make the n-th
 * fault-injection point of this thread fail (/proc/self/task/<tid>/
 * fail-nth, CONFIG_FAULT_INJECTION with FAILSLAB and FAIL_PAGE_ALLOC),
 * run the operation once and look at what happened.  If the n-th point
 * was reached and the operation failed, the error must be ENOMEM and the
 * object state (stat before and after, names, mappings) unchanged; an
 * operation may also absorb the failure (a fallback) and succeed.  Once n
 * is past the last allocation the operation must succeed: that ends the
 * path.  Leaks are found by kmemleak after the module is unloaded.
 *
 * Needs the debug test kernel (make check KERNEL=debug); skipped where
 * fail-nth does not exist.  The failslab and fail_page_alloc debugfs
 * knobs are set so that sleeping allocations and order-0 pages are
 * eligible and no failure is logged with a stack trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"

#define MAX_N		400

struct ctx {
	int fd, fd2, fd3;		/* /dev/shmbox fds, -1 if unused */
	void *map;
	size_t map_len;
	long ret;			/* what the operation returned */
	char buf[4096];
};

struct op {
	const char *name;
	void (*setup)(struct ctx *c);
	long (*run)(struct ctx *c);	/* >= 0 or -errno */
	/* Is the state what it was before a failed run?  0: yes. */
	int (*unchanged)(struct ctx *c);
	void (*cleanup)(struct ctx *c);
};

static int dev(void)
{
	int fd = open("/dev/shmbox", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("open /dev/shmbox");
		exit(1);
	}
	return fd;
}

static long sys_ioctl(int fd, unsigned long cmd, void *arg)
{
	long r = syscall(SYS_ioctl, fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static void close_all(struct ctx *c)
{
	if (c->map && c->map != MAP_FAILED)
		munmap(c->map, c->map_len);
	if (c->fd >= 0)
		close(c->fd);
	if (c->fd2 >= 0)
		close(c->fd2);
	if (c->fd3 >= 0)
		close(c->fd3);
	shmbox_unlink("fnth-r", 0);
	shmbox_unlink("fnth-m", 0);
}

static long region_open(int fd, const char *name, uint32_t flags, uint64_t bytes)
{
	struct shmbox_region_open o = {
		.size = sizeof(o), .flags = flags, .name = (uintptr_t)name,
		.bytes = bytes, .mode = 0600,
	};

	return sys_ioctl(fd, SHMBOX_IOC_REGION_OPEN, &o);
}

static long mbox_open(int fd, const char *name, uint32_t flags)
{
	struct shmbox_mbox_open o = {
		.size = sizeof(o), .flags = flags, .name = (uintptr_t)name,
		.capacity = SHMBOX_MBOX_UNBOUNDED, .mode = 0600,
	};

	return sys_ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o);
}

static long send_to(int fd, pid_t pid, const void *buf, uint32_t len)
{
	struct shmbox_mbox_send s = {
		.size = sizeof(s), .flags = SHMBOX_MSG_NONBLOCK,
		.buf = (uintptr_t)buf, .len = len, .prio = 3, .pid = pid,
	};

	return sys_ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s);
}

static int name_exists(const char *name, int region)
{
	int fd = dev();
	long r = region ? region_open(fd, name, 0, 0) : mbox_open(fd, name, 0);

	close(fd);
	return r == 0;
}

static int rstat(int fd, struct shmbox_region_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return sys_ioctl(fd, SHMBOX_IOC_REGION_STAT, st);
}

static int mstat(int fd, struct shmbox_mbox_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return sys_ioctl(fd, SHMBOX_IOC_MBOX_STAT, st);
}

/* ---- the paths ---------------------------------------------------------- */

static void su_none(struct ctx *c)
{
}

static void su_dev(struct ctx *c)
{
	c->fd = dev();
}

static long run_dev_open(struct ctx *c)
{
	long r = syscall(SYS_openat, AT_FDCWD, "/dev/shmbox", O_RDWR | O_CLOEXEC);

	if (r < 0)
		return -errno;
	c->fd = r;
	return 0;
}

static int unch_true(struct ctx *c)
{
	return 0;
}

static long run_region_create(struct ctx *c)
{
	return region_open(c->fd, "fnth-r", SHMBOX_O_CREAT | SHMBOX_O_EXCL,
			   8 * 4096);
}

static int unch_no_region(struct ctx *c)
{
	struct shmbox_region_stat st;

	/* Neither named nor bound. */
	return name_exists("fnth-r", 1) || rstat(c->fd, &st) != -EBADFD;
}

static long run_ring_create(struct ctx *c)
{
	return region_open(c->fd, NULL, SHMBOX_O_CREAT | SHMBOX_REGION_RING |
			   SHMBOX_RING_PRODUCER, 4 * 4096);
}

static int unch_unbound(struct ctx *c)
{
	struct shmbox_region_stat st;

	return rstat(c->fd, &st) != -EBADFD;
}

static void su_region_named(struct ctx *c)
{
	c->fd = dev();
	c->fd2 = dev();
	if (region_open(c->fd, "fnth-r", SHMBOX_O_CREAT | SHMBOX_O_EXCL, 8 * 4096))
		exit(1);
}

static long run_region_open_existing(struct ctx *c)
{
	return region_open(c->fd2, "fnth-r", 0, 0);
}

static int unch_one_user(struct ctx *c)
{
	struct shmbox_region_stat st;

	return rstat(c->fd, &st) || st.obj.users != 1 || unch_unbound(&(struct ctx){ .fd = c->fd2 });
}

static long run_mmap_region(struct ctx *c)
{
	c->map_len = 8 * 4096;
	c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return -errno;
	}
	return 0;
}

static int unch_no_attach(struct ctx *c)
{
	struct shmbox_region_stat st;

	return rstat(c->fd, &st) || st.nattch != 0;
}

static void su_ring(struct ctx *c)
{
	c->fd = dev();
	if (region_open(c->fd, NULL, SHMBOX_O_CREAT | SHMBOX_REGION_RING |
			SHMBOX_RING_PRODUCER, 4 * 4096))
		exit(1);
}

static long run_mmap_ring(struct ctx *c)
{
	c->map_len = SHMBOX_RING_MAP_SIZE(4 * 4096);
	c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return -errno;
	}
	return 0;
}

static long run_region_stat(struct ctx *c)
{
	struct shmbox_region_stat st;

	return rstat(c->fd, &st);
}

static long run_ring_wake(struct ctx *c)
{
	struct shmbox_ring_wake w = { .size = sizeof(w), .flags = SHMBOX_RING_DATA };

	return sys_ioctl(c->fd, SHMBOX_IOC_RING_WAKE, &w);
}

static long run_ring_wait(struct ctx *c)
{
	struct shmbox_ring_wait w = {
		.size = sizeof(w), .flags = SHMBOX_RING_SPACE | SHMBOX_RING_NONBLOCK,
		.seen = 0, .deadline_ns = SHMBOX_TIMEOUT_NONE,
	};
	long r = sys_ioctl(c->fd, SHMBOX_IOC_RING_WAIT, &w);

	/* Nothing to wait for is an answer, not a failure. */
	return r == -EAGAIN || r == -EPIPE ? 0 : r;
}

static long run_mbox_create(struct ctx *c)
{
	return mbox_open(c->fd, "fnth-m", SHMBOX_O_CREAT | SHMBOX_O_EXCL);
}

static int unch_no_mbox(struct ctx *c)
{
	struct shmbox_mbox_stat st;

	return name_exists("fnth-m", 0) || mstat(c->fd, &st) != -EBADFD;
}

static long run_inbox_create(struct ctx *c)
{
	return mbox_open(c->fd, NULL, SHMBOX_O_CREAT | SHMBOX_MBOX_INBOX);
}

static int unch_no_inbox(struct ctx *c)
{
	struct shmbox_mbox_stat st;
	int fd = dev();
	long r = send_to(fd, getpid(), "x", 1);

	close(fd);
	return r != -ENOENT || mstat(c->fd, &st) != -EBADFD;
}

static void su_mbox(struct ctx *c)
{
	c->fd = dev();
	if (mbox_open(c->fd, "fnth-m", SHMBOX_O_CREAT | SHMBOX_O_EXCL))
		exit(1);
	memset(c->buf, 'p', sizeof(c->buf));
}

static int unch_empty_mbox(struct ctx *c)
{
	struct shmbox_mbox_stat st;

	return mstat(c->fd, &st) || st.depth || st.bytes || st.charged ||
	       st.sent || st.received;
}

static long run_send_small(struct ctx *c)
{
	return send_to(c->fd, 0, c->buf, 100);
}

static long run_send_large(struct ctx *c)
{
	return send_to(c->fd, 0, c->buf, 3000);
}

static long run_sendv(struct ctx *c)
{
	struct shmbox_mbox_msg m[3] = {
		{ .buf = (uintptr_t)c->buf, .len = 10, .prio = 1 },
		{ .buf = (uintptr_t)c->buf, .len = 1000, .prio = 2 },
		{ .buf = (uintptr_t)c->buf, .len = 50, .prio = 0 },
	};
	struct shmbox_mbox_vec v = {
		.size = sizeof(v), .flags = SHMBOX_MSG_NONBLOCK,
		.msgs = (uintptr_t)m, .count = 3,
	};

	c->ret = sys_ioctl(c->fd, SHMBOX_IOC_MBOX_SENDV, &v);
	/* A partial vector is a success for the messages it sent. */
	return c->ret;
}

static int unch_sendv(struct ctx *c)
{
	struct shmbox_mbox_stat st;

	if (mstat(c->fd, &st))
		return 1;
	/* Failed as a whole: nothing queued. */
	return st.depth != 0 || st.charged != 0;
}

static void su_inbox(struct ctx *c)
{
	c->fd = dev();
	c->fd2 = dev();
	if (mbox_open(c->fd, NULL, SHMBOX_O_CREAT | SHMBOX_MBOX_INBOX))
		exit(1);
	memset(c->buf, 'd', sizeof(c->buf));
}

static long run_send_direct(struct ctx *c)
{
	return send_to(c->fd2, getpid(), c->buf, 500);
}

static void su_mbox_two(struct ctx *c)
{
	su_mbox(c);
	if (send_to(c->fd, 0, c->buf, 100) || send_to(c->fd, 0, c->buf, 2000))
		exit(1);
}

static long run_recv(struct ctx *c)
{
	struct shmbox_mbox_recv r = {
		.size = sizeof(r), .flags = SHMBOX_MSG_NONBLOCK,
		.buf = (uintptr_t)c->buf, .len = sizeof(c->buf),
	};

	return sys_ioctl(c->fd, SHMBOX_IOC_MBOX_RECV, &r);
}

static long run_write(struct ctx *c)
{
	return write(c->fd, c->buf, 100) < 0 ? -errno : 0;
}

static long run_read(struct ctx *c)
{
	return read(c->fd, c->buf, sizeof(c->buf)) < 0 ? -errno : 0;
}

static int unch_two_queued(struct ctx *c)
{
	struct shmbox_mbox_stat st;

	return mstat(c->fd, &st) || st.depth != 2 || st.bytes != 2100 ||
	       st.received != 0;
}

static long run_recvv(struct ctx *c)
{
	static char b2[4096];
	struct shmbox_mbox_msg m[2] = {
		{ .buf = (uintptr_t)c->buf, .len = sizeof(c->buf) },
		{ .buf = (uintptr_t)b2, .len = sizeof(b2) },
	};
	struct shmbox_mbox_vec v = {
		.size = sizeof(v), .flags = SHMBOX_MSG_NONBLOCK,
		.msgs = (uintptr_t)m, .count = 2,
	};

	return sys_ioctl(c->fd, SHMBOX_IOC_MBOX_RECVV, &v);
}

static long run_mbox_stat(struct ctx *c)
{
	struct shmbox_mbox_stat st;

	return mstat(c->fd, &st);
}

static long run_poll(struct ctx *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN | POLLOUT };
	long r = syscall(SYS_poll, &p, 1, 0);

	return r < 0 ? -errno : 0;
}

static long run_epoll(struct ctx *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	long r;

	c->fd3 = epoll_create1(EPOLL_CLOEXEC);
	if (c->fd3 < 0)
		return -errno;
	r = syscall(SYS_epoll_ctl, c->fd3, EPOLL_CTL_ADD, c->fd, &ev);
	return r < 0 ? -errno : 0;
}

static long run_unlink(struct ctx *c)
{
	struct shmbox_unlink u = {
		.size = sizeof(u), .name = (uintptr_t)"fnth-m",
	};

	return sys_ioctl(c->fd, SHMBOX_IOC_UNLINK, &u);
}

static int unch_still_named(struct ctx *c)
{
	return !name_exists("fnth-m", 0);
}

static long run_version(struct ctx *c)
{
	struct shmbox_version v = { .size = sizeof(v) };

	return sys_ioctl(c->fd, SHMBOX_IOC_GET_VERSION, &v);
}

static const struct op ops[] = {
	{ "open /dev/shmbox", su_none, run_dev_open, unch_true, close_all },
	{ "get version", su_dev, run_version, unch_true, close_all },
	{ "create named region", su_dev, run_region_create, unch_no_region, close_all },
	{ "create anonymous ring", su_dev, run_ring_create, unch_unbound, close_all },
	{ "open existing region", su_region_named, run_region_open_existing, unch_one_user, close_all },
	{ "mmap region", su_region_named, run_mmap_region, unch_no_attach, close_all },
	{ "mmap ring", su_ring, run_mmap_ring, unch_no_attach, close_all },
	{ "region stat", su_ring, run_region_stat, unch_true, close_all },
	{ "ring wake", su_ring, run_ring_wake, unch_true, close_all },
	{ "ring wait", su_ring, run_ring_wait, unch_true, close_all },
	{ "create named mailbox", su_dev, run_mbox_create, unch_no_mbox, close_all },
	{ "create inbox", su_dev, run_inbox_create, unch_no_inbox, close_all },
	{ "send inline payload", su_mbox, run_send_small, unch_empty_mbox, close_all },
	{ "send allocated payload", su_mbox, run_send_large, unch_empty_mbox, close_all },
	{ "send vector", su_mbox, run_sendv, unch_sendv, close_all },
	{ "send to an inbox", su_inbox, run_send_direct, unch_true, close_all },
	{ "receive", su_mbox_two, run_recv, unch_two_queued, close_all },
	{ "receive vector", su_mbox_two, run_recvv, unch_two_queued, close_all },
	{ "write(2)", su_mbox, run_write, unch_empty_mbox, close_all },
	{ "read(2)", su_mbox_two, run_read, unch_two_queued, close_all },
	{ "mailbox stat", su_mbox, run_mbox_stat, unch_true, close_all },
	{ "poll", su_mbox, run_poll, unch_true, close_all },
	{ "epoll add", su_mbox, run_epoll, unch_true, close_all },
	{ "unlink", su_mbox, run_unlink, unch_still_named, close_all },
};

/* ---- driver ------------------------------------------------------------- */

static int write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static int open_fail_nth(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	return open(path, O_RDWR | O_CLOEXEC);
}

static int knobs(void)
{
	static const char * const k[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (write_knob(k[i][0], k[i][1]))
			return -1;
	return 0;
}

/*
 * Run @op with its n-th fault point failing, for n = 1, 2, ... until it
 * gets past the last one.  Returns the number of points that failed it.
 */
static int run_path(struct __test_metadata *_metadata, int nth, const struct op *op)
{
	char num[16], left[16];
	int n, injected_failures = 0;
	ssize_t len;
	long r;

	for (n = 1; n <= MAX_N; n++) {
		struct ctx c = { .fd = -1, .fd2 = -1, .fd3 = -1 };
		int injected;

		op->setup(&c);
		len = snprintf(num, sizeof(num), "%d", n);
		/* Fault the stack in: nothing but the operation may allocate. */
		memset(left, 0, sizeof(left));
		if (pwrite(nth, num, len, 0) != len) {
			ksft_print_msg("%s: cannot arm fail-nth: %s\n", op->name,
				       strerror(errno));
			EXPECT_TRUE(0);
			return injected_failures;
		}
		r = op->run(&c);
		len = pread(nth, left, sizeof(left) - 1, 0);
		/* Disarm before anything else can allocate. */
		if (pwrite(nth, "0", 1, 0) != 1 || len <= 0) {
			EXPECT_TRUE(0) TH_LOG("%s: fail-nth read/disarm failed", op->name);
			return injected_failures;
		}
		injected = atoi(left) == 0;

		if (!injected) {
			/* Past the last fault point: must work. */
			EXPECT_LE(0, r) TH_LOG("%s: fails with %ld without injection",
					       op->name, r);
			op->cleanup(&c);
			ksft_print_msg("fail-nth: %-24s %2d fault points, %2d failed it cleanly\n",
				       op->name, n - 1, injected_failures);
			return injected_failures;
		}
		if (r < 0) {
			injected_failures++;
			EXPECT_EQ(-ENOMEM, r) TH_LOG("%s: fault point %d gave errno %ld",
						    op->name, n, -r);
			EXPECT_EQ(0, op->unchanged(&c))
				TH_LOG("%s: fault point %d changed the state", op->name, n);
		}
		op->cleanup(&c);
	}
	EXPECT_TRUE(0) TH_LOG("%s: still hitting fault points after %d", op->name, MAX_N);
	return injected_failures;
}

FIXTURE(fnth) {
	int nth;
};

FIXTURE_SETUP(fnth)
{
	self->nth = open_fail_nth();
}

FIXTURE_TEARDOWN(fnth)
{
	if (self->nth >= 0)
		close(self->nth);
}

TEST_F(fnth, every_path_survives_every_allocation_failure)
{
	unsigned int i;
	int total = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* the report survives _exit */
	if (self->nth < 0)
		SKIP(return, "no fail-nth (needs CONFIG_FAULT_INJECTION): %s",
		     strerror(errno));
	ASSERT_EQ(0, knobs()) TH_LOG("cannot set the failslab/fail_page_alloc knobs");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += run_path(_metadata, self->nth, &ops[i]);
	ksft_print_msg("fail-nth: %d allocation failures injected and handled over %zu paths\n",
		       total, sizeof(ops) / sizeof(ops[0]));
	EXPECT_LT(0, total);
}

TEST_HARNESS_MAIN
