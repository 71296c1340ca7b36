// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_mq: what ABI 1.5 (SHMBOX_FEAT_MQ) added for POSIX message queues,
 * through the raw ioctls: the feature bit, POSIX-style names, priorities
 * up to 32767, SHMBOX_MSG_WHOLE, SHMBOX_MSG_REALTIME deadlines and
 * SHMBOX_IOC_MBOX_NOTIFY (when a registration fires, who holds it, what
 * removes it).  selftests/mq.c tests the same through libshmbox-mq's
 * mq_*() calls; mbox_inval.c has the argument checks of NOTIFY and of the
 * flags; mbox_basic.c has SHMBOX_UNLINK_KEEP.
 *
 * Firing is observed through an eventfd registration (its counter) or a
 * blocked signal (sigtimedwait(), so nothing is asynchronous); children
 * are synchronised by wait_blocked() on the mailbox's stat, never by
 * sleeping.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"
#include "call_util.h"

#define MAXMSG	64

static struct shmbox_mbox_notify notify_arg(unsigned int kind, int signo,
					    uint64_t value, int efd)
{
	struct shmbox_mbox_notify n = {
		.size = sizeof(n), .notify = kind, .signo = signo,
		.value = value, .eventfd = efd,
	};

	return n;
}

/* Register (or remove, SHMBOX_NOTIFY_REMOVE) on @fd: 0 or -errno. */
static int notify(int fd, unsigned int kind, int signo, uint64_t value,
		  int efd)
{
	struct shmbox_mbox_notify n = notify_arg(kind, signo, value, efd);

	return ioctl(fd, SHMBOX_IOC_MBOX_NOTIFY, &n) ? -errno : 0;
}

static int notify_none(int fd)
{
	return notify(fd, SHMBOX_NOTIFY_NONE, 0, 0, 0);
}

static int notify_remove(int fd)
{
	return notify(fd, SHMBOX_NOTIFY_REMOVE, 0, 0, 0);
}

/* What @efd counted since it was last read (non-blocking): 0 if nothing. */
static uint64_t efd_count(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* @fn(@fd) in a child: 0 if it returned 0 there. */
static int in_child_on(int fd, int (*fn)(int fd))
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(fd) ? 1 : 0);
	return pid < 0 ? -1 : reap(pid);
}

/* In a child: does NOTIFY_NONE on @fd get @err (0: succeed)?  0 if so. */
static int child_none_gets(int fd, int err)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(notify_none(fd) == err ? 0 : 1);
	return pid < 0 ? -1 : reap(pid);
}

static int recv_nb(int fd, char *buf, unsigned int len, unsigned int flags,
		   struct shmbox_mbox_recv *out)
{
	struct shmbox_mbox_recv r = rarg(buf, len, flags | SHMBOX_MSG_NONBLOCK);
	int ret = ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r) ? -errno : (int)r.len;

	if (out)
		*out = r;
	return ret;
}

/* ---- the feature, names, priorities ------------------------------------- */

TEST(version_has_feat_mq)
{
	struct shmbox_version v = { .size = sizeof(v) };
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_TRUE(v.features & SHMBOX_FEAT_MQ);
	EXPECT_LE(5, v.abi_minor);
	close(fd);
}

/* "/name" is a mailbox of its own: "name" does not find it. */
TEST(posix_name_is_not_the_native_name)
{
	char name[64], posix[65];
	int fd;

	mb_name(name, sizeof(name));
	snprintf(posix, sizeof(posix), "/%s", name);
	fd = mkmbox(posix, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, shmbox_mbox_open(name, 0, NULL, O_RDWR));
	EXPECT_EQ(0, shmbox_unlink(posix, SHMBOX_KIND_MAILBOX));
	close(fd);
}

/* '/' and SHMBOX_NAME_MAX bytes: the '/' is not counted. */
TEST(posix_name_of_name_max_bytes_opens)
{
	char posix[SHMBOX_NAME_MAX + 2];
	int fd;

	snprintf(posix, sizeof(posix), "/%d-", getpid());
	memset(posix + strlen(posix), 'n', sizeof(posix) - 1 - strlen(posix));
	posix[sizeof(posix) - 1] = 0;
	fd = mkmbox(posix, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, shmbox_unlink(posix, SHMBOX_KIND_MAILBOX));
	close(fd);
}

