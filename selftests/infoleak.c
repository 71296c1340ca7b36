// SPDX-License-Identifier: GPL-2.0
/*
 * No information leaks: every byte the kernel hands to user space is
 * either written on purpose or left exactly as the caller had it.
 *
 * Buffers the kernel writes into (receive buffers, vector entries, the
 * argument structures of failing calls) are pre-filled with a pattern
 * (0xA5) and checked byte by byte afterwards: the bytes the kernel must
 * write hold their exact values, every other byte still holds the
 * pattern.  Output structures whose output fields must be zero on input
 * (the stat and version ioctls) are checked to refuse the pattern without
 * writing anything, then field by field for exact values.  Fresh region
 * and ring memory must be all zero, even when it reuses pages another
 * region dirtied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"
#include "util.h"
#include "handle_util.h"

#define PAT		0xA5

static int dev_open(void)
{
	return open("/dev/shmbox", O_RDWR | O_CLOEXEC);
}

/* Bytes of @p (len) that are not the pattern. */
static size_t unpatterned(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += c[i] != PAT;
	return n;
}

static int mbox_create(int fd, const char *name, uint32_t cap)
{
	struct shmbox_mbox_open o = {
		.size = sizeof(o), .flags = SHMBOX_O_CREAT | SHMBOX_O_EXCL,
		.name = (uintptr_t)name, .capacity = cap, .mode = 0666,
	};

	shmbox_unlink(name, 0);
	return ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o);
}

static int send_msg(int fd, const void *buf, uint32_t len, uint32_t prio)
{
	struct shmbox_mbox_send s = {
		.size = sizeof(s), .flags = SHMBOX_MSG_NONBLOCK,
		.buf = (uintptr_t)buf, .len = len, .prio = prio,
	};

	return ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s);
}

/* Send from a child that has become uid NOBODY: a non-zero uid to report. */
static pid_t send_as_nobody(int fd, const void *buf, uint32_t len, uint32_t prio)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (become_nobody())
			_exit(2);
		_exit(send_msg(fd, buf, len, prio) ? 3 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		return -1;
	return pid;
}

/*
 * Stat and version with the pattern in their output fields: either refused
 * (EINVAL) with nothing written, or accepted with every output byte
 * written: the result equals that of a call with zeroed output fields.
 */
TEST(output_structs_pattern_refused_or_overwritten)
{
	unsigned char zero[256];
	struct shmbox_region_open ro = {
		.size = sizeof(ro), .flags = SHMBOX_O_CREAT, .bytes = 4096,
		.mode = 0600,
	};
	unsigned char buf[256], copy[256];
	int rfd = dev_open(), mfd = dev_open(), vfd = dev_open();
	struct {
		int fd;
		unsigned long cmd;
		uint32_t size;
	} calls[] = {
		{ rfd, SHMBOX_IOC_REGION_STAT, sizeof(struct shmbox_region_stat) },
		{ mfd, SHMBOX_IOC_MBOX_STAT, sizeof(struct shmbox_mbox_stat) },
		{ vfd, SHMBOX_IOC_GET_VERSION, sizeof(struct shmbox_version) },
	};
	unsigned int i;

	ASSERT_LE(0, rfd);
	ASSERT_LE(0, mfd);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, ioctl(rfd, SHMBOX_IOC_REGION_OPEN, &ro));
	ASSERT_EQ(0, mbox_create(mfd, "infoleak-refuse", 4));
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		memset(buf, PAT, sizeof(buf));
		memcpy(buf, &calls[i].size, 4);
		/* flags must be 0; the output fields hold the pattern. */
		memset(buf + 4, 0, 4);
		memcpy(copy, buf, sizeof(buf));
		memset(zero, 0, sizeof(zero));
		memcpy(zero, &calls[i].size, 4);
		ASSERT_EQ(0, ioctl(calls[i].fd, calls[i].cmd, zero));
		errno = 0;
		if (ioctl(calls[i].fd, calls[i].cmd, buf)) {
			EXPECT_EQ(EINVAL, errno);
			EXPECT_EQ(0, memcmp(buf, copy, sizeof(buf)))
				TH_LOG("call %u failed but wrote", i);
		} else {
			EXPECT_EQ(0, memcmp(buf, zero, calls[i].size))
				TH_LOG("call %u left stale bytes", i);
			EXPECT_EQ(0, unpatterned(buf + calls[i].size,
						 sizeof(buf) - calls[i].size))
				TH_LOG("call %u wrote past its size", i);
		}
	}
	shmbox_unlink("infoleak-refuse", 0);
	close(rfd);
	close(mfd);
	close(vfd);
}

