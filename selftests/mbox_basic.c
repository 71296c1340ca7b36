// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_basic: what a mailbox is and how much it holds -- the version's
 * feature bits, create/open/bind and their errors, stat after create, a
 * message's round trip with its credentials, zero-length and largest
 * messages, priorities (highest first, FIFO within one), peek, receiving
 * from one sender, exact counters, the three capacity modes (unbounded,
 * bounded, rendezvous) and synchronous send, unlink and autoremove.
 * libshmbox 1.5 over ABI 1.5: priorities up to 32767, SHMBOX_MSG_WHOLE
 * through the library's receives, shmbox_unlink_flags().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

TEST(version_reports_mailbox_features)
{
	int fd = shmbox_dev_open();
	struct shmbox_version v;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_get_version(fd, &v));
	EXPECT_TRUE(v.features & SHMBOX_FEAT_MAILBOX);
	EXPECT_TRUE(v.features & SHMBOX_FEAT_DIRECT);
	EXPECT_TRUE(v.features & SHMBOX_FEAT_MBOX_RW);
	EXPECT_LE(1, v.abi_minor);
	close(fd);
}

TEST_F(mb, stat_after_create)
{
	struct shmbox_mbox_stat st = mstat(self->fd);

	EXPECT_EQ(SHMBOX_KIND_MAILBOX, st.obj.kind);
	EXPECT_EQ(0600, st.obj.mode);
	EXPECT_EQ(getuid(), st.obj.uid);
	EXPECT_EQ(getpid(), st.obj.cpid);
	EXPECT_EQ(1, st.obj.users);
	EXPECT_EQ(1, st.obj.linked);
	EXPECT_EQ(SHMBOX_MBOX_UNBOUNDED, st.capacity);
	EXPECT_EQ(param_get("max_msg_size"), st.max_msg_size);
	EXPECT_EQ(param_get("max_mbox_bytes"), st.max_bytes);
	check_mbox_state(self->fd);
	EXPECT_EQ(0, st.inbox_pid);
}

TEST_F(mb, open_existing_reports_its_attributes)
{
	struct shmbox_mbox_open o = oarg(self->name, 0, 5, 0);
	int fd = open(SHMBOX_DEVICE_PATH, O_RDWR);

	ASSERT_LE(0, fd);
	o.max_msg_size = 7;
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o));
	EXPECT_EQ(SHMBOX_MBOX_UNBOUNDED, o.capacity);
	EXPECT_EQ(param_get("max_msg_size"), o.max_msg_size);
	EXPECT_EQ(2, mstat(fd).obj.users);
	close(fd);
}

TEST(open_missing_enoent)
{
	char name[64];

	mb_name(name, sizeof(name));
	EXPECT_EQ(-ENOENT, shmbox_mbox_open(name, 0, NULL, O_RDWR));
}

TEST_F(mb, open_excl_existing_eexist)
{
	EXPECT_EQ(-EEXIST, mkmbox(self->name, 1, 0600));
}

TEST(open_region_name_emediumtype)
{
	char name[64];
	int rfd;

	mb_name(name, sizeof(name));
	rfd = shmbox_region_open(name, SHMBOX_O_CREAT, 4096, 0600, 1);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(-EMEDIUMTYPE, shmbox_mbox_open(name, 0, NULL, O_RDWR));
	close(rfd);
	EXPECT_EQ(0, shmbox_unlink(name, 0));
}

TEST_F(mb, bind_twice_ebusy)
{
	struct shmbox_mbox_open o = oarg(self->name, 0, 0, 0);

	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_OPEN, &o));
	EXPECT_EQ(EBUSY, errno);
}

TEST(unbound_fd_ebadfd)
{
	struct shmbox_mbox_send s = sarg("x", 1, 0, 0);
	char buf[8];
	struct shmbox_mbox_recv r = rarg(buf, sizeof(buf), 0);
	struct shmbox_mbox_stat st;
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-EBADFD, shmbox_mbox_stat(fd, &st));
	close(fd);
}

TEST(anonymous_mailbox_shared_by_fork)
{
	char buf[16];
	pid_t pid;
	int fd = shmbox_mbox_open(NULL, 0, NULL, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, mstat(fd).obj.linked);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_str(fd, "anon", 0) ? 1 : 0);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(4, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("anon", buf);
	close(fd);
}

