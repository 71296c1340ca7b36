// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_fastpath: regressions in the fast paths -- the one-lock small
 * send into a full mailbox that still has spare headers, the copy under
 * the mailbox lock with page faults disabled falling back for buffers
 * not yet mapped in or copy-on-write, reused headers carrying no stale
 * bytes, and polling before sleeping (mbox_spin_ns).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

/*
 * A full mailbox (capacity 2) that still has a spare message header: the
 * one-lock small send finds no room, and the send must then wait, time
 * out or fail like any other.
 */
static int full_with_spare(void)
{
	char big[300] = { 'B' }, buf[8];
	int fd = mkmbox(NULL, 2, 0600);

	if (fd < 0)
		return fd;
	/* Two small messages received: two spare headers. */
	if (send_str(fd, "a", 0) || send_str(fd, "b", 0) ||
	    recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL) != 1 ||
	    recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL) != 1)
		goto close_fd;
	/* Too big for a spare, then a small one on a spare: full. */
	if (shmbox_mbox_send(fd, big, sizeof(big), 0, 0, FOREVER) ||
	    send_str(fd, "c", 0) || mstat(fd).depth != 2)
		goto close_fd;
	return fd;

close_fd:
	close(fd);
	return -EIO;
}

TEST(full_small_send_blocks_until_receive)
{
	int fd = full_with_spare();
	char buf[512];
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = blocked_sender(fd, "d", 1);
	ASSERT_LT(0, pid);
	check_mbox_state(fd, .depth = 2, .bytes = 301, .sent = 4, .received = 2,
			 .blocked_senders = 1);
	ASSERT_EQ(300, shmbox_mbox_recv(fd, buf, sizeof(buf), 0, FOREVER,
					NULL));
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("c", buf);
	ASSERT_EQ(1, recv_str(fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("d", buf);
	close(fd);
}

TEST(full_small_nonblocking_send_eagain)
{
	int fd = full_with_spare();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send(fd, "d", 1, 0, SHMBOX_MSG_NONBLOCK,
					    FOREVER));
	check_mbox_state(fd, .depth = 2, .bytes = 301, .sent = 4, .received = 2);
	close(fd);
}

TEST(full_small_timed_send_etimedout)
{
	int fd = full_with_spare();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, shmbox_mbox_send(fd, "d", 1, 0, 0,
					       shmbox_deadline_in(NS / 20)));
	check_mbox_state(fd, .depth = 2, .bytes = 301, .sent = 4, .received = 2);
	close(fd);
}

/*
 * A small message is copied out under the mailbox lock with page faults
 * disabled; a buffer that is not mapped in yet must make the kernel fall
 * back to a copy that faults it in, not fail.
 */
TEST_F(mb, recv_into_unfaulted_buffer_gets_message)
{
	struct shmbox_msg_info info = { 0 };
	char *fresh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, fresh);
	ASSERT_EQ(0, send_str(self->fd, "fresh", 3));
	ASSERT_EQ(5, shmbox_mbox_recv(self->fd, fresh, 64, 0, FOREVER, &info));
	EXPECT_EQ(0, memcmp(fresh, "fresh", 5));
	EXPECT_EQ(3, info.prio);
	EXPECT_EQ(getpid(), info.pid);
	check_mbox_state(self->fd, .sent = 1, .received = 1);
	munmap(fresh, 4096);
}

/* Same for the ioctl's argument on a page that is copy-on-write. */
TEST_F(mb, recv_arg_on_cow_page_gets_message)
{
	struct shmbox_mbox_recv *r;
	char buf[8] = { 0 };
	pid_t pid;

	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	*r = rarg(buf, sizeof(buf), 0);
	/* After a fork the page is shared read-only until written again. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, reap(pid));
	/* The payload buffer writable again, the argument's page not. */
	*(volatile char *)buf = 0;
	ASSERT_EQ(0, send_str(self->fd, "cow", 5));
	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, r));
	EXPECT_EQ(3, r->len);
	EXPECT_EQ(5, r->prio);
	EXPECT_EQ(getpid(), r->pid);
	EXPECT_EQ(0, memcmp(buf, "cow", 3));
	check_mbox_state(self->fd, .sent = 1, .received = 1);
	munmap(r, 4096);
}

TEST_F(mb, read_into_unfaulted_buffer_gets_message)
{
	char *fresh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, fresh);
	ASSERT_EQ(5, write(self->fd, "fresh", 5));
	ASSERT_EQ(5, read(self->fd, fresh, 64));
	EXPECT_EQ(0, memcmp(fresh, "fresh", 5));
	check_mbox_state(self->fd, .sent = 1, .received = 1);
	munmap(fresh, 4096);
}

/*
 * Received headers are kept as spares for vector sends: a short message
 * in a reused header carries nothing of the longer one before it.
 */