TEST_F(mb, priority_32767_is_received_first)
{
	static const unsigned int prio[] = { 0, 31, 32767, 16384, 32 };
	static const unsigned int order[] = { 32767, 16384, 32, 31, 0 };
	struct shmbox_mbox_recv r;
	char buf[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prio); i++)
		ASSERT_EQ(0, send_str(self->fd, "p", prio[i]));
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		ASSERT_EQ(1, recv_nb(self->fd, buf, sizeof(buf), 0, &r));
		EXPECT_EQ(order[i], r.prio);
	}
}

TEST_F(mb, fifo_within_a_priority_above_31)
{
	char buf[8];

	ASSERT_EQ(0, send_str(self->fd, "a", 20000));
	ASSERT_EQ(0, send_str(self->fd, "b", 30000));
	ASSERT_EQ(0, send_str(self->fd, "c", 20000));
	ASSERT_EQ(1, recv_nb(self->fd, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ('b', buf[0]);
	ASSERT_EQ(1, recv_nb(self->fd, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ('a', buf[0]);
	ASSERT_EQ(1, recv_nb(self->fd, buf, sizeof(buf), 0, NULL));
	EXPECT_EQ('c', buf[0]);
}

TEST_F(mb, peek_sees_the_highest_and_leaves_it)
{
	struct shmbox_mbox_recv r;
	char buf[8];

	ASSERT_EQ(0, send_str(self->fd, "l", 1));
	ASSERT_EQ(0, send_str(self->fd, "h", 32767));
	ASSERT_EQ(1, recv_nb(self->fd, buf, sizeof(buf), SHMBOX_MSG_PEEK, &r));
	EXPECT_EQ('h', buf[0]);
	EXPECT_EQ(32767, r.prio);
	check_mbox_state(self->fd, .depth = 2, .bytes = 2, .sent = 2);
}

/* ---- SHMBOX_MSG_WHOLE ------------------------------------------------- */

FIXTURE(small) {
	int fd;
};

FIXTURE_SETUP(small)
{
	struct shmbox_mbox_attr a = { .capacity = SHMBOX_MBOX_UNBOUNDED,
				      .max_msg_size = MAXMSG, .mode = 0600 };

	self->fd = shmbox_mbox_open(NULL, SHMBOX_O_CREAT, &a, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(small)
{
	close(self->fd);
}

/* A buffer below max_msg_size: EMSGSIZE, @len says what is needed. */
TEST_F(small, whole_buffer_below_max_msg_size_emsgsize)
{
	struct shmbox_mbox_recv r;
	char buf[MAXMSG];

	ASSERT_EQ(0, send_str(self->fd, "hi", 0));
	EXPECT_EQ(-EMSGSIZE, recv_nb(self->fd, buf, MAXMSG - 1,
				     SHMBOX_MSG_WHOLE, &r));
	EXPECT_EQ(MAXMSG, r.len);
	check_mbox_state(self->fd, .depth = 1, .bytes = 2, .sent = 1);
}

/* As mq_receive(): EMSGSIZE even when there is nothing to receive. */
TEST_F(small, whole_buffer_below_max_msg_size_empty_emsgsize)
{
	char buf[MAXMSG];

	EXPECT_EQ(-EMSGSIZE, recv_nb(self->fd, buf, MAXMSG - 1,
				     SHMBOX_MSG_WHOLE, NULL));
}

TEST_F(small, whole_buffer_of_max_msg_size_receives)
{
	char buf[MAXMSG];

	ASSERT_EQ(0, send_str(self->fd, "hi", 0));
	EXPECT_EQ(2, recv_nb(self->fd, buf, MAXMSG, SHMBOX_MSG_WHOLE, NULL));
	check_mbox_state(self->fd, .sent = 1, .received = 1);
}

/* Without the flag a short buffer only has to hold the message. */
TEST_F(small, short_buffer_without_whole_receives)
{
	char buf[MAXMSG];

	ASSERT_EQ(0, send_str(self->fd, "hi", 0));
	EXPECT_EQ(2, recv_nb(self->fd, buf, 2, 0, NULL));
}

/* ---- SHMBOX_MSG_REALTIME ---------------------------------------------- */

/* A realtime second ago is long past: the receive ends at once. */
TEST_F(mb, realtime_deadline_past_etimedout)
{
	struct shmbox_mbox_recv r;
	char buf[8];

	/* On CLOCK_MONOTONIC the same number is decades away. */
	r = rarg(buf, sizeof(buf), SHMBOX_MSG_REALTIME);
	r.deadline_ns = clock_ns(CLOCK_REALTIME) - NS;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(ETIMEDOUT, errno);
}

/* A monotonic time is 1970 to CLOCK_REALTIME: the send ends at once. */
TEST(realtime_send_of_a_monotonic_time_etimedout)
{
	int fd = mkmbox(NULL, 1, 0600);
	struct shmbox_mbox_send s = sarg("b", 1, 0, SHMBOX_MSG_REALTIME);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "a", 0));
	s.deadline_ns = clock_ns(CLOCK_MONOTONIC) + 3600 * NS;
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s));
	EXPECT_EQ(ETIMEDOUT, errno);
	check_mbox_state(fd, .depth = 1, .bytes = 1, .sent = 1);
	close(fd);
}

/* A realtime deadline with a message queued: it is received. */
TEST_F(mb, realtime_deadline_with_a_message_receives)
{
	struct shmbox_mbox_recv r;
	char buf[8];

	ASSERT_EQ(0, send_str(self->fd, "m", 0));
	r = rarg(buf, sizeof(buf), SHMBOX_MSG_REALTIME);
	r.deadline_ns = clock_ns(CLOCK_REALTIME) + 3600 * NS;
	EXPECT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(1, r.len);
}

/*
 * A sender blocked on a full mailbox until an hour from now (realtime):
 * the clock set two hours forward ends it with ETIMEDOUT, as it would
 * end mq_timedsend().  The clock is put back from CLOCK_MONOTONIC.
 */
TEST(realtime_send_ends_on_a_forward_jump)
{
	int fd = mkmbox(NULL, 1, 0600);
	int64_t offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	struct timespec ts;
	uint64_t now;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "a", 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmbox_mbox_send s = sarg("b", 1, 0,
						 SHMBOX_MSG_REALTIME);

		s.deadline_ns = clock_ns(CLOCK_REALTIME) + 3600 * NS;
		if (ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s) == 0)
			_exit(1);
		_exit(errno == ETIMEDOUT ? 0 : 2);
	}
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	now = clock_ns(CLOCK_REALTIME) + 7200 * NS;
	ts.tv_sec = now / NS;
	ts.tv_nsec = now % NS;
	ASSERT_EQ(0, clock_settime(CLOCK_REALTIME, &ts));
	EXPECT_EQ(0, reap(pid));
	now = clock_ns(CLOCK_MONOTONIC) + offset;
	ts.tv_sec = now / NS;
	ts.tv_nsec = now % NS;
	EXPECT_EQ(0, clock_settime(CLOCK_REALTIME, &ts));
	check_mbox_state(fd, .depth = 1, .bytes = 1, .sent = 1);
	close(fd);
}

