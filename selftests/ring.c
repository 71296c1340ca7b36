// SPDX-License-Identifier: GPL-2.0
/*
 * ring: the bounded-buffer ring -- layout and double mapping, the whole
 * data area usable, 100 MB streams between two processes with sequence
 * numbers and checksums (producer blocking, then consumer blocking),
 * zero-copy paths, timeouts, signals, poll/epoll, a dead peer waking the
 * other side, a hostile shared header, and one subtest per invalid input.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"

#define PG 4096UL
#define MS 1000000ULL

static void ring_name(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "ring-%s-%d", what, getpid());
}

static struct shmbox_ring *ring_or_die(struct __test_metadata *_metadata,
				       const char *name, unsigned int flags,
				       uint64_t size)
{
	struct shmbox_ring *r = NULL;
	int err = shmbox_ring_open(name, flags, size, 0600, &r);

	EXPECT_EQ(0, err) TH_LOG("ring_open %s: %s", name, strerror(-err));
	return r;
}

static int wait_ioctl(int fd, uint32_t flags, uint64_t seen, uint64_t deadline)
{
	struct shmbox_ring_wait w = {
		.size = sizeof(w), .flags = flags, .seen = seen,
		.deadline_ns = deadline,
	};

	return ioctl(fd, SHMBOX_IOC_RING_WAIT, &w) ? -errno : 0;
}

/* ---- layout ------------------------------------------------------------ */

TEST(layout_control_page_and_double_mapping)
{
	struct shmbox_region_stat st;
	struct shmbox_ring_ctl *ctl;
	volatile unsigned char *data;	/* aliases: the compiler must not cache */
	int fd;

	fd = shmbox_region_open(NULL, SHMBOX_REGION_RING, 4 * PG, 0600, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_region_stat(fd, &st));
	EXPECT_EQ(SHMBOX_REGION_RING, st.obj.oflags & SHMBOX_REGION_RING);
	EXPECT_EQ(4 * PG, st.bytes);
	EXPECT_EQ(SHMBOX_RING_MAP_SIZE(4 * PG), st.map_bytes);
	ctl = mmap(NULL, st.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, ctl);
	EXPECT_EQ(SHMBOX_RING_MAGIC, ctl->magic);
	EXPECT_EQ(SHMBOX_RING_VERSION, ctl->version);
	EXPECT_EQ(4 * PG, ctl->data_size);
	EXPECT_EQ(0, ctl->prod_pos);
	EXPECT_EQ(0, ctl->cons_pos);
	/* The two positions and the two flags on four cache lines. */
	EXPECT_LE(128, (char *)&ctl->cons_pos - (char *)&ctl->prod_pos);
	EXPECT_LE(128, (char *)&ctl->prod_waiting - (char *)&ctl->cons_pos);
	EXPECT_LE(128, (char *)&ctl->cons_waiting - (char *)&ctl->prod_waiting);
	EXPECT_GE(SHMBOX_RING_CTL_SIZE, sizeof(*ctl));
	data = (volatile unsigned char *)ctl + SHMBOX_RING_CTL_SIZE;
	data[4 * PG - 1] = 0xaa;
	data[0] = 0x55;
	EXPECT_EQ(0x55, data[4 * PG]);
	EXPECT_EQ(0xaa, data[8 * PG - 1]);
	munmap(ctl, st.map_bytes);
	close(fd);
}

TEST(whole_data_area_is_usable)
{
	struct shmbox_ring *p, *c;
	char name[64], buf[56];
	int i, n = 0;

	ring_name(name, sizeof(name), "full");
	p = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_PRODUCER, PG);
	c = ring_or_die(_metadata, name, SHMBOX_RING_CONSUMER, 0);
	ASSERT_TRUE(p && c);
	memset(buf, 7, sizeof(buf));
	/* 56-byte records take 64 bytes: exactly 64 fit in 4096, no slot lost. */
	for (i = 0; i < 100; i++) {
		if (shmbox_ring_write(p, buf, sizeof(buf), SHMBOX_NOWAIT))
			break;
		n++;
	}
	EXPECT_EQ(PG / 64, n);
	EXPECT_EQ(-EAGAIN, shmbox_ring_write(p, buf, 1, SHMBOX_NOWAIT));
	EXPECT_EQ(56, shmbox_ring_read(c, buf, sizeof(buf), SHMBOX_NOWAIT));
	EXPECT_EQ(0, shmbox_ring_write(p, buf, 56, SHMBOX_NOWAIT));
	/* The largest record fills the whole ring. */
	for (i = 0; i < n; i++)
		EXPECT_EQ(56, shmbox_ring_read(c, buf, sizeof(buf), SHMBOX_NOWAIT));
	EXPECT_EQ(PG - 8, shmbox_ring_max_record(p));
	EXPECT_EQ(-EMSGSIZE, shmbox_ring_write(p, buf, PG - 7, SHMBOX_NOWAIT));
	shmbox_ring_close(p);
	shmbox_ring_close(c);
}