TEST(version_every_field)
{
	struct shmbox_version v;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(0, v.flags);
	EXPECT_EQ(SHMBOX_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(SHMBOX_ABI_MINOR, v.abi_minor);
	EXPECT_EQ(SHMBOX_NAME_MAX, v.name_max);
	EXPECT_EQ(0, v.pad);
	EXPECT_NE(0, v.features);
	close(fd);
}

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST(region_stat_every_field)
{
	struct shmbox_region_open ro = {
		.size = sizeof(ro), .flags = SHMBOX_O_CREAT | SHMBOX_O_EXCL,
		.name = (uintptr_t)"infoleak-rstat", .bytes = 3 * 4096,
		.mode = 0640,
	};
	struct shmbox_region_stat st;
	uint64_t t0 = now_realtime_ns();
	void *p;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	shmbox_unlink("infoleak-rstat", 0);
	umask(022);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_REGION_OPEN, &ro));
	p = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_REGION_STAT, &st));
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(SHMBOX_KIND_REGION, st.obj.kind);
	EXPECT_EQ(0, st.obj.oflags);
	EXPECT_EQ(geteuid(), st.obj.uid);
	EXPECT_EQ(getegid(), st.obj.gid);
	EXPECT_EQ(geteuid(), st.obj.cuid);
	EXPECT_EQ(getegid(), st.obj.cgid);
	EXPECT_EQ(0640, st.obj.mode);
	EXPECT_EQ(getpid(), st.obj.cpid);
	EXPECT_LE(t0, st.obj.ctime_ns);
	EXPECT_GE(now_realtime_ns(), st.obj.ctime_ns);
	EXPECT_EQ(1, st.obj.users);
	EXPECT_EQ(1, st.obj.linked);
	EXPECT_EQ(3 * 4096, st.bytes);
	EXPECT_EQ(3 * 4096, st.map_bytes);
	EXPECT_EQ(1, st.nattch);
	EXPECT_EQ(getpid(), st.lpid);
	EXPECT_NE(0, st.atime_ns);
	EXPECT_EQ(0, st.dtime_ns);
	EXPECT_EQ(0, st.producers);
	EXPECT_EQ(0, st.consumers);
	munmap(p, 3 * 4096);
	shmbox_unlink("infoleak-rstat", 0);
	close(fd);
}

TEST(mbox_stat_every_field)
{
	struct shmbox_mbox_stat st;
	char m[100] = "x";
	int fd = dev_open();

	ASSERT_LE(0, fd);
	umask(022);
	ASSERT_EQ(0, mbox_create(fd, "infoleak-mstat", 7));
	ASSERT_EQ(0, send_msg(fd, m, sizeof(m), 3));
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_MBOX_STAT, &st));
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(SHMBOX_KIND_MAILBOX, st.obj.kind);
	EXPECT_EQ(0, st.obj.oflags);
	EXPECT_EQ(geteuid(), st.obj.uid);
	EXPECT_EQ(getegid(), st.obj.cgid);
	EXPECT_EQ(0644, st.obj.mode);
	EXPECT_EQ(getpid(), st.obj.cpid);
	EXPECT_NE(0, st.obj.ctime_ns);
	EXPECT_EQ(1, st.obj.users);
	EXPECT_EQ(1, st.obj.linked);
	EXPECT_EQ(7, st.capacity);
	EXPECT_NE(0, st.max_msg_size);
	EXPECT_EQ(1, st.depth);
	EXPECT_EQ(0, st.inbox_pid);
	EXPECT_EQ(sizeof(m), st.bytes);
	EXPECT_EQ(SHMBOX_MSG_COST(sizeof(m)), st.charged);
	EXPECT_NE(0, st.max_bytes);
	EXPECT_EQ(1, st.sent);
	EXPECT_EQ(0, st.received);
	EXPECT_EQ(0, st.blocked_senders);
	EXPECT_EQ(0, st.blocked_receivers);
	EXPECT_EQ(0, st.inbox_id);
	EXPECT_EQ(0, st.calls_waiting);
	EXPECT_EQ(0, st.calls_serving);
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(0, st.pad);
	shmbox_unlink("infoleak-mstat", 0);
	close(fd);
}

