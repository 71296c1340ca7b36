// SPDX-License-Identifier: GPL-2.0
/*
 * Chaos: mailbox senders and receivers, ring producers and consumers are
 * SIGKILLed at random moments and replaced, round after round.
 *
 * Mailbox: every message carries (incarnation, sequence, checksum).  A
 * sender logs each message in shared memory as "trying" before the send
 * and "sent" or "failed" after it returns.  A receiver reserves a slot of
 * a shared array and receives straight into it, so the kernel's copy is
 * the record of the receipt (a kill cannot fall between the two).  After
 * the last round, every survivor must stop on its own (nobody stuck in
 * the kernel), the mailbox is drained, and then: a "sent" message was
 * received exactly once, a "trying" one (killed inside the send) at most
 * once, a "failed" or never tried one never, and nothing is corrupt.
 *
 * Ring: the consumer looks at a record in place, logs it, then releases
 * it, so a record is seen at least once and twice at most (when the
 * consumer died between log and release).  Every record a producer saw
 * committed must be seen; records are intact and each producer's arrive
 * in order.  Afterwards the ring still works end to end.
 *
 * Calls: caller processes call a bounded mailbox that server processes,
 * two threads each, answer with REPLY_RECV; callers and servers are
 * SIGKILLed at random.  A request is a (incarnation, sequence, checksum)
 * record and its reply the same record with the checksum inverted; a
 * server receives straight into a slot of a shared array, so the
 * kernel's copy is the record of the receipt.  A caller logs each call
 * "trying" before and "replied" or "server gone" after; its deadline
 * (10 s) is far beyond any wait, so the only failure allowed is EPIPE
 * with SHMBOX_CALL_DELIVERED (its server died).  Afterwards: every reply
 * was its own caller's; a replied call, and one whose server died, was
 * received exactly once; one cut by its caller's death at most once;
 * the mailbox is empty, with no call waiting or being served, nothing
 * charged, as many requests received as the slots hold; and the owner's
 * whole max_user_bytes is free again.
 *
 * Handles: sender processes each make a fresh anonymous region per
 * message, write the message's record into it and send 1 to 3 handles
 * of it (some moved, some sends synchronous), receivers map each handle
 * received and check that the region holds the message's own record
 * (some receives are peeks, some drop the handles); any of them is
 * SIGKILLed at random, in an IPC namespace of the test's own.
 * Afterwards, with every process gone, the only regions left are those
 * of the messages queued, one per message (as /proc/shmbox lists them
 * and as the namespace's max_total_bytes accounting counts their
 * bytes), and stat's handles matches; once half of those are received
 * and the mailbox is removed with the rest, no region is left.
 *
 * CHAOS_ROUNDS (default 200) sets the number of kills per part.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "kselftest_harness.h"
#include "libshmbox.h"
#include "call_util.h"
#include "handle_util.h"
#include "util.h"

#define MAGIC		0x43484153u	/* "CHAS" */
#define MAX_INC		1024		/* incarnations of one role */
#define MAX_SEQ		4096		/* messages per incarnation */
#define MAX_SLOTS	(1 << 18)
#define NSEND		3
#define NRECV		2

struct rec {
	uint32_t magic, inc, seq, check;
};

enum { ST_NONE, ST_TRYING, ST_SENT, ST_FAILED };

struct shared {
	int stop;
	uint32_t ninc;			/* incarnations handed out */
	uint32_t next_slot;
	uint8_t state[MAX_INC][MAX_SEQ];
	uint32_t committed[MAX_INC];	/* ring: records known committed */
	uint8_t seen[MAX_INC][MAX_SEQ];	/* ring: times each record was seen */
	struct rec slots[MAX_SLOTS];
};

static struct shared *sh;

static uint32_t checksum(uint32_t inc, uint32_t seq)
{
	return (inc * 2654435761u) ^ (seq * 40503u) ^ MAGIC;
}

static int rounds(void)
{
	const char *e = getenv("CHAOS_ROUNDS");

	return e ? atoi(e) : 200;
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

static void msleep_rand(unsigned int max_ms)
{
	struct timespec ts = { 0, (long)rnd(max_ms * 1000 + 1) * 1000 };

	nanosleep(&ts, NULL);
}

/* ---- mailbox roles ------------------------------------------------------- */

static void sender(const char *name)
{
	uint32_t inc = __atomic_fetch_add(&sh->ninc, 1, __ATOMIC_SEQ_CST);
	struct rec r = { .magic = MAGIC, .inc = inc };
	uint32_t seq;
	int fd, ret;

	srandom(getpid());
	fd = shmbox_mbox_open(name, 0, NULL, O_WRONLY);
	if (fd < 0 || inc >= MAX_INC)
		_exit(1);
	for (seq = 0; seq < MAX_SEQ && !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE); seq++) {
		r.seq = seq;
		r.check = checksum(inc, seq);
		__atomic_store_n(&sh->state[inc][seq], ST_TRYING, __ATOMIC_SEQ_CST);
		ret = shmbox_mbox_send(fd, &r, sizeof(r), rnd(SHMBOX_MSG_PRIO_MAX),
				       rnd(4) ? 0 : SHMBOX_MSG_SYNC,
				       shmbox_deadline_in(100 * 1000000ULL));
		__atomic_store_n(&sh->state[inc][seq], ret ? ST_FAILED : ST_SENT,
				 __ATOMIC_SEQ_CST);
		if (ret && ret != -ETIMEDOUT && ret != -EAGAIN && ret != -EINTR)
			_exit(2);
	}
	_exit(0);
}

