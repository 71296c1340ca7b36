// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_sync_stall: a synchronous or rendezvous sender gives up while a
 * receiver is copying its message out, and that copy is stalled: the
 * receiver's buffer is a missing page registered with userfaultfd, so the
 * kernel's copy_to_user() sleeps until the test resolves the fault
 * (UFFDIO_COPY).  Messages are larger than the in-lock copy limit (192
 * bytes), so every receive reserves, copies and commits.
 *
 * A non-blocking sync send (the ioctl, and write(2) on an O_NONBLOCK fd of
 * a rendezvous mailbox) fails with EAGAIN within a short bound, a timed
 * one with ETIMEDOUT at its deadline, and a signal interrupts one with
 * EINTR.  Its message is withdrawn: once the fault is resolved the
 * receiver does not return it (its bytes are cleared from the buffer) and
 * goes on (the next message, or EAGAIN/ETIMEDOUT as its own flags say).
 * Conversely a receiver that finishes first makes the send succeed.  A
 * vector receive whose middle message is withdrawn returns the one before
 * it and leaves the one after it queued; a peeker that copies a message
 * does not hold back its withdrawal; the receive that goes on after a
 * withdrawal takes as many handles as it first offered room for, whatever
 * the withdrawn message carried (ABI 1.4).  Each case checks that every
 * message was received exactly once or, withdrawn, never, and that the
 * mailbox ends empty and uncharged.
 *
 * The receiver and a sender that blocks are threads of the test process,
 * because a userfaultfd registration belongs to one mm; the main thread
 * resolves the fault and never touches the page before.  Without
 * userfaultfd (a kernel without it, or no privilege for faults in kernel
 * mode) every case is skipped with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"
#include "handle_util.h"

#define LEN	1024		/* above the in-lock copy limit of 192 */
#define FILL	0x5a		/* what the resolved page holds at first */
#define BOUND	(2 * NS)	/* a non-blocking send's generous limit */

/* One receive or send on a thread of its own, and its result. */
struct call {
	int fd;
	void *buf;
	unsigned int flags;
	uint64_t deadline;
	struct shmbox_mbox_msg *vec;	/* receive: a vector of @nvec */
	unsigned int nvec;
	struct shmbox_handle *h;	/* receive: room for @nh handles */
	unsigned int nh;		/* in: the room; out: the handles */
	int ret;
	pthread_t thread;
	bool started;
};

/*
 * What the threads use lives here, not on the test's stack: a failed
 * ASSERT leaves the test function while they still run (teardown ends
 * them).
 */
FIXTURE(stall) {
	char name[64];
	int fd;
	int uffd;		/* -errno if userfaultfd is not available */
	long page;
	char *area;		/* one page, missing until resolved */
	struct call recv, send;
	char a[LEN], b[LEN], c[LEN];	/* messages: 'a', 'b', 'c' */
	char in[2][LEN];		/* more receive buffers */
	struct shmbox_mbox_msg vec[3];
	struct shmbox_handle hin[4];	/* a receive's handles */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void on_signal(int sig)
{
}

/* A userfaultfd that also takes faults in kernel mode; fd or -errno. */
static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd, err;

	fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Register @area (one page, never touched) for missing-page faults. */
static int uffd_register(int uffd, char *area, long page)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)area, .len = page },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
}

