// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_lossless: nothing is lost -- a receive that fails (buffer too
 * small, unmapped or read-only buffer, unwritable argument, a vector
 * entry or payload that faults) leaves its message at the head for the
 * next receiver, in order; a send that faults queues nothing, or only
 * the readable prefix of a vector.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

TEST_F(mb, small_buffer_emsgsize_keeps_message)
{
	struct shmbox_msg_info info;
	struct shmbox_mbox_recv r;
	char buf[16];

	ASSERT_EQ(0, send_str(self->fd, "0123456789", 0));
	EXPECT_EQ(-EMSGSIZE, shmbox_mbox_recv(self->fd, buf, 4, 0, FOREVER,
					      &info));
	EXPECT_EQ(10, info.len);
	r = rarg(buf, 9, 0);
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(10, r.len);
	check_mbox_state(self->fd, .depth = 1, .bytes = 10, .sent = 1);
	ASSERT_EQ(10, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("0123456789", buf);
}

TEST_F(mb, bad_buffer_efault_keeps_message_at_head)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	char buf[8];

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, send_str(self->fd, "A", 0));
	ASSERT_EQ(0, send_str(self->fd, "B", 0));
	EXPECT_EQ(-EFAULT, shmbox_mbox_recv(self->fd, (void *)16, 8, 0,
					    FOREVER, NULL));
	EXPECT_EQ(-EFAULT, shmbox_mbox_recv(self->fd, ro, 8, 0, FOREVER, NULL));
	check_mbox_state(self->fd, .depth = 2, .bytes = 2, .sent = 2);
	ASSERT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("A", buf);
	ASSERT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("B", buf);
	munmap(ro, 4096);
}

TEST_F(mb, unwritable_arg_struct_efault_keeps_message)
{
	struct shmbox_mbox_recv *r;
	char buf[8];

	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	*r = rarg(buf, sizeof(buf), 0);
	ASSERT_EQ(0, mprotect(r, 4096, PROT_READ));
	ASSERT_EQ(0, send_str(self->fd, "K", 0));
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, r));
	EXPECT_EQ(EFAULT, errno);
	check_mbox_state(self->fd, .depth = 1, .bytes = 1, .sent = 1);
	ASSERT_EQ(1, recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL));
	EXPECT_STREQ("K", buf);
	munmap(r, 4096);
}

TEST_F(mb, efault_putback_goes_to_waiting_receiver)
{
	char buf[8];
	pid_t pid;

	ASSERT_EQ(0, send_str(self->fd, "Z", 0));
	/* The only message is reserved and put back: a waiter must get it. */
	EXPECT_EQ(-EFAULT, shmbox_mbox_recv(self->fd, (void *)16, 8, 0,
					    FOREVER, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(recv_str(self->fd, buf, sizeof(buf), 0, FOREVER, NULL) == 1
		      ? 0 : 1);
	EXPECT_EQ(0, reap(pid));
}

TEST_F(mb, bad_send_buffer_efault_queues_nothing)
{
	EXPECT_EQ(-EFAULT, shmbox_mbox_send(self->fd, (void *)16, 8, 0, 0,
					    FOREVER));
	check_mbox_state(self->fd);
}

TEST_F(mb, read_short_buffer_emsgsize_keeps_message)
{
	char buf[16];

	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	EXPECT_EQ(-1, read(self->fd, buf, 9));
	EXPECT_EQ(EMSGSIZE, errno);
	check_mbox_state(self->fd, .depth = 1, .bytes = 10, .sent = 1);
	ASSERT_EQ(10, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
}

TEST_F(mb, read_bad_buffer_efault_keeps_message_at_head)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	char buf[8];

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(1, write(self->fd, "A", 1));
	ASSERT_EQ(1, write(self->fd, "B", 1));
	EXPECT_EQ(-1, read(self->fd, ro, 8));
	EXPECT_EQ(EFAULT, errno);
	check_mbox_state(self->fd, .depth = 2, .bytes = 2, .sent = 2);
	ASSERT_EQ(1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ('A', buf[0]);
	ASSERT_EQ(1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ('B', buf[0]);
	munmap(ro, 4096);
}

TEST_F(mb, write_bad_buffer_efault_queues_nothing)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-1, write(self->fd, none, 8));
	EXPECT_EQ(EFAULT, errno);
	check_mbox_state(self->fd);
	munmap(none, 4096);
}

/* Descriptors that end at an unmapped page: the readable prefix goes. */
static struct shmbox_mbox_msg *vec_before_hole(unsigned int n, void **map)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p + pg, pg);
	*map = p;
	return (struct shmbox_mbox_msg *)(p + pg) - n;
}