/* The open result fields are written even when they were left 0. */
TEST(mbox_open_reports_what_it_made)
{
	struct shmbox_mbox_open o = {
		.size = sizeof(o), .flags = SHMBOX_O_CREAT,
		.name = (uintptr_t)"infoleak-open", .capacity = 9, .mode = 0600,
	};
	int fd = dev_open(), fd2 = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	shmbox_unlink("infoleak-open", 0);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o));
	EXPECT_EQ(9, o.capacity);
	EXPECT_NE(0, o.max_msg_size);
	/* Opening the existing one: the real capacity comes back. */
	o.capacity = 0;
	o.max_msg_size = 0;
	ASSERT_EQ(0, ioctl(fd2, SHMBOX_IOC_MBOX_OPEN, &o));
	EXPECT_EQ(9, o.capacity);
	EXPECT_NE(0, o.max_msg_size);
	shmbox_unlink("infoleak-open", 0);
	close(fd);
	close(fd2);
}

/* A receive writes exactly the message into the buffer, nothing past it. */
TEST(recv_writes_exactly_the_payload)
{
	static const uint32_t lens[] = { 0, 1, 7, 191, 192, 193, 1000, 4095 };
	unsigned char msg[4096], buf[4096 + 64];
	struct shmbox_mbox_recv r;
	unsigned int i;
	pid_t sender;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mbox_create(fd, "infoleak-recv", SHMBOX_MBOX_UNBOUNDED));
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 7 + 1) == PAT ? 0 : (unsigned char)(i * 7 + 1);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		sender = send_as_nobody(fd, msg, lens[i], i + 1);
		ASSERT_LT(0, sender);
		memset(buf, PAT, sizeof(buf));
		memset(&r, 0, sizeof(r));
		r.size = sizeof(r);
		r.flags = SHMBOX_MSG_NONBLOCK;
		r.buf = (uintptr_t)buf;
		r.len = sizeof(buf);
		ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r));
		EXPECT_EQ(lens[i], r.len);
		EXPECT_EQ(i + 1, r.prio);
		EXPECT_EQ(sender, r.pid);
		EXPECT_EQ(NOBODY, r.uid);
		EXPECT_EQ(0, r.id);	/* the sender has no inbox */
		EXPECT_EQ(0, memcmp(buf, msg, lens[i]));
		EXPECT_EQ(0, unpatterned(buf + lens[i], sizeof(buf) - lens[i]))
			TH_LOG("len %u: bytes past the message were written", lens[i]);
		EXPECT_EQ(sizeof(r), r.size);
		EXPECT_EQ(SHMBOX_MSG_NONBLOCK, r.flags);
		EXPECT_EQ((uintptr_t)buf, r.buf);
	}
	shmbox_unlink("infoleak-recv", 0);
	close(fd);
}