/* Wait (up to 20 s) until a task faults on the page: its copy stalls. */
static int uffd_wait_fault(FIXTURE_DATA(stall) *self)
{
	struct pollfd p = { .fd = self->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, 20000) != 1 ||
	    read(self->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -1;
	if (msg.event != UFFD_EVENT_PAGEFAULT ||
	    msg.arg.pagefault.address - (uintptr_t)self->area >=
	    (uint64_t)self->page)
		return -1;
	return 0;
}

/* Map the page, filled with FILL, and wake the task that waits for it. */
static int uffd_resolve(FIXTURE_DATA(stall) *self)
{
	char *src = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_copy copy = {
		.dst = (uintptr_t)self->area, .src = (uintptr_t)src,
		.len = self->page,
	};
	int ret;

	if (src == MAP_FAILED)
		return -1;
	memset(src, FILL, self->page);
	ret = ioctl(self->uffd, UFFDIO_COPY, &copy);
	munmap(src, self->page);
	return ret ? -1 : 0;
}

static void *recv_main(void *arg)
{
	struct call *c = arg;

	struct shmbox_mbox_recv r;

	if (c->vec) {
		c->ret = shmbox_mbox_recvv(c->fd, 0, c->vec, c->nvec, c->flags,
					   c->deadline);
	} else if (c->h) {
		r = hrecv_arg(c->buf, LEN, c->flags, c->h, c->nh);
		r.deadline_ns = c->deadline;
		c->ret = hrecv_ioctl(c->fd, &r);
		c->nh = r.nr_handles;
	} else
		c->ret = shmbox_mbox_recv(c->fd, c->buf, LEN, c->flags,
					  c->deadline, NULL);
	return NULL;
}

static void *send_main(void *arg)
{
	struct call *c = arg;

	c->ret = shmbox_mbox_send(c->fd, c->buf, LEN, 0, c->flags,
				  c->deadline);
	return NULL;
}

static int start(struct call *c, void *(*fn)(void *))
{
	if (pthread_create(&c->thread, NULL, fn, c))
		return -1;
	c->started = true;
	return 0;
}

/* Join @c's thread; its result. */
static int finish(struct call *c)
{
	pthread_join(c->thread, NULL);
	c->started = false;
	return c->ret;
}

/* A receive into the stalling page, on its own thread. */
static int start_recv(FIXTURE_DATA(stall) *self, uint64_t deadline)
{
	self->recv = (struct call){ .fd = self->fd, .buf = self->area,
				    .deadline = deadline };
	return start(&self->recv, recv_main);
}

/* A synchronous send of @msg, on its own thread. */
static int start_send(FIXTURE_DATA(stall) *self, char *msg, uint64_t deadline)
{
	self->send = (struct call){ .fd = self->fd, .buf = msg,
				    .flags = SHMBOX_MSG_SYNC,
				    .deadline = deadline };
	return start(&self->send, send_main);
}

/* @len bytes of @buf all equal @c? */
static bool all(const char *buf, int c, size_t len)
{
	while (len--)
		if (*buf++ != (char)c)
			return false;
	return true;
}

/* The message that was withdrawn is not in the buffer. */
#define EXPECT_CLEARED(buf) do { \
	EXPECT_TRUE(all((buf), 0, LEN)) TH_LOG("withdrawn bytes left"); \
} while (0)

/* Nothing left: no message, no charge. */
#define EXPECT_DRAINED(fd, ...) do { \
	char _b[LEN]; \
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv((fd), _b, LEN, 0, \
					    SHMBOX_NOWAIT, NULL)); \
	check_mbox_state((fd), __VA_ARGS__); \
	EXPECT_EQ(0, mstat(fd).charged); \
} while (0)

/* Each case starts here: userfaultfd or SKIP, then its mailbox. */
#define START(cap) do { \
	if (self->uffd < 0) \
		SKIP(return, "no userfaultfd for kernel-mode faults: %s", \
		     strerror(-self->uffd)); \
	self->fd = mkmbox(self->name, (cap), 0600); \
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd)); \
} while (0)

FIXTURE_SETUP(stall)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */

	self->fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	memset(self->a, 'a', LEN);
	memset(self->b, 'b', LEN);
	memset(self->c, 'c', LEN);
	memset(self->in, FILL, sizeof(self->in));
	mb_name(self->name, sizeof(self->name));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	self->area = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->area);
	self->uffd = uffd_open();
	if (self->uffd >= 0)
		ASSERT_EQ(0, uffd_register(self->uffd, self->area, self->page));
}

FIXTURE_TEARDOWN(stall)
{
	/* Nobody may stay stuck: waiters get EIDRM, faults are let go. */
	if (self->fd >= 0)
		shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
	if (self->uffd >= 0)
		close(self->uffd);
	if (self->recv.started)
		finish(&self->recv);
	if (self->send.started)
		finish(&self->send);
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->area, self->page);
}

/* SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC: EAGAIN soon; receiver goes on. */
TEST_F(stall, nonblock_sync_send_eagain_while_copy_stalls)
{
	uint64_t t0;

	START(SHMBOX_MBOX_UNBOUNDED);
	ASSERT_EQ(0, start_recv(self, FOREVER));
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	t0 = now_ns();
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send(self->fd, self->a, LEN, 0,
					    SHMBOX_MSG_SYNC |
					    SHMBOX_MSG_NONBLOCK, FOREVER));
	EXPECT_GT(BOUND, now_ns() - t0);
	ASSERT_EQ(0, uffd_wait_fault(self));
	/* Withdrawn, still held by the receiver: counted, not sent. */
	check_mbox_state(self->fd, .depth = 1, .bytes = LEN);
	ASSERT_EQ(0, uffd_resolve(self));
	/* The receiver dropped it and waits for the next one. */
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	check_mbox_state(self->fd, .blocked_receivers = 1);
	ASSERT_EQ(0, shmbox_mbox_send(self->fd, self->b, LEN, 0, 0, FOREVER));
	EXPECT_EQ(LEN, finish(&self->recv));
	EXPECT_EQ(0, memcmp(self->area, self->b, LEN));
	EXPECT_DRAINED(self->fd, .sent = 1, .received = 1);
}

/* write(2) on an O_NONBLOCK fd of a rendezvous mailbox: the same. */
TEST_F(stall, write_o_nonblock_rendezvous_eagain_while_copy_stalls)
{
	uint64_t t0;
	int wfd;

	START(0);
	wfd = shmbox_mbox_open(self->name, 0, NULL, O_WRONLY);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(0, fcntl(wfd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, start_recv(self, shmbox_deadline_in(3 * NS)));
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	t0 = now_ns();
	EXPECT_EQ(-1, write(wfd, self->a, LEN));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GT(BOUND, now_ns() - t0);
	ASSERT_EQ(0, uffd_wait_fault(self));
	check_mbox_state(self->fd, .depth = 1, .bytes = LEN);
	ASSERT_EQ(0, uffd_resolve(self));
	/* Nothing else comes: the receive ends at its own deadline. */
	EXPECT_EQ(-ETIMEDOUT, finish(&self->recv));
	EXPECT_CLEARED(self->area);
	EXPECT_EQ(FILL, self->area[LEN]);
	EXPECT_DRAINED(self->fd);
	close(wfd);
}

/* A timed rendezvous send: ETIMEDOUT at its deadline, not at the copy's end. */
TEST_F(stall, timed_sync_send_etimedout_while_copy_stalls)
{
	uint64_t deadline, t;

	START(0);
	ASSERT_EQ(0, start_recv(self, FOREVER));
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	deadline = shmbox_deadline_in(NS / 2);
	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_send(self->fd, self->a, LEN, 0, 0,
					       deadline));
	t = now_ns();
	EXPECT_LE(deadline, t);
	EXPECT_GT(deadline + BOUND, t);
	ASSERT_EQ(0, uffd_wait_fault(self));
	check_mbox_state(self->fd, .depth = 1, .bytes = LEN);
	ASSERT_EQ(0, uffd_resolve(self));
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	check_mbox_state(self->fd, .blocked_receivers = 1);
	/* The next one goes through, its copy no longer stalls. */
	EXPECT_EQ(0, shmbox_mbox_send(self->fd, self->b, LEN, 0, 0,
				      shmbox_deadline_in(20 * NS)));
	EXPECT_EQ(LEN, finish(&self->recv));
	EXPECT_EQ(0, memcmp(self->area, self->b, LEN));
	EXPECT_DRAINED(self->fd, .sent = 1, .received = 1);
}

/*
 * A signal (handler without SA_RESTART) ends a sync send whose message a
 * non-blocking receive took from the queue: EINTR; the receive, finding
 * nothing else, fails with EAGAIN.
 */
