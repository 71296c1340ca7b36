// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_rw: read(2) and write(2) on a mailbox fd -- one message per call,
 * interoperating with the ioctls, EMSGSIZE, EBADF/EBADFD on the wrong
 * kind of fd, O_NONBLOCK, a writer blocked for room or (rendezvous) for
 * a reader, a reader woken by a write, EIDRM after unlink, ESPIPE for
 * pread/pwrite.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

TEST_F(mb, write_read_roundtrip_and_ioctl_interop)
{
	struct shmbox_msg_info info;
	char buf[16];

	EXPECT_EQ(5, write(self->fd, "hello", 5));
	ASSERT_EQ(5, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* A written message is a priority-0 message from us. */
	EXPECT_EQ(3, write(self->fd, "abc", 3));
	ASSERT_EQ(3, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("abc", buf);
	EXPECT_EQ(0, info.prio);
	EXPECT_EQ(getpid(), info.pid);
	/* read takes the highest priority first, like the ioctl. */
	ASSERT_EQ(0, send_str(self->fd, "low", 0));
	ASSERT_EQ(0, send_str(self->fd, "high", 7));
	ASSERT_EQ(4, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "high", 4));
	ASSERT_EQ(3, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "low", 3));
	check_mbox_state(self->fd, .sent = 4, .received = 4);
}

TEST_F(mb, write_read_keep_message_boundaries)
{
	char buf[16];

	EXPECT_EQ(2, write(self->fd, "ab", 2));
	EXPECT_EQ(3, write(self->fd, "cde", 3));
	check_mbox_state(self->fd, .depth = 2, .bytes = 5, .sent = 2);
	ASSERT_EQ(2, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	ASSERT_EQ(3, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "cde", 3));
}

TEST_F(mb, write_read_zero_length_message)
{
	char buf[4];

	EXPECT_EQ(0, write(self->fd, buf, 0));
	check_mbox_state(self->fd, .depth = 1, .sent = 1);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	check_mbox_state(self->fd, .sent = 1, .received = 1);
}

TEST_F(mb, lib_write_read_wrappers)
{
	char buf[8];
	int unbound;

	EXPECT_EQ(0, shmbox_mbox_write(self->fd, "wrap", 4));
	EXPECT_EQ(-EMSGSIZE, shmbox_mbox_read(self->fd, buf, 3));
	EXPECT_EQ(4, shmbox_mbox_read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "wrap", 4));
	unbound = shmbox_dev_open();
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, shmbox_mbox_write(unbound, "x", 1));
	EXPECT_EQ(-EBADFD, shmbox_mbox_read(unbound, buf, sizeof(buf)));
	close(unbound);
}

TEST(write_over_max_msg_size_emsgsize)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .max_msg_size = 8,
				      .mode = 0600 };
	int fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(8, write(fd, "12345678", 8));
	EXPECT_EQ(-1, write(fd, "123456789", 9));
	EXPECT_EQ(EMSGSIZE, errno);
	check_mbox_state(fd, .depth = 1, .bytes = 8, .sent = 1);
	close(fd);
}

TEST(read_write_unbound_fd_ebadfd)
{
	int fd = shmbox_dev_open();
	char buf[8];

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	close(fd);
}

TEST(read_write_region_fd_ebadfd)
{
	int fd = shmbox_region_open(NULL, 0, 4096, 0600, 1);
	char buf[8];

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	close(fd);
}

TEST_F(mb, write_on_read_only_fd_ebadf)
{
	int ro = shmbox_mbox_open(self->name, 0, NULL, O_RDONLY);

	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, write(ro, "x", 1));
	EXPECT_EQ(EBADF, errno);
	check_mbox_state(self->fd);
	close(ro);
}

TEST_F(mb, read_on_write_only_fd_ebadf)
{
	int wo = shmbox_mbox_open(self->name, 0, NULL, O_WRONLY);
	char buf[8];

	ASSERT_LE(0, wo);
	ASSERT_EQ(1, write(wo, "x", 1));
	EXPECT_EQ(-1, read(wo, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	check_mbox_state(self->fd, .depth = 1, .bytes = 1, .sent = 1);
	close(wo);
}

TEST_F(mb, read_empty_o_nonblock_eagain)
{
	char buf[8];

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST(write_full_o_nonblock_eagain)
{
	int fd = mkmbox(NULL, 1, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(1, write(fd, "a", 1));
	EXPECT_EQ(-1, write(fd, "b", 1));
	EXPECT_EQ(EAGAIN, errno);
	check_mbox_state(fd, .depth = 1, .bytes = 1, .sent = 1);
	close(fd);
}

TEST(write_blocks_until_read_makes_room)
{
	int fd = mkmbox(NULL, 1, 0600);
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "1", 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(write(fd, "2", 1) == 1 ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	ASSERT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('1', buf[0]);
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('2', buf[0]);
	close(fd);
}

/* Every send to a rendezvous mailbox is synchronous, write(2)'s too. */
TEST(write_rendezvous_waits_for_reader)
{
	int fd = mkmbox(NULL, 0, 0600);
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(write(fd, "rv", 2) == 2 ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	/* Queued with its writer, not yet sent. */
	check_mbox_state(fd, .depth = 1, .bytes = 2, .blocked_senders = 1);
	ASSERT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "rv", 2));
	EXPECT_EQ(0, reap(pid));
	check_mbox_state(fd, .sent = 1, .received = 1);
	close(fd);
}

TEST(write_rendezvous_o_nonblock_without_reader_eagain)
{
	int fd = mkmbox(NULL, 0, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EAGAIN, errno);
	check_mbox_state(fd);
	close(fd);
}

TEST_F(mb, blocking_read_woken_by_write)
{
	char buf[8];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(read(self->fd, buf, sizeof(buf)) == 2 &&
		      !memcmp(buf, "wk", 2) ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(2, write(self->fd, "wk", 2));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(mb, after_unlink_read_write_eidrm)
{
	char buf[8];

	ASSERT_EQ(1, write(self->fd, "x", 1));
	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(-1, write(self->fd, "y", 1));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIDRM, errno);
	check_mbox_state(self->fd, .depth = 1, .bytes = 1, .sent = 1);
}

TEST_F(mb, pread_pwrite_espipe)
{
	char buf[8];

	EXPECT_EQ(-1, pwrite(self->fd, "x", 1, 0));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ESPIPE, errno);
	check_mbox_state(self->fd);
}

TEST_HARNESS_MAIN