/* ---- SHMBOX_IOC_MBOX_NOTIFY: firing ------------------------------------ */

FIXTURE(nt) {
	char name[64];
	int fd;
	int efd;
};

FIXTURE_SETUP(nt)
{
	mb_name(self->name, sizeof(self->name));
	self->fd = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, self->fd);
	self->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(nt)
{
	close(self->efd);
	close(self->fd);
	shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
}

static int notify_efd(FIXTURE_DATA(nt) *self)
{
	return notify(self->fd, SHMBOX_NOTIFY_EVENTFD, 0, 0, self->efd);
}

/* Send "m": what the eventfd counted then (1: a registration fired). */
static uint64_t send_counts(FIXTURE_DATA(nt) *self)
{
	if (send_str(self->fd, "m", 0))
		return UINT64_MAX;
	return efd_count(self->efd);
}

TEST_F(nt, eventfd_counts_the_first_message)
{
	ASSERT_EQ(0, notify_efd(self));
	EXPECT_EQ(0, efd_count(self->efd));
	EXPECT_EQ(1, send_counts(self));
}

/* One notification per registration: the next arrival counts nothing. */
TEST_F(nt, eventfd_fires_once)
{
	char buf[8];

	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(0, send_str(self->fd, "m", 0));
	ASSERT_EQ(1, recv_nb(self->fd, buf, sizeof(buf), 0, NULL));
	ASSERT_EQ(0, send_str(self->fd, "n", 0));
	EXPECT_EQ(1, efd_count(self->efd));
	/* The place is free again. */
	EXPECT_EQ(0, child_none_gets(self->fd, 0));
}