TEST_F(mb, send_recv_roundtrip_with_credentials)
{
	struct shmbox_msg_info info;
	char buf[64];

	ASSERT_EQ(0, send_str(self->fd, "hello", 3));
	check_mbox_state(self->fd, .depth = 1, .bytes = 5, .sent = 1);
	EXPECT_EQ(SHMBOX_MSG_COST(5), mstat(self->fd).charged);
	ASSERT_EQ(5, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(5, info.len);
	EXPECT_EQ(3, info.prio);
	EXPECT_EQ(getpid(), info.pid);
	EXPECT_EQ(geteuid(), info.uid);
	check_mbox_state(self->fd, .sent = 1, .received = 1);
	EXPECT_EQ(0, mstat(self->fd).charged);
}

TEST_F(mb, zero_length_message)
{
	struct shmbox_msg_info info;
	char buf[4];

	ASSERT_EQ(0, shmbox_mbox_send(self->fd, NULL, 0, 0, 0, FOREVER));
	EXPECT_EQ(0, shmbox_mbox_recv(self->fd, buf, sizeof(buf), 0, FOREVER,
				      &info));
	EXPECT_EQ(0, info.len);
}

TEST_F(mb, large_message_roundtrip)
{
	uint32_t len = param_get("max_msg_size");
	unsigned char *a = malloc(len), *b = malloc(len);
	uint32_t i;

	ASSERT_TRUE(a && b);
	for (i = 0; i < len; i++)
		a[i] = i * 7 + 1;
	ASSERT_EQ(0, shmbox_mbox_send(self->fd, a, len, 0, 0, FOREVER));
	ASSERT_EQ((int)len, shmbox_mbox_recv(self->fd, b, len, 0, FOREVER,
					     NULL));
	EXPECT_EQ(0, memcmp(a, b, len));
	free(a);
	free(b);
}

TEST_F(mb, message_over_max_msg_size_emsgsize)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .max_msg_size = 8,
				      .mode = 0600 };
	int fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(8, mstat(fd).max_msg_size);
	EXPECT_EQ(0, shmbox_mbox_send(fd, "12345678", 8, 0, 0, FOREVER));
	EXPECT_EQ(-EMSGSIZE, shmbox_mbox_send(fd, "123456789", 9, 0, 0,
					      FOREVER));
	check_mbox_state(fd, .depth = 1, .bytes = 8, .sent = 1);
	close(fd);
}

TEST_F(mb, priorities_higher_first_fifo_within)
{
	static const char *const in[] = { "a0", "b5", "c0", "d31", "e5", "f0" };
	static const char *const out[] = { "d31", "b5", "e5", "a0", "c0", "f0" };
	static const unsigned int prio[] = { 0, 5, 0, 31, 5, 0 };
	char buf[16];
	unsigned int i;

	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, send_str(self->fd, in[i], prio[i]));
	for (i = 0; i < 6; i++) {
		ASSERT_LT(0, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER,
				      NULL));
		EXPECT_STREQ(out[i], buf);
	}
}