TEST_F(mb, sendv_descriptor_fault_sends_readable_prefix)
{
	struct shmbox_mbox_msg *m;
	void *map;
	int i;

	m = vec_before_hole(5, &map);
	ASSERT_NE(NULL, m);
	memset(m, 0, 5 * sizeof(*m));
	for (i = 0; i < 5; i++) {
		m[i].buf = (uintptr_t)"x";
		m[i].len = 1;
	}
	/* Entries 5.. lie in the hole. */
	EXPECT_EQ(5, shmbox_mbox_sendv(self->fd, 0, m, 9, 0, SHMBOX_NOWAIT));
	check_mbox_state(self->fd, .depth = 5, .bytes = 5, .sent = 5);
	EXPECT_EQ(-EFAULT, shmbox_mbox_sendv(self->fd, 0, m + 5, 1, 0,
					     SHMBOX_NOWAIT));
	check_mbox_state(self->fd, .depth = 5, .bytes = 5, .sent = 5);
	munmap(map, sysconf(_SC_PAGESIZE));
}

TEST_F(mb, recvv_descriptor_fault_keeps_the_rest)
{
	struct shmbox_mbox_vec vec;
	struct shmbox_mbox_msg *m;
	char in[8][4];
	void *map;
	int i;

	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, send_str(self->fd, "abc", 0));
	m = vec_before_hole(3, &map);
	ASSERT_NE(NULL, m);
	memset(m, 0, 3 * sizeof(*m));
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)in[i];
		m[i].len = 4;
	}
	/* The library would touch the entries: the raw ioctl. */
	memset(&vec, 0, sizeof(vec));
	vec.size = sizeof(vec);
	vec.flags = SHMBOX_MSG_NONBLOCK;
	vec.msgs = (uintptr_t)m;
	vec.count = 8;
	EXPECT_EQ(3, ioctl(self->fd, SHMBOX_IOC_MBOX_RECVV, &vec));
	check_mbox_state(self->fd, .depth = 5, .bytes = 15, .sent = 8, .received = 3);
	munmap(map, sysconf(_SC_PAGESIZE));
}

TEST_F(mb, recvv_payload_fault_puts_message_back_in_order)
{
	struct shmbox_mbox_msg m[20];
	unsigned int out[20], in[20];
	int i;

	for (i = 0; i < 20; i++)
		out[i] = i;
	vec_words(m, out, 20);
	ASSERT_EQ(20, shmbox_mbox_sendv(self->fd, 0, m, 20, 0, FOREVER));
	vec_words(m, in, 20);
	m[17].buf = 8;		/* unmapped */
	EXPECT_EQ(17, shmbox_mbox_recvv(self->fd, 0, m, 20, 0, FOREVER));
	EXPECT_EQ(16, in[16]);
	check_mbox_state(self->fd, .depth = 3, .bytes = 12, .sent = 20, .received = 17);
	/* 17, 18, 19 are still there, in order. */
	vec_words(m, in, 3);
	EXPECT_EQ(3, shmbox_mbox_recvv(self->fd, 0, m, 3, 0, FOREVER));
	EXPECT_EQ(17, in[0]);
	EXPECT_EQ(18, in[1]);
	EXPECT_EQ(19, in[2]);
}

TEST_HARNESS_MAIN