static void receiver(const char *name)
{
	uint32_t idx;
	int fd, ret;

	fd = shmbox_mbox_open(name, 0, NULL, O_RDONLY);
	if (fd < 0)
		_exit(1);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		idx = __atomic_fetch_add(&sh->next_slot, 1, __ATOMIC_SEQ_CST);
		if (idx >= MAX_SLOTS)
			_exit(0);
		ret = shmbox_mbox_recv(fd, &sh->slots[idx], sizeof(sh->slots[idx]),
				       0, shmbox_deadline_in(50 * 1000000ULL), NULL);
		if (ret < 0 && ret != -ETIMEDOUT && ret != -EINTR)
			_exit(2);
	}
	_exit(0);
}

static pid_t spawn(void (*fn)(const char *), const char *name)
{
	pid_t pid = fork();

	if (pid == 0)
		fn(name);
	return pid;
}

/* Stop every child and reap it; 0 if all ended by themselves, cleanly. */
static int stop_all(pid_t *kids, int n)
{
	int i, st, bad = 0;

	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	/* A child stuck in the kernel would keep waitpid() here: the
	 * harness timeout catches that. */
	for (i = 0; i < n; i++) {
		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			ksft_print_msg("child %d ended badly: 0x%x\n", kids[i], st);
			bad++;
		}
	}
	return bad;
}

static void *shared_area(void)
{
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(chaos) {
	int unused;
};

FIXTURE_SETUP(chaos)
{
}

FIXTURE_TEARDOWN(chaos)
{
}

/* Generous: a child stuck in the kernel is caught by this timeout. */
TEST_F_TIMEOUT(chaos, mailbox_kills_lose_and_duplicate_nothing, 900)
{
	static uint8_t count[MAX_INC][MAX_SEQ];
	const char *name = "chaos-mbox";
	struct shmbox_mbox_attr attr = { .capacity = 16, .mode = 0600 };
	pid_t kids[NSEND + NRECV];
	struct shmbox_mbox_stat st;
	uint32_t inc, seq, i, slots, sent = 0, unsure = 0, got = 0;
	int fd, n, round, bad = 0, nrounds = rounds();
	struct rec r;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* the report survives _exit */
	sh = shared_area();
	ASSERT_NE(NULL, sh);
	shmbox_unlink(name, 0);
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, &attr, O_RDWR);
	ASSERT_LE(0, fd);
	srandom(1);
	for (i = 0; i < NSEND + NRECV; i++)
		kids[i] = spawn(i < NSEND ? sender : receiver, name);
	for (round = 0; round < nrounds; round++) {
		msleep_rand(20);
		i = rnd(NSEND + NRECV);
		ASSERT_EQ(0, kill(kids[i], SIGKILL));
		ASSERT_EQ(kids[i], waitpid(kids[i], NULL, 0));
		kids[i] = spawn(i < NSEND ? sender : receiver, name);
		ASSERT_LT(0, kids[i]);
	}
	EXPECT_EQ(0, stop_all(kids, NSEND + NRECV));

	/* Drain what is still queued. */
	memset(count, 0, sizeof(count));
	for (;;) {
		n = shmbox_mbox_recv(fd, &r, sizeof(r), SHMBOX_MSG_NONBLOCK, 0, NULL);
		if (n == -EAGAIN)
			break;
		ASSERT_EQ(sizeof(r), n);
		ASSERT_EQ(MAGIC, r.magic);
		ASSERT_LT(r.inc, MAX_INC);
		ASSERT_LT(r.seq, MAX_SEQ);
		ASSERT_EQ(checksum(r.inc, r.seq), r.check);
		count[r.inc][r.seq]++;
	}
	ASSERT_EQ(0, shmbox_mbox_stat(fd, &st));
	EXPECT_EQ(0, st.depth);
	EXPECT_EQ(0, st.blocked_senders);
	EXPECT_EQ(0, st.blocked_receivers);

	slots = sh->next_slot < MAX_SLOTS ? sh->next_slot : MAX_SLOTS;
	for (i = 0; i < slots; i++) {
		struct rec *s = &sh->slots[i];

		if (!s->magic)
			continue;	/* nothing arrived in this slot */
		ASSERT_EQ(MAGIC, s->magic);
		ASSERT_LT(s->inc, MAX_INC);
		ASSERT_LT(s->seq, MAX_SEQ);
		ASSERT_EQ(checksum(s->inc, s->seq), s->check);
		count[s->inc][s->seq]++;
	}
	for (inc = 0; inc < sh->ninc && inc < MAX_INC; inc++) {
		for (seq = 0; seq < MAX_SEQ; seq++) {
			uint8_t s = sh->state[inc][seq], c = count[inc][seq];

			got += c;
			if (s == ST_SENT) {
				sent++;
				if (c != 1 && bad++ < 10)
					ksft_print_msg("sent %u.%u received %u times\n", inc, seq, c);
			} else if (s == ST_TRYING) {
				unsure++;
				if (c > 1 && bad++ < 10)
					ksft_print_msg("killed-in-send %u.%u received %u times\n",
						       inc, seq, c);
			} else if (c && bad++ < 10) {
				ksft_print_msg("%s %u.%u received %u times\n",
					       s == ST_FAILED ? "failed" : "unsent", inc, seq, c);
			}
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, sent);
	ksft_print_msg("chaos: %d kill rounds survived; %u messages sent, %u received, %u sends cut by a kill\n",
		       nrounds, sent, got, unsure);
	shmbox_unlink(name, 0);
	close(fd);
	munmap(sh, sizeof(*sh));
}

/* ---- ring roles -------------------------------------------------------- */

static void producer(const char *name)
{
	uint32_t inc = __atomic_fetch_add(&sh->ninc, 1, __ATOMIC_SEQ_CST);
	struct rec r = { .magic = MAGIC, .inc = inc };
	struct shmbox_ring *ring;
	uint32_t seq;
	int ret;

	if (inc >= MAX_INC || shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0600, &ring))
		_exit(1);
	for (seq = 0; seq < MAX_SEQ && !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE); ) {
		r.seq = seq;
		r.check = checksum(inc, seq);
		ret = shmbox_ring_write(ring, &r, sizeof(r),
					shmbox_deadline_in(50 * 1000000ULL));
		if (ret == -ETIMEDOUT || ret == -EPIPE) {
			if (ret == -EPIPE)	/* no consumer right now */
				msleep_rand(5);
			continue;
		}
		if (ret)
			_exit(2);
		seq++;
		__atomic_store_n(&sh->committed[inc], seq, __ATOMIC_SEQ_CST);
	}
	_exit(0);
}