/* ABI 1.5: SHMBOX_MSG_PRIO_MAX is 32768, and the library passes it on. */
TEST_F(mb, priority_32767_received_first)
{
	struct shmbox_msg_info info;
	char buf[16];

	ASSERT_EQ(0, send_str(self->fd, "p31", 31));
	ASSERT_EQ(0, send_str(self->fd, "top", SHMBOX_MSG_PRIO_MAX - 1));
	ASSERT_EQ(0, send_str(self->fd, "mid", 16384));
	ASSERT_EQ(3, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("top", buf);
	EXPECT_EQ(32767, info.prio);
	ASSERT_EQ(3, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("mid", buf);
	EXPECT_EQ(16384, info.prio);
	ASSERT_EQ(3, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("p31", buf);
}

TEST_F(mb, priority_32768_einval)
{
	EXPECT_EQ(32768, SHMBOX_MSG_PRIO_MAX);
	EXPECT_EQ(-EINVAL, send_str(self->fd, "x", SHMBOX_MSG_PRIO_MAX));
	check_mbox_state(self->fd);
}

/* A mailbox of max_msg_size 8 holding "x", for SHMBOX_MSG_WHOLE. */
static int small_mbox_with_x(void)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .max_msg_size = 8,
				      .mode = 0600 };
	int fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);

	if (fd >= 0 && send_str(fd, "x", 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* WHOLE through shmbox_mbox_recv(): a buffer below max_msg_size fails... */
TEST(recv_whole_small_buffer_emsgsize_reports_max)
{
	struct shmbox_msg_info info;
	char buf[8];
	int fd = small_mbox_with_x();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EMSGSIZE, shmbox_mbox_recv(fd, buf, 7, SHMBOX_MSG_WHOLE,
					      SHMBOX_NOWAIT, &info));
	EXPECT_EQ(8, info.len);
	check_mbox_state(fd, .depth = 1, .bytes = 1, .sent = 1);
	close(fd);
}

/* ... whereas one of max_msg_size receives. */
TEST(recv_whole_buffer_of_max_receives)
{
	struct shmbox_msg_info info;
	char buf[8];
	int fd = small_mbox_with_x();

	ASSERT_LE(0, fd);
	EXPECT_EQ(1, shmbox_mbox_recv(fd, buf, 8, SHMBOX_MSG_WHOLE,
				      SHMBOX_NOWAIT, &info));
	EXPECT_EQ(1, info.len);
	EXPECT_EQ('x', buf[0]);
	close(fd);
}

/* WHOLE checks before waiting: an empty mailbox, no deadline, no wait. */
TEST(recv_whole_fails_before_waiting)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .max_msg_size = 8,
				      .mode = 0600 };
	struct shmbox_msg_info_call info;
	char buf[8];
	int fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EMSGSIZE, shmbox_mbox_recv_call(fd, 0, buf, 4,
						   SHMBOX_MSG_WHOLE, FOREVER,
						   &info));
	EXPECT_EQ(8, info.len);
	close(fd);
}

/* The vector receive and the send refuse WHOLE (EINVAL from the kernel). */
TEST_F(mb, whole_on_vector_receive_einval)
{
	struct shmbox_mbox_msg m[1];
	unsigned int w[1];

	ASSERT_EQ(0, send_str(self->fd, "x", 0));
	vec_words(m, w, 1);
	EXPECT_EQ(-EINVAL, shmbox_mbox_recvv(self->fd, 0, m, 1,
					     SHMBOX_MSG_WHOLE, SHMBOX_NOWAIT));
	EXPECT_EQ(1, mstat(self->fd).depth);
}

TEST_F(mb, whole_on_send_einval)
{
	EXPECT_EQ(-EINVAL, shmbox_mbox_send(self->fd, "x", 1, 0,
					    SHMBOX_MSG_WHOLE, FOREVER));
	check_mbox_state(self->fd);
}

TEST_F(mb, counters_exact)
{
	char buf[8];
	int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, send_str(self->fd, "x", 0));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER,
				      NULL));
	ASSERT_EQ(1, recv_str(self->fd, buf, sizeof(buf), SHMBOX_MSG_PEEK,
			      FOREVER, NULL));
	check_mbox_state(self->fd, .depth = 6, .bytes = 6, .sent = 10, .received = 4);
}

