// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_wait: waiting -- non-blocking and timed receives, blocked
 * receivers woken by a send (one message wakes one), blocking peek and
 * receive-from, signals mid-wait (EINTR without SA_RESTART, a restarted
 * wait with it, an interrupted send withdrawn), unlink waking every
 * blocked sender and receiver with EIDRM, and poll/epoll readiness.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
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

TEST_HARNESS_MAIN