/* Look at one record, log it, release it.  0, or -errno from the ring. */
static int consume_one(struct shmbox_ring *ring, uint64_t deadline, uint32_t *last)
{
	const struct rec *r;
	uint32_t len, tag;
	int ret;

	ret = shmbox_ring_peek(ring, (const void **)&r, &len, &tag, deadline);
	if (ret)
		return ret;
	if (len != sizeof(*r) || r->magic != MAGIC || r->inc >= MAX_INC ||
	    r->seq >= MAX_SEQ || r->check != checksum(r->inc, r->seq))
		return -EBADMSG;
	/* Each producer's records come in order (a repeat after a kill). */
	if (last[r->inc] != UINT32_MAX && r->seq < last[r->inc])
		return -EILSEQ;
	last[r->inc] = r->seq;
	__atomic_fetch_add(&sh->seen[r->inc][r->seq], 1, __ATOMIC_SEQ_CST);
	return shmbox_ring_release(ring);
}

static void consumer(const char *name)
{
	static uint32_t last[MAX_INC];
	struct shmbox_ring *ring;
	int ret;

	memset(last, 0xff, sizeof(last));
	if (shmbox_ring_open(name, SHMBOX_RING_CONSUMER, 0, 0600, &ring))
		_exit(1);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		ret = consume_one(ring, shmbox_deadline_in(50 * 1000000ULL), last);
		if (ret == -ETIMEDOUT || ret == -EPIPE) {
			if (ret == -EPIPE)
				msleep_rand(5);
			continue;
		}
		if (ret)
			_exit(3);
	}
	_exit(0);
}