TEST_F(mb, peek_copies_without_removing)
{
	struct shmbox_msg_info info;
	char buf[16];

	ASSERT_EQ(0, send_str(self->fd, "first", 2));
	ASSERT_EQ(0, send_str(self->fd, "second", 1));
	ASSERT_EQ(5, recv_str(self->fd, buf, sizeof(buf), SHMBOX_MSG_PEEK,
			      FOREVER, &info));
	EXPECT_STREQ("first", buf);
	EXPECT_EQ(2, info.prio);
	ASSERT_EQ(5, recv_str(self->fd, buf, sizeof(buf), SHMBOX_MSG_PEEK,
			      FOREVER, NULL));
	check_mbox_state(self->fd, .depth = 2, .bytes = 11, .sent = 2);
	ASSERT_EQ(5, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("first", buf);
	ASSERT_EQ(6, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("second", buf);
}

TEST_F(mb, recv_from_one_sender)
{
	struct shmbox_msg_info info;
	pid_t a, b;
	char buf[8];

	a = fork();
	ASSERT_LE(0, a);
	if (a == 0)
		_exit(send_str(self->fd, "a1", 0) || send_str(self->fd, "a2", 0));
	ASSERT_EQ(0, reap(a));
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0)
		_exit(send_str(self->fd, "b1", 0) ? 1 : 0);
	ASSERT_EQ(0, reap(b));

	ASSERT_EQ(2, shmbox_mbox_recv_from(self->fd, b, buf, 7, 0,
					   SHMBOX_NOWAIT, &info));
	EXPECT_EQ(0, memcmp(buf, "b1", 2));
	EXPECT_EQ(b, info.pid);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv_from(self->fd, b, buf, 7, 0,
						 SHMBOX_NOWAIT, NULL));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv_from(self->fd, getpid(), buf, 7,
						 0, SHMBOX_NOWAIT, NULL));
	ASSERT_EQ(2, shmbox_mbox_recv_from(self->fd, a, buf, 7, 0,
					   SHMBOX_NOWAIT, &info));
	EXPECT_EQ(0, memcmp(buf, "a1", 2));
	ASSERT_EQ(2, shmbox_mbox_recv(self->fd, buf, 7, 0, SHMBOX_NOWAIT,
				      &info));
	EXPECT_EQ(0, memcmp(buf, "a2", 2));
	EXPECT_EQ(a, info.pid);
}

TEST(unbounded_takes_many)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	char buf[8];
	int i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 2000; i++)
		ASSERT_EQ(0, shmbox_mbox_send(fd, &i, sizeof(i), 0, 0,
					      SHMBOX_NOWAIT));
	EXPECT_EQ(2000, mstat(fd).depth);
	for (i = 0; i < 2000; i++) {
		int v;

		ASSERT_EQ(4, shmbox_mbox_recv(fd, &v, 4, 0, SHMBOX_NOWAIT, NULL));
		ASSERT_EQ(i, v);
	}
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(fd, buf, 8, 0, SHMBOX_NOWAIT, NULL));
	close(fd);
}

TEST(bounded_full_nonblocking_send_eagain)
{
	int fd = mkmbox(NULL, 2, 0600);

	ASSERT_LE(0, fd);
	EXPECT_EQ(2, mstat(fd).capacity);
	EXPECT_EQ(0, send_str(fd, "1", 0));
	EXPECT_EQ(0, send_str(fd, "2", 0));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send(fd, "3", 1, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send(fd, "3", 1, 0,
					    SHMBOX_MSG_NONBLOCK, FOREVER));
	check_mbox_state(fd, .depth = 2, .bytes = 2, .sent = 2);
	close(fd);
}

TEST(bounded_full_timed_send_etimedout)
{
	int fd = mkmbox(NULL, 1, 0600);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, send_str(fd, "1", 0));
	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_send(fd, "2", 1, 0, 0,
					       shmbox_deadline_in(NS / 20)));
	check_mbox_state(fd, .depth = 1, .bytes = 1, .sent = 1);
	close(fd);
}

TEST(bounded_full_send_blocks_until_receive)
{
	int fd = mkmbox(NULL, 1, 0600);
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "1", 0));
	pid = blocked_sender(fd, "2", 1);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, mstat(fd).depth);
	ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("2", buf);
	close(fd);
}

TEST(blocked_senders_enter_in_fifo_order)
{
	int fd = mkmbox(NULL, 1, 0600);
	char buf[8];
	pid_t pid[3];
	int i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "0", 0));
	for (i = 0; i < 3; i++) {
		char s[2] = { (char)('1' + i), 0 };

		pid[i] = blocked_sender(fd, s, i + 1);
		ASSERT_LT(0, pid[i]);
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
		EXPECT_EQ('0' + i, buf[0]);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, reap(pid[i]));
	close(fd);
}

TEST(rendezvous_nonblocking_send_without_receiver_eagain)
{
	int fd = mkmbox(NULL, 0, 0600);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, mstat(fd).capacity);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send(fd, "x", 1, 0, 0, SHMBOX_NOWAIT));
	check_mbox_state(fd);
	close(fd);
}

