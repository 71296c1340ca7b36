// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_vec: the vector calls (sendv/recvv) -- a batch in and out with
 * priorities and credentials, a partial send into a full mailbox, recvv
 * waiting for the first message only, a partial receive at an entry too
 * small, and batches larger than the kernel's 16-message chunks.
 */
#include <string.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

TEST_F(mb, sendv_recvv_roundtrip)
{
	struct shmbox_mbox_msg m[16];
	char out[16][8], in[16][8];
	int i;

	memset(m, 0, sizeof(m));
	for (i = 0; i < 10; i++) {
		snprintf(out[i], 8, "m%d", i);
		m[i].buf = (uintptr_t)out[i];
		m[i].len = strlen(out[i]);
		m[i].prio = i == 9 ? 7 : 0;
	}
	EXPECT_EQ(10, shmbox_mbox_sendv(self->fd, 0, m, 10, 0, FOREVER));
	check_mbox_state(self->fd, .depth = 10, .bytes = 20, .sent = 10);
	memset(m, 0, sizeof(m));
	for (i = 0; i < 16; i++) {
		m[i].buf = (uintptr_t)in[i];
		m[i].len = 8;
	}
	EXPECT_EQ(10, shmbox_mbox_recvv(self->fd, 0, m, 16, 0, FOREVER));
	EXPECT_EQ(2, m[0].len);
	EXPECT_EQ(0, memcmp(in[0], "m9", 2));
	EXPECT_EQ(7, m[0].prio);
	EXPECT_EQ(getpid(), m[0].pid);
	EXPECT_EQ(geteuid(), m[0].uid);
	for (i = 1; i < 10; i++) {
		EXPECT_EQ(2, m[i].len);
		EXPECT_EQ('0' + i - 1, in[i][1]);
	}
	check_mbox_state(self->fd, .sent = 10, .received = 10);
}

TEST(sendv_partial_when_full)
{
	int fd = mkmbox(NULL, 4, 0600);
	struct shmbox_mbox_msg m[10];
	int i;

	ASSERT_LE(0, fd);
	memset(m, 0, sizeof(m));
	for (i = 0; i < 10; i++) {
		m[i].buf = (uintptr_t)"v";
		m[i].len = 1;
	}
	EXPECT_EQ(4, shmbox_mbox_sendv(fd, 0, m, 10, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_sendv(fd, 0, m, 10, 0, SHMBOX_NOWAIT));
	check_mbox_state(fd, .depth = 4, .bytes = 4, .sent = 4);
	close(fd);
}

TEST_F(mb, recvv_waits_for_first_then_takes_what_is_there)
{
	struct shmbox_mbox_msg m[4];
	char in[4][8];
	pid_t pid;
	int i;

	memset(m, 0, sizeof(m));
	for (i = 0; i < 4; i++) {
		m[i].buf = (uintptr_t)in[i];
		m[i].len = 8;
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(shmbox_mbox_recvv(self->fd, 0, m, 4, 0, FOREVER) == 1
		      ? 0 : 1);
	ASSERT_EQ(0, wait_blocked(self->fd, 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "one", 0));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recvv(self->fd, 0, m, 4, 0,
					     SHMBOX_NOWAIT));
}

TEST_F(mb, recvv_partial_on_small_entry)
{
	struct shmbox_mbox_msg m[3];
	char in[3][16];
	int i;

	ASSERT_EQ(0, send_str(self->fd, "a", 0));
	ASSERT_EQ(0, send_str(self->fd, "bbbbbbbbbb", 0));
	memset(m, 0, sizeof(m));
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)in[i];
		m[i].len = 4;
	}
	EXPECT_EQ(1, shmbox_mbox_recvv(self->fd, 0, m, 3, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(10, m[1].len);
	check_mbox_state(self->fd, .depth = 1, .bytes = 10, .sent = 2, .received = 1);
	m[0].len = 4;
	EXPECT_EQ(-EMSGSIZE, shmbox_mbox_recvv(self->fd, 0, m, 3, 0,
					       SHMBOX_NOWAIT));
	EXPECT_EQ(10, m[0].len);
}

/* Vector calls work in chunks of 16 messages in the kernel: cross them. */
TEST_F(mb, vector_calls_cross_chunks_in_order)
{
	struct shmbox_mbox_msg m[40];
	unsigned int out[40], in[40];
	int i;

	for (i = 0; i < 40; i++) {
		out[i] = i;
		in[i] = ~0U;
	}
	vec_words(m, out, 40);
	EXPECT_EQ(40, shmbox_mbox_sendv(self->fd, 0, m, 40, 0, FOREVER));
	check_mbox_state(self->fd, .depth = 40, .bytes = 160, .sent = 40);
	vec_words(m, in, 40);
	EXPECT_EQ(40, shmbox_mbox_recvv(self->fd, 0, m, 40, 0, FOREVER));
	for (i = 0; i < 40; i++) {
		EXPECT_EQ(i, in[i]);
		EXPECT_EQ(sizeof(in[i]), m[i].len);
		EXPECT_EQ(getpid(), m[i].pid);
	}
	check_mbox_state(self->fd, .sent = 40, .received = 40);
	EXPECT_EQ(0, mstat(self->fd).charged);
}

TEST_HARNESS_MAIN