TEST_F_TIMEOUT(chaos, ring_kills_lose_nothing_and_ring_still_works, 900)
{
	const char *name = "chaos-ring";
	static uint32_t last[MAX_INC];
	struct shmbox_ring *obs, *prod, *cons;
	pid_t kids[2];
	uint32_t inc, seq, committed = 0, seen = 0, dups = 0, i;
	int round, ret, bad = 0, nrounds = rounds();

	setvbuf(stdout, NULL, _IOLBF, 0);	/* the report survives _exit */
	sh = shared_area();
	ASSERT_NE(NULL, sh);
	shmbox_unlink(name, 0);
	/* The test keeps the ring open (no role) for its whole life. */
	ASSERT_EQ(0, shmbox_ring_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL,
				      4 * 4096, 0600, &obs));
	srandom(2);
	kids[0] = spawn(producer, name);
	kids[1] = spawn(consumer, name);
	for (round = 0; round < nrounds; round++) {
		msleep_rand(20);
		i = rnd(2);
		ASSERT_EQ(0, kill(kids[i], SIGKILL));
		ASSERT_EQ(kids[i], waitpid(kids[i], NULL, 0));
		kids[i] = spawn(i ? consumer : producer, name);
		ASSERT_LT(0, kids[i]);
	}
	EXPECT_EQ(0, stop_all(kids, 2));

	/* Drain as the consumer now. */
	memset(last, 0xff, sizeof(last));
	ASSERT_EQ(0, shmbox_ring_open(name, SHMBOX_RING_CONSUMER, 0, 0600, &cons));
	do
		ret = consume_one(cons, SHMBOX_NOWAIT, last);
	while (ret == 0);
	EXPECT_TRUE(ret == -EAGAIN || ret == -EPIPE || ret == -ETIMEDOUT)
		TH_LOG("drain ended with %d", ret);

	for (inc = 0; inc < sh->ninc && inc < MAX_INC; inc++) {
		committed += sh->committed[inc];
		for (seq = 0; seq < MAX_SEQ; seq++) {
			uint8_t s = sh->seen[inc][seq];

			seen += s;
			dups += s > 1;
			if (seq < sh->committed[inc] && !s && bad++ < 10)
				ksft_print_msg("committed record %u.%u never seen\n", inc, seq);
			if (s > 2 && bad++ < 10)
				ksft_print_msg("record %u.%u seen %u times\n", inc, seq, s);
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, committed);

	/* The ring still carries data end to end. */
	ASSERT_EQ(0, shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0600, &prod));
	for (i = 0; i < 1000; i++) {
		struct rec r = { MAGIC, MAX_INC - 1, i, checksum(MAX_INC - 1, i) };

		ASSERT_EQ(0, shmbox_ring_write(prod, &r, sizeof(r), SHMBOX_TIMEOUT_NONE));
		ASSERT_EQ(0, consume_one(cons, SHMBOX_TIMEOUT_NONE, last));
	}
	ksft_print_msg("chaos: %d ring kill rounds survived; %u records committed, %u seen, %u seen twice\n",
		       nrounds, committed, seen, dups);
	shmbox_ring_close(prod);
	shmbox_ring_close(cons);
	shmbox_ring_close(obs);
	shmbox_unlink(name, 0);
	munmap(sh, sizeof(*sh));
}

/* ---- call roles ---------------------------------------------------------- */

#define NCALLER		3
#define NSERVER		2		/* processes */
#define SRV_THREADS	2		/* per server process */
#define CALL_SLOTS	(1 << 19)
#define CALL_MARGIN	8192		/* slots kept for the calls in flight */
#define CALL_DEADLINE	(10 * NS)

enum { C_NONE, C_TRYING, C_REPLIED, C_GONE, C_BAD };

struct call_shared {
	int stop;			/* callers: no new call */
	int srv_stop;			/* servers: go once idle */
	uint32_t ninc;
	uint32_t next_slot;
	uint32_t wrong;			/* replies that were another call's */
	uint32_t bad;			/* unexpected results */
	uint8_t state[MAX_INC][MAX_SEQ];
	struct rec slots[CALL_SLOTS];
};

static struct call_shared *cs;

static void note_bad(const char *who, int ret)
{
	if (__atomic_fetch_add(&cs->bad, 1, __ATOMIC_SEQ_CST) < 10)
		ksft_print_msg("%s %d: %s\n", who, getpid(), strerror(-ret));
}

static void call_caller(const char *name)
{
	uint32_t inc = __atomic_fetch_add(&cs->ninc, 1, __ATOMIC_SEQ_CST);
	struct rec req = { .magic = MAGIC, .inc = inc }, rep;
	struct shmbox_mbox_call c;
	uint32_t seq;
	int fd, ret;

	srandom(getpid());
	fd = shmbox_mbox_open(name, 0, NULL, O_WRONLY);
	if (fd < 0 || inc >= MAX_INC)
		_exit(1);
	for (seq = 0; seq < MAX_SEQ && !__atomic_load_n(&cs->stop, __ATOMIC_ACQUIRE); seq++) {
		/* The servers' record must not run out under a call. */
		if (__atomic_load_n(&cs->next_slot, __ATOMIC_ACQUIRE) >=
		    CALL_SLOTS - CALL_MARGIN)
			break;
		req.seq = seq;
		req.check = checksum(inc, seq);
		memset(&rep, 0, sizeof(rep));
		c = call_arg(&req, sizeof(req), &rep, sizeof(rep),
			     after_ns(CALL_DEADLINE));
		c.prio = rnd(SHMBOX_MSG_PRIO_MAX);
		__atomic_store_n(&cs->state[inc][seq], C_TRYING, __ATOMIC_SEQ_CST);
		ret = call_ioctl(fd, &c);
		if (!ret && (c.reply_len != sizeof(rep) || rep.magic != MAGIC ||
			     rep.inc != inc || rep.seq != seq ||
			     rep.check != ~req.check)) {
			__atomic_fetch_add(&cs->wrong, 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&cs->state[inc][seq], C_BAD, __ATOMIC_SEQ_CST);
			_exit(3);
		}
		if (ret == -EPIPE && c.status == SHMBOX_CALL_DELIVERED) {
			__atomic_store_n(&cs->state[inc][seq], C_GONE, __ATOMIC_SEQ_CST);
			continue;
		}
		if (ret) {
			__atomic_store_n(&cs->state[inc][seq], C_BAD, __ATOMIC_SEQ_CST);
			note_bad(c.status ? "delivered call failed" : "call failed", ret);
			_exit(2);
		}
		__atomic_store_n(&cs->state[inc][seq], C_REPLIED, __ATOMIC_SEQ_CST);
	}
	_exit(0);
}