TEST(wrapping_record_is_contiguous)
{
	struct shmbox_ring *p, *c;
	char name[64], in[3000], out[3000];
	int i;

	ring_name(name, sizeof(name), "wrap");
	p = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_PRODUCER, PG);
	c = ring_or_die(_metadata, name, SHMBOX_RING_CONSUMER, 0);
	ASSERT_TRUE(p && c);
	for (i = 0; i < 5; i++) {
		memset(in, 'a' + i, sizeof(in));
		ASSERT_EQ(0, shmbox_ring_write(p, in, sizeof(in), SHMBOX_NOWAIT));
		ASSERT_EQ(sizeof(out), shmbox_ring_read(c, out, sizeof(out),
							 SHMBOX_NOWAIT));
		EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	}
	shmbox_ring_close(p);
	shmbox_ring_close(c);
}

TEST(zero_copy_reserve_commit_peek_release)
{
	struct shmbox_ring *p, *c;
	const void *data;
	uint32_t len, tag;
	char name[64];
	void *dst;

	ring_name(name, sizeof(name), "zc");
	p = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_PRODUCER, PG);
	c = ring_or_die(_metadata, name, SHMBOX_RING_CONSUMER, 0);
	ASSERT_TRUE(p && c);
	ASSERT_EQ(0, shmbox_ring_reserve(p, 5, &dst, SHMBOX_NOWAIT));
	memcpy(dst, "zerocopy", 5);
	EXPECT_EQ(-EAGAIN, shmbox_ring_peek(c, &data, &len, &tag, SHMBOX_NOWAIT));
	ASSERT_EQ(0, shmbox_ring_commit(p, 77));
	ASSERT_EQ(0, shmbox_ring_peek(c, &data, &len, &tag, SHMBOX_NOWAIT));
	EXPECT_EQ(5, len);
	EXPECT_EQ(77, tag);
	EXPECT_EQ(0, memcmp(data, "zeroc", 5));
	ASSERT_EQ(0, shmbox_ring_release(c));
	EXPECT_EQ(-EAGAIN, shmbox_ring_peek(c, &data, &len, &tag, SHMBOX_NOWAIT));
	shmbox_ring_close(p);
	shmbox_ring_close(c);
}

TEST(small_buffer_emsgsize_keeps_record)
{
	struct shmbox_ring *p, *c;
	char name[64], buf[16];

	ring_name(name, sizeof(name), "small");
	p = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_PRODUCER, PG);
	c = ring_or_die(_metadata, name, SHMBOX_RING_CONSUMER, 0);
	ASSERT_TRUE(p && c);
	ASSERT_EQ(0, shmbox_ring_write(p, "0123456789abcdef", 16, SHMBOX_NOWAIT));
	EXPECT_EQ(-EMSGSIZE, shmbox_ring_read(c, buf, 8, SHMBOX_NOWAIT));
	EXPECT_EQ(16, shmbox_ring_read(c, buf, 16, SHMBOX_NOWAIT));
	EXPECT_EQ(0, memcmp(buf, "0123456789abcdef", 16));
	shmbox_ring_close(p);
	shmbox_ring_close(c);
}

/* ---- streaming between processes -------------------------------------- */

#define STREAM_BYTES (100ULL << 20)

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* Record i: 8-byte sequence, then (len - 8) bytes derived from it. */
static uint32_t rec_len(uint64_t seq)
{
	return 8 + (uint32_t)(mix(seq) % 2000);
}