TEST_F(stall, signal_interrupts_sync_send_eintr_while_copy_stalls)
{
	START(SHMBOX_MBOX_UNBOUNDED);
	ASSERT_EQ(0, start_send(self, self->a, FOREVER));
	ASSERT_EQ(0, wait_blocked(self->fd, 1, 0));
	ASSERT_EQ(0, start_recv(self, SHMBOX_NOWAIT));
	ASSERT_EQ(0, uffd_wait_fault(self));
	check_mbox_state(self->fd, .depth = 1, .bytes = LEN,
			 .blocked_senders = 1);
	ASSERT_EQ(0, pthread_kill(self->send.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, finish(&self->send));
	check_mbox_state(self->fd, .depth = 1, .bytes = LEN);
	ASSERT_EQ(0, uffd_resolve(self));
	EXPECT_EQ(-EAGAIN, finish(&self->recv));
	EXPECT_CLEARED(self->area);
	EXPECT_DRAINED(self->fd);
}

/* The converse: the copy-out completes first, so the send succeeds. */
TEST_F(stall, copy_completes_first_sync_send_succeeds)
{
	START(SHMBOX_MBOX_UNBOUNDED);
	ASSERT_EQ(0, start_recv(self, FOREVER));
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(0, start_send(self, self->a, shmbox_deadline_in(20 * NS)));
	ASSERT_EQ(0, uffd_wait_fault(self));
	/* The sender waits for the copy-out, not yet sent. */
	ASSERT_EQ(0, wait_blocked(self->fd, 1, 0));
	check_mbox_state(self->fd, .depth = 1, .bytes = LEN,
			 .blocked_senders = 1);
	ASSERT_EQ(0, uffd_resolve(self));
	EXPECT_EQ(0, finish(&self->send));
	EXPECT_EQ(LEN, finish(&self->recv));
	EXPECT_EQ(0, memcmp(self->area, self->a, LEN));
	EXPECT_DRAINED(self->fd, .sent = 1, .received = 1);
}

/*
 * RECVV took 'a', 'b', 'c' ('b' synchronous) and stalls copying 'a';
 * b's sender is interrupted.  The vector returns 'a' alone, with no hole;
 * 'c' stays queued for the next receive, and 'b' is never received.
 */
TEST_F(stall, recvv_stops_before_withdrawn_middle_message)
{
	struct shmbox_mbox_msg *m = self->vec;
	char buf[LEN];
	int i;

	START(SHMBOX_MBOX_UNBOUNDED);
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)(i ? self->in[i - 1] : self->area);
		m[i].len = LEN;
	}
	/* 'b' is the synchronous one, between 'a' and 'c'. */
	ASSERT_EQ(0, shmbox_mbox_send(self->fd, self->a, LEN, 0, 0, FOREVER));
	ASSERT_EQ(0, start_send(self, self->b, FOREVER));
	ASSERT_EQ(0, wait_blocked(self->fd, 1, 0));
	ASSERT_EQ(0, shmbox_mbox_send(self->fd, self->c, LEN, 0, 0, FOREVER));
	check_mbox_state(self->fd, .depth = 3, .bytes = 3 * LEN, .sent = 2,
			 .blocked_senders = 1);
	self->recv = (struct call){ .fd = self->fd, .vec = m, .nvec = 3,
				    .deadline = SHMBOX_NOWAIT };
	ASSERT_EQ(0, start(&self->recv, recv_main));
	ASSERT_EQ(0, uffd_wait_fault(self));
	ASSERT_EQ(0, pthread_kill(self->send.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, finish(&self->send));
	ASSERT_EQ(0, uffd_resolve(self));
	EXPECT_EQ(1, finish(&self->recv));
	EXPECT_EQ(LEN, m[0].len);
	EXPECT_EQ(0, memcmp(self->area, self->a, LEN));
	/* 'b' and 'c' were copied out too, and cleared: neither received. */
	EXPECT_CLEARED(self->in[0]);
	EXPECT_CLEARED(self->in[1]);
	check_mbox_state(self->fd, .depth = 1, .bytes = LEN, .sent = 2,
			 .received = 1);
	ASSERT_EQ(LEN, shmbox_mbox_recv(self->fd, buf, LEN, 0, SHMBOX_NOWAIT,
					NULL));
	EXPECT_EQ(0, memcmp(buf, self->c, LEN));
	EXPECT_DRAINED(self->fd, .sent = 2, .received = 2);
}

/*
 * A peek holds no claim: a sync send whose message a peeker is copying
 * (stalled) still gives up at a signal and withdraws it; the peek returns
 * the copy it made, and the message, uncharged, is gone for receivers.
 */