/* One server thread: REPLY_RECV into a fresh slot each time. */
static void *call_server_thread(void *p)
{
	struct shmbox_mbox_reply_recv a;
	int fd = *(int *)p, n;
	uint64_t handle = 0;
	struct rec rep;
	uint32_t idx;

	for (;;) {
		idx = __atomic_fetch_add(&cs->next_slot, 1, __ATOMIC_SEQ_CST);
		if (idx >= CALL_SLOTS) {
			if (handle)
				do_reply(fd, handle, &rep, sizeof(rep));
			return NULL;
		}
		a = rr_arg(handle, handle ? &rep : NULL, handle ? sizeof(rep) : 0,
			   &cs->slots[idx], sizeof(cs->slots[idx]), 0,
			   after_ns(50 * 1000000ULL));
		n = rr_ioctl(fd, &a);
		handle = 0;
		if (a.reply_handle) {
			note_bad("reply not used up", n);
			_exit(2);
		}
		if (n == -ETIMEDOUT || n == -ESRCH) {
			/* Idle, or our last caller gave up: nothing taken. */
			if (n == -ETIMEDOUT &&
			    __atomic_load_n(&cs->srv_stop, __ATOMIC_ACQUIRE))
				return NULL;
			continue;
		}
		if (n != sizeof(rep) || !(a.rflags & SHMBOX_RECV_CALL) ||
		    !a.handle) {
			note_bad("server receive", n < 0 ? n : -EBADMSG);
			_exit(2);
		}
		rep = cs->slots[idx];
		rep.check = ~rep.check;
		handle = a.handle;
	}
}