static void rec_fill(unsigned char *p, uint64_t seq, uint32_t len)
{
	uint32_t i;

	memcpy(p, &seq, 8);
	for (i = 8; i < len; i++)
		p[i] = (unsigned char)(seq * 31 + i);
}

static int stream_produce(const char *name, int slow)
{
	struct shmbox_ring *r;
	uint64_t seq = 0, bytes = 0;
	int err;

	err = shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0, &r);
	if (err)
		return 10;
	while (bytes < STREAM_BYTES) {
		uint32_t len = rec_len(seq);
		void *dst;

		err = shmbox_ring_reserve(r, len, &dst, SHMBOX_TIMEOUT_NONE);
		if (err)
			return 11;
		rec_fill(dst, seq, len);
		shmbox_ring_commit(r, (uint32_t)seq);
		bytes += len;
		seq++;
		if (slow && seq % 2000 == 0)
			usleep(1000);
	}
	/* Closing makes the consumer's final wait return EPIPE. */
	shmbox_ring_close(r);
	return 0;
}

static void stream(struct __test_metadata *_metadata, int slow_producer)
{
	unsigned char buf[2048], want[2048];
	struct shmbox_ring *c;
	uint64_t seq = 0, bytes = 0, sum_in = 0;
	char name[64];
	pid_t pid;
	int status, n;

	ring_name(name, sizeof(name), slow_producer ? "slowp" : "slowc");
	c = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_CONSUMER, 16 * PG);
	ASSERT_NE(NULL, c);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(stream_produce(name, slow_producer));

	for (;;) {
		n = shmbox_ring_read(c, buf, sizeof(buf), SHMBOX_TIMEOUT_NONE);
		if (n == -EPIPE)
			break;
		ASSERT_LT(0, n) TH_LOG("read: %s", strerror(-n));
		ASSERT_EQ(rec_len(seq), (uint32_t)n) TH_LOG("record %llu",
							(unsigned long long)seq);
		rec_fill(want, seq, n);
		ASSERT_EQ(0, memcmp(buf, want, n)) TH_LOG("record %llu corrupt",
							(unsigned long long)seq);
		sum_in += mix(seq) ^ n;
		bytes += n;
		seq++;
		if (!slow_producer && seq % 2000 == 0)
			usleep(1000);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_LE(STREAM_BYTES, bytes);
	EXPECT_NE(0, sum_in);
	/* The consumer slept at times: the kernel was asked to wait. */
	if (slow_producer)
		EXPECT_LT(0, shmbox_ring_syscalls(c));
	TH_LOG("%llu records, %llu bytes, %llu consumer syscalls",
	       (unsigned long long)seq, (unsigned long long)bytes,
	       (unsigned long long)shmbox_ring_syscalls(c));
	shmbox_ring_close(c);
}

FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, stream_100mb_producer_blocks_on_full, 300)
{
	stream(_metadata, 0);
}

TEST_F_TIMEOUT(slow, stream_100mb_consumer_blocks_on_empty, 300)
{
	stream(_metadata, 1);
}

/* ---- waiting ----------------------------------------------------------- */

FIXTURE(pair) {
	char name[64];
	struct shmbox_ring *p, *c;
};

FIXTURE_SETUP(pair)
{
	ring_name(self->name, sizeof(self->name), "pair");
	self->p = ring_or_die(_metadata, self->name, SHMBOX_O_CREAT |
			      SHMBOX_O_AUTOREMOVE | SHMBOX_RING_PRODUCER, PG);
	self->c = ring_or_die(_metadata, self->name, SHMBOX_RING_CONSUMER, 0);
	ASSERT_TRUE(self->p && self->c);
}

FIXTURE_TEARDOWN(pair)
{
	shmbox_ring_close(self->p);
	shmbox_ring_close(self->c);
}

/* Fill the ring to the last byte (records are multiples of 8 bytes). */
static void fill(struct shmbox_ring *p)
{
	char buf[PG] = { 0 };

	while (!shmbox_ring_write(p, buf, 504, SHMBOX_NOWAIT))
		;
	while (!shmbox_ring_write(p, buf, 0, SHMBOX_NOWAIT))
		;
}