TEST_F(stall, peek_does_not_hold_back_withdrawal)
{
	START(SHMBOX_MBOX_UNBOUNDED);
	ASSERT_EQ(0, start_send(self, self->a, FOREVER));
	ASSERT_EQ(0, wait_blocked(self->fd, 1, 0));
	self->recv = (struct call){ .fd = self->fd, .buf = self->area,
				    .flags = SHMBOX_MSG_PEEK,
				    .deadline = SHMBOX_NOWAIT };
	ASSERT_EQ(0, start(&self->recv, recv_main));
	ASSERT_EQ(0, uffd_wait_fault(self));
	ASSERT_EQ(0, pthread_kill(self->send.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, finish(&self->send));
	check_mbox_state(self->fd);
	EXPECT_EQ(0, mstat(self->fd).charged);
	ASSERT_EQ(0, uffd_resolve(self));
	EXPECT_EQ(LEN, finish(&self->recv));
	EXPECT_EQ(0, memcmp(self->area, self->a, LEN));
	EXPECT_DRAINED(self->fd);
}

/*
 * A receive with room for four handles takes 'a' (synchronous, carrying
 * @nh_a handles) and stalls copying it; its sender gives up (EAGAIN), so
 * 'a' is withdrawn.  The receive goes on with the room it offered, and
 * gets 'b', carrying two handles: not EMSGSIZE for room that 'a' had
 * used up.
 */
static void withdrawn_then_two_handles(struct __test_metadata *_metadata,
				       FIXTURE_DATA(stall) *self,
				       unsigned int nh_a)
{
	int r1 = region_fd(NULL, SHMBOX_O_CREAT, 4096, O_RDWR);
	int r2 = region_fd(NULL, SHMBOX_O_CREAT, 2 * 4096, O_RDWR);
	struct shmbox_handle ha[1], hb[2];
	struct shmbox_mbox_send s;

	ASSERT_LE(0, r1);
	ASSERT_LE(0, r2);
	ha[0] = hent(r1, 0);
	hb[0] = hent(r1, 0);
	hb[1] = hent(r2, 0);
	memset(self->hin, 0xa5, sizeof(self->hin));
	self->recv = (struct call){ .fd = self->fd, .buf = self->area,
				    .deadline = FOREVER, .h = self->hin,
				    .nh = 4 };
	ASSERT_EQ(0, start(&self->recv, recv_main));
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	s = hsend_arg(self->a, LEN, SHMBOX_MSG_SYNC | SHMBOX_MSG_NONBLOCK, ha,
		      nh_a);
	EXPECT_EQ(-EAGAIN, hsend_ioctl(self->fd, &s));
	ASSERT_EQ(0, uffd_wait_fault(self));
	ASSERT_EQ(0, hsend(self->fd, self->b, LEN, 0, hb, 2));
	ASSERT_EQ(0, uffd_resolve(self));
	EXPECT_EQ(LEN, finish(&self->recv));
	EXPECT_EQ(0, memcmp(self->area, self->b, LEN));
	ASSERT_EQ(2, self->recv.nh);
	EXPECT_EQ(4096, self->hin[0].bytes);
	EXPECT_EQ(2 * 4096, self->hin[1].bytes);
	EXPECT_TRUE(fd_is_open(self->hin[0].fd));
	EXPECT_TRUE(fd_is_open(self->hin[1].fd));
	close_handles(self->hin, 2);
	EXPECT_DRAINED(self->fd, .sent = 1, .received = 1);
	EXPECT_EQ(0, mstat(self->fd).handles);
	close(r1);
	close(r2);
}

TEST_F(stall, withdrawn_without_handles_receive_keeps_handle_room)
{
	START(SHMBOX_MBOX_UNBOUNDED);
	withdrawn_then_two_handles(_metadata, self, 0);
}

TEST_F(stall, withdrawn_with_one_handle_receive_keeps_handle_room)
{
	START(SHMBOX_MBOX_UNBOUNDED);
	withdrawn_then_two_handles(_metadata, self, 1);
}

TEST_HARNESS_MAIN