TEST_F(nt, not_fired_for_a_mailbox_not_empty)
{
	ASSERT_EQ(0, send_str(self->fd, "a", 0));
	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(0, send_str(self->fd, "b", 0));
	EXPECT_EQ(0, efd_count(self->efd));
	/* Still registered. */
	EXPECT_EQ(0, child_none_gets(self->fd, -EBUSY));
}

/* A message handed to a blocked receiver was never queued. */
TEST_F(nt, not_fired_for_a_blocked_receiver)
{
	pid_t pid;

	ASSERT_EQ(0, notify_efd(self));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[8];

		_exit(recv_str(self->fd, buf, sizeof(buf), 0, FOREVER,
			       NULL) == 1 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "x", 0));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, efd_count(self->efd));
	/* The registration stayed: the next message fires it. */
	ASSERT_EQ(0, send_str(self->fd, "y", 0));
	EXPECT_EQ(1, efd_count(self->efd));
}

/* A vector of three into the empty mailbox is one arrival. */
TEST_F(nt, sendv_fires_once)
{
	struct shmbox_mbox_msg m[3];
	unsigned int w[3] = { 1, 2, 3 };
	struct shmbox_mbox_vec v = { .size = sizeof(v), .count = 3 };

	vec_words(m, w, 3);
	v.msgs = (uintptr_t)m;
	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(3, ioctl(self->fd, SHMBOX_IOC_MBOX_SENDV, &v));
	EXPECT_EQ(1, efd_count(self->efd));
}

/* A call's request is a message: it fires as one. */
TEST_F(nt, call_request_fires)
{
	struct shmbox_mbox_recv r;
	char buf[8];
	pid_t pid;

	ASSERT_EQ(0, notify_efd(self));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(call_str(self->fd, "q", buf, sizeof(buf), FOREVER,
			       NULL) ? 1 : 0);
	ASSERT_EQ(0, wait_calls(self->fd, 1, 0));
	EXPECT_EQ(1, efd_count(self->efd));
	ASSERT_EQ(1, recv_msg(self->fd, buf, sizeof(buf), 0, FOREVER, &r));
	ASSERT_NE(0, r.handle);
	EXPECT_EQ(0, reply_str(self->fd, r.handle, "r"));
	EXPECT_EQ(0, reap(pid));
}

/* The registration holds the eventfd: closing it is safe, firing frees. */
TEST_F(nt, eventfd_closed_after_registering_still_fires)
{
	int efd = dup(self->efd);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, notify(self->fd, SHMBOX_NOTIFY_EVENTFD, 0, 0, efd));
	close(efd);
	close(self->efd);
	self->efd = -1;
	ASSERT_EQ(0, send_str(self->fd, "m", 0));
	EXPECT_EQ(0, child_none_gets(self->fd, 0));
}

