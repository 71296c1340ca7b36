// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_wait: waiting -- non-blocking and timed receives, blocked
 * receivers woken by a send (one message wakes one), blocking peek and
 * receive-from, signals mid-wait (EINTR without SA_RESTART, a restarted
 * wait with it, an interrupted send withdrawn), unlink waking every
 * blocked sender and receiver with EIDRM, and poll/epoll readiness.
 * libshmbox 1.5 over ABI 1.5: SHMBOX_MSG_REALTIME deadlines through the
 * library's send, receive and call, and notification of a message into
 * an empty mailbox (shmbox_mbox_notify(): eventfd, signal, its errors).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

TEST_F(mb, recv_empty_nonblocking_eagain)
{
	char buf[8];

	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(self->fd, buf, 8, 0, SHMBOX_NOWAIT,
					    NULL));
}

TEST_F(mb, recv_on_o_nonblock_fd_eagain)
{
	char buf[8];
	int fd = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(fd, buf, 8, 0, FOREVER, NULL));
	close(fd);
}

TEST_F(mb, recv_timed_etimedout)
{
	char buf[8];

	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_recv(self->fd, buf, 8, 0,
					       shmbox_deadline_in(NS / 20),
					       NULL));
	EXPECT_EQ(0, mstat(self->fd).blocked_receivers);
}

TEST_F(mb, recv_past_deadline_etimedout)
{
	struct shmbox_mbox_recv r;
	char buf[8];

	r = rarg(buf, sizeof(buf), 0);
	r.deadline_ns = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(ETIMEDOUT, errno);
}

TEST_F(mb, blocking_recv_woken_by_send)
{
	char buf[8];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL) != 2)
			_exit(1);
		_exit(strcmp(buf, "wk") ? 2 : 0);
	}
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "wk", 0));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(mb, one_message_wakes_one_receiver)
{
	pid_t pid[3];
	int i, done = 0, rc;

	for (i = 0; i < 3; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			char buf[8];

			_exit(recv_str(self->fd, buf, sizeof(buf), 0,
				       shmbox_deadline_in(3 * NS), NULL) == 1
			      ? 0 : 1);
		}
	}
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 3));
	ASSERT_EQ(0, send_str(self->fd, "1", 0));
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 2));
	for (i = 0; i < 3; i++) {
		rc = reap(pid[i]);
		done += rc == 0;
	}
	EXPECT_EQ(1, done);
	EXPECT_EQ(1, mstat(self->fd).received);
}

TEST_F(mb, blocking_peek_woken_by_send)
{
	char buf[8];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(recv_str(self->fd, buf, sizeof(buf), SHMBOX_MSG_PEEK,
			       FOREVER, NULL) == 2 ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "pk", 0));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, mstat(self->fd).depth);
}

TEST_F(mb, recv_from_waits_for_that_sender)
{
	pid_t pid, other;
	char buf[8];
	int p[2];

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		if (read(p[0], &c, 1) != 1)
			_exit(3);
		_exit(send_str(self->fd, "mine", 0) ? 1 : 0);
	}
	other = fork();
	ASSERT_LE(0, other);
	if (other == 0) {
		struct shmbox_msg_info info;

		if (shmbox_mbox_recv_from(self->fd, pid, buf, 7, 0, FOREVER,
					  &info) != 4)
			_exit(1);
		_exit(info.pid == pid ? 0 : 2);
	}
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "noise", 0));
	ASSERT_EQ(1, write(p[1], "g", 1));
	EXPECT_EQ(0, reap(other));
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(5, shmbox_mbox_recv(self->fd, buf, 7, 0, SHMBOX_NOWAIT, NULL));
	EXPECT_EQ(0, memcmp(buf, "noise", 5));
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t got_signal;

static int sig_pipe = -1;

static void on_signal(int sig)
{
	char c = 1;

	got_signal = 1;
	if (sig_pipe >= 0 && write(sig_pipe, &c, 1) < 0)
		got_signal = 2;
}

static void set_handler(int restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * Child: blocked receive (the ioctl, or read(2) if @use_read), signalled;
 * checks the result it expects.
 */
static int signalled_recv_child(int fd, int restart, int pfd, int use_read)
{
	char buf[8];
	int n;

	sig_pipe = pfd;
	set_handler(restart);
	if (use_read) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			n = -errno;
	} else {
		n = recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL);
	}
	if (restart)
		return n == 1 && buf[0] == 'R' && got_signal == 1 ? 0 : 1;
	return n == -EINTR && got_signal == 1 ? 0 : 1;
}

/*
 * Signal a receiver blocked on @fd: without SA_RESTART it fails with
 * EINTR and takes nothing; with it, the handler runs and the receive
 * sleeps again until a message comes.
 */
