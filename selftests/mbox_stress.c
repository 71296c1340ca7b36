// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_stress: 8 sender and 8 receiver processes move 100,000 messages
 * through one bounded mailbox (so that senders block for room and
 * receivers block for messages all the time).  Half of the processes use
 * the one-message ioctls, half the vector ones.  Checks: every message is
 * received exactly once, each receiver sees every sender's messages of a
 * priority in the order they were sent, the payload is intact, and the
 * mailbox's counters match at the end.
 *
 * filtered_receivers_long_queue: 1,000 receivers filtering on a sender
 * that stays silent, blocked on a mailbox holding 10,000 messages, while
 * messages are sent and received through it: each send is matched only
 * against the waiting receivers, never against the whole queue, so the
 * sends stay short under the mailbox's spinlock and the kernel log stays
 * clean (the runner fails on a soft lockup or an RCU stall).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

#define SENDERS		8
#define RECEIVERS	8
#define TOTAL		100000
#define PER_SENDER	(TOTAL / SENDERS)
#define PRIOS		3
#define BATCH		16
#define STOP		0xffffffffU

struct smsg {
	uint32_t sender;
	uint32_t seq;
	uint32_t prio;
	uint32_t check;
};

struct shared {
	uint8_t seen[SENDERS][PER_SENDER];
	int order_errors;
	int payload_errors;
	int recv_errors;
	int send_errors;
	int received;
};

static uint32_t check_of(const struct smsg *m)
{
	return (m->sender * 2654435761U) ^ (m->seq * 40503U) ^ m->prio;
}

static void fill(struct smsg *m, uint32_t sender, uint32_t seq)
{
	m->sender = sender;
	m->seq = seq;
	m->prio = (seq * 7 + sender) % PRIOS;
	m->check = check_of(m);
}

static int sender(int fd, uint32_t id, struct shared *sh)
{
	struct shmbox_mbox_msg v[BATCH];
	struct smsg m[BATCH];
	uint32_t seq = 0;
	int i, n, ret;

	memset(v, 0, sizeof(v));
	while (seq < PER_SENDER) {
		if (!(id & 1)) {
			fill(&m[0], id, seq);
			ret = shmbox_mbox_send(fd, &m[0], sizeof(m[0]),
					       m[0].prio, 0,
					       SHMBOX_TIMEOUT_NONE);
			if (ret)
				goto fail;
			seq++;
			continue;
		}
		n = PER_SENDER - seq < BATCH ? PER_SENDER - seq : BATCH;
		for (i = 0; i < n; i++) {
			fill(&m[i], id, seq + i);
			v[i].buf = (uintptr_t)&m[i];
			v[i].len = sizeof(m[i]);
			v[i].prio = m[i].prio;
		}
		ret = shmbox_mbox_sendv(fd, 0, v, n, 0, SHMBOX_TIMEOUT_NONE);
		if (ret <= 0)
			goto fail;
		/* Partial: the rest is sent again, in order. */
		seq += ret;
	}
	return 0;
fail:
	__atomic_fetch_add(&sh->send_errors, 1, __ATOMIC_SEQ_CST);
	return 1;
}

