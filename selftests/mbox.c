// SPDX-License-Identifier: GPL-2.0
/*
 * mbox: mailboxes -- capacity modes (rendezvous, bounded, unbounded),
 * blocking / non-blocking / timed send and receive, synchronous send,
 * priorities, peek, per-sender receive, direct send to a pid's inbox and
 * reply, credentials, poll/epoll, batching, EIDRM with blocked waiters,
 * EFAULT/EMSGSIZE keeping the message, signals mid-wait, permissions with
 * a second uid, quotas, counters, and one subtest per invalid input.
 *
 * Synchronisation with children never relies on sleeping for a while:
 * the parent polls the mailbox's stat (blocked_senders/receivers) until
 * the child is really asleep in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

static int open_errno(struct shmbox_mbox_open *o)
{
	int fd = shmbox_dev_open(), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, SHMBOX_IOC_MBOX_OPEN, o) ? errno : 0;
	close(fd);
	return ret;
}

TEST(open_unknown_flag_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, 1U << 30, 1, 0600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_nonzero_pad_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, 0, 1, 0600);

	o.pad = 1;
	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_capacity_too_big_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, 0, SHMBOX_MBOX_CAPACITY_MAX + 1,
					 0600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_max_msg_size_too_big_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, 0, 1, 0600);

	o.max_msg_size = 0xffffffff;
	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_bad_mode_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, 0, 1, 01600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_excl_without_creat_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, SHMBOX_O_EXCL, 1, 0600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_inbox_with_name_einval)
{
	struct shmbox_mbox_open o = oarg("x", SHMBOX_MBOX_INBOX |
					 SHMBOX_O_CREAT, 1, 0600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_inbox_autoremove_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, SHMBOX_MBOX_INBOX |
					 SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE,
					 1, 0600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_empty_name_einval)
{
	struct shmbox_mbox_open o = oarg("", SHMBOX_O_CREAT, 1, 0600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_name_with_slash_einval)
{
	struct shmbox_mbox_open o = oarg("a/b", SHMBOX_O_CREAT, 1, 0600);

	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_name_too_long_enametoolong)
{
	char name[300];
	struct shmbox_mbox_open o;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	o = oarg(name, SHMBOX_O_CREAT, 1, 0600);
	EXPECT_EQ(ENAMETOOLONG, open_errno(&o));
}

TEST(open_bad_name_pointer_efault)
{
	struct shmbox_mbox_open o = oarg((char *)16, SHMBOX_O_CREAT, 1, 0600);

	EXPECT_EQ(EFAULT, open_errno(&o));
}

TEST(open_size_below_ver0_einval)
{
	struct shmbox_mbox_open o = oarg(NULL, 0, 1, 0600);

	o.size = SHMBOX_MBOX_OPEN_SIZE_VER0 - 4;
	EXPECT_EQ(EINVAL, open_errno(&o));
}

TEST(open_nonzero_tail_e2big)
{
	struct { struct shmbox_mbox_open o; uint64_t tail; } big;

	big.o = oarg(NULL, 0, 1, 0600);
	big.o.size = sizeof(big);
	big.tail = 1;
	EXPECT_EQ(E2BIG, open_errno(&big.o));
}

TEST_F(mb, send_unknown_flag_einval)
{
	struct shmbox_mbox_send s = sarg("x", 1, 0, 1U << 20);

	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_SEND, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, send_nonzero_pad_einval)
{
	struct shmbox_mbox_send s = sarg("x", 1, 0, 0);

	s.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_SEND, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, send_prio_too_high_einval)
{
	struct shmbox_mbox_send s = sarg("x", 1, SHMBOX_MSG_PRIO_MAX, 0);

	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_SEND, &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mstat(self->fd).depth);
}

TEST_F(mb, send_negative_pid_einval)
{
	struct shmbox_mbox_send s = sarg("x", 1, 0, 0);

	s.pid = -1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_SEND, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, send_size_below_ver0_einval)
{
	struct shmbox_mbox_send s = sarg("x", 1, 0, 0);

	s.size = 8;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_SEND, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, recv_unknown_flag_einval)
{
	char buf[8];
	struct shmbox_mbox_recv r = rarg(buf, 8, 1U << 20);

	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, recv_from_without_pid_einval)
{
	char buf[8];
	struct shmbox_mbox_recv r = rarg(buf, 8, SHMBOX_MSG_FROM);

	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, recv_pid_without_from_einval)
{
	char buf[8];
	struct shmbox_mbox_recv r = rarg(buf, 8, 0);

	r.pid = getpid();
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, recv_nonzero_prio_einval)
{
	char buf[8];
	struct shmbox_mbox_recv r = rarg(buf, 8, 0);

	r.prio = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, recv_nonzero_uid_einval)
{
	char buf[8];
	struct shmbox_mbox_recv r = rarg(buf, 8, 0);

	r.uid = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EINVAL, errno);
}

static int vec_errno(int fd, unsigned long cmd, unsigned int count,
		     unsigned int flags, struct shmbox_mbox_msg *m)
{
	struct shmbox_mbox_vec v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = flags | SHMBOX_MSG_NONBLOCK;
	v.msgs = (uintptr_t)m;
	v.count = count;
	return ioctl(fd, cmd, &v) < 0 ? errno : 0;
}

TEST_F(mb, vec_zero_count_einval)
{
	struct shmbox_mbox_msg m[1] = {};

	EXPECT_EQ(EINVAL, vec_errno(self->fd, SHMBOX_IOC_MBOX_SENDV, 0, 0, m));
}

TEST_F(mb, vec_count_too_big_einval)
{
	struct shmbox_mbox_msg m[1] = {};

	EXPECT_EQ(EINVAL, vec_errno(self->fd, SHMBOX_IOC_MBOX_RECVV,
				    SHMBOX_MBOX_VEC_MAX + 1, 0, m));
}

TEST_F(mb, recvv_peek_einval)
{
	struct shmbox_mbox_msg m[1] = {};

	EXPECT_EQ(EINVAL, vec_errno(self->fd, SHMBOX_IOC_MBOX_RECVV, 1,
				    SHMBOX_MSG_PEEK, m));
}

TEST_F(mb, sendv_entry_with_pid_einval)
{
	struct shmbox_mbox_msg m[1] = { { .buf = (uintptr_t)"x", .len = 1,
					  .pid = 1 } };

	EXPECT_EQ(EINVAL, vec_errno(self->fd, SHMBOX_IOC_MBOX_SENDV, 1, 0, m));
	EXPECT_EQ(0, mstat(self->fd).depth);
}

TEST_F(mb, sendv_entry_prio_too_high_einval)
{
	struct shmbox_mbox_msg m[1] = { { .buf = (uintptr_t)"x", .len = 1,
					  .prio = 99 } };

	EXPECT_EQ(EINVAL, vec_errno(self->fd, SHMBOX_IOC_MBOX_SENDV, 1, 0, m));
}

TEST_F(mb, vec_bad_array_pointer_efault)
{
	EXPECT_EQ(EFAULT, vec_errno(self->fd, SHMBOX_IOC_MBOX_SENDV, 1, 0,
				    (void *)16));
}

TEST_F(mb, stat_nonzero_flags_einval)
{
	struct shmbox_mbox_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_STAT, &st));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mb, stat_nonzero_output_field_einval)
{
	struct shmbox_mbox_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.received = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_MBOX_STAT, &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, st.received);
}

TEST_F(mb, unknown_mailbox_command_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO(SHMBOX_IOC_MAGIC, 0x3f)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