static void signal_blocked_receiver(struct __test_metadata *_metadata,
				    int fd, int restart, int use_read)
{
	char buf[8], c;
	pid_t pid;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(signalled_recv_child(fd, restart, p[1], use_read));
	ASSERT_EQ(0, wait_blocked(fd, 0, 1));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	if (restart) {
		ASSERT_EQ(1, read(p[0], &c, 1));
		/* The handler ran; the receive restarted and sleeps again. */
		ASSERT_EQ(0, wait_blocked(fd, 0, 1));
		ASSERT_EQ(0, send_str(fd, "R", 0));
		EXPECT_EQ(0, reap(pid));
	} else {
		EXPECT_EQ(0, reap(pid));
		/* Nothing was taken on the way out. */
		ASSERT_EQ(0, send_str(fd, "R", 0));
		ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
				      NULL));
	}
	check_mbox_state(fd, .sent = 1, .received = 1);
	close(p[0]);
	close(p[1]);
}

TEST_F(mb, signal_interrupts_blocked_recv_eintr)
{
	signal_blocked_receiver(_metadata, self->fd, 0, 0);
}

TEST_F(mb, signal_with_sa_restart_restarts_recv)
{
	signal_blocked_receiver(_metadata, self->fd, 1, 0);
}

TEST_F(mb, signal_interrupts_blocked_read_eintr)
{
	signal_blocked_receiver(_metadata, self->fd, 0, 1);
}

TEST_F(mb, signal_with_sa_restart_restarts_read)
{
	signal_blocked_receiver(_metadata, self->fd, 1, 1);
}

TEST(signal_interrupts_sync_send_withdrawn)
{
	int fd = mkmbox(NULL, 0, 0600);
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		set_handler(0);
		_exit(send_str(fd, "S", 0) == -EINTR ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	check_mbox_state(fd, .depth = 1, .bytes = 1, .blocked_senders = 1);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(0, reap(pid));
	check_mbox_state(fd);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(fd, buf, 8, 0, SHMBOX_NOWAIT, NULL));
	close(fd);
}

TEST(signal_interrupts_send_waiting_for_room)
{
	int fd = mkmbox(NULL, 1, 0600);
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "1", 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		set_handler(0);
		_exit(send_str(fd, "2", 0) == -EINTR ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(0, reap(pid));
	check_mbox_state(fd, .depth = 1, .bytes = 1, .sent = 1);
	ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT, NULL));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(fd, buf, 8, 0, SHMBOX_NOWAIT, NULL));
	close(fd);
}

TEST_F(mb, unlink_wakes_blocked_receivers_eidrm)
{
	pid_t pid[2];
	int i;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			char buf[8];

			_exit(shmbox_mbox_recv(self->fd, buf, 8, 0, FOREVER,
					       NULL) == -EIDRM ? 0 : 1);
		}
	}
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 2));
	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, reap(pid[i]));
}

TEST(unlink_wakes_blocked_senders_eidrm)
{
	char name[64];
	pid_t room, sync;
	int fd;

	mb_name(name, sizeof(name));
	fd = mkmbox(name, 1, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "1", 0));
	room = fork();
	ASSERT_LE(0, room);
	if (room == 0)
		_exit(send_str(fd, "2", 0) == -EIDRM ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	sync = fork();
	ASSERT_LE(0, sync);
	if (sync == 0)
		_exit(shmbox_mbox_send(fd, "3", 1, 0, SHMBOX_MSG_SYNC, FOREVER)
		      == -EIDRM ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(fd, 2, 0));
	ASSERT_EQ(0, shmbox_unlink(name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(0, reap(room));
	EXPECT_EQ(0, reap(sync));
	close(fd);
}

TEST(unlink_wakes_rendezvous_sender_eidrm)
{
	char name[64];
	pid_t pid;
	int fd;

	mb_name(name, sizeof(name));
	fd = mkmbox(name, 0, 0600);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_str(fd, "x", 0) == -EIDRM ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	ASSERT_EQ(0, shmbox_unlink(name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, mstat(fd).depth);
	close(fd);
}

static short poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&pfd, 1, 0) < 0 ? -1 : pfd.revents;
}

TEST(poll_reports_readable_and_writable)
{
	int fd = mkmbox(NULL, 2, 0600);
	char buf[8];

	ASSERT_LE(0, fd);
	EXPECT_EQ(POLLOUT, poll_now(fd));
	ASSERT_EQ(0, send_str(fd, "1", 0));
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(fd));
	ASSERT_EQ(0, send_str(fd, "2", 0));
	EXPECT_EQ(POLLIN, poll_now(fd));
	ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(fd));
	close(fd);
}