TEST_F(pair, consumer_timeout_on_empty_etimedout)
{
	char buf[8];

	EXPECT_EQ(-ETIMEDOUT, shmbox_ring_read(self->c, buf, sizeof(buf),
					       shmbox_deadline_in(50 * MS)));
}

TEST_F(pair, producer_timeout_on_full_etimedout)
{
	fill(self->p);
	EXPECT_EQ(-ETIMEDOUT, shmbox_ring_write(self->p, "x", 1,
						shmbox_deadline_in(50 * MS)));
}

TEST_F(pair, deadline_in_the_past_etimedout)
{
	EXPECT_EQ(-ETIMEDOUT, wait_ioctl(shmbox_ring_fd(self->c),
					 SHMBOX_RING_DATA, 0, 1));
}

TEST_F(pair, nonblock_flag_eagain)
{
	EXPECT_EQ(-EAGAIN, wait_ioctl(shmbox_ring_fd(self->c),
				      SHMBOX_RING_DATA | SHMBOX_RING_NONBLOCK, 0,
				      SHMBOX_TIMEOUT_NONE));
}

TEST_F(pair, o_nonblock_fd_eagain)
{
	int fd = shmbox_ring_fd(self->c);

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, wait_ioctl(fd, SHMBOX_RING_DATA, 0,
				      SHMBOX_TIMEOUT_NONE));
}

TEST_F(pair, wait_returns_at_once_when_position_moved)
{
	EXPECT_EQ(0, wait_ioctl(shmbox_ring_fd(self->c), SHMBOX_RING_DATA, 123,
				SHMBOX_TIMEOUT_NONE));
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(pair, signal_interrupts_wait_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 100000 } };
	char buf[8];

	sigaction(SIGALRM, &sa, NULL);		/* no SA_RESTART */
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_EQ(-EINTR, shmbox_ring_read(self->c, buf, sizeof(buf),
					   shmbox_deadline_in(5000 * MS)));
	signal(SIGALRM, SIG_DFL);
}

TEST_F(pair, signal_with_sa_restart_restarts_wait)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { 0, 100000 } };
	char buf[8];
	uint64_t t0 = shmbox_deadline_in(0);

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	/* The deadline is absolute: the restarted wait ends at the same time. */
	EXPECT_EQ(-ETIMEDOUT, shmbox_ring_read(self->c, buf, sizeof(buf),
					       t0 + 400 * MS));
	EXPECT_LE(t0 + 400 * MS, shmbox_deadline_in(0));
	signal(SIGALRM, SIG_DFL);
}

TEST_F(pair, blocked_consumer_woken_by_producer_process)
{
	char buf[16];
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(shmbox_ring_write(self->p, "wake up", 8,
					SHMBOX_TIMEOUT_NONE) ? 1 : 0);
	}
	EXPECT_EQ(8, shmbox_ring_read(self->c, buf, sizeof(buf),
				      SHMBOX_TIMEOUT_NONE));
	EXPECT_STREQ("wake up", buf);
	EXPECT_LT(0, shmbox_ring_syscalls(self->c));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(pair, poll_reports_in_and_out)
{
	struct pollfd pc = { .fd = shmbox_ring_fd(self->c), .events = POLLIN | POLLOUT };
	struct pollfd pp = { .fd = shmbox_ring_fd(self->p), .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&pc, 1, 0));
	EXPECT_EQ(POLLOUT, pc.revents);
	ASSERT_EQ(0, shmbox_ring_write(self->p, "x", 1, SHMBOX_NOWAIT));
	ASSERT_EQ(1, poll(&pc, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pc.revents);
	fill(self->p);
	ASSERT_EQ(1, poll(&pp, 1, 0));
	EXPECT_EQ(POLLIN, pp.revents);
}

TEST_F(pair, epoll_wakes_consumer_across_processes)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(0), status;
	pid_t pid;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, shmbox_ring_fd(self->c), &ev));
	ASSERT_EQ(0, shmbox_ring_prepare_poll(self->c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(shmbox_ring_write(self->p, "e", 1, SHMBOX_NOWAIT) ? 1 : 0);
	}
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 10000));
	EXPECT_TRUE(out.events & EPOLLIN);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(1, shmbox_ring_prepare_poll(self->c));
	close(ep);
}