TEST(rendezvous_timed_send_without_receiver_withdrawn)
{
	int fd = mkmbox(NULL, 0, 0600);
	char buf[8];

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_send(fd, "x", 1, 0, 0,
					       shmbox_deadline_in(NS / 20)));
	check_mbox_state(fd);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(fd, buf, 8, 0, SHMBOX_NOWAIT, NULL));
	close(fd);
}

TEST(rendezvous_send_to_waiting_receiver)
{
	int fd = mkmbox(NULL, 0, 0600);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[8];

		if (recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL) != 2)
			_exit(1);
		_exit(strcmp(buf, "rv") ? 2 : 0);
	}
	ASSERT_EQ(0, wait_blocked(fd, 0, 1));
	/* A receiver waits: even a non-blocking send completes. */
	EXPECT_EQ(0, shmbox_mbox_send(fd, "rv", 2, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(0, reap(pid));
	check_mbox_state(fd, .sent = 1, .received = 1);
	close(fd);
}

TEST(rendezvous_send_waits_for_receiver)
{
	int fd = mkmbox(NULL, 0, 0600);
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = blocked_sender(fd, "rv", 1);
	ASSERT_LT(0, pid);
	check_mbox_state(fd, .depth = 1, .bytes = 2, .blocked_senders = 1);
	ASSERT_EQ(2, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("rv", buf);
	EXPECT_EQ(0, reap(pid));
	check_mbox_state(fd, .sent = 1, .received = 1);
	close(fd);
}

TEST(sync_send_returns_after_take)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(shmbox_mbox_send(fd, "s", 1, 0, SHMBOX_MSG_SYNC, FOREVER)
		      ? 1 : 0);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	EXPECT_EQ(1, mstat(fd).depth);
	ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, mstat(fd).sent);
	close(fd);
}

TEST(sync_send_timed_out_is_withdrawn)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_send(fd, "s", 1, 0, SHMBOX_MSG_SYNC,
					       shmbox_deadline_in(NS / 20)));
	check_mbox_state(fd);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send(fd, "s", 1, 0, SHMBOX_MSG_SYNC,
					    SHMBOX_NOWAIT));
	check_mbox_state(fd);
	close(fd);
}

TEST_F(mb, after_unlink_fd_ops_eidrm_stat_works)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };
	char buf[8];

	ASSERT_EQ(0, send_str(self->fd, "x", 0));
	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(-EIDRM, send_str(self->fd, "y", 0));
	EXPECT_EQ(-EIDRM, shmbox_mbox_recv(self->fd, buf, 8, 0, SHMBOX_NOWAIT,
					   NULL));
	EXPECT_EQ(0, mstat(self->fd).obj.linked);
	EXPECT_EQ(1, mstat(self->fd).depth);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLERR);
	EXPECT_TRUE(pfd.revents & POLLHUP);
	EXPECT_EQ(-ENOENT, shmbox_mbox_open(self->name, 0, NULL, O_RDWR));
}

/* SHMBOX_IOC_UNLINK with @flags (ABI 1.5); -errno as libshmbox's. */
static int unlink_flags(const char *name, unsigned int flags, unsigned int pad)
{
	struct shmbox_unlink u = { .size = sizeof(u), .kind = SHMBOX_KIND_MAILBOX,
				   .name = (uintptr_t)name, .flags = flags,
				   .pad = pad };
	int dev = shmbox_dev_open(), ret;

	if (dev < 0)
		return dev;
	ret = ioctl(dev, SHMBOX_IOC_UNLINK, &u) ? -errno : 0;
	close(dev);
	return ret;
}