/* Account one message; returns 1 for a stop message. */
static int take(struct shared *sh, const struct smsg *m, uint32_t len,
		uint32_t prio, int64_t last[SENDERS][PRIOS])
{
	if (len == sizeof(uint32_t) && m->sender == STOP)
		return 1;
	if (len != sizeof(*m) || m->sender >= SENDERS ||
	    m->seq >= PER_SENDER || m->check != check_of(m) ||
	    m->prio != prio) {
		__atomic_fetch_add(&sh->payload_errors, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	if ((int64_t)m->seq <= last[m->sender][prio])
		__atomic_fetch_add(&sh->order_errors, 1, __ATOMIC_SEQ_CST);
	last[m->sender][prio] = m->seq;
	__atomic_fetch_add(&sh->seen[m->sender][m->seq], 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&sh->received, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int receiver(int fd, uint32_t id, struct shared *sh)
{
	int64_t last[SENDERS][PRIOS];
	struct shmbox_mbox_msg v[BATCH];
	struct shmbox_msg_info info;
	struct smsg m[BATCH];
	uint32_t stop = STOP;
	int i, n, stops;

	memset(last, 0xff, sizeof(last));	/* -1 */
	for (;;) {
		if (!(id & 1)) {
			n = shmbox_mbox_recv(fd, &m[0], sizeof(m[0]), 0,
					     SHMBOX_TIMEOUT_NONE, &info);
			if (n < 0)
				goto fail;
			if (take(sh, &m[0], n, info.prio, last))
				return 0;
			continue;
		}
		memset(v, 0, sizeof(v));
		for (i = 0; i < BATCH; i++) {
			v[i].buf = (uintptr_t)&m[i];
			v[i].len = sizeof(m[i]);
		}
		n = shmbox_mbox_recvv(fd, 0, v, BATCH, 0, SHMBOX_TIMEOUT_NONE);
		if (n <= 0)
			goto fail;
		stops = 0;
		for (i = 0; i < n; i++)
			stops += take(sh, &m[i], v[i].len, v[i].prio, last);
		if (stops) {
			/* One stop per receiver: pass the extra ones on. */
			for (i = 1; i < stops; i++)
				if (shmbox_mbox_send(fd, &stop, sizeof(stop), 0,
						     0, SHMBOX_TIMEOUT_NONE))
					goto fail;
			return 0;
		}
	}
fail:
	__atomic_fetch_add(&sh->recv_errors, 1, __ATOMIC_SEQ_CST);
	return 1;
}

FIXTURE(stress) {
	struct shared *sh;
	int fd;
};

FIXTURE_SETUP(stress)
{
	struct shmbox_mbox_attr a = { .capacity = 64, .mode = 0600 };

	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	self->fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(stress)
{
	close(self->fd);
	munmap(self->sh, sizeof(*self->sh));
}

TEST_F_TIMEOUT(stress, many_senders_many_receivers_exactly_once, 600)
{
	pid_t snd[SENDERS], rcv[RECEIVERS];
	struct shmbox_mbox_stat st;
	uint32_t stop = STOP;
	int i, j, status, missing = 0, dup = 0;

	for (i = 0; i < RECEIVERS; i++) {
		rcv[i] = fork();
		ASSERT_LE(0, rcv[i]);
		if (rcv[i] == 0)
			_exit(receiver(self->fd, i, self->sh));
	}
	for (i = 0; i < SENDERS; i++) {
		snd[i] = fork();
		ASSERT_LE(0, snd[i]);
		if (snd[i] == 0)
			_exit(sender(self->fd, i, self->sh));
	}
	for (i = 0; i < SENDERS; i++) {
		ASSERT_EQ(snd[i], waitpid(snd[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* Every data message is queued before these: FIFO at priority 0. */
	for (i = 0; i < RECEIVERS; i++)
		ASSERT_EQ(0, shmbox_mbox_send(self->fd, &stop, sizeof(stop), 0,
					      0, SHMBOX_TIMEOUT_NONE));
	for (i = 0; i < RECEIVERS; i++) {
		ASSERT_EQ(rcv[i], waitpid(rcv[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	EXPECT_EQ(0, self->sh->send_errors);
	EXPECT_EQ(0, self->sh->recv_errors);
	EXPECT_EQ(0, self->sh->payload_errors);
	EXPECT_EQ(0, self->sh->order_errors);
	EXPECT_EQ(TOTAL, self->sh->received);
	for (i = 0; i < SENDERS; i++) {
		for (j = 0; j < PER_SENDER; j++) {
			missing += self->sh->seen[i][j] == 0;
			dup += self->sh->seen[i][j] > 1;
		}
	}
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);

	ASSERT_EQ(0, shmbox_mbox_stat(self->fd, &st));
	EXPECT_EQ(0, st.depth);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(0, st.charged);
	EXPECT_EQ(st.sent, st.received);
	EXPECT_LE(TOTAL + RECEIVERS, st.received);
	EXPECT_EQ(0, st.blocked_senders);
	EXPECT_EQ(0, st.blocked_receivers);
}

/* Rendezvous under load: every send waits for its receiver. */
TEST_F_TIMEOUT(stress, rendezvous_exactly_once, 300)
{
	struct shmbox_mbox_attr a = { .capacity = 0, .mode = 0600 };
	int fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);
	const int per = 500, nproc = 4;
	pid_t pid[8];
	int i, status, total = 0;

	ASSERT_LE(0, fd);
	for (i = 0; i < nproc; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			int k;

			for (k = 0; k < per; k++)
				if (shmbox_mbox_send(fd, &k, sizeof(k), 0,
						     k & 1 ? SHMBOX_MSG_SYNC : 0,
						     SHMBOX_TIMEOUT_NONE))
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < nproc; i++) {
		pid[nproc + i] = fork();
		ASSERT_LE(0, pid[nproc + i]);
		if (pid[nproc + i] == 0) {
			int k, v;

			for (k = 0; k < per; k++)
				if (shmbox_mbox_recv(fd, &v, sizeof(v), 0,
						     SHMBOX_TIMEOUT_NONE,
						     NULL) != sizeof(v))
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < 2 * nproc; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		total += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	EXPECT_EQ(2 * nproc, total);
	check_mbox_state(fd, .sent = per * nproc, .received = per * nproc);
	close(fd);
}

#define FILTERED	1000
#define LONG_QUEUE	10000
#define THROUGH		2000

struct filtered {
	int fd;
	pid_t silent;
	int *ok;		/* shared: a receiver got the silent one's */
};

static void *filtered_receiver(void *arg)
{
	struct filtered *f = arg;
	struct shmbox_msg_info info;
	char buf[8];

	if (shmbox_mbox_recv_from(f->fd, f->silent, buf, sizeof(buf), 0,
				  SHMBOX_TIMEOUT_NONE, &info) == 1 &&
	    info.pid == f->silent)
		__atomic_add_fetch(f->ok, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* A child: FILTERED threads, each receiving one message from @silent. */
static int filtered_receivers(int fd, pid_t silent, int *ok)
{
	struct filtered f = { .fd = fd, .silent = silent, .ok = ok };
	static pthread_t t[FILTERED];
	pthread_attr_t attr;
	int i;

	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstacksize(&attr, 64 << 10))
		return 1;
	for (i = 0; i < FILTERED; i++)
		if (pthread_create(&t[i], &attr, filtered_receiver, &f))
			return 1;
	for (i = 0; i < FILTERED; i++)
		pthread_join(t[i], NULL);
	return 0;
}

/* An unbounded anonymous mailbox and a counter its children share. */
FIXTURE(longq) {
	int fd;
	int *ok;
};

FIXTURE_SETUP(longq)
{
	struct shmbox_mbox_attr a = { .capacity = SHMBOX_MBOX_UNBOUNDED,
				      .mode = 0600 };

	self->ok = mmap(NULL, sizeof(*self->ok), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ok);
	self->fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(longq)
{
	close(self->fd);
	munmap(self->ok, sizeof(*self->ok));
}

TEST_F_TIMEOUT(longq, filtered_receivers_long_queue, 600)
{
	struct shmbox_mbox_stat st;
	int fd = self->fd, *ok = self->ok;
	int i, status, tries, go[2];
	pid_t silent, rcv;
	char c = 's', buf[8];
	for (i = 0; i < LONG_QUEUE; i++)
		ASSERT_EQ(0, shmbox_mbox_send(fd, "q", 1, i % 8, 0,
					      SHMBOX_NOWAIT));
	/* The silent sender: sends FILTERED messages once told to. */
	ASSERT_EQ(0, pipe(go));
	silent = fork();
	ASSERT_LE(0, silent);
	if (silent == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (i = 0; i < FILTERED; i++)
			if (shmbox_mbox_send(fd, "s", 1, 0, 0,
					     SHMBOX_TIMEOUT_NONE))
				_exit(1);
		_exit(0);
	}
	close(go[0]);
	rcv = fork();
	ASSERT_LE(0, rcv);
	if (rcv == 0)
		_exit(filtered_receivers(fd, silent, ok));
	for (tries = 0; tries < 60000; tries++) {
		ASSERT_EQ(0, shmbox_mbox_stat(fd, &st));
		if (st.blocked_receivers == FILTERED)
			break;
		usleep(1000);
	}
	ASSERT_EQ(FILTERED, st.blocked_receivers);

	/* Through the mailbox, past the silent one's receivers. */
	for (i = 0; i < THROUGH; i++) {
		ASSERT_EQ(0, shmbox_mbox_send(fd, "t", 1, 0, 0, SHMBOX_NOWAIT));
		ASSERT_EQ(1, shmbox_mbox_recv(fd, buf, sizeof(buf), 0,
					      SHMBOX_NOWAIT, NULL));
	}
	check_mbox_state(fd, .depth = LONG_QUEUE, .bytes = LONG_QUEUE,
			 .sent = LONG_QUEUE + THROUGH, .received = THROUGH,
			 .blocked_receivers = FILTERED);

	/* The silent one speaks: each filtered receiver gets one of its. */
	ASSERT_EQ(1, write(go[1], &c, 1));
	close(go[1]);
	ASSERT_EQ(silent, waitpid(silent, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(rcv, waitpid(rcv, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(FILTERED, *ok);
	check_mbox_state(fd, .depth = LONG_QUEUE, .bytes = LONG_QUEUE,
			 .sent = LONG_QUEUE + THROUGH + FILTERED,
			 .received = THROUGH + FILTERED);
}

TEST_HARNESS_MAIN