/* EMSGSIZE and EAGAIN: the buffer is untouched, only @len is reported. */
TEST(failed_recv_writes_nothing_but_len)
{
	unsigned char msg[300], buf[512];
	struct shmbox_mbox_recv r;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mbox_create(fd, "infoleak-small", 4));
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.flags = SHMBOX_MSG_NONBLOCK;
	r.buf = (uintptr_t)buf;
	r.len = sizeof(buf);
	memset(buf, PAT, sizeof(buf));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(sizeof(buf), r.len);
	EXPECT_EQ(0, r.prio);
	EXPECT_EQ(0, r.pid);
	EXPECT_EQ(0, r.uid);
	EXPECT_EQ(0, unpatterned(buf, sizeof(buf)));

	memset(msg, 'm', sizeof(msg));
	ASSERT_EQ(0, send_msg(fd, msg, sizeof(msg), 5));
	r.len = 100;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(sizeof(msg), r.len);
	EXPECT_EQ(0, r.prio);
	EXPECT_EQ(0, r.pid);
	EXPECT_EQ(0, r.uid);
	EXPECT_EQ(0, unpatterned(buf, sizeof(buf)));
	shmbox_unlink("infoleak-small", 0);
	close(fd);
}

/* Vector receive: each filled entry exact, the others untouched. */
TEST(recvv_writes_only_received_entries)
{
	unsigned char msg[64], bufs[4][256];
	struct shmbox_mbox_msg m[4], copy[4];
	struct shmbox_mbox_vec v;
	pid_t sender;
	int fd = dev_open(), i, n;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mbox_create(fd, "infoleak-recvv", SHMBOX_MBOX_UNBOUNDED));
	memset(msg, 'v', sizeof(msg));
	sender = send_as_nobody(fd, msg, 10, 2);
	ASSERT_LT(0, sender);
	ASSERT_LT(0, send_as_nobody(fd, msg, 20, 1));
	memset(bufs, PAT, sizeof(bufs));
	memset(m, 0, sizeof(m));
	for (i = 0; i < 4; i++) {
		m[i].buf = (uintptr_t)bufs[i];
		m[i].len = sizeof(bufs[i]);
	}
	memcpy(copy, m, sizeof(m));
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = SHMBOX_MSG_NONBLOCK;
	v.msgs = (uintptr_t)m;
	v.count = 4;
	n = ioctl(fd, SHMBOX_IOC_MBOX_RECVV, &v);
	ASSERT_EQ(2, n);
	EXPECT_EQ(10, m[0].len);
	EXPECT_EQ(2, m[0].prio);
	EXPECT_EQ(sender, m[0].pid);
	EXPECT_EQ(NOBODY, m[0].uid);
	EXPECT_EQ(20, m[1].len);
	EXPECT_EQ(1, m[1].prio);
	EXPECT_LT(0, m[1].pid);
	EXPECT_EQ(NOBODY, m[1].uid);
	EXPECT_EQ(0, unpatterned(bufs[0] + 10, sizeof(bufs[0]) - 10));
	EXPECT_EQ(0, unpatterned(bufs[1] + 20, sizeof(bufs[1]) - 20));
	EXPECT_EQ(0, memcmp(&m[2], &copy[2], 2 * sizeof(m[0])));
	EXPECT_EQ(0, unpatterned(bufs[2], 2 * sizeof(bufs[0])));
	shmbox_unlink("infoleak-recvv", 0);
	close(fd);
}

/*
 * Handles: a receive writes exactly the entries of the message's handles
 * (fd, flags, bytes), a peek the same with fd -1; the entries past them,
 * and every entry of a receive refused for too small an array, keep the
 * pattern.
 */
