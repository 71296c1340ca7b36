// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_direct: direct communication and credentials -- a process's
 * inbox (one per process, read/write on it), sending to a pid and
 * replying by the pid received, ENOENT/ESRCH for a pid without an inbox
 * or without a process, EIDRM when the inbox goes, and the sender's uid
 * and pid as the receiver sees them (another uid, another pid
 * namespace).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

TEST(inbox_read_write)
{
	struct shmbox_msg_info info;
	char buf[16];
	int in = shmbox_inbox_open(SHMBOX_O_CREAT, NULL, O_RDWR);

	ASSERT_LE(0, in);
	/* write(2) on an inbox fd sends to the bound inbox: our own. */
	ASSERT_EQ(0, shmbox_mbox_send_to(in, getpid(), "direct", 6, 0, 0,
					 FOREVER));
	EXPECT_EQ(4, write(in, "self", 4));
	ASSERT_EQ(6, read(in, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "direct", 6));
	ASSERT_EQ(4, recv_str(in, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("self", buf);
	EXPECT_EQ(getpid(), info.pid);
	close(in);
}

TEST(inbox_direct_send_and_reply)
{
	struct shmbox_mbox_attr a = { .capacity = 8, .mode = 0622 };
	struct shmbox_msg_info info;
	char buf[32];
	pid_t pid;
	int in, p[2];

	ASSERT_EQ(0, pipe(p));
	in = shmbox_inbox_open(SHMBOX_O_CREAT, &a, O_RDWR);
	ASSERT_LE(0, in);
	EXPECT_EQ(getpid(), mstat(in).inbox_pid);
	EXPECT_EQ(SHMBOX_MBOX_INBOX, mstat(in).obj.oflags & SHMBOX_MBOX_INBOX);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int mine = shmbox_inbox_open(SHMBOX_O_CREAT | SHMBOX_O_EXCL,
					     &a, O_RDWR);
		struct shmbox_msg_info ri;
		char rb[32];

		close(in);
		if (mine < 0)
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(2);
		if (shmbox_mbox_send_to(mine, getppid(), "ping", 4, 0, 0,
					FOREVER))
			_exit(3);
		if (recv_str(mine, rb, sizeof(rb), 0, FOREVER, &ri) != 4)
			_exit(4);
		_exit(strcmp(rb, "pong") || ri.pid != getppid() ? 5 : 0);
	}
	ASSERT_EQ(1, read(p[0], buf, 1));
	ASSERT_EQ(4, recv_str(in, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("ping", buf);
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(geteuid(), info.uid);
	/* Reply by pid, from the same fd. */
	ASSERT_EQ(0, shmbox_mbox_send_to(in, info.pid, "pong", 4, 0, 0,
					 FOREVER));
	EXPECT_EQ(0, reap(pid));
	close(in);
	close(p[0]);
	close(p[1]);
}

TEST(inbox_send_from_unbound_fd)
{
	int in = shmbox_inbox_open(SHMBOX_O_CREAT, NULL, O_RDWR);
	int fd = shmbox_dev_open();
	char buf[8];

	ASSERT_LE(0, in);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, shmbox_mbox_send_to(fd, getpid(), "me", 2, 0, 0, FOREVER));
	EXPECT_EQ(2, recv_str(in, buf, sizeof(buf), 0, FOREVER, NULL));
	close(fd);
	close(in);
}

TEST(inbox_is_one_per_process)
{
	int a = shmbox_inbox_open(SHMBOX_O_CREAT, NULL, O_RDWR);
	int b = shmbox_inbox_open(0, NULL, O_RDWR);
	char buf[8];

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_EQ(2, mstat(a).obj.users);
	EXPECT_EQ(-EEXIST, shmbox_inbox_open(SHMBOX_O_CREAT | SHMBOX_O_EXCL,
					     NULL, O_RDWR));
	ASSERT_EQ(0, send_str(a, "x", 0));
	EXPECT_EQ(1, recv_str(b, buf, sizeof(buf), 0, SHMBOX_NOWAIT, NULL));
	close(a);
	close(b);
	EXPECT_EQ(-ENOENT, shmbox_inbox_open(0, NULL, O_RDWR));
}

TEST(send_to_process_without_inbox_enoent)
{
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, shmbox_mbox_send_to(fd, getpid(), "x", 1, 0, 0,
					       SHMBOX_NOWAIT));
	close(fd);
}

TEST(send_to_missing_pid_esrch)
{
	int fd = shmbox_dev_open();
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, reap(pid));
	ASSERT_LE(0, fd);
	/* Reaped and (in this quiet guest) not reused yet. */
	EXPECT_EQ(-ESRCH, shmbox_mbox_send_to(fd, pid, "x", 1, 0, 0,
					      SHMBOX_NOWAIT));
	close(fd);
}

TEST(inbox_closed_wakes_direct_sender_eidrm)
{
	int in = mkinbox(0, 0600);
	pid_t me = getpid(), pid;

	ASSERT_LE(0, in);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = shmbox_dev_open();

		close(in);
		_exit(shmbox_mbox_send_to(fd, me, "x", 1, 0, 0, FOREVER) ==
		      -EIDRM ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(in, 1, 0));
	close(in);
	EXPECT_EQ(0, reap(pid));
}

TEST(credentials_of_second_uid)
{
	struct shmbox_msg_info info;
	pid_t me = getpid(), pid;
	char buf[8];
	int in;

	umask(0);
	in = mkinbox(8, 0622);
	ASSERT_LE(0, in);
	EXPECT_EQ(0622, mstat(in).obj.mode);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(SHMBOX_DEVICE_PATH, O_WRONLY);

		drop_to_nobody();
		_exit(shmbox_mbox_send_to(fd, me, "nb", 2, 0, 0, FOREVER) ? 1
		      : 0);
	}
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(2, recv_str(in, buf, sizeof(buf), 0, SHMBOX_NOWAIT, &info));
	EXPECT_EQ(NOBODY, info.uid);
	EXPECT_EQ(pid, info.pid);
	close(in);
}

TEST(credentials_translated_into_receiver_pid_namespace)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	struct shmbox_msg_info info;
	pid_t pid;
	char buf[8];

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		inner = fork();
		if (inner < 0)
			_exit(11);
		if (inner == 0) {
			struct shmbox_msg_info ii;
			char b[8];

			/* pid 1 here; the parent is invisible: pid 0. */
			if (send_str(fd, "in", 0))
				_exit(1);
			if (recv_str(fd, b, sizeof(b), 0, FOREVER, &ii) != 3)
				_exit(2);
			_exit(ii.pid == 0 ? 0 : 3);
		}
		_exit(reap(inner));
	}
	ASSERT_EQ(2, recv_str(fd, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("in", buf);
	EXPECT_LT(0, info.pid);
	EXPECT_NE(1, info.pid);
	EXPECT_NE(pid, info.pid);
	ASSERT_EQ(0, send_str(fd, "out", 0));
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST_HARNESS_MAIN
