// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_perm: permissions and quotas -- a second uid (NOBODY) against
 * modes 0600 and 0622 and an inbox's mode, fd access modes, and the
 * module parameters that bound a mailbox's bytes, a user's bytes, the
 * number of objects and the largest message.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

static int nobody_open(const char *name, int access)
{
	pid_t pid = fork();

	if (pid == 0) {
		drop_to_nobody();
		_exit(-shmbox_mbox_open(name, 0, NULL, access) & 0x7f);
	}
	return pid < 0 ? -1 : reap(pid);
}

TEST_F(mb, other_uid_denied_by_mode_0600)
{
	EXPECT_EQ(EACCES, nobody_open(self->name, O_RDWR));
	EXPECT_EQ(EACCES, nobody_open(self->name, O_RDONLY));
	EXPECT_EQ(EACCES, nobody_open(self->name, O_WRONLY));
}

TEST(other_uid_write_only_by_mode_0622)
{
	char name[64];
	int fd, st;
	pid_t pid;

	mb_name(name, sizeof(name));
	umask(0);
	fd = mkmbox(name, 4, 0622);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, nobody_open(name, O_RDONLY));
	EXPECT_EQ(EACCES, nobody_open(name, O_RDWR));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[8];
		int w;

		drop_to_nobody();
		w = shmbox_mbox_open(name, 0, NULL, O_WRONLY);
		if (w < 0)
			_exit(1);
		if (send_str(w, "hi", 0))
			_exit(2);
		/* Write-only fd: receive refused. */
		if (shmbox_mbox_recv(w, buf, 8, 0, SHMBOX_NOWAIT, NULL) != -EBADF)
			_exit(3);
		/* Neither owner nor creator: no unlink. */
		_exit(shmbox_unlink(name, SHMBOX_KIND_MAILBOX) == -EPERM ? 0 : 4);
	}
	st = reap(pid);
	EXPECT_EQ(0, st);
	check_mbox_state(fd, .depth = 1, .bytes = 2, .sent = 1);
	close(fd);
	EXPECT_EQ(0, shmbox_unlink(name, SHMBOX_KIND_MAILBOX));
}

TEST_F(mb, read_only_fd_cannot_send_ebadf)
{
	int ro = shmbox_mbox_open(self->name, 0, NULL, O_RDONLY);

	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, send_str(ro, "x", 0));
	ASSERT_EQ(0, send_str(self->fd, "y", 0));
	EXPECT_EQ(1, shmbox_mbox_recv(ro, (char[8]){ 0 }, 8, 0, SHMBOX_NOWAIT,
				      NULL));
	close(ro);
}

TEST(inbox_mode_denies_direct_send_eacces)
{
	int in = mkinbox(4, 0600);
	pid_t me = getpid(), pid;

	ASSERT_LE(0, in);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(SHMBOX_DEVICE_PATH, O_RDWR);

		drop_to_nobody();
		_exit(-shmbox_mbox_send_to(fd, me, "x", 1, 0, 0, SHMBOX_NOWAIT));
	}
	EXPECT_EQ(EACCES, reap(pid));
	check_mbox_state(in);
	close(in);
}

TEST(mailbox_byte_quota_blocks_senders)
{
	unsigned long old = param_get("max_mbox_bytes");
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	char msg[100] = "";
	int n = 0, i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, param_set("max_mbox_bytes", 4 * SHMBOX_MSG_COST(100)));
	while (n < 100 && !shmbox_mbox_send(fd, msg, 100, 0, 0, SHMBOX_NOWAIT))
		n++;
	EXPECT_EQ(4, n);
	EXPECT_EQ(4 * SHMBOX_MSG_COST(100), mstat(fd).charged);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send(fd, msg, 100, 0, 0, SHMBOX_NOWAIT));
	/* A message that could never fit. */
	EXPECT_EQ(-EMSGSIZE, shmbox_mbox_send(fd, msg, 4 * 100 + 200, 0, 0,
					      SHMBOX_NOWAIT));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(100, shmbox_mbox_recv(fd, msg, 100, 0, SHMBOX_NOWAIT,
						NULL));
	EXPECT_EQ(0, shmbox_mbox_send(fd, msg, 100, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(0, param_set("max_mbox_bytes", old));
	close(fd);
}

TEST(user_byte_quota_enospc)
{
	unsigned long old = param_get("max_user_bytes");
	int a = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	int b = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	char msg[100] = "";

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, param_set("max_user_bytes", 3 * SHMBOX_MSG_COST(100)));
	EXPECT_EQ(0, shmbox_mbox_send(a, msg, 100, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(0, shmbox_mbox_send(b, msg, 100, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(0, shmbox_mbox_send(a, msg, 100, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(-ENOSPC, shmbox_mbox_send(b, msg, 100, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(-ENOSPC, shmbox_mbox_send(b, msg, 100, 0, 0, FOREVER));
	EXPECT_EQ(100, shmbox_mbox_recv(a, msg, 100, 0, SHMBOX_NOWAIT, NULL));
	EXPECT_EQ(0, shmbox_mbox_send(b, msg, 100, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(0, param_set("max_user_bytes", old));
	close(a);
	close(b);
}

TEST(object_limit_enospc)
{
	unsigned long old = param_get("max_objects");
	int fds[4], i, ret;

	ASSERT_EQ(0, param_set("max_objects", 3));
	for (i = 0; i < 4; i++)
		fds[i] = shmbox_mbox_open(NULL, 0, NULL, O_RDWR);
	ret = fds[3];
	EXPECT_EQ(0, param_set("max_objects", old));
	for (i = 0; i < 3; i++) {
		EXPECT_LE(0, fds[i]);
		close(fds[i]);
	}
	EXPECT_EQ(-ENOSPC, ret);
}

TEST(max_msg_size_param_bounds_attribute)
{
	struct shmbox_mbox_attr a = { .capacity = 1, .mode = 0600 };

	a.max_msg_size = param_get("max_msg_size") + 1;
	EXPECT_EQ(-EINVAL, shmbox_mbox_open(NULL, 0, &a, O_RDWR));
}

TEST_HARNESS_MAIN