/* si_code, si_value, and the sender's (the child's) pid and uid. */
TEST_F(nt, signal_siginfo_names_the_sender)
{
	struct timespec ts = { .tv_sec = 20 };
	sigset_t set, old;
	siginfo_t si;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, &old));
	ASSERT_EQ(0, notify(self->fd, SHMBOX_NOTIFY_SIGNAL, SIGUSR1,
			    0x5eed1234, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_str(self->fd, "m", 0) ? 1 : 0);
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(SIGUSR1, sigtimedwait(&set, &si, &ts));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(0x5eed1234, si.si_value.sival_int);
	EXPECT_EQ(pid, si.si_pid);
	EXPECT_EQ(geteuid(), si.si_uid);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Signal 0 registers (the place is taken) and sends nothing. */
TEST_F(nt, signal_zero_holds_the_place_and_sends_nothing)
{
	sigset_t pending;

	ASSERT_EQ(0, notify(self->fd, SHMBOX_NOTIFY_SIGNAL, 0, 0, 0));
	EXPECT_EQ(0, child_none_gets(self->fd, -EBUSY));
	ASSERT_EQ(0, send_str(self->fd, "m", 0));
	EXPECT_EQ(0, child_none_gets(self->fd, 0));
	ASSERT_EQ(0, sigpending(&pending));
	EXPECT_FALSE(sigismember(&pending, SIGUSR1));
}

TEST_F(nt, none_holds_the_place_until_it_fires)
{
	ASSERT_EQ(0, notify_none(self->fd));
	EXPECT_EQ(0, child_none_gets(self->fd, -EBUSY));
	ASSERT_EQ(0, send_str(self->fd, "m", 0));
	EXPECT_EQ(0, child_none_gets(self->fd, 0));
}

/* ---- who holds it, what removes it -------------------------------------- */

TEST_F(nt, holder_again_ebusy)
{
	ASSERT_EQ(0, notify_none(self->fd));
	EXPECT_EQ(-EBUSY, notify_efd(self));
}

TEST_F(nt, second_process_ebusy)
{
	ASSERT_EQ(0, notify_none(self->fd));
	EXPECT_EQ(0, child_none_gets(self->fd, -EBUSY));
}

TEST_F(nt, remove_without_registration_succeeds)
{
	EXPECT_EQ(0, notify_remove(self->fd));
}

TEST_F(nt, remove_by_the_holder_frees_the_place)
{
	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(0, notify_remove(self->fd));
	EXPECT_EQ(0, send_counts(self));
	EXPECT_EQ(0, child_none_gets(self->fd, 0));
}

/* Another process's removal succeeds and removes only its own: none. */
TEST_F(nt, remove_by_another_process_keeps_it)
{
	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(0, in_child_on(self->fd, notify_remove));
	EXPECT_EQ(1, send_counts(self));
}

/* The holder closing another fd of the mailbox removes it (mq_close()). */
TEST_F(nt, close_by_the_holder_removes_it)
{
	int fd2 = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, notify(fd2, SHMBOX_NOTIFY_EVENTFD, 0, 0, self->efd));
	close(fd2);
	EXPECT_EQ(0, send_counts(self));
	EXPECT_EQ(0, child_none_gets(self->fd, 0));
}

/* A child closing its inherited copy of the fd is not the holder. */
TEST_F(nt, close_by_another_process_keeps_it)
{
	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(0, in_child_on(self->fd, close));
	EXPECT_EQ(1, send_counts(self));
}

/* The holder's exit removes it: its fds are closed. */
TEST_F(nt, holder_exit_removes_it)
{
	ASSERT_EQ(0, in_child_on(self->fd, notify_none));
	EXPECT_EQ(0, notify_none(self->fd));
}

/* An fd opened for writing only may register, as for mq_notify(). */
TEST_F(nt, write_only_fd_registers)
{
	int wfd = shmbox_mbox_open(self->name, 0, NULL, O_WRONLY);

	ASSERT_LE(0, wfd);
	EXPECT_EQ(0, notify(wfd, SHMBOX_NOTIFY_EVENTFD, 0, 0, self->efd));
	ASSERT_EQ(0, send_str(wfd, "m", 0));
	EXPECT_EQ(1, efd_count(self->efd));
	close(wfd);
}

/* Unlinked (without SHMBOX_UNLINK_KEEP) the mailbox is dead: EIDRM. */
TEST_F(nt, unlinked_mailbox_eidrm)
{
	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(-EIDRM, notify_none(self->fd));
}

/* With SHMBOX_UNLINK_KEEP the mailbox lives on, and so does its holder. */
TEST_F(nt, unlink_keep_keeps_it)
{
	struct shmbox_unlink u = {
		.size = sizeof(u), .kind = SHMBOX_KIND_MAILBOX,
		.name = (uintptr_t)self->name, .flags = SHMBOX_UNLINK_KEEP,
	};

	ASSERT_EQ(0, notify_efd(self));
	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_UNLINK, &u));
	EXPECT_EQ(1, send_counts(self));
}

TEST(unbound_fd_ebadfd)
{
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, notify_none(fd));
	close(fd);
}

TEST(region_fd_ebadfd)
{
	int fd = shmbox_region_open(NULL, SHMBOX_O_CREAT, 4096, 0600, 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, notify_none(fd));
	close(fd);
}

TEST_HARNESS_MAIN