/* ---- a dead peer -------------------------------------------------------- */

TEST(producer_exit_wakes_consumer_epipe)
{
	struct shmbox_ring *c;
	char name[64], buf[8];
	struct pollfd pfd;
	int status;
	pid_t pid;

	ring_name(name, sizeof(name), "pdead");
	c = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_CONSUMER, PG);
	ASSERT_NE(NULL, c);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmbox_ring *p;

		if (shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0, &p))
			_exit(1);
		shmbox_ring_write(p, "last", 4, SHMBOX_NOWAIT);
		usleep(100000);
		raise(SIGKILL);
	}
	/* Data written before the death is still delivered, then EPIPE. */
	EXPECT_EQ(4, shmbox_ring_read(c, buf, sizeof(buf), SHMBOX_TIMEOUT_NONE));
	EXPECT_EQ(-EPIPE, shmbox_ring_read(c, buf, sizeof(buf),
					   SHMBOX_TIMEOUT_NONE));
	pfd.fd = shmbox_ring_fd(c);
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	shmbox_ring_close(c);
}

TEST(consumer_exit_wakes_producer_epipe)
{
	struct shmbox_ring *p;
	char name[64];
	int status;
	pid_t pid;

	ring_name(name, sizeof(name), "cdead");
	p = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_PRODUCER, PG);
	ASSERT_NE(NULL, p);
	fill(p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmbox_ring *c;

		if (shmbox_ring_open(name, SHMBOX_RING_CONSUMER, 0, 0, &c))
			_exit(1);
		usleep(100000);
		_exit(0);
	}
	EXPECT_EQ(-EPIPE, shmbox_ring_write(p, "x", 1, SHMBOX_TIMEOUT_NONE));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	shmbox_ring_close(p);
}

/* ---- hostile shared header ----------------------------------------------- */

TEST_F_TIMEOUT(slow, hostile_header_cannot_hurt_the_kernel, 120)
{
	struct shmbox_ring *p, *c;
	struct shmbox_ring_ctl *ctl;
	struct pollfd pfd;
	char name[64], buf[64];
	const void *data;
	uint32_t len, tag;
	pid_t pid;
	int i, status;

	ring_name(name, sizeof(name), "hostile");
	p = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_PRODUCER, PG);
	c = ring_or_die(_metadata, name, SHMBOX_RING_CONSUMER, 0);
	ASSERT_TRUE(p && c);
	ctl = mmap(NULL, SHMBOX_RING_MAP_SIZE(PG), PROT_READ | PROT_WRITE,
		   MAP_SHARED, shmbox_ring_fd(p), 0);
	ASSERT_NE(MAP_FAILED, ctl);

	/* A scribbler rewrites the header and the records at random... */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t x = 88172645463325252ULL;
		uint64_t *words = (uint64_t *)ctl;

		for (;;) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			words[(x >> 8) % ((SHMBOX_RING_CTL_SIZE + PG) / 8)] = x;
			ctl->prod_pos = x * 3;
			ctl->cons_pos = x >> (x & 63);
			ctl->data_size = x;
		}
	}
	/* ...while both sides and the kernel keep working on it. */
	pfd.fd = shmbox_ring_fd(c);
	pfd.events = POLLIN | POLLOUT;
	for (i = 0; i < 20000; i++) {
		int r1 = shmbox_ring_read(c, buf, sizeof(buf), SHMBOX_NOWAIT);
		int r2 = shmbox_ring_write(p, buf, (uint32_t)(i % 64),
					   SHMBOX_NOWAIT);
		int r3 = shmbox_ring_peek(c, &data, &len, &tag, SHMBOX_NOWAIT);

		if (!r3)
			shmbox_ring_release(c);
		EXPECT_TRUE(r1 >= 0 || r1 == -EAGAIN || r1 == -EBADMSG ||
			    r1 == -EMSGSIZE) TH_LOG("read %d", r1);
		EXPECT_TRUE(r2 == 0 || r2 == -EAGAIN || r2 == -EBADMSG);
		wait_ioctl(pfd.fd, SHMBOX_RING_DATA, ctl->prod_pos, 1);
		wait_ioctl(pfd.fd, SHMBOX_RING_SPACE, ctl->cons_pos,
			   shmbox_deadline_in(1000));
		poll(&pfd, 1, 0);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	munmap(ctl, SHMBOX_RING_MAP_SIZE(PG));
	shmbox_ring_close(p);
	shmbox_ring_close(c);
}