static void call_server(const char *name)
{
	pthread_t th[SRV_THREADS];
	int fd, i;

	fd = shmbox_mbox_open(name, 0, NULL, O_RDWR);
	if (fd < 0)
		_exit(1);
	for (i = 0; i < SRV_THREADS; i++)
		if (pthread_create(&th[i], NULL, call_server_thread, &fd))
			_exit(1);
	for (i = 0; i < SRV_THREADS; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

static pid_t spawn_call_role(int i, const char *name)
{
	pid_t pid = fork();

	if (pid == 0)
		(i < NCALLER ? call_caller : call_server)(name);
	return pid;
}

/* The owner's whole max_user_bytes is free: 16 messages of 4032 bytes fit. */
static int user_quota_free(void)
{
	static char big[4096 - SHMBOX_MSG_OVERHEAD];
	struct shmbox_mbox_attr a = { .capacity = SHMBOX_MBOX_UNBOUNDED,
				      .mode = 0600 };
	unsigned long old;
	int fd, i, ret = 0;

	if (param_swap("max_user_bytes", 16 * SHMBOX_MSG_COST(sizeof(big)), &old))
		return -1;
	fd = shmbox_mbox_open(NULL, SHMBOX_O_CREAT, &a, O_RDWR);
	for (i = 0; fd >= 0 && i < 16 && !ret; i++)
		ret = shmbox_mbox_send(fd, big, sizeof(big), 0, 0, SHMBOX_NOWAIT);
	if (!ret && shmbox_mbox_send(fd, "", 0, 0, 0, SHMBOX_NOWAIT) != -ENOSPC)
		ret = -EEXIST;
	if (ret)
		ksft_print_msg("quota: message %d: %s\n", i, strerror(-ret));
	if (fd >= 0)
		close(fd);
	param_set("max_user_bytes", old);
	return fd < 0 ? -1 : ret;
}

TEST_F_TIMEOUT(chaos, call_kills_every_reply_to_its_caller_once, 900)
{
	static uint8_t count[MAX_INC][MAX_SEQ];
	const char *name = "chaos-call";
	struct shmbox_mbox_attr attr = { .capacity = 8, .mode = 0600 };
	pid_t kids[NCALLER + NSERVER];
	struct shmbox_mbox_stat st;
	uint32_t inc, seq, i, slots, records = 0, replied = 0, gone = 0, cut = 0;
	int fd, round, bad = 0, nrounds = rounds();

	setvbuf(stdout, NULL, _IOLBF, 0);
	cs = mmap(NULL, sizeof(*cs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cs);
	shmbox_unlink(name, 0);
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, &attr, O_RDWR);
	ASSERT_LE(0, fd);
	srandom(3);
	for (i = 0; i < NCALLER + NSERVER; i++) {
		kids[i] = spawn_call_role(i, name);
		ASSERT_LT(0, kids[i]);
	}
	for (round = 0; round < nrounds; round++) {
		msleep_rand(20);
		i = rnd(NCALLER + NSERVER);
		ASSERT_EQ(0, kill(kids[i], SIGKILL));
		ASSERT_EQ(kids[i], waitpid(kids[i], NULL, 0));
		kids[i] = spawn_call_role(i, name);
		ASSERT_LT(0, kids[i]);
	}
	/* Callers finish their last call while the servers still serve. */
	__atomic_store_n(&cs->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NCALLER + NSERVER; i++) {
		int status;

		if (i == NCALLER)
			__atomic_store_n(&cs->srv_stop, 1, __ATOMIC_RELEASE);
		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			ksft_print_msg("%s %d ended badly: 0x%x\n",
				       i < NCALLER ? "caller" : "server", kids[i], status);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, cs->wrong);
	EXPECT_EQ(0, cs->bad);

	/* Nothing left: no request, no call being served, nothing charged. */
	st = cstat(fd);
	EXPECT_EQ(0, st.depth);
	EXPECT_EQ(0, st.calls_waiting);
	EXPECT_EQ(0, st.calls_serving);
	EXPECT_EQ(0, st.blocked_senders);
	EXPECT_EQ(0, st.blocked_receivers);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(0, st.charged);
	EXPECT_EQ(st.sent, st.received);

	memset(count, 0, sizeof(count));
	slots = cs->next_slot < CALL_SLOTS ? cs->next_slot : CALL_SLOTS;
	for (i = 0; i < slots; i++) {
		struct rec *s = &cs->slots[i];

		if (!s->magic)
			continue;	/* a receive that took nothing */
		ASSERT_EQ(MAGIC, s->magic);
		ASSERT_LT(s->inc, MAX_INC);
		ASSERT_LT(s->seq, MAX_SEQ);
		ASSERT_EQ(checksum(s->inc, s->seq), s->check);
		count[s->inc][s->seq]++;
		records++;
	}
	EXPECT_EQ(st.received, records);
	bad = 0;
	for (inc = 0; inc < cs->ninc && inc < MAX_INC; inc++) {
		for (seq = 0; seq < MAX_SEQ; seq++) {
			uint8_t s = cs->state[inc][seq], c = count[inc][seq];

			if (s == C_REPLIED || s == C_GONE) {
				replied += s == C_REPLIED;
				gone += s == C_GONE;
				if (c != 1 && bad++ < 10)
					ksft_print_msg("%s call %u.%u received %u times\n",
						       s == C_REPLIED ? "replied" : "server-gone",
						       inc, seq, c);
			} else if (s == C_TRYING) {
				cut++;
				if (c > 1 && bad++ < 10)
					ksft_print_msg("killed-in-call %u.%u received %u times\n",
						       inc, seq, c);
			} else if (c && bad++ < 10) {
				ksft_print_msg("%s call %u.%u received %u times\n",
					       s == C_BAD ? "failed" : "never made", inc, seq, c);
			}
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, replied);
	EXPECT_EQ(0, user_quota_free());
	ksft_print_msg("chaos: %d call kill rounds survived; %u calls replied, %u lost their server (EPIPE), %u cut by a kill, %u requests received\n",
		       nrounds, replied, gone, cut, records);
	shmbox_unlink(name, 0);
	close(fd);
	munmap(cs, sizeof(*cs));
}

/* ---- handle roles ---------------------------------------------------------- */

#define NHSEND		3
#define NHRECV		2
#define H_BYTES		(13 * 4096UL)	/* no other test's regions are this big */

struct handle_shared {
	int stop;
	uint32_t ninc;
	uint32_t sent, received, peeked, dropped, handles_seen;
	uint32_t quota_waits;		/* a region refused for a quota, retried */
	uint32_t bad;			/* a handle with the wrong region */
};

static struct handle_shared *hs;

static void note_hbad(const char *what, int v)
{
	if (__atomic_fetch_add(&hs->bad, 1, __ATOMIC_SEQ_CST) < 10)
		ksft_print_msg("%s %d: %d\n", what, getpid(), v);
}

static void handle_sender(const char *name)
{
	uint32_t inc = __atomic_fetch_add(&hs->ninc, 1, __ATOMIC_SEQ_CST);
	struct rec r = { .magic = MAGIC, .inc = inc };
	struct shmbox_handle h[3];
	struct shmbox_mbox_send s;
	unsigned int nh, i;
	int fd, rfd, ret;
	bool mapped;
	uint32_t seq;
	void *map;

	srandom(getpid());
	fd = shmbox_mbox_open(name, 0, NULL, O_WRONLY);
	if (fd < 0)
		_exit(1);
	for (seq = 0; !__atomic_load_n(&hs->stop, __ATOMIC_ACQUIRE); seq++) {
		r.seq = seq;
		r.check = checksum(inc, seq);
		rfd = region_fd(NULL, SHMBOX_O_CREAT, H_BYTES, O_RDWR);
		if (rfd == -EDQUOT || rfd == -ENOSPC) {
			__atomic_fetch_add(&hs->quota_waits, 1, __ATOMIC_SEQ_CST);
			msleep_rand(2);
			continue;
		}
		if (rfd < 0)
			_exit(2);
		map = mmap(NULL, H_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
			   rfd, 0);
		if (map == MAP_FAILED)
			_exit(3);
		memcpy(map, &r, sizeof(r));
		mapped = rnd(2);	/* the sender's mapping kept or not */
		if (!mapped)
			munmap(map, H_BYTES);
		nh = 1 + rnd(3);
		h[0] = hent(rfd, rnd(2) ? SHMBOX_HANDLE_MOVE : 0);
		for (i = 1; i < nh; i++) {
			h[i] = hent(dup(rfd), rnd(2) ? SHMBOX_HANDLE_MOVE : 0);
			if (h[i].fd < 0)
				_exit(4);
		}
		s = hsend_arg(&r, sizeof(r), rnd(4) ? 0 : SHMBOX_MSG_SYNC, h, nh);
		s.deadline_ns = shmbox_deadline_in(100 * 1000000ULL);
		ret = hsend_ioctl(fd, &s);
		if (ret && ret != -ETIMEDOUT && ret != -EAGAIN && ret != -EINTR) {
			note_hbad("handle send", ret);
			_exit(5);
		}
		if (!ret)
			__atomic_fetch_add(&hs->sent, 1, __ATOMIC_SEQ_CST);
		/* What the kernel did not close is ours to close. */
		for (i = 0; i < nh; i++)
			if (ret || !(h[i].flags & SHMBOX_HANDLE_MOVE))
				close(h[i].fd);
		if (mapped)
			munmap(map, H_BYTES);
	}
	_exit(0);
}

/* Every handle of a received message maps a region holding @r. */
static void check_handles(const struct rec *r, struct shmbox_handle *h,
			  unsigned int nh, bool peek)
{
	unsigned int i;
	struct rec *p;

	for (i = 0; i < nh; i++) {
		__atomic_fetch_add(&hs->handles_seen, 1, __ATOMIC_SEQ_CST);
		if (h[i].bytes != H_BYTES ||
		    h[i].flags != (SHMBOX_HANDLE_READ | SHMBOX_HANDLE_WRITE)) {
			note_hbad("handle bytes/flags", (int)h[i].flags);
			continue;
		}
		if (peek) {
			if (h[i].fd != -1)
				note_hbad("peek installed fd", h[i].fd);
			continue;
		}
		p = mmap(NULL, H_BYTES, PROT_READ, MAP_SHARED, h[i].fd, 0);
		if (p == MAP_FAILED) {
			note_hbad("map of handle", errno);
		} else {
			if (memcmp(p, r, sizeof(*r)))
				note_hbad("region of another message", (int)r->seq);
			munmap(p, H_BYTES);
		}
		close(h[i].fd);
	}
}

static void handle_receiver(const char *name)
{
	struct shmbox_handle h[SHMBOX_MSG_HANDLES_MAX];
	struct shmbox_mbox_recv a;
	bool peek, drop;
	struct rec r;
	int fd, n;

	srandom(getpid());
	fd = shmbox_mbox_open(name, 0, NULL, O_RDONLY);
	if (fd < 0)
		_exit(1);
	while (!__atomic_load_n(&hs->stop, __ATOMIC_ACQUIRE)) {
		peek = rnd(8) == 0;
		drop = !peek && rnd(8) == 0;
		memset(&r, 0, sizeof(r));
		a = hrecv_arg(&r, sizeof(r), peek ? SHMBOX_MSG_PEEK : 0, h,
			      SHMBOX_MSG_HANDLES_MAX);
		if (drop)
			a.size = SHMBOX_MBOX_RECV_SIZE_VER2;
		a.deadline_ns = shmbox_deadline_in(50 * 1000000ULL);
		n = hrecv_ioctl(fd, &a);
		if (n == -ETIMEDOUT || n == -EINTR || (peek && n == -EAGAIN))
			continue;
		if (n != sizeof(r) || r.magic != MAGIC ||
		    r.check != checksum(r.inc, r.seq)) {
			note_hbad("handle receive", n);
			_exit(2);
		}
		if (drop) {
			if (!(a.rflags & SHMBOX_RECV_HANDLES_DROPPED))
				note_hbad("not dropped", (int)a.rflags);
			__atomic_fetch_add(&hs->dropped, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		if (a.nr_handles < 1 || a.nr_handles > 3) {
			note_hbad("handle count", (int)a.nr_handles);
			_exit(3);
		}
		check_handles(&r, h, a.nr_handles, peek);
		__atomic_fetch_add(peek ? &hs->peeked : &hs->received, 1,
				   __ATOMIC_SEQ_CST);
	}
	_exit(0);
}

static pid_t spawn_handle_role(int i, const char *name)
{
	pid_t pid = fork();

	if (pid == 0)
		(i < NHSEND ? handle_sender : handle_receiver)(name);
	return pid;
}

TEST_F_TIMEOUT(chaos, handle_kills_leak_no_region, 900)
{
	const char *name = "chaos-handles";
	struct shmbox_mbox_attr attr = { .capacity = 16, .mode = 0600 };
	struct shmbox_handle h[SHMBOX_MSG_HANDLES_MAX];
	pid_t kids[NHSEND + NHRECV];
	struct shmbox_mbox_stat st;
	struct shmbox_mbox_recv a;
	int fd, round, i, n, listed, bad = 0, nrounds = rounds();
	unsigned int queued, drained = 0;
	struct rec r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	hs = mmap(NULL, sizeof(*hs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hs);
	/* A namespace of its own: its regions are this test's alone. */
	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	EXPECT_EQ(0, wait_anon_regions(0, 0, 0, &listed))
		TH_LOG("%d anonymous regions listed in a new namespace", listed);
	ASSERT_EQ(0, ns_region_bytes_are(0));
	shmbox_unlink(name, 0);
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, &attr, O_RDWR);
	ASSERT_LE(0, fd);
	srandom(4);
	for (i = 0; i < NHSEND + NHRECV; i++) {
		kids[i] = spawn_handle_role(i, name);
		ASSERT_LT(0, kids[i]);
	}
	for (round = 0; round < nrounds; round++) {
		msleep_rand(20);
		i = rnd(NHSEND + NHRECV);
		ASSERT_EQ(0, kill(kids[i], SIGKILL));
		ASSERT_EQ(kids[i], waitpid(kids[i], NULL, 0));
		kids[i] = spawn_handle_role(i, name);
		ASSERT_LT(0, kids[i]);
	}
	__atomic_store_n(&hs->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NHSEND + NHRECV; i++) {
		int status;

		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			ksft_print_msg("%s %d ended badly: 0x%x\n",
				       i < NHSEND ? "sender" : "receiver", kids[i],
				       status);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, hs->bad);

	/*
	 * Everyone is gone: only the queued messages hold regions, one
	 * region each, every handle of theirs counted.
	 */
	st = cstat(fd);
	queued = st.depth;
	EXPECT_EQ(0, st.blocked_senders);
	EXPECT_EQ(0, st.blocked_receivers);
	EXPECT_LE(queued, st.handles);
	EXPECT_GE(3 * queued, st.handles);
	EXPECT_EQ(0, wait_anon_regions(0, H_BYTES, queued, &listed))
		TH_LOG("%d regions listed for %u messages queued", listed, queued);
	EXPECT_EQ(0, ns_region_bytes_are(queued * H_BYTES))
		TH_LOG("the namespace's regions are not %u x %lu bytes", queued,
		       H_BYTES);

	/* Half received (checked like the receivers do), the rest removed. */
	while (drained < queued / 2) {
		memset(&r, 0, sizeof(r));
		a = hrecv_arg(&r, sizeof(r), SHMBOX_MSG_NONBLOCK, h,
			      SHMBOX_MSG_HANDLES_MAX);
		n = hrecv_ioctl(fd, &a);
		ASSERT_EQ(sizeof(r), n);
		ASSERT_EQ(checksum(r.inc, r.seq), r.check);
		check_handles(&r, h, a.nr_handles, false);
		drained++;
	}
	EXPECT_EQ(0, hs->bad);
	EXPECT_EQ(0, wait_anon_regions(0, H_BYTES, queued - drained, &listed))
		TH_LOG("%d regions listed for %u messages queued", listed,
		       queued - drained);
	EXPECT_EQ(0, ns_region_bytes_are((queued - drained) * H_BYTES));
	ASSERT_EQ(0, shmbox_unlink(name, SHMBOX_KIND_MAILBOX));
	close(fd);
	EXPECT_EQ(0, wait_anon_regions(0, H_BYTES, 0, &listed))
		TH_LOG("%d regions left after the mailbox was removed", listed);
	EXPECT_EQ(0, ns_region_bytes_are(0))
		TH_LOG("region bytes left after the mailbox was removed");
	EXPECT_LT(0, hs->sent);
	EXPECT_LT(0, hs->received);
	ksft_print_msg("chaos: %d handle kill rounds survived; %u messages with handles sent, %u received (%u handles checked), %u peeked, %u dropped, %u left queued, %u region creations waited for a quota\n",
		       nrounds, hs->sent, hs->received, hs->handles_seen,
		       hs->peeked, hs->dropped, queued, hs->quota_waits);
	munmap(hs, sizeof(*hs));
}

TEST_HARNESS_MAIN