TEST(recv_handles_writes_only_reported_entries)
{
	struct shmbox_handle in[2], out[4], copy[4];
	struct shmbox_mbox_recv r;
	unsigned char buf[16];
	int fd = dev_open(), r1, r2, i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mbox_create(fd, "infoleak-handles", SHMBOX_MBOX_UNBOUNDED));
	r1 = region_fd(NULL, SHMBOX_O_CREAT, 4096, O_RDWR);
	r2 = region_fd(NULL, SHMBOX_O_CREAT, 2 * 4096, O_RDWR);
	ASSERT_LE(0, r1);
	ASSERT_LE(0, r2);
	in[0] = hent(r1, 0);
	in[1] = hent(r2, 0);
	ASSERT_EQ(0, hsend(fd, "hh", 2, SHMBOX_MSG_NONBLOCK, in, 2));

	/* Too small: refused, nothing written into the array. */
	memset(out, PAT, sizeof(out));
	memcpy(copy, out, sizeof(out));
	EXPECT_EQ(-EMSGSIZE, hrecv(fd, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
				   out, 1, &r));
	EXPECT_EQ(2, r.nr_handles);
	EXPECT_EQ(0, memcmp(out, copy, sizeof(out)));

	for (i = 0; i < 2; i++) {
		int peek = i == 0;

		memset(out, PAT, sizeof(out));
		memset(buf, PAT, sizeof(buf));
		ASSERT_EQ(2, hrecv(fd, buf, sizeof(buf),
				   SHMBOX_MSG_NONBLOCK |
				   (peek ? SHMBOX_MSG_PEEK : 0), out, 4, &r));
		EXPECT_EQ(2, r.nr_handles);
		EXPECT_EQ(0, r.pad2);
		EXPECT_EQ(0, r.rflags);
		EXPECT_EQ(0, unpatterned(buf + 2, sizeof(buf) - 2));
		EXPECT_EQ(0, unpatterned(&out[2], 2 * sizeof(out[0])))
			TH_LOG("%s wrote past the handles", peek ? "peek" : "receive");
		EXPECT_EQ(4096, out[0].bytes);
		EXPECT_EQ(2 * 4096, out[1].bytes);
		EXPECT_EQ(SHMBOX_HANDLE_READ | SHMBOX_HANDLE_WRITE, out[0].flags);
		EXPECT_EQ(SHMBOX_HANDLE_READ | SHMBOX_HANDLE_WRITE, out[1].flags);
		if (peek) {
			EXPECT_EQ(-1, out[0].fd);
			EXPECT_EQ(-1, out[1].fd);
		} else {
			EXPECT_LE(0, out[0].fd);
			EXPECT_LE(0, out[1].fd);
			close_handles(out, 2);
		}
	}
	shmbox_unlink("infoleak-handles", 0);
	close(r1);
	close(r2);
	close(fd);
}

/* Fresh region memory is zero even where another region dirtied pages. */
TEST(new_region_memory_is_zero)
{
	const size_t len = 256 * 4096;
	struct shmbox_region_open ro = {
		.size = sizeof(ro), .flags = SHMBOX_O_CREAT, .bytes = len,
		.mode = 0600,
	};
	unsigned char *p;
	size_t i, dirty;
	int round, fd;

	for (round = 0; round < 3; round++) {
		fd = dev_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_REGION_OPEN, &ro));
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		for (dirty = 0, i = 0; i < len; i++)
			dirty += p[i] != 0;
		EXPECT_EQ(0, dirty) TH_LOG("round %d", round);
		memset(p, PAT, len);
		munmap(p, len);
		close(fd);
	}
}

/* A new ring: header fields set, every other byte zero, data area zero. */
TEST(new_ring_is_zero_but_header)
{
	struct shmbox_region_open ro = {
		.size = sizeof(ro),
		.flags = SHMBOX_O_CREAT | SHMBOX_REGION_RING | SHMBOX_RING_PRODUCER,
		.bytes = 4 * 4096, .mode = 0600,
	};
	size_t map = SHMBOX_RING_MAP_SIZE(4 * 4096), i, dirty = 0;
	struct shmbox_ring_ctl *ctl, expect;
	unsigned char *p;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_REGION_OPEN, &ro));
	ctl = mmap(NULL, map, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, ctl);
	memset(&expect, 0, sizeof(expect));
	expect.magic = SHMBOX_RING_MAGIC;
	expect.version = SHMBOX_RING_VERSION;
	expect.data_size = 4 * 4096;
	EXPECT_EQ(0, memcmp(ctl, &expect, sizeof(expect)));
	p = (unsigned char *)ctl;
	for (i = sizeof(expect); i < map; i++)
		dirty += p[i] != 0;
	EXPECT_EQ(0, dirty);
	munmap(ctl, map);
	close(fd);
}

TEST_HARNESS_MAIN