/* ---- invalid input: one error path per subtest ---------------------------- */

TEST(ring_size_not_power_of_two_einval)
{
	EXPECT_EQ(-EINVAL, shmbox_region_open(NULL, SHMBOX_REGION_RING, 3 * PG,
					      0600, 1));
}

TEST(second_producer_ebusy)
{
	struct shmbox_ring *a, *b = NULL;
	char name[64];

	ring_name(name, sizeof(name), "twoprod");
	a = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_PRODUCER, PG);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(-EBUSY, shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0, &b));
	shmbox_ring_close(a);
	/* The role is free again once its holder is gone. */
	EXPECT_EQ(-ENOENT, shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0, &b));
}

TEST(second_consumer_ebusy)
{
	struct shmbox_ring *a, *b = NULL;
	char name[64];

	ring_name(name, sizeof(name), "twocons");
	a = ring_or_die(_metadata, name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			SHMBOX_RING_CONSUMER, PG);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(-EBUSY, shmbox_ring_open(name, SHMBOX_RING_CONSUMER, 0, 0, &b));
	shmbox_ring_close(a);
}

TEST(role_on_readonly_fd_eacces)
{
	char name[64];
	int fd, fd2;

	ring_name(name, sizeof(name), "rorole");
	fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
				SHMBOX_REGION_RING, PG, 0644, 1);
	ASSERT_LE(0, fd);
	fd2 = shmbox_region_open(name, SHMBOX_RING_CONSUMER, 0, 0, 0);
	EXPECT_EQ(-EACCES, fd2);
	close(fd);
}

FIXTURE(ringfd) {
	int fd;
};

FIXTURE_SETUP(ringfd)
{
	self->fd = shmbox_region_open(NULL, SHMBOX_REGION_RING, PG, 0600, 1);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ringfd)
{
	close(self->fd);
}

TEST_F(ringfd, mmap_partial_ring_einval)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, SHMBOX_RING_CTL_SIZE, PROT_READ,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ringfd, mmap_ring_at_offset_einval)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED,
				   self->fd, PG));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ringfd, wait_both_sides_einval)
{
	EXPECT_EQ(-EINVAL, wait_ioctl(self->fd, SHMBOX_RING_DATA |
				      SHMBOX_RING_SPACE, 0, 1));
}

TEST_F(ringfd, wait_no_side_einval)
{
	EXPECT_EQ(-EINVAL, wait_ioctl(self->fd, 0, 0, 1));
}

TEST_F(ringfd, wait_unknown_flag_einval)
{
	EXPECT_EQ(-EINVAL, wait_ioctl(self->fd, SHMBOX_RING_DATA | (1U << 20),
				      0, 1));
}

TEST_F(ringfd, wait_struct_too_small_einval)
{
	struct shmbox_ring_wait w = { .size = 8, .flags = SHMBOX_RING_DATA };

	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ringfd, wait_bad_pointer_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_RING_WAIT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ringfd, wake_bad_flags_einval)
{
	struct shmbox_ring_wake k = { .size = sizeof(k), .flags = 3 };

	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_RING_WAKE, &k));
	EXPECT_EQ(EINVAL, errno);
}

TEST(wait_on_plain_region_ebadfd)
{
	int fd = shmbox_region_open(NULL, 0, PG, 0600, 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, wait_ioctl(fd, SHMBOX_RING_DATA, 0, 1));
	close(fd);
}

TEST(wait_on_unbound_fd_ebadfd)
{
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, wait_ioctl(fd, SHMBOX_RING_DATA, 0, 1));
	close(fd);
}

TEST(wake_on_unbound_fd_ebadfd)
{
	struct shmbox_ring_wake k = { .size = sizeof(k), .flags = SHMBOX_RING_DATA };
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_RING_WAKE, &k));
	EXPECT_EQ(EBADFD, errno);
	close(fd);
}

TEST_HARNESS_MAIN