TEST_F(mb, vector_sends_reuse_headers_without_stale_bytes)
{
	struct shmbox_mbox_msg m[20];
	char out[20][100], in[20][100];
	int round, i;

	for (round = 0; round < 3; round++) {
		int len = round == 1 ? 10 : 100;

		memset(m, 0, sizeof(m));
		for (i = 0; i < 20; i++) {
			memset(out[i], 'A' + round, sizeof(out[i]));
			m[i].buf = (uintptr_t)out[i];
			m[i].len = len;
		}
		ASSERT_EQ(20, shmbox_mbox_sendv(self->fd, 0, m, 20, 0,
						FOREVER));
		memset(m, 0, sizeof(m));
		memset(in, 'Z', sizeof(in));
		for (i = 0; i < 20; i++) {
			m[i].buf = (uintptr_t)in[i];
			m[i].len = sizeof(in[i]);
		}
		ASSERT_EQ(20, shmbox_mbox_recvv(self->fd, 0, m, 20, 0,
						FOREVER));
		for (i = 0; i < 20; i++) {
			EXPECT_EQ(len, m[i].len);
			EXPECT_EQ(0, memcmp(in[i], out[i], len));
			if (len < 100)
				EXPECT_EQ('Z', in[i][len]);
		}
	}
	check_mbox_state(self->fd, .sent = 60, .received = 60);
	EXPECT_EQ(0, mstat(self->fd).charged);
}

TEST_F(mb, single_sends_reuse_headers_without_stale_bytes)
{
	char out[100], in[100];
	int round, i;

	for (round = 0; round < 3; round++) {
		int len = round == 1 ? 10 : 100;

		memset(out, 'A' + round, sizeof(out));
		for (i = 0; i < 40; i++) {
			int ret = i & 1 ? write(self->fd, out, len) - len :
				  shmbox_mbox_send(self->fd, out, len, 0, 0,
						   FOREVER);

			ASSERT_EQ(0, ret);
		}
		for (i = 0; i < 40; i++) {
			memset(in, 'Z', sizeof(in));
			ASSERT_EQ(len, i & 1 ? read(self->fd, in, sizeof(in)) :
				  shmbox_mbox_recv(self->fd, in, sizeof(in), 0,
						   FOREVER, NULL));
			EXPECT_EQ(0, memcmp(in, out, len));
			if (len < 100)
				EXPECT_EQ('Z', in[len]);
		}
	}
	check_mbox_state(self->fd, .sent = 120, .received = 120);
	EXPECT_EQ(0, mstat(self->fd).charged);
}

TEST(spin_param_out_of_range_erange)
{
	unsigned long old = param_get("mbox_spin_ns");

	errno = 0;
	EXPECT_EQ(-1, param_set("mbox_spin_ns", 1000001));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(old, param_get("mbox_spin_ns"));
}

/* A poll never outlasts the deadline, however long it may poll. */
TEST_F(mb, spin_respects_short_deadline)
{
	unsigned long old = param_get("mbox_spin_ns");
	char buf[8];

	ASSERT_EQ(0, param_set("mbox_spin_ns", 1000000));
	EXPECT_EQ(-ETIMEDOUT, recv_str(self->fd, buf, sizeof(buf), 0,
				       shmbox_deadline_in(100000), NULL));
	EXPECT_EQ(0, mstat(self->fd).blocked_receivers);
	EXPECT_EQ(0, param_set("mbox_spin_ns", old));
}

/* Ping-pong with and without polling: every message, once, in order. */
static int pingpong(int a, int b, unsigned int rounds)
{
	unsigned int i, v;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (i = 0; i < rounds; i++) {
			if (shmbox_mbox_recv(a, &v, sizeof(v), 0, FOREVER,
					     NULL) != sizeof(v) || v != i)
				_exit(1);
			if (shmbox_mbox_send(b, &v, sizeof(v), 0, 0, FOREVER))
				_exit(2);
		}
		_exit(0);
	}
	for (i = 0; i < rounds; i++) {
		if (shmbox_mbox_send(a, &i, sizeof(i), 0, 0, FOREVER) ||
		    shmbox_mbox_recv(b, &v, sizeof(v), 0, FOREVER, NULL) !=
		    sizeof(v) || v != i) {
			kill(pid, SIGKILL);
			reap(pid);
			return -1;
		}
	}
	return reap(pid);
}

TEST(pingpong_with_and_without_polling)
{
	unsigned long old = param_get("mbox_spin_ns");
	unsigned long spin[] = { 0, 50000, 1000000 };
	int a = mkmbox(NULL, 8, 0600), b = mkmbox(NULL, 8, 0600);
	unsigned int k;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(0, param_set("mbox_spin_ns", spin[k]));
		EXPECT_EQ(0, pingpong(a, b, 2000)) TH_LOG("spin %lu", spin[k]);
		EXPECT_EQ(0, mstat(a).depth);
		EXPECT_EQ(0, mstat(b).depth);
	}
	EXPECT_EQ(0, param_set("mbox_spin_ns", old));
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