TEST(poll_rendezvous_writable_only_with_waiting_receiver)
{
	int fd = mkmbox(NULL, 0, 0600);
	pid_t pid;

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, poll_now(fd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[8];

		_exit(recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL) == 1
		      ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(fd, 0, 1));
	EXPECT_EQ(POLLOUT, poll_now(fd));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST_F(mb, epoll_wakes_on_send)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(0);
	pid_t pid;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(50000);
		_exit(send_str(self->fd, "e", 0) ? 1 : 0);
	}
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 20000));
	EXPECT_TRUE(out.events & EPOLLIN);
	EXPECT_EQ(0, reap(pid));
	close(ep);
}

TEST(epoll_wakes_writer_when_room_appears)
{
	struct epoll_event ev = { .events = EPOLLOUT }, out;
	int fd = mkmbox(NULL, 1, 0600);
	int ep = epoll_create1(0);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, send_str(fd, "1", 0));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[8];

		usleep(50000);
		_exit(recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL) == 1
		      ? 0 : 1);
	}
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 20000));
	EXPECT_TRUE(out.events & EPOLLOUT);
	EXPECT_EQ(0, reap(pid));
	close(ep);
	close(fd);
}

/* ---- SHMBOX_MSG_REALTIME through the library (ABI 1.5) ------------------ */

TEST_F(mb, recv_realtime_deadline_etimedout)
{
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
	char buf[8];

	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_recv(self->fd, buf, 8,
					       SHMBOX_MSG_REALTIME,
					       clock_ns(CLOCK_REALTIME) + NS / 20,
					       NULL));
	EXPECT_LE(NS / 25, clock_ns(CLOCK_MONOTONIC) - t0);
	EXPECT_EQ(0, mstat(self->fd).blocked_receivers);
}

/*
 * The flag reaches the kernel: a monotonic deadline a minute away, read
 * as a realtime one, passed long ago (the guest's clock is set from its
 * RTC), so the receive fails at once.
 */
TEST_F(mb, recv_realtime_reads_deadline_as_realtime)
{
	uint64_t dl = shmbox_deadline_in(60 * NS), t0;
	char buf[8];

	if (clock_ns(CLOCK_REALTIME) <= dl + 60 * NS)
		SKIP(return, "CLOCK_REALTIME is not set");
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_recv(self->fd, buf, 8,
					       SHMBOX_MSG_REALTIME, dl, NULL));
	EXPECT_GT(10 * NS, clock_ns(CLOCK_MONOTONIC) - t0);
}

/* SHMBOX_NOWAIT stays "do not wait" with the flag: EAGAIN, not 1970. */
TEST_F(mb, recv_realtime_nowait_eagain)
{
	char buf[8];

	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(self->fd, buf, 8,
					    SHMBOX_MSG_REALTIME, SHMBOX_NOWAIT,
					    NULL));
}

TEST(send_realtime_deadline_etimedout)
{
	int fd = mkmbox(NULL, 1, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "1", 0));
	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_send(fd, "2", 1, 0,
					       SHMBOX_MSG_REALTIME,
					       clock_ns(CLOCK_REALTIME) + NS / 20));
	check_mbox_state(fd, .depth = 1, .bytes = 1, .sent = 1);
	close(fd);
}

/* A call nobody takes times out at its realtime deadline, withdrawn. */
TEST_F(mb, call_realtime_deadline_etimedout)
{
	struct shmbox_call_result res;
	char reply[8];

	EXPECT_EQ(-ETIMEDOUT,
		  shmbox_mbox_call(self->fd, 0, 0, "q", 1, 0, reply,
				   sizeof(reply), SHMBOX_MSG_REALTIME,
				   clock_ns(CLOCK_REALTIME) + NS / 20, &res));
	EXPECT_EQ(0, res.status & SHMBOX_CALL_DELIVERED);
	EXPECT_EQ(0, mstat(self->fd).depth);
}

/* ---- shmbox_mbox_notify() (libshmbox 1.5, ABI 1.5) ------------------------ */

/* A non-blocking eventfd for the registrations. */
static int mkefd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/* The eventfd's count (and reset it), or -errno (-EAGAIN: 0). */
static long efd_take(int efd)
{
	uint64_t v;

	return read(efd, &v, sizeof(v)) == sizeof(v) ? (long)v : -errno;
}

static int notify_efd(int fd, int efd)
{
	return shmbox_mbox_notify(fd, SHMBOX_NOTIFY_EVENTFD, 0, 0, efd);
}

TEST_F(mb, notify_eventfd_fires_on_send_into_empty)
{
	int efd = mkefd();

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, notify_efd(self->fd, efd));
	EXPECT_EQ(-EAGAIN, efd_take(efd));
	ASSERT_EQ(0, send_str(self->fd, "n", 0));
	EXPECT_EQ(1, efd_take(efd));
	close(efd);
}