/* SHMBOX_UNLINK_KEEP removes the name only: the fds work on (mq_unlink()). */
TEST_F(mb, unlink_keep_fds_work_on)
{
	char buf[8];
	int fd;

	ASSERT_EQ(0, send_str(self->fd, "x", 0));
	ASSERT_EQ(0, unlink_flags(self->name, SHMBOX_UNLINK_KEEP, 0));
	EXPECT_EQ(0, mstat(self->fd).obj.linked);
	EXPECT_EQ(-ENOENT, shmbox_mbox_open(self->name, 0, NULL, O_RDWR));
	EXPECT_EQ(0, send_str(self->fd, "y", 0));
	EXPECT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT, NULL));
	EXPECT_STREQ("x", buf);
	EXPECT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT, NULL));
	EXPECT_STREQ("y", buf);
	/* The name is free: a new mailbox, not the one still in use. */
	fd = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "z", 0));
	EXPECT_EQ(0, mstat(self->fd).depth);
	EXPECT_EQ(1, mstat(fd).depth);
	close(fd);
}

/* ... and a receiver blocked in it stays blocked until a message comes. */
TEST_F(mb, unlink_keep_waiter_stays)
{
	char buf[8];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL) == 1 &&
		      !strcmp(buf, "m") ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(0, unlink_flags(self->name, SHMBOX_UNLINK_KEEP, 0));
	EXPECT_EQ(1, mstat(self->fd).blocked_receivers);
	ASSERT_EQ(0, send_str(self->fd, "m", 0));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(mb, unlink_unknown_flag_einval)
{
	EXPECT_EQ(-EINVAL, unlink_flags(self->name, 2, 0));
	EXPECT_EQ(1, mstat(self->fd).obj.linked);
}

TEST_F(mb, unlink_nonzero_pad_einval)
{
	EXPECT_EQ(-EINVAL, unlink_flags(self->name, SHMBOX_UNLINK_KEEP, 1));
	EXPECT_EQ(1, mstat(self->fd).obj.linked);
}

/* libshmbox 1.5's shmbox_unlink_flags(): KEEP, the fd works on. */
TEST_F(mb, lib_unlink_flags_keep_fd_works_on)
{
	char buf[8];

	ASSERT_EQ(0, shmbox_unlink_flags(self->name, SHMBOX_KIND_MAILBOX,
					 SHMBOX_UNLINK_KEEP));
	EXPECT_EQ(0, mstat(self->fd).obj.linked);
	EXPECT_EQ(-ENOENT, shmbox_mbox_open(self->name, 0, NULL, O_RDWR));
	ASSERT_EQ(0, send_str(self->fd, "k", 0));
	EXPECT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
			      NULL));
	EXPECT_STREQ("k", buf);
}

/* Flags 0: shmbox_unlink(), the mailbox is removed with its name. */
TEST_F(mb, lib_unlink_flags_zero_removes)
{
	ASSERT_EQ(0, shmbox_unlink_flags(self->name, SHMBOX_KIND_MAILBOX, 0));
	EXPECT_EQ(-EIDRM, send_str(self->fd, "x", 0));
}

TEST_F(mb, lib_unlink_flags_unknown_flag_einval)
{
	EXPECT_EQ(-EINVAL, shmbox_unlink_flags(self->name, SHMBOX_KIND_MAILBOX,
					       SHMBOX_UNLINK_KEEP << 1));
	EXPECT_EQ(1, mstat(self->fd).obj.linked);
}

/* The kind is checked as by shmbox_unlink(), KEEP or not. */
TEST_F(mb, lib_unlink_flags_wrong_kind_emediumtype)
{
	EXPECT_EQ(-EMEDIUMTYPE, shmbox_unlink_flags(self->name,
						    SHMBOX_KIND_REGION,
						    SHMBOX_UNLINK_KEEP));
	EXPECT_EQ(1, mstat(self->fd).obj.linked);
}

TEST(lib_unlink_flags_missing_enoent)
{
	char name[64];

	mb_name(name, sizeof(name));
	EXPECT_EQ(-ENOENT, shmbox_unlink_flags(name, 0, SHMBOX_UNLINK_KEEP));
}

TEST(autoremove_on_last_close)
{
	char name[64];
	int fd;

	mb_name(name, sizeof(name));
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE, NULL,
			      O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SHMBOX_O_AUTOREMOVE, mstat(fd).obj.oflags);
	ASSERT_EQ(0, send_str(fd, "left behind", 0));
	close(fd);
	EXPECT_EQ(-ENOENT, shmbox_mbox_open(name, 0, NULL, O_RDWR));
}

TEST_HARNESS_MAIN