/* Firing removes the registration: the next empty-to-one tells nothing. */
TEST_F(mb, notify_fires_once)
{
	char buf[8];
	int efd = mkefd();

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, notify_efd(self->fd, efd));
	ASSERT_EQ(0, send_str(self->fd, "a", 0));
	EXPECT_EQ(1, efd_take(efd));
	ASSERT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
			      NULL));
	ASSERT_EQ(0, send_str(self->fd, "b", 0));
	EXPECT_EQ(-EAGAIN, efd_take(efd));
	/* ... and leaves the place free. */
	EXPECT_EQ(0, notify_efd(self->fd, efd));
	close(efd);
}

/* Only a send into an empty mailbox fires. */
TEST_F(mb, notify_not_fired_by_send_into_nonempty)
{
	int efd = mkefd();

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, send_str(self->fd, "1", 0));
	ASSERT_EQ(0, notify_efd(self->fd, efd));
	ASSERT_EQ(0, send_str(self->fd, "2", 0));
	EXPECT_EQ(-EAGAIN, efd_take(efd));
	close(efd);
}

TEST_F(mb, notify_second_registration_ebusy)
{
	int efd = mkefd();

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, shmbox_mbox_notify(self->fd, SHMBOX_NOTIFY_NONE, 0, 0, 0));
	EXPECT_EQ(-EBUSY, notify_efd(self->fd, efd));
	close(efd);
}

TEST_F(mb, notify_remove_then_send_tells_nothing)
{
	int efd = mkefd();

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, notify_efd(self->fd, efd));
	ASSERT_EQ(0, shmbox_mbox_notify(self->fd, SHMBOX_NOTIFY_REMOVE, 0, 0,
					0));
	ASSERT_EQ(0, send_str(self->fd, "r", 0));
	EXPECT_EQ(-EAGAIN, efd_take(efd));
	close(efd);
}

TEST_F(mb, notify_remove_without_registration_succeeds)
{
	EXPECT_EQ(0, shmbox_mbox_notify(self->fd, SHMBOX_NOTIFY_REMOVE, 0, 0,
					0));
}

/* A signal the process blocks and takes with sigtimedwait(), as mqueue's. */
TEST_F(mb, notify_signal_carries_value_and_sender)
{
	struct timespec ts = { .tv_sec = 10 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, shmbox_mbox_notify(self->fd, SHMBOX_NOTIFY_SIGNAL, SIGUSR1,
					0x5eed, 0));
	ASSERT_EQ(0, send_str(self->fd, "s", 0));
	ASSERT_EQ(SIGUSR1, sigtimedwait(&set, &si, &ts));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(0x5eed, si.si_value.sival_int);
	EXPECT_EQ(getpid(), si.si_pid);
	EXPECT_EQ(geteuid(), si.si_uid);
}

/* The fd need not be open for reading, as for mq_notify(). */
TEST_F(mb, notify_on_write_only_fd)
{
	int wfd = shmbox_mbox_open(self->name, 0, NULL, O_WRONLY), efd = mkefd();

	ASSERT_LE(0, wfd);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, notify_efd(wfd, efd));
	ASSERT_EQ(0, send_str(self->fd, "w", 0));
	EXPECT_EQ(1, efd_take(efd));
	close(efd);
	close(wfd);
}

TEST_F(mb, notify_unknown_kind_einval)
{
	EXPECT_EQ(-EINVAL, shmbox_mbox_notify(self->fd, SHMBOX_NOTIFY_EVENTFD + 1,
					      0, 0, 0));
}

/* An argument the kind does not use must be 0. */
TEST_F(mb, notify_none_with_signo_einval)
{
	EXPECT_EQ(-EINVAL, shmbox_mbox_notify(self->fd, SHMBOX_NOTIFY_NONE,
					      SIGUSR1, 0, 0));
}

TEST_F(mb, notify_eventfd_not_an_eventfd_einval)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-EINVAL, notify_efd(self->fd, p[0]));
	close(p[0]);
	close(p[1]);
}

TEST_F(mb, notify_eventfd_not_open_ebadf)
{
	int efd = mkefd();

	ASSERT_LE(0, efd);
	close(efd);
	EXPECT_EQ(-EBADF, notify_efd(self->fd, efd));
}

TEST(notify_unbound_fd_ebadfd)
{
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, shmbox_mbox_notify(fd, SHMBOX_NOTIFY_NONE, 0, 0, 0));
	close(fd);
}

TEST_F(mb, notify_removed_mailbox_eidrm)
{
	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(-EIDRM, shmbox_mbox_notify(self->fd, SHMBOX_NOTIFY_NONE, 0, 0,
					     0));
}

TEST_HARNESS_MAIN
