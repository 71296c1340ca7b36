// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_call: call and reply (ABI 1.3, SHMBOX_FEAT_CALL) through the raw
 * ioctls, one behaviour or error per subtest.
 *
 * Round trips to a named and an anonymous mailbox and to an inbox by pid
 * and by id, with what each side learns of the other; capacity 0 (the
 * call is handed over only to a waiting server), bounded (full: EAGAIN,
 * or the call waits for room) and unbounded; calls ordered by priority
 * among requests and messages, SHMBOX_MSG_FROM, mixed calls and
 * messages, peek, poll, vector receives; every REPLY, CALL and
 * REPLY_RECV error; what a caller sees when it gives up (deadline,
 * signal, with and without SA_RESTART, before and after delivery), when
 * its server closes its fd or dies, when the mailbox is unlinked and
 * when a receive cannot report a handle; stat's calls_waiting and
 * calls_serving, /proc/shmbox's two call columns, the tracepoints; the
 * quota a reply is charged, returned after abandoned calls; and many
 * callers on many server threads, every reply to its own caller once.
 *
 * A caller runs in a child (struct caller) that reports its whole
 * result (the call's return, the structure written back, when it
 * returned, whether its signal handler ran) over a pipe; the test is
 * the server unless a case needs the server to die.  Ordering never
 * relies on sleeping: wait_calls() polls stat's call counts and
 * wait_blocked() the blocked senders and receivers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"
#include "call_util.h"
#include "proc_util.h"

/* The same layout for every ABI (the M32 suite runs this too). */
_Static_assert(sizeof(struct shmbox_mbox_call) == SHMBOX_MBOX_CALL_SIZE_VER1,
	       "call");
_Static_assert(offsetof(struct shmbox_mbox_call, handles) ==
	       SHMBOX_MBOX_CALL_SIZE_VER0, "call handles");
_Static_assert(sizeof(struct shmbox_mbox_reply) == SHMBOX_MBOX_REPLY_SIZE_VER1,
	       "reply");
_Static_assert(offsetof(struct shmbox_mbox_reply, handles) ==
	       SHMBOX_MBOX_REPLY_SIZE_VER0, "reply handles");
_Static_assert(sizeof(struct shmbox_mbox_reply_recv) ==
	       SHMBOX_MBOX_REPLY_RECV_SIZE_VER1, "reply_recv");
_Static_assert(offsetof(struct shmbox_mbox_reply_recv, handles) ==
	       SHMBOX_MBOX_REPLY_RECV_SIZE_VER0, "reply_recv handles");
_Static_assert(offsetof(struct shmbox_mbox_call, reply_id) == 72, "reply_id");
_Static_assert(offsetof(struct shmbox_mbox_call, resume) == 80, "resume");
_Static_assert(offsetof(struct shmbox_mbox_reply_recv, rflags) == 84, "rflags");

#define RMAX	64		/* a caller's reply buffer */
#define SOON	(10 * NS)	/* a server's receive deadline */

/* ---- a caller in a child ------------------------------------------------ */

/* What to call, as the child does it. */
struct cspec {
	int fd;			/* the fd to call through */
	const char *req;	/* the request, a string */
	unsigned int flags, prio;
	int pid;
	uint64_t id;
	uint64_t timeout;	/* ns from the call's start; 0: none */
	unsigned int reply_len;	/* 0: RMAX; at most 4096 */
	int handler;		/* SIGUSR1: 0 none, 1 without SA_RESTART, 2 with */
	bool bad_reply_buf;	/* reply_buf points to nothing */
	const char *name;	/* call through an fd of its own to this name */
	/*
	 * After an EINTR with @resume set, report it, then call again with
	 * the structure as it was written back: RESUME_NOW at once,
	 * RESUME_ON_GO once the test writes a byte to the go pipe,
	 * RESUME_THREAD after another thread of the caller tried it first
	 * (its result in that outcome's other_ret), RESUME_OTHER_FD after
	 * trying it through another fd of @other_name, RESUME_SHORT after
	 * trying it with a reply buffer one byte shorter.
	 */
	int resume;
	const char *other_name;
	unsigned int uid;	/* become this user first (not 0) */
};

enum { RESUME_NO, RESUME_NOW, RESUME_ON_GO, RESUME_THREAD, RESUME_OTHER_FD,
       RESUME_SHORT };

/* What the child reports. */
struct outcome {
	int ret;				/* 0 or -errno */
	struct shmbox_mbox_call c;		/* as written back */
	uint64_t start, end;			/* CLOCK_MONOTONIC ns */
	int handler_ran;
	int other_ret;				/* RESUME_THREAD's try */
	char reply[RMAX + 1];
};

struct caller {
	pid_t pid;
	int rd;			/* outcomes */
	int sig;		/* a byte each time the handler ran */
	int go;			/* RESUME_ON_GO: the test's word */
};

static int sig_wr = -1;
static volatile sig_atomic_t handler_ran;

static void on_usr1(int sig)
{
	handler_ran++;
	if (sig_wr >= 0 && write(sig_wr, "h", 1) != 1)
		handler_ran += 100;
}

struct other_try {
	int fd;
	struct shmbox_mbox_call c;
	int ret;
};

static void *other_thread(void *p)
{
	struct other_try *t = p;

	t->ret = call_ioctl(t->fd, &t->c);
	return NULL;
}

/* One call as @o says, its results in @o. */
static void caller_call(int fd, struct outcome *o, char *rbuf)
{
	o->start = mono_ns();
	o->ret = call_ioctl(fd, &o->c);
	o->end = mono_ns();
	o->handler_ran = handler_ran;
	memset(o->reply, 0, sizeof(o->reply));
	if (!o->ret && o->c.reply_len <= RMAX)
		memcpy(o->reply, rbuf, o->c.reply_len);
}

static void caller_main(const struct cspec *s, int wr, int sigwr, int go)
{
	static char rbuf[4096];	/* reply_len is at most this */
	struct outcome o;
	struct sigaction sa;
	int fd = s->fd;
	char c;

	memset(&o, 0, sizeof(o));
	sig_wr = sigwr;
	if (s->uid && become_user(s->uid))
		_exit(39);
	if (s->name) {
		fd = shmbox_mbox_open(s->name, 0, NULL, O_WRONLY);
		if (fd < 0)
			_exit(40);
	}
	if (s->handler) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sa.sa_flags = s->handler == 2 ? SA_RESTART : 0;
		sigaction(SIGUSR1, &sa, NULL);
	}
	o.c = call_arg(s->req, strlen(s->req), rbuf,
		       s->reply_len ? s->reply_len : RMAX, FOREVER);
	if (s->bad_reply_buf)
		o.c.reply_buf = 0x1000;
	o.c.flags = s->flags;
	o.c.prio = s->prio;
	o.c.pid = s->pid;
	o.c.id = s->id;
	if (s->timeout)
		o.c.deadline_ns = mono_ns() + s->timeout;
	caller_call(fd, &o, rbuf);
	if (write(wr, &o, sizeof(o)) != sizeof(o))
		_exit(1);
	if (!s->resume || o.ret != -EINTR || !o.c.resume)
		_exit(0);
	if (s->resume == RESUME_ON_GO && read(go, &c, 1) != 1)
		_exit(41);
	if (s->resume == RESUME_THREAD) {
		struct other_try t = { .fd = fd, .c = o.c };
		pthread_t th;

		if (pthread_create(&th, NULL, other_thread, &t) ||
		    pthread_join(th, NULL))
			_exit(42);
		o.other_ret = t.ret;
	}
	if (s->resume == RESUME_SHORT) {
		struct shmbox_mbox_call c2 = o.c;

		c2.reply_len--;
		o.other_ret = call_ioctl(fd, &c2);
	}
	if (s->resume == RESUME_OTHER_FD) {
		struct shmbox_mbox_call c2 = o.c;
		int fd2 = shmbox_mbox_open(s->other_name, 0, NULL, O_RDWR);

		o.other_ret = fd2 < 0 ? fd2 : call_ioctl(fd2, &c2);
		if (fd2 >= 0)
			close(fd2);
	}
	caller_call(fd, &o, rbuf);
	_exit(write(wr, &o, sizeof(o)) == sizeof(o) ? 0 : 1);
}

/* Fork a caller doing @s; 0, or -1. */
static int start_caller(struct caller *k, const struct cspec *s)
{
	int p[2], q[2], g[2];

	if (pipe(p) || pipe(q) || pipe(g))
		return -1;
	k->pid = fork();
	if (k->pid < 0)
		return -1;
	if (k->pid == 0) {
		close(p[0]);
		close(q[0]);
		close(g[1]);
		caller_main(s, p[1], q[1], g[0]);
	}
	close(p[1]);
	close(q[1]);
	close(g[0]);
	k->rd = p[0];
	k->sig = q[0];
	k->go = g[1];
	return 0;
}

/* The caller's next outcome (it goes on); 0, or -1. */
static int next_outcome(struct caller *k, struct outcome *o)
{
	return read(k->rd, o, sizeof(*o)) == sizeof(*o) ? 0 : -1;
}

static void close_caller(struct caller *k)
{
	close(k->rd);
	close(k->sig);
	close(k->go);
}

/* The caller's (last) outcome, once it has returned; 0, or -1 (it died). */
static int finish_caller(struct caller *k, struct outcome *o)
{
	ssize_t n = read(k->rd, o, sizeof(*o));

	close_caller(k);
	return reap(k->pid) == 0 && n == sizeof(*o) ? 0 : -1;
}

/* Kill a caller and reap it. */
static void kill_caller(struct caller *k)
{
	kill(k->pid, SIGKILL);
	reap(k->pid);
	close_caller(k);
}

/* A caller of @req on @fd (no deadline) queued as call number @nth. */
static int queued_caller(struct caller *k, int fd, const char *req,
			 unsigned int prio, unsigned int nth)
{
	struct cspec s = { .fd = fd, .req = req, .prio = prio };

	if (start_caller(k, &s))
		return -1;
	if (wait_calls(fd, nth, cstat(fd).calls_serving)) {
		kill_caller(k);
		return -1;
	}
	return 0;
}

/* Receive the next call on @fd, asserting it is one; its handle. */
#define take_call(fd, buf, r) \
	__take_call(_metadata, __LINE__, (fd), (buf), (r))

static uint64_t __take_call(struct __test_metadata *_metadata, int line,
			    int fd, char *buf, struct shmbox_mbox_recv *r)
{
	struct shmbox_mbox_recv tmp;
	int n;

	if (!r)
		r = &tmp;
	n = recv_msg(fd, buf, RMAX, 0, after_ns(SOON), r);
	EXPECT_LE(0, n) TH_LOG("receive at line %d: %s", line, strerror(-n));
	if (n < 0)
		return 0;
	buf[n] = 0;
	EXPECT_EQ(SHMBOX_RECV_CALL, r->rflags) TH_LOG("line %d", line);
	EXPECT_NE(0, r->handle) TH_LOG("line %d", line);
	return r->handle;
}

/*
 * Start a caller doing @s on @fd and take its call (the request into
 * @buf, if not NULL), asserting it is one; its handle.
 */
#define start_and_take(fd, s, k, buf) \
	__start_and_take(_metadata, __LINE__, (fd), (s), (k), (buf))

static uint64_t __start_and_take(struct __test_metadata *_metadata, int line,
				 int fd, const struct cspec *s,
				 struct caller *k, char *buf)
{
	char tmp[RMAX + 1];

	ASSERT_EQ(0, start_caller(k, s)) TH_LOG("line %d", line);
	ASSERT_EQ(0, wait_calls(fd, 1, 0)) TH_LOG("line %d", line);
	return __take_call(_metadata, line, fd, buf ? buf : tmp, NULL);
}

/*
 * The same, then signal the caller (SIGUSR1) while its call is being
 * served; the call's handle.
 */
#define interrupt_served(fd, s, k) \
	__interrupt_served(_metadata, __LINE__, (fd), (s), (k))

static uint64_t __interrupt_served(struct __test_metadata *_metadata,
				   int line, int fd, const struct cspec *s,
				   struct caller *k)
{
	uint64_t h = __start_and_take(_metadata, line, fd, s, k, NULL);

	ASSERT_EQ(0, kill(k->pid, SIGUSR1)) TH_LOG("line %d", line);
	return h;
}

/*
 * The same, and the caller's report of it, which goes on: EINTR, its
 * call parked with the handle in @resume.  The handle.
 */
#define park_served(fd, s, k, o) \
	__park_served(_metadata, __LINE__, (fd), (s), (k), (o))

static uint64_t __park_served(struct __test_metadata *_metadata, int line,
			      int fd, const struct cspec *s, struct caller *k,
			      struct outcome *o)
{
	uint64_t h = __interrupt_served(_metadata, line, fd, s, k);

	ASSERT_EQ(0, next_outcome(k, o)) TH_LOG("line %d", line);
	ASSERT_EQ(-EINTR, o->ret) TH_LOG("line %d", line);
	EXPECT_EQ(h, o->c.resume) TH_LOG("line %d", line);
	return h;
}

/*
 * Take the call of @k on @fd, asserting its request is @req, and answer
 * it @reply: the caller returns 0 with that reply, its outcome in @o.
 */
#define answer_caller(fd, k, req, reply, o) \
	__answer_caller(_metadata, __LINE__, (fd), (k), (req), (reply), (o))

static void __answer_caller(struct __test_metadata *_metadata, int line,
			    int fd, struct caller *k, const char *req,
			    const char *reply, struct outcome *o)
{
	char buf[RMAX + 1];
	uint64_t h = __take_call(_metadata, line, fd, buf, NULL);

	EXPECT_STREQ(req, buf) TH_LOG("line %d", line);
	ASSERT_EQ(0, reply_str(fd, h, reply)) TH_LOG("line %d", line);
	ASSERT_EQ(0, finish_caller(k, o)) TH_LOG("line %d", line);
	EXPECT_EQ(0, o->ret) TH_LOG("line %d", line);
	EXPECT_STREQ(reply, o->reply) TH_LOG("line %d", line);
}

/* Nothing to receive on @fd now: a call's request was seen just once. */
#define expect_nothing_queued(fd) \
	__expect_nothing_queued(_metadata, __LINE__, (fd))

static void __expect_nothing_queued(struct __test_metadata *_metadata,
				    int line, int fd)
{
	char buf[RMAX + 1];

	EXPECT_EQ(-EAGAIN, recv_msg(fd, buf, RMAX, 0, SHMBOX_NOWAIT, NULL))
		TH_LOG("line %d", line);
}

/*
 * A fixture like "mb" (a named unbounded mailbox, mode 0600, bound
 * O_RDWR) for the tables: a fixture with variants runs every test of it
 * once a variant, so each table has its own.
 */
#define NAMED_MBOX_FIXTURE(f)						\
	FIXTURE(f) {							\
		char name[64];						\
		int fd;							\
	};								\
	FIXTURE_SETUP(f)						\
	{								\
		mb_name(self->name, sizeof(self->name));		\
		self->fd = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600); \
		ASSERT_LE(0, self->fd)					\
			TH_LOG("create: %s", strerror(-self->fd));	\
	}								\
	FIXTURE_TEARDOWN(f)						\
	{								\
		close(self->fd);					\
		shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);		\
	}

/* ---- a server in a child ------------------------------------------------ */

/*
 * Fork a server that receives @n calls on @fd (or on an inbox of its
 * own with @inbox, whose id it reports on *@pfd before serving) and
 * answers each "re:" and the request, after @delay_ms.  It exits with
 * the number of steps that went wrong.
 */
static pid_t start_server(int fd, int n, unsigned int delay_ms, bool inbox,
			  int *pfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct shmbox_mbox_recv r;
		char buf[RMAX + 1], out[RMAX + 8];
		uint64_t id = 0;
		int bad = 0, len;

		close(p[0]);
		if (inbox) {
			fd = mkinbox(8, 0600);
			id = fd < 0 ? 0 : cstat(fd).inbox_id;
		}
		if (inbox && write(p[1], &id, sizeof(id)) != sizeof(id))
			_exit(50);
		for (int i = 0; i < n; i++) {
			len = recv_msg(fd, buf, RMAX, 0, after_ns(SOON), &r);
			if (len < 0)
				_exit(60 + i);
			buf[len] = 0;
			bad += r.rflags != SHMBOX_RECV_CALL;
			bad += !r.handle;
			bad += r.pid != getppid();
			bad += r.reply_max != RMAX;
			if (delay_ms)
				usleep(delay_ms * 1000);
			snprintf(out, sizeof(out), "re:%s", buf);
			bad += reply_str(fd, r.handle, out) != 0;
		}
		_exit(bad);
	}
	close(p[1]);
	if (pfd)
		*pfd = p[0];
	else
		close(p[0]);
	return pid;
}

/* The server's inbox id, once it has one. */
static uint64_t server_id(int pfd)
{
	uint64_t id = 0;

	if (read(pfd, &id, sizeof(id)) != sizeof(id))
		return 0;
	close(pfd);
	return id;
}

/* ---- round trips ----------------------------------------------------------- */

/* Call @fd (bound, or with @pid/@id) from this process: "re:ping" back. */
static void round_trip(struct __test_metadata *_metadata, int fd, pid_t server,
		       int pid, uint64_t id, uint64_t server_inbox)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("ping", 4, rbuf, sizeof(rbuf),
					     after_ns(SOON));

	c.pid = pid;
	c.id = id;
	c.flags = id ? SHMBOX_MSG_TO_ID : 0;
	ASSERT_EQ(0, call_ioctl(fd, &c));
	EXPECT_EQ(7, c.reply_len);
	EXPECT_EQ(0, memcmp(rbuf, "re:ping", 7));
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, c.status);
	EXPECT_EQ(server, c.reply_pid);
	EXPECT_EQ(geteuid(), c.reply_uid);
	EXPECT_EQ(server_inbox, c.reply_id);
	EXPECT_EQ(0, reap(server));
}

TEST_F(mb, roundtrip_named)
{
	pid_t srv = start_server(self->fd, 1, 0, false, NULL);
	int fd = shmbox_mbox_open(self->name, 0, NULL, O_WRONLY);

	ASSERT_LE(0, srv);
	ASSERT_LE(0, fd);
	round_trip(_metadata, fd, srv, 0, 0, 0);
	close(fd);
	check_mbox_state(self->fd, .sent = 1, .received = 1);
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
}

TEST(roundtrip_anonymous)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	pid_t srv;

	ASSERT_LE(0, fd);
	srv = start_server(fd, 1, 0, false, NULL);
	ASSERT_LE(0, srv);
	round_trip(_metadata, fd, srv, 0, 0, 0);
	check_mbox_state(fd, .sent = 1, .received = 1);
	close(fd);
}

/* From an unbound fd, to a server's inbox by its pid or by its id. */
FIXTURE(roundtrip_inbox) {
	pid_t srv;		/* serving one call on its inbox */
	uint64_t id;		/* that inbox's id */
};

FIXTURE_VARIANT(roundtrip_inbox) {
	bool by_id;
};

FIXTURE_SETUP(roundtrip_inbox)
{
	int pfd;

	self->srv = start_server(-1, 1, 0, true, &pfd);
	ASSERT_LE(0, self->srv);
	self->id = server_id(pfd);
	ASSERT_NE(0, self->id);
}

FIXTURE_TEARDOWN(roundtrip_inbox)
{
}

FIXTURE_VARIANT_ADD(roundtrip_inbox, by_pid) {
	.by_id = false,
};
FIXTURE_VARIANT_ADD(roundtrip_inbox, by_id) {
	.by_id = true,
};

TEST_F(roundtrip_inbox, from_unbound_fd)
{
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	round_trip(_metadata, fd, self->srv, variant->by_id ? 0 : self->srv,
		   variant->by_id ? self->id : 0, self->id);
	close(fd);
}

/* The server learns who calls: pid, uid, the caller's inbox id. */
TEST_F(mb, server_sees_caller_credentials)
{
	struct shmbox_mbox_recv r;
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];
	int in = mkinbox(8, 0600);
	uint64_t h;

	ASSERT_LE(0, in);
	ASSERT_EQ(0, queued_caller(&k, self->fd, "who", 7, 1));
	h = take_call(self->fd, buf, &r);
	EXPECT_STREQ("who", buf);
	EXPECT_EQ(3, r.len);
	EXPECT_EQ(7, r.prio);
	EXPECT_EQ(k.pid, r.pid);
	EXPECT_EQ(geteuid(), r.uid);
	EXPECT_EQ(0, r.id);		/* the child has no inbox of its own */
	EXPECT_EQ(RMAX, r.reply_max);
	ASSERT_EQ(0, reply_str(self->fd, h, "you"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("you", o.reply);
	EXPECT_EQ(getpid(), o.c.reply_pid);
	EXPECT_EQ(cstat(in).inbox_id, o.c.reply_id);	/* ours, the replier's */
	close(in);
}

/* A reply of 0 bytes is a reply. */
TEST_F(mb, empty_request_and_reply)
{
	struct shmbox_mbox_recv r;
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t h;

	ASSERT_EQ(0, queued_caller(&k, self->fd, "", 0, 1));
	h = take_call(self->fd, buf, &r);
	EXPECT_EQ(0, r.len);
	ASSERT_EQ(0, do_reply(self->fd, h, NULL, 0));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_EQ(0, o.c.reply_len);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
}

/* Handles: non-zero, and never the same twice. */
TEST_F(mb, handles_nonzero_and_unique)
{
	uint64_t h[8];
	struct caller k[8];
	struct outcome o;
	char buf[RMAX + 1];
	int i, j;

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, queued_caller(&k[i], self->fd, "u", 0, 1));
		h[i] = take_call(self->fd, buf, NULL);
		ASSERT_NE(0, h[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(h[j], h[i]);
		ASSERT_EQ(0, reply_str(self->fd, h[i], "v"));
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(0, o.ret);
	}
}

/* ---- capacity ------------------------------------------------------------- */

/* Rendezvous: a call waits in the mailbox until a server comes. */
TEST(cap0_call_waits_for_server)
{
	int fd = mkmbox(NULL, 0, 0600);
	struct caller k;
	struct outcome o;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, queued_caller(&k, fd, "rv", 0, 1));
	EXPECT_EQ(1, cstat(fd).depth);
	answer_caller(fd, &k, "rv", "ok", &o);
	close(fd);
}

/*
 * A non-blocking call (the flag, or O_NONBLOCK on the fd) that cannot be
 * queued at once: EAGAIN, nothing queued.  With capacity 0 it needs a
 * waiting server; a bounded mailbox, room.
 */
FIXTURE(nonblock) {
	int fd;
};

FIXTURE_VARIANT(nonblock) {
	bool full;		/* capacity 1, holding a message; else 0 */
	bool o_nonblock;	/* O_NONBLOCK; else SHMBOX_MSG_NONBLOCK */
};

FIXTURE_SETUP(nonblock)
{
	self->fd = mkmbox(NULL, variant->full ? 1 : 0, 0600);
	ASSERT_LE(0, self->fd);
	if (variant->full)
		ASSERT_EQ(0, send_str(self->fd, "full", 0));
}

FIXTURE_TEARDOWN(nonblock)
{
	close(self->fd);
}

FIXTURE_VARIANT_ADD(nonblock, cap0_msg_nonblock_no_server_eagain) {
	.o_nonblock = false,
};
FIXTURE_VARIANT_ADD(nonblock, cap0_o_nonblock_no_server_eagain) {
	.o_nonblock = true,
};
FIXTURE_VARIANT_ADD(nonblock, bounded_full_msg_nonblock_eagain) {
	.full = true, .o_nonblock = false,
};
FIXTURE_VARIANT_ADD(nonblock, bounded_full_o_nonblock_eagain) {
	.full = true, .o_nonblock = true,
};

TEST_F(nonblock, call_not_queued)
{
	struct shmbox_mbox_call c;
	char rbuf[RMAX];

	c = call_arg("nb", 2, rbuf, sizeof(rbuf), FOREVER);
	if (variant->o_nonblock) {
		ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	} else {
		c.flags = SHMBOX_MSG_NONBLOCK;
	}
	EXPECT_EQ(-EAGAIN, call_ioctl(self->fd, &c));
	EXPECT_EQ(0, c.status);
	/* Nothing was queued: a full mailbox holds just its message. */
	if (variant->full) {
		check_mbox_state(self->fd, .depth = 1, .bytes = 4, .sent = 1);
	} else {
		EXPECT_EQ(0, c.reply_pid);
		check_mbox_state(self->fd);
	}
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
}

/* Non-blocking applies to the request: the reply is waited for. */
TEST(cap0_nonblock_waiting_server_waits_for_reply)
{
	int fd = mkmbox(NULL, 0, 0600);
	struct shmbox_mbox_call c;
	char rbuf[RMAX];
	uint64_t t0;
	pid_t srv;

	ASSERT_LE(0, fd);
	srv = start_server(fd, 1, 200, false, NULL);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, wait_blocked(fd, 0, 1));
	c = call_arg("slow", 4, rbuf, sizeof(rbuf), after_ns(SOON));
	c.flags = SHMBOX_MSG_NONBLOCK;
	t0 = mono_ns();
	ASSERT_EQ(0, call_ioctl(fd, &c));
	EXPECT_LE(150 * 1000000ULL, mono_ns() - t0);
	EXPECT_EQ(7, c.reply_len);
	EXPECT_EQ(0, memcmp(rbuf, "re:slow", 7));
	EXPECT_EQ(0, reap(srv));
	close(fd);
}

TEST(bounded_full_call_waits_for_room)
{
	int fd = mkmbox(NULL, 1, 0600);
	struct cspec s = { .fd = fd, .req = "room" };
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "full", 0));
	ASSERT_EQ(0, start_caller(&k, &s));
	ASSERT_EQ(0, wait_blocked(fd, 1, 0));
	/* Waiting for room: the request is not in the mailbox yet. */
	EXPECT_EQ(0, cstat(fd).calls_waiting);
	EXPECT_EQ(1, cstat(fd).depth);
	ASSERT_EQ(4, recv_msg(fd, buf, RMAX, 0, SHMBOX_NOWAIT, NULL));
	ASSERT_EQ(0, wait_calls(fd, 1, 0));
	answer_caller(fd, &k, "room", "in", &o);
	close(fd);
}

/* Unbounded: many calls queue; each reply reaches its own caller. */
TEST_F(mb, unbounded_calls_queue_each_reply_to_its_caller)
{
	struct caller k[8];
	struct outcome o;
	char req[8][16], buf[RMAX + 1], want[RMAX + 8];
	struct shmbox_mbox_recv r;
	int i, j;

	for (i = 0; i < 8; i++) {
		snprintf(req[i], sizeof(req[i]), "q%d", i);
		ASSERT_EQ(0, queued_caller(&k[i], self->fd, req[i], 0, i + 1));
	}
	EXPECT_EQ(8, cstat(self->fd).depth);
	/* Answer in the reverse order of a second pass: by the request. */
	for (i = 0; i < 8; i++) {
		uint64_t h = take_call(self->fd, buf, &r);

		EXPECT_EQ(k[i].pid, r.pid);	/* FIFO */
		snprintf(want, sizeof(want), "a-%s", buf);
		ASSERT_EQ(0, reply_str(self->fd, h, want));
	}
	for (j = 0; j < 8; j++) {
		ASSERT_EQ(0, finish_caller(&k[j], &o));
		EXPECT_EQ(0, o.ret);
		snprintf(want, sizeof(want), "a-q%d", j);
		EXPECT_STREQ(want, o.reply);
	}
	check_mbox_state(self->fd, .sent = 8, .received = 8);
}

/* ---- ordering, filters, mixed traffic ------------------------------------- */

TEST_F(mb, priority_orders_calls_among_messages)
{
	static const struct { const char *what; unsigned int prio; bool call; }
	want[] = {
		{ "c7", 7, true }, { "m5", 5, false }, { "c3", 3, true },
		{ "m3", 3, false }, { "m1", 1, false }, { "c0", 0, true },
	};
	struct shmbox_mbox_recv r;
	struct caller k[3];
	struct outcome o;
	char buf[RMAX + 1];
	int i, n;

	ASSERT_EQ(0, send_str(self->fd, "m1", 1));
	ASSERT_EQ(0, queued_caller(&k[0], self->fd, "c3", 3, 1));
	ASSERT_EQ(0, send_str(self->fd, "m3", 3));	/* after c3: FIFO */
	ASSERT_EQ(0, queued_caller(&k[1], self->fd, "c0", 0, 2));
	ASSERT_EQ(0, send_str(self->fd, "m5", 5));
	ASSERT_EQ(0, queued_caller(&k[2], self->fd, "c7", 7, 3));
	for (i = 0; i < 6; i++) {
		n = recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, &r);
		ASSERT_EQ(2, n);
		buf[n] = 0;
		EXPECT_STREQ(want[i].what, buf);
		EXPECT_EQ(want[i].prio, r.prio);
		EXPECT_EQ(want[i].call ? SHMBOX_RECV_CALL : 0, r.rflags);
		if (want[i].call)
			ASSERT_EQ(0, reply_str(self->fd, r.handle, buf));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(0, o.ret);
		EXPECT_STREQ(i == 0 ? "c3" : i == 1 ? "c0" : "c7", o.reply);
	}
}

TEST_F(mb, msg_from_selects_a_callers_request)
{
	struct shmbox_mbox_recv r;
	struct caller a, b;
	struct outcome o;
	char buf[RMAX + 1];

	ASSERT_EQ(0, queued_caller(&a, self->fd, "from-a", 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "mine", 0));
	ASSERT_EQ(0, queued_caller(&b, self->fd, "from-b", 0, 2));
	r = recv_arg(buf, RMAX, SHMBOX_MSG_FROM | SHMBOX_MSG_NONBLOCK,
		     FOREVER);
	r.pid = b.pid;
	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(6, r.len);
	EXPECT_EQ(0, memcmp(buf, "from-b", 6));
	EXPECT_EQ(b.pid, r.pid);
	EXPECT_EQ(SHMBOX_RECV_CALL, r.rflags);
	ASSERT_EQ(0, reply_str(self->fd, r.handle, "to-b"));
	ASSERT_EQ(0, finish_caller(&b, &o));
	EXPECT_STREQ("to-b", o.reply);
	/* Our own message is not a's call. */
	r = recv_arg(buf, RMAX, SHMBOX_MSG_FROM | SHMBOX_MSG_NONBLOCK,
		     FOREVER);
	r.pid = getpid();
	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(0, r.rflags);
	EXPECT_EQ(0, r.handle);
	r = recv_arg(buf, RMAX, SHMBOX_MSG_FROM | SHMBOX_MSG_NONBLOCK,
		     FOREVER);
	r.pid = a.pid;
	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_RECV, &r));
	EXPECT_EQ(SHMBOX_RECV_CALL, r.rflags);
	ASSERT_EQ(0, reply_str(self->fd, r.handle, "to-a"));
	ASSERT_EQ(0, finish_caller(&a, &o));
	EXPECT_STREQ("to-a", o.reply);
}

TEST_F(mb, mixed_messages_have_no_handle)
{
	struct shmbox_mbox_recv r;
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];

	ASSERT_EQ(0, send_str(self->fd, "plain", 0));
	ASSERT_EQ(0, queued_caller(&k, self->fd, "call", 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "plain2", 0));
	ASSERT_EQ(5, recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, &r));
	EXPECT_EQ(0, r.rflags);
	EXPECT_EQ(0, r.handle);
	EXPECT_EQ(0, r.reply_max);
	ASSERT_EQ(4, recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, &r));
	EXPECT_EQ(SHMBOX_RECV_CALL, r.rflags);
	EXPECT_NE(0, r.handle);
	EXPECT_EQ(RMAX, r.reply_max);
	ASSERT_EQ(0, reply_str(self->fd, r.handle, "r"));
	ASSERT_EQ(6, recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, &r));
	EXPECT_EQ(0, r.rflags);
	EXPECT_EQ(0, r.handle);
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	check_mbox_state(self->fd, .sent = 3, .received = 3);
}

TEST_F(mb, peek_reports_call_without_handle)
{
	struct cspec s = { .fd = self->fd, .req = "pk", .reply_len = 17 };
	struct shmbox_mbox_recv r;
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];

	ASSERT_EQ(0, start_caller(&k, &s));
	ASSERT_EQ(0, wait_calls(self->fd, 1, 0));
	ASSERT_EQ(2, recv_msg(self->fd, buf, RMAX, SHMBOX_MSG_PEEK,
			      SHMBOX_NOWAIT, &r));
	EXPECT_EQ(SHMBOX_RECV_CALL, r.rflags);
	EXPECT_EQ(17, r.reply_max);
	EXPECT_EQ(0, r.handle);
	EXPECT_EQ(k.pid, r.pid);
	/* It took nothing. */
	EXPECT_EQ(0, wait_calls(self->fd, 1, 0));
	EXPECT_EQ(1, cstat(self->fd).depth);
	ASSERT_EQ(2, recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, &r));
	EXPECT_NE(0, r.handle);
	EXPECT_EQ(17, r.reply_max);
	ASSERT_EQ(0, reply_str(self->fd, r.handle, "seen"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("seen", o.reply);
}

static short poll_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

TEST_F(mb, poll_readable_with_pending_call)
{
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t h;

	EXPECT_EQ(0, poll_in(self->fd) & POLLIN);
	ASSERT_EQ(0, queued_caller(&k, self->fd, "pl", 0, 1));
	EXPECT_EQ(POLLIN, poll_in(self->fd) & POLLIN);
	h = take_call(self->fd, buf, NULL);
	/* Being served is not readable. */
	EXPECT_EQ(0, poll_in(self->fd) & POLLIN);
	ASSERT_EQ(0, reply_str(self->fd, h, "x"));
	ASSERT_EQ(0, finish_caller(&k, &o));
}

/* A poller sleeping on an empty mailbox is woken by a call. */
TEST_F(mb, poll_woken_by_call)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	struct cspec s = { .fd = self->fd, .req = "wake" };
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];
	pid_t pid;
	int pp[2];

	ASSERT_EQ(0, pipe(pp));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (sync_wait(pp[0]))
			_exit(3);
		usleep(100000);
		caller_main(&s, pp[1], -1, -1);
	}
	ASSERT_EQ(0, sync_send(pp[1]));
	ASSERT_EQ(1, poll(&p, 1, 10000));
	EXPECT_TRUE(p.revents & POLLIN);
	k = (struct caller){ .pid = pid };
	ASSERT_EQ(0, reply_str(self->fd, take_call(self->fd, buf, NULL), "w"));
	ASSERT_EQ(sizeof(o), read(pp[0], &o, sizeof(o)));
	EXPECT_EQ(0, reap(k.pid));
	EXPECT_EQ(0, o.ret);
	close(pp[0]);
	close(pp[1]);
}

/* RECVV with version-2 entries takes calls as calls. */
TEST_F(mb, recvv_msgx_v2_reports_handles)
{
	struct shmbox_mbox_msgx m[3];
	struct shmbox_mbox_vec v = { .size = sizeof(v), .count = 3,
		.flags = SHMBOX_MSG_NONBLOCK, .msg_size = sizeof(m[0]),
		.msgs = (uintptr_t)m, .deadline_ns = FOREVER };
	char b[3][RMAX];
	struct caller k;
	struct outcome o;

	ASSERT_EQ(0, send_str(self->fd, "m0", 0));
	ASSERT_EQ(0, queued_caller(&k, self->fd, "c1", 0, 1));
	ASSERT_EQ(0, send_str(self->fd, "m2", 0));
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)b[i];
		m[i].len = RMAX;
	}
	ASSERT_EQ(3, ioctl(self->fd, SHMBOX_IOC_MBOX_RECVV, &v));
	EXPECT_EQ(0, m[0].rflags);
	EXPECT_EQ(0, m[0].handle);
	EXPECT_EQ(SHMBOX_RECV_CALL, m[1].rflags);
	EXPECT_NE(0, m[1].handle);
	EXPECT_EQ(RMAX, m[1].reply_max);
	EXPECT_EQ(k.pid, m[1].pid);
	EXPECT_EQ(0, m[2].handle);
	ASSERT_EQ(0, reply_str(self->fd, m[1].handle, "vec"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("vec", o.reply);
}

/* ---- receives that cannot report a handle: the caller gets EPIPE ---------- */

static void no_handle_receive(struct __test_metadata *_metadata, int fd,
			      int how)
{
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];
	int n;

	ASSERT_EQ(0, queued_caller(&k, fd, "lost", 0, 1));
	if (how == 0) {
		n = read(fd, buf, RMAX);
	} else if (how == 1) {
		struct shmbox_mbox_recv r = recv_arg(buf, RMAX,
						     SHMBOX_MSG_NONBLOCK,
						     FOREVER);

		r.size = SHMBOX_MBOX_RECV_SIZE_VER1;
		n = ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r) ? -errno : (int)r.len;
	} else {
		struct shmbox_mbox_msgx m = { .buf = (uintptr_t)buf,
					      .len = RMAX };
		struct shmbox_mbox_vec v = { .size = sizeof(v), .count = 1,
			.flags = SHMBOX_MSG_NONBLOCK,
			.msg_size = SHMBOX_MBOX_MSGX_SIZE_VER1,
			.msgs = (uintptr_t)&m, .deadline_ns = FOREVER };

		n = ioctl(fd, SHMBOX_IOC_MBOX_RECVV, &v) == 1 ? (int)m.len :
		    -errno;
	}
	/* The request arrives as an ordinary message... */
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, memcmp(buf, "lost", 4));
	/* ...and its caller fails at once: nobody can answer it. */
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-EPIPE, o.ret);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	EXPECT_EQ(0, cstat(fd).calls_serving);
	EXPECT_EQ(0, cstat(fd).calls_waiting);
}

TEST_F(mb, read_takes_call_caller_epipe)
{
	no_handle_receive(_metadata, self->fd, 0);
}

TEST_F(mb, recv_ver1_struct_takes_call_caller_epipe)
{
	no_handle_receive(_metadata, self->fd, 1);
}

TEST_F(mb, recvv_msgx_ver1_takes_call_caller_epipe)
{
	no_handle_receive(_metadata, self->fd, 2);
}

/* ---- REPLY errors, each on a call being served ----------------------------- */

/* A call taken by the test (self->handle), its caller waiting. */
FIXTURE(srv) {
	char name[64];
	int fd;
	struct caller k;
	bool live;
	uint64_t handle;
};

static void serve_setup(struct __test_metadata *_metadata,
			FIXTURE_DATA(srv) *self)
{
	char buf[RMAX + 1];

	self->live = false;
	mb_name(self->name, sizeof(self->name));
	self->fd = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, queued_caller(&self->k, self->fd, "req", 0, 1));
	self->live = true;
	self->handle = take_call(self->fd, buf, NULL);
	ASSERT_NE(0, self->handle);
	ASSERT_EQ(0, wait_calls(self->fd, 0, 1));
}

static void serve_teardown(FIXTURE_DATA(srv) *self)
{
	if (self->live)
		kill_caller(&self->k);
	close(self->fd);
	shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
}

FIXTURE_SETUP(srv)
{
	serve_setup(_metadata, self);
}

FIXTURE_TEARDOWN(srv)
{
	serve_teardown(self);
}

/* The handle still answers its call: the caller gets "fine". */
static void handle_still_works(struct __test_metadata *_metadata,
			       FIXTURE_DATA(srv) *self)
{
	struct outcome o;

	ASSERT_EQ(0, reply_str(self->fd, self->handle, "fine"));
	self->live = false;
	ASSERT_EQ(0, finish_caller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("fine", o.reply);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
}

TEST_F(srv, reply_made_up_handle_enoent)
{
	EXPECT_EQ(-ENOENT, reply_str(self->fd, self->handle + 1, "guess"));
	EXPECT_EQ(-ENOENT, reply_str(self->fd, self->handle + 1000000, "g"));
	EXPECT_EQ(-ENOENT, reply_str(self->fd, ~self->handle, "g"));
	EXPECT_EQ(-ENOENT, reply_str(self->fd, UINT64_MAX, "g"));
	handle_still_works(_metadata, self);
}

TEST_F(srv, reply_twice_enoent)
{
	handle_still_works(_metadata, self);
	EXPECT_EQ(-ENOENT, reply_str(self->fd, self->handle, "again"));
}

TEST_F(srv, reply_from_another_fd_enoent)
{
	int other = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);

	ASSERT_LE(0, other);
	EXPECT_EQ(-ENOENT, reply_str(other, self->handle, "forged"));
	close(other);
	/* Another mailbox's fd either. */
	other = mkmbox(NULL, 1, 0600);
	ASSERT_LE(0, other);
	EXPECT_EQ(-ENOENT, reply_str(other, self->handle, "forged"));
	close(other);
	handle_still_works(_metadata, self);
}

TEST_F(srv, reply_from_dup_fd_works)
{
	struct outcome o;
	int d = dup(self->fd);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, reply_str(d, self->handle, "fine"));
	close(d);
	EXPECT_EQ(-ENOENT, reply_str(self->fd, self->handle, "again"));
	self->live = false;
	ASSERT_EQ(0, finish_caller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("fine", o.reply);
}

TEST_F(srv, reply_from_forked_child_works)
{
	struct outcome o;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(reply_str(self->fd, self->handle, "kid") ? 1 : 0);
	EXPECT_EQ(0, reap(pid));
	self->live = false;
	ASSERT_EQ(0, finish_caller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("kid", o.reply);
	EXPECT_EQ(pid, o.c.reply_pid);
}

TEST_F(srv, reply_exactly_reply_max_fits)
{
	struct outcome o;
	char big[RMAX];

	memset(big, 'b', sizeof(big));
	ASSERT_EQ(0, do_reply(self->fd, self->handle, big, RMAX));
	self->live = false;
	ASSERT_EQ(0, finish_caller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_EQ(RMAX, o.c.reply_len);
	EXPECT_EQ(0, memcmp(o.reply, big, RMAX));
}

/*
 * A refused reply, one bad field a row, leaves the call being served:
 * the handle still answers it.
 */
FIXTURE(rinval) {
	FIXTURE_DATA(srv) s;
};

FIXTURE_VARIANT(rinval) {
	bool zero_handle;
	bool bad_buf;		/* buf points to nothing */
	bool unbound;		/* through an fd bound to nothing */
	unsigned int len;
	unsigned int flags[2];	/* each tried in turn; a 0 after the first ends */
	unsigned int pad;
	unsigned int pad2;
	unsigned int nr_handles;
	int err;
};

FIXTURE_SETUP(rinval)
{
	serve_setup(_metadata, &self->s);
}

FIXTURE_TEARDOWN(rinval)
{
	serve_teardown(&self->s);
}

FIXTURE_VARIANT_ADD(rinval, handle_zero_einval) {
	.zero_handle = true, .len = 4, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(rinval, longer_than_reply_max_emsgsize) {
	.len = RMAX + 1, .err = EMSGSIZE,
};
FIXTURE_VARIANT_ADD(rinval, bad_buf_efault) {
	.bad_buf = true, .len = 4, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(rinval, nonzero_flags_einval) {
	.len = 1, .flags = { 1, 1U << 31 }, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(rinval, nonzero_pad_einval) {
	.len = 1, .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(rinval, on_unbound_fd_ebadfd) {
	.unbound = true, .len = 1, .err = EBADFD,
};
FIXTURE_VARIANT_ADD(rinval, nonzero_pad2_einval) {
	.len = 1, .pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(rinval, nr_handles_above_max_einval) {
	.len = 1, .nr_handles = SHMBOX_MSG_HANDLES_MAX + 1, .err = EINVAL,
};

TEST_F(rinval, refused_handle_still_works)
{
	char big[RMAX + 1];
	struct shmbox_mbox_reply a;
	int fd = self->s.fd;

	memset(big, 'b', sizeof(big));
	a = reply_arg(variant->zero_handle ? 0 : self->s.handle, big,
		      variant->len);
	if (variant->bad_buf)
		a.buf = 0x1000;
	a.pad = variant->pad;
	a.pad2 = variant->pad2;
	a.nr_handles = variant->nr_handles;
	if (variant->unbound) {
		fd = shmbox_dev_open();
		ASSERT_LE(0, fd);
	}
	for (int i = 0; i < ARRAY_SIZE(variant->flags); i++) {
		if (i && !variant->flags[i])
			break;
		a.flags = variant->flags[i];
		EXPECT_EQ(-variant->err, reply_ioctl(fd, &a));
	}
	if (variant->unbound)
		close(fd);
	handle_still_works(_metadata, &self->s);
}

TEST_F(srv, reply_caller_killed_esrch)
{
	kill_caller(&self->k);
	self->live = false;
	EXPECT_EQ(-ESRCH, reply_str(self->fd, self->handle, "late"));
	/* Used up by the ESRCH. */
	EXPECT_EQ(-ENOENT, reply_str(self->fd, self->handle, "late"));
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
}

/* The caller gave up at its deadline after the server took the call. */
TEST(reply_caller_deadline_passed_esrch)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	struct cspec s = { .fd = fd, .req = "dl", .timeout = NS };
	struct caller k;
	struct outcome o;
	uint64_t h;

	ASSERT_LE(0, fd);
	h = start_and_take(fd, &s, &k, NULL);
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-ETIMEDOUT, o.ret);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	EXPECT_EQ(-ESRCH, reply_str(fd, h, "late"));
	EXPECT_EQ(-ENOENT, reply_str(fd, h, "late"));
	EXPECT_EQ(0, cstat(fd).calls_serving);
	close(fd);
}

/* ---- CALL: invalid arguments, as one table ------------------------------- */

FIXTURE(cinval) {
	int fd;
	unsigned long old_msg;
};

FIXTURE_VARIANT(cinval) {
	unsigned int flags;
	unsigned int pad;
	unsigned int prio;
	int pid;
	uint64_t id;
	unsigned int status, reply_uid;
	int reply_pid;
	uint64_t reply_id;
	uint64_t resume;
	int reply_len_over;	/* reply_len = max_msg_size + this */
	unsigned int size;
	unsigned int nr_handles, reply_nr_handles;
	int err;
};

FIXTURE_SETUP(cinval)
{
	self->fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(cinval)
{
	close(self->fd);
}

FIXTURE_VARIANT_ADD(cinval, unknown_flag_einval) {
	.flags = 1U << 31, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, peek_flag_einval) {
	.flags = SHMBOX_MSG_PEEK, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, from_flag_einval) {
	.flags = SHMBOX_MSG_FROM, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, whole_flag_einval) {
	/* SHMBOX_MSG_WHOLE is a receive's: the reply buffer is the caller's. */
	.flags = SHMBOX_MSG_WHOLE, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, sync_flag_einval) {
	.flags = SHMBOX_MSG_SYNC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, nonzero_pad_einval) {
	.pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, prio_too_high_einval) {
	.prio = SHMBOX_MSG_PRIO_MAX, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, negative_pid_einval) {
	.pid = -1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, to_id_zero_einval) {
	.flags = SHMBOX_MSG_TO_ID, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, to_id_with_pid_einval) {
	.flags = SHMBOX_MSG_TO_ID, .id = 1, .pid = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, id_without_to_id_einval) {
	.id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, status_in_einval) {
	.status = SHMBOX_CALL_DELIVERED, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, reply_pid_in_einval) {
	.reply_pid = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, reply_uid_in_einval) {
	.reply_uid = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, reply_id_in_einval) {
	.reply_id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, reply_len_above_max_msg_size_einval) {
	.reply_len_over = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, resume_of_no_parked_call_enoent) {
	.resume = 12345, .err = ENOENT,
};
FIXTURE_VARIANT_ADD(cinval, size_below_ver0_einval) {
	.size = SHMBOX_MBOX_CALL_SIZE_VER0 - 8, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, nr_handles_above_max_einval) {
	.nr_handles = SHMBOX_MSG_HANDLES_MAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(cinval, reply_nr_handles_above_max_einval) {
	.reply_nr_handles = SHMBOX_MSG_HANDLES_MAX + 1, .err = EINVAL,
};

TEST_F(cinval, refused)
{
	static char rbuf[1 << 17];
	char req[] = "inval";
	struct shmbox_mbox_call c = call_arg(req, 5, rbuf, RMAX,
					     after_ns(NS / 5));

	c.flags = variant->flags;
	c.pad = variant->pad;
	c.prio = variant->prio;
	c.pid = variant->pid;
	c.id = variant->id;
	c.status = variant->status;
	c.reply_pid = variant->reply_pid;
	c.reply_uid = variant->reply_uid;
	c.reply_id = variant->reply_id;
	c.resume = variant->resume;
	c.nr_handles = variant->nr_handles;
	c.reply_nr_handles = variant->reply_nr_handles;
	if (variant->size)
		c.size = variant->size;
	if (variant->reply_len_over)
		c.reply_len = param_get("max_msg_size") +
			      variant->reply_len_over;
	ASSERT_LE(c.reply_len, sizeof(rbuf));
	EXPECT_EQ(-variant->err, call_ioctl(self->fd, &c));
	/* Nothing was sent. */
	check_mbox_state(self->fd);
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
}

/* reply_len of max_msg_size itself is fine. */
TEST(call_reply_len_max_msg_size_accepted)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	unsigned long max = param_get("max_msg_size");
	char *rbuf = malloc(max);
	struct shmbox_mbox_call c;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, rbuf);
	c = call_arg("m", 1, rbuf, max, FOREVER);
	c.flags = SHMBOX_MSG_NONBLOCK;
	c.deadline_ns = after_ns(NS / 10);
	/* Accepted: it waits for a reply nobody gives. */
	EXPECT_EQ(-ETIMEDOUT, call_ioctl(fd, &c));
	EXPECT_EQ(0, c.status);
	free(rbuf);
	close(fd);
}

/* ---- CALL: every other error --------------------------------------------- */

TEST(call_fd_not_open_for_writing_ebadf)
{
	char name[64], rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("r", 1, rbuf, RMAX, after_ns(NS));
	int fd, ro;

	mb_name(name, sizeof(name));
	fd = mkmbox(name, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, fd);
	ro = shmbox_mbox_open(name, 0, NULL, O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, call_ioctl(ro, &c));
	EXPECT_EQ(0, c.status);
	check_mbox_state(fd);
	close(ro);
	close(fd);
	shmbox_unlink(name, 0);
}

/* Through an fd that is not a mailbox's: EBADFD. */
FIXTURE(call_badfd) {
	int fd;
};

FIXTURE_VARIANT(call_badfd) {
	bool region;		/* a region's fd; else one bound to nothing */
};

FIXTURE_SETUP(call_badfd)
{
	if (variant->region)
		self->fd = shmbox_region_open(NULL, SHMBOX_O_CREAT, 4096, 0600,
					      1);
	else
		self->fd = shmbox_dev_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(call_badfd)
{
	close(self->fd);
}

FIXTURE_VARIANT_ADD(call_badfd, unbound_fd_ebadfd) {
	.region = false,
};
FIXTURE_VARIANT_ADD(call_badfd, region_fd_ebadfd) {
	.region = true,
};

TEST_F(call_badfd, refused)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("u", 1, rbuf, RMAX, after_ns(NS));

	EXPECT_EQ(-EBADFD, call_ioctl(self->fd, &c));
}

TEST(call_pid_no_process_esrch)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("p", 1, rbuf, RMAX, after_ns(NS));
	int fd = shmbox_dev_open();
	pid_t gone = fork();

	ASSERT_LE(0, fd);
	ASSERT_LE(0, gone);
	if (gone == 0)
		_exit(0);
	ASSERT_EQ(0, reap(gone));
	c.pid = gone;
	EXPECT_EQ(-ESRCH, call_ioctl(fd, &c));
	EXPECT_EQ(0, c.status);
	close(fd);
}

TEST(call_pid_without_inbox_enoent)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("p", 1, rbuf, RMAX, after_ns(NS));
	int fd = shmbox_dev_open(), p[2];
	pid_t kid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	kid = fork();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		close(p[1]);
		_exit(sync_wait(p[0]) ? 0 : 0);
	}
	c.pid = kid;
	EXPECT_EQ(-ENOENT, call_ioctl(fd, &c));
	EXPECT_EQ(0, c.status);
	close(p[1]);
	reap(kid);
	close(p[0]);
	close(fd);
}

TEST(call_unknown_id_esrch)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("i", 1, rbuf, RMAX, after_ns(NS));
	int fd = shmbox_dev_open(), in;
	uint64_t id;

	ASSERT_LE(0, fd);
	c.flags = SHMBOX_MSG_TO_ID;
	c.id = UINT64_MAX;
	EXPECT_EQ(-ESRCH, call_ioctl(fd, &c));
	/* An inbox that is gone. */
	in = mkinbox(8, 0600);
	ASSERT_LE(0, in);
	id = cstat(in).inbox_id;
	close(in);
	c = call_arg("i", 1, rbuf, RMAX, after_ns(NS));
	c.flags = SHMBOX_MSG_TO_ID;
	c.id = id;
	EXPECT_EQ(-ESRCH, call_ioctl(fd, &c));
	EXPECT_EQ(0, c.status);
	close(fd);
}

TEST(call_inbox_mode_denies_eacces)
{
	int in = mkinbox(8, 0600);
	int fd = open(SHMBOX_DEVICE_PATH, O_RDWR);
	uint64_t id;
	pid_t pid;

	ASSERT_LE(0, in);
	ASSERT_LE(0, fd);
	id = cstat(in).inbox_id;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char rbuf[RMAX];
		struct shmbox_mbox_call c = call_arg("a", 1, rbuf, RMAX,
						     after_ns(NS));

		drop_to_nobody();
		c.flags = SHMBOX_MSG_TO_ID;
		c.id = id;
		_exit(call_ioctl(fd, &c) == -EACCES && !c.status ? 0 : 1);
	}
	EXPECT_EQ(0, reap(pid));
	check_mbox_state(in);
	close(fd);
	close(in);
}

TEST(call_request_too_long_emsgsize)
{
	struct shmbox_mbox_attr a = { .capacity = SHMBOX_MBOX_UNBOUNDED,
				      .max_msg_size = 16, .mode = 0600 };
	int fd = shmbox_mbox_open(NULL, SHMBOX_O_CREAT, &a, O_RDWR);
	char req[17] = "0123456789abcdef", rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg(req, 17, rbuf, RMAX,
					     after_ns(NS));

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EMSGSIZE, call_ioctl(fd, &c));
	EXPECT_EQ(0, c.status);
	check_mbox_state(fd);
	close(fd);
}

TEST(call_request_bad_buf_efault)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg(NULL, 8, rbuf, RMAX,
					     after_ns(NS));

	ASSERT_LE(0, fd);
	c.buf = 0x1000;
	EXPECT_EQ(-EFAULT, call_ioctl(fd, &c));
	EXPECT_EQ(0, c.status);
	check_mbox_state(fd);
	close(fd);
}

/*
 * The reply cannot be copied to the caller's buffer: the caller gets
 * EFAULT (delivered), the server's reply succeeded.
 */
TEST_F(mb, call_reply_buf_fault_efault_reply_succeeds)
{
	struct cspec s = { .fd = self->fd, .req = "f", .bad_reply_buf = true };
	struct caller k;
	struct outcome o;
	uint64_t h;

	h = start_and_take(self->fd, &s, &k, NULL);
	EXPECT_EQ(0, reply_str(self->fd, h, "lost"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-EFAULT, o.ret);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
	EXPECT_EQ(0, cstat(self->fd).charged);
}

/* ---- giving up: deadlines and signals --------------------------------------- */

TEST_F(mb, deadline_before_delivery_etimedout_withdrawn)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("dl", 2, rbuf, RMAX, 0);
	uint64_t t0 = mono_ns();

	c.deadline_ns = t0 + NS / 10;
	EXPECT_EQ(-ETIMEDOUT, call_ioctl(self->fd, &c));
	EXPECT_LE(NS / 10, mono_ns() - t0);
	EXPECT_EQ(0, c.status);
	EXPECT_EQ(0, c.reply_pid);
	/* Withdrawn: no server ever sees it. */
	check_mbox_state(self->fd);
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
	expect_nothing_queued(self->fd);
}

TEST_F(mb, deadline_passed_on_entry_etimedout)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("dl", 2, rbuf, RMAX, 1);

	EXPECT_EQ(-ETIMEDOUT, call_ioctl(self->fd, &c));
	EXPECT_EQ(0, c.status);
	check_mbox_state(self->fd);
}

TEST_F(mb, deadline_after_delivery_etimedout_delivered)
{
	struct cspec s = { .fd = self->fd, .req = "late", .timeout = NS };
	struct caller k;
	struct outcome o;

	ASSERT_NE(0, start_and_take(self->fd, &s, &k, NULL));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-ETIMEDOUT, o.ret);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	/* It waited for the reply up to its deadline, not less. */
	EXPECT_LE(NS, o.end - o.start);
	EXPECT_GT(5 * NS, o.end - o.start);
	/* The request was seen once, and is not back. */
	expect_nothing_queued(self->fd);
	check_mbox_state(self->fd, .sent = 1, .received = 1);
}

/* A signal while the request waits: restarted, seen by the server once. */
TEST_F(mb, signal_before_delivery_sa_restart_restarts)
{
	struct cspec s = { .fd = self->fd, .req = "rs", .handler = 2 };
	struct caller k;
	struct outcome o;
	char c;

	ASSERT_EQ(0, start_caller(&k, &s));
	ASSERT_EQ(0, wait_calls(self->fd, 1, 0));
	ASSERT_EQ(0, kill(k.pid, SIGUSR1));
	ASSERT_EQ(1, read(k.sig, &c, 1));
	/* The handler ran; the call is back in the mailbox, once. */
	ASSERT_EQ(0, wait_calls(self->fd, 1, 0));
	EXPECT_EQ(1, cstat(self->fd).depth);
	answer_caller(self->fd, &k, "rs", "restarted", &o);
	EXPECT_EQ(1, o.handler_ran);
	expect_nothing_queued(self->fd);
	check_mbox_state(self->fd, .sent = 1, .received = 1);
}

TEST_F(mb, signal_before_delivery_eintr_withdrawn)
{
	struct cspec s = { .fd = self->fd, .req = "in", .handler = 1 };
	struct caller k;
	struct outcome o;

	ASSERT_EQ(0, start_caller(&k, &s));
	ASSERT_EQ(0, wait_calls(self->fd, 1, 0));
	ASSERT_EQ(0, kill(k.pid, SIGUSR1));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-EINTR, o.ret);
	EXPECT_EQ(0, o.c.status);
	EXPECT_EQ(1, o.handler_ran);
	expect_nothing_queued(self->fd);
	check_mbox_state(self->fd);
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
}

/*
 * After delivery a signal parks the call; with SA_RESTART the restarted
 * call goes on waiting for the same reply: the request is not sent again.
 */
TEST_F(mb, signal_after_delivery_sa_restart_waits_on)
{
	struct cspec s = { .fd = self->fd, .req = "once", .handler = 2 };
	struct caller k;
	struct outcome o;
	char c;
	uint64_t h;

	h = interrupt_served(self->fd, &s, &k);
	ASSERT_EQ(1, read(k.sig, &c, 1));
	/* Not delivered a second time; still ours to answer. */
	expect_nothing_queued(self->fd);
	EXPECT_EQ(1, cstat(self->fd).calls_serving);
	ASSERT_EQ(0, reply_str(self->fd, h, "after"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_EQ(1, o.handler_ran);
	EXPECT_STREQ("after", o.reply);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	EXPECT_EQ(0, o.c.resume);
	check_mbox_state(self->fd, .sent = 1, .received = 1);
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
}

/*
 * Without SA_RESTART: EINTR, status 0, @resume the call's handle; the
 * reply that comes meanwhile is kept, and calling again with @resume
 * returns it.
 */
TEST_F(mb, signal_after_delivery_eintr_resume_gets_reply)
{
	struct cspec s = { .fd = self->fd, .req = "once", .handler = 1,
			   .resume = RESUME_ON_GO };
	struct caller k;
	struct outcome o;
	uint64_t h;

	h = park_served(self->fd, &s, &k, &o);
	EXPECT_EQ(0, o.c.status);
	EXPECT_EQ(1, o.handler_ran);
	/* Parked, not abandoned: the reply succeeds. */
	ASSERT_EQ(0, reply_str(self->fd, h, "kept"));
	ASSERT_EQ(0, sync_send(k.go));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("kept", o.reply);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	EXPECT_EQ(0, o.c.resume);
	EXPECT_EQ(getpid(), o.c.reply_pid);
	/* The request was seen once. */
	expect_nothing_queued(self->fd);
	check_mbox_state(self->fd, .sent = 1, .received = 1);
}

/* Resumed before the reply: the call waits for it. */
TEST_F(mb, signal_after_delivery_eintr_resume_waits)
{
	struct cspec s = { .fd = self->fd, .req = "once", .handler = 1,
			   .resume = RESUME_NOW };
	struct caller k;
	struct outcome o;
	uint64_t h;

	h = park_served(self->fd, &s, &k, &o);
	usleep(100000);		/* it waits again; not needed for the result */
	ASSERT_EQ(0, reply_str(self->fd, h, "later"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("later", o.reply);
}

/*
 * A parked call resumed the wrong way is refused and stays parked: the
 * caller's own resume then gets the reply.
 */
NAMED_MBOX_FIXTURE(resume)

FIXTURE_VARIANT(resume) {
	int how;		/* RESUME_*: the wrong resume the caller tries */
	const char *reply;
	int err;
};

/* Only the thread that parked a call resumes it. */
FIXTURE_VARIANT_ADD(resume, from_another_thread_enoent) {
	.how = RESUME_THREAD, .reply = "t", .err = ENOENT,
};
/* A resumed call's reply buffer is at least as large as the first. */
FIXTURE_VARIANT_ADD(resume, with_shorter_reply_buf_einval) {
	.how = RESUME_SHORT, .reply = "s", .err = EINVAL,
};
/* Only the fd a call was parked on resumes it. */
FIXTURE_VARIANT_ADD(resume, through_another_fd_enoent) {
	.how = RESUME_OTHER_FD, .reply = "f", .err = ENOENT,
};

TEST_F(resume, refused_call_stays_parked)
{
	struct cspec s = { .fd = self->fd, .req = "mine", .handler = 1,
			   .resume = variant->how, .other_name = self->name };
	struct caller k;
	struct outcome o;
	uint64_t h;

	h = park_served(self->fd, &s, &k, &o);
	ASSERT_EQ(0, reply_str(self->fd, h, variant->reply));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-variant->err, o.other_ret);
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ(variant->reply, o.reply);
}

/*
 * A parked call is abandoned when its caller's fd is released, and when
 * its caller dies ("its death"), also while the fd it parked on lives on
 * in another process: the late reply fails with ESRCH instead of
 * vanishing.  The caller, interrupted with EINTR, exits either way.
 */
NAMED_MBOX_FIXTURE(parked)

FIXTURE_VARIANT(parked) {
	bool own_fd;		/* the caller calls through a fd of its own */
};

FIXTURE_VARIANT_ADD(parked, call_fd_released_reply_esrch) {
	.own_fd = true,
};
FIXTURE_VARIANT_ADD(parked, caller_died_reply_esrch) {
	.own_fd = false,
};

TEST_F(parked, abandoned)
{
	struct cspec s = { .req = "p", .handler = 1 };
	struct caller k;
	struct outcome o;
	uint64_t h;

	if (variant->own_fd)
		s.name = self->name;
	else
		s.fd = self->fd;
	h = interrupt_served(self->fd, &s, &k);
	ASSERT_EQ(0, finish_caller(&k, &o));	/* it has exited */
	EXPECT_EQ(-EINTR, o.ret);
	EXPECT_EQ(h, o.c.resume);
	EXPECT_EQ(-ESRCH, reply_str(self->fd, h, "late"));
	if (variant->own_fd)
		EXPECT_EQ(0, cstat(self->fd).calls_serving);
}

/* A stop and a continue after delivery do not break the call. */
TEST_F(mb, stop_and_continue_after_delivery_call_completes)
{
	struct cspec s = { .fd = self->fd, .req = "st" };
	struct caller k;
	struct outcome o;
	uint64_t h;
	int st;

	h = start_and_take(self->fd, &s, &k, NULL);
	ASSERT_EQ(0, kill(k.pid, SIGSTOP));
	ASSERT_EQ(k.pid, waitpid(k.pid, &st, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(st));
	ASSERT_EQ(0, kill(k.pid, SIGCONT));
	ASSERT_EQ(0, reply_str(self->fd, h, "cont"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("cont", o.reply);
	expect_nothing_queued(self->fd);
}

/*
 * An fd keeps SHMBOX_CALL_PARK_MAX parked calls: one more abandons the
 * oldest (its reply fails with ESRCH, its resume with ENOENT); the others
 * stay answerable and resumable.
 */
static int park_child(int fd, int up, int down)
{
	static char rbuf[RMAX];
	struct shmbox_mbox_call c[SHMBOX_CALL_PARK_MAX + 1];
	struct sigaction sa = { .sa_handler = on_usr1 };
	int i, ret;

	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i <= SHMBOX_CALL_PARK_MAX; i++) {
		c[i] = call_arg("park", 4, rbuf, RMAX, FOREVER);
		ret = call_ioctl(fd, &c[i]);
		if (ret != -EINTR || !c[i].resume)
			return 10;
		if (sync_send(up))
			return 11;
	}
	if (sync_wait(down))
		return 12;
	/* The oldest is gone; the newest still returns its reply. */
	if (call_ioctl(fd, &c[0]) != -ENOENT)
		return 13;
	ret = call_ioctl(fd, &c[SHMBOX_CALL_PARK_MAX]);
	if (ret || c[SHMBOX_CALL_PARK_MAX].reply_len != 1 || rbuf[0] != 'n')
		return 14;
	return 0;
}

TEST_F(mb, park_max_evicts_oldest)
{
	uint64_t h[SHMBOX_CALL_PARK_MAX + 1];
	char buf[RMAX + 1];
	int up[2], down[2], i;
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);

		_exit(fd < 0 ? 20 : park_child(fd, up[1], down[0]));
	}
	for (i = 0; i <= SHMBOX_CALL_PARK_MAX; i++) {
		ASSERT_EQ(0, wait_calls(self->fd, 1, i));
		h[i] = take_call(self->fd, buf, NULL);
		ASSERT_EQ(0, kill(pid, SIGUSR1));
		ASSERT_EQ(0, sync_wait(up[0])) TH_LOG("call %d", i);
	}
	EXPECT_EQ(-ESRCH, reply_str(self->fd, h[0], "o"));
	for (i = 1; i < SHMBOX_CALL_PARK_MAX; i++)
		EXPECT_EQ(0, reply_str(self->fd, h[i], "m")) TH_LOG("call %d", i);
	EXPECT_EQ(0, reply_str(self->fd, h[SHMBOX_CALL_PARK_MAX], "n"));
	ASSERT_EQ(0, sync_send(down[1]));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* ---- the server goes away ------------------------------------------------- */

#define NCALLERS	3
#define PROMPT		(2 * NS)	/* "at once": well before 20 s */

/* NCALLERS callers with a 20 s deadline, queued on @fd. */
static int queue_callers(struct caller *k, int fd)
{
	struct cspec s = { .fd = fd, .req = "srv", .timeout = 20 * NS };

	for (int i = 0; i < NCALLERS; i++) {
		if (start_caller(&k[i], &s) || wait_calls(fd, i + 1, 0))
			return -1;
	}
	return 0;
}

TEST_F(mb, server_closes_fd_callers_epipe_at_once)
{
	struct caller k[NCALLERS];
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t closed;
	int srv, i;

	ASSERT_EQ(0, queue_callers(k, self->fd));
	/* Opened after the callers forked: they do not share it. */
	srv = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);
	ASSERT_LE(0, srv);
	for (i = 0; i < NCALLERS; i++)
		ASSERT_NE(0, take_call(srv, buf, NULL));
	ASSERT_EQ(0, wait_calls(self->fd, 0, NCALLERS));
	closed = mono_ns();
	close(srv);
	for (i = 0; i < NCALLERS; i++) {
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(-EPIPE, o.ret);
		EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
		EXPECT_GT(closed + PROMPT, o.end);
	}
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
	check_mbox_state(self->fd, .sent = NCALLERS, .received = NCALLERS);
}

/* Only the calls the closed fd took: another server's are unaffected. */
TEST_F(mb, server_close_spares_other_servers_calls)
{
	struct caller k[2];
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t h;
	int srv;

	ASSERT_EQ(0, queued_caller(&k[0], self->fd, "mine", 0, 1));
	ASSERT_EQ(0, queued_caller(&k[1], self->fd, "theirs", 0, 2));
	srv = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);
	ASSERT_LE(0, srv);
	h = take_call(self->fd, buf, NULL);
	ASSERT_NE(0, take_call(srv, buf, NULL));
	close(srv);
	ASSERT_EQ(0, finish_caller(&k[1], &o));
	EXPECT_EQ(-EPIPE, o.ret);
	ASSERT_EQ(0, reply_str(self->fd, h, "kept"));
	ASSERT_EQ(0, finish_caller(&k[0], &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("kept", o.reply);
}

TEST_F(mb, server_killed_callers_epipe_at_once)
{
	struct caller k[NCALLERS];
	struct outcome o;
	uint64_t killed;
	int p[2], i;
	pid_t srv;

	ASSERT_EQ(0, queue_callers(k, self->fd));
	ASSERT_EQ(0, pipe(p));
	srv = fork();
	ASSERT_LE(0, srv);
	if (srv == 0) {
		char buf[RMAX + 1];
		int fd = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);

		close(self->fd);
		for (i = 0; i < NCALLERS; i++)
			if (fd < 0 || recv_msg(fd, buf, RMAX, 0, after_ns(SOON),
					       NULL) < 0)
				_exit(1);
		sync_send(p[1]);
		pause();
		_exit(2);
	}
	ASSERT_EQ(0, sync_wait(p[0]));
	ASSERT_EQ(0, wait_calls(self->fd, 0, NCALLERS));
	killed = mono_ns();
	ASSERT_EQ(0, kill(srv, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, reap(srv));
	for (i = 0; i < NCALLERS; i++) {
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(-EPIPE, o.ret);
		EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
		EXPECT_GT(killed + PROMPT, o.end);
	}
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
	close(p[0]);
	close(p[1]);
}

TEST_F(mb, unlink_queued_callers_eidrm_served_call_answerable)
{
	struct caller k[NCALLERS];
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t h, unlinked;
	int i;

	ASSERT_EQ(0, queue_callers(k, self->fd));
	h = take_call(self->fd, buf, NULL);		/* k[0]'s */
	ASSERT_EQ(0, wait_calls(self->fd, NCALLERS - 1, 1));
	unlinked = mono_ns();
	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
	for (i = 1; i < NCALLERS; i++) {
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(-EIDRM, o.ret);
		EXPECT_EQ(0, o.c.status);
		EXPECT_GT(unlinked + PROMPT, o.end);
	}
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
	EXPECT_EQ(0, cstat(self->fd).depth);
	/* The one taken is still ours to answer. */
	ASSERT_EQ(0, reply_str(self->fd, h, "after"));
	ASSERT_EQ(0, finish_caller(&k[0], &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("after", o.reply);
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
}

TEST_F(mb, call_on_unlinked_mailbox_eidrm)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("x", 1, rbuf, RMAX, after_ns(NS));

	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(-EIDRM, call_ioctl(self->fd, &c));
	EXPECT_EQ(0, c.status);
}

/* An inbox's process closes it: its queued callers fail with EIDRM. */
TEST(inbox_closed_queued_callers_eidrm)
{
	struct caller k;
	struct outcome o;
	int fd = shmbox_dev_open(), up[2], down[2];
	pid_t srv;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	srv = fork();
	ASSERT_LE(0, srv);
	if (srv == 0) {
		int in = mkinbox(8, 0600);

		if (in < 0 || sync_send(up[1]) || sync_wait(down[0]) ||
		    wait_calls(in, 1, 0))
			_exit(1);
		close(in);
		_exit(0);
	}
	ASSERT_EQ(0, sync_wait(up[0]));
	{
		struct cspec s = { .fd = fd, .req = "i", .pid = srv,
				   .timeout = 20 * NS };

		ASSERT_EQ(0, start_caller(&k, &s));
	}
	ASSERT_EQ(0, sync_send(down[1]));
	EXPECT_EQ(0, reap(srv));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-EIDRM, o.ret);
	EXPECT_EQ(0, o.c.status);
	EXPECT_GT(5 * NS, o.end - o.start);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	close(fd);
}

/* ---- REPLY_RECV ------------------------------------------------------------ */

TEST_F(mb, reply_recv_replies_then_receives)
{
	struct shmbox_mbox_reply_recv a;
	struct caller k[2];
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t h;

	ASSERT_EQ(0, queued_caller(&k[0], self->fd, "first", 0, 1));
	h = take_call(self->fd, buf, NULL);
	ASSERT_EQ(0, queued_caller(&k[1], self->fd, "second", 0, 1));
	a = rr_arg(h, "one", 3, buf, RMAX, 0, after_ns(SOON));
	ASSERT_EQ(6, rr_ioctl(self->fd, &a));
	EXPECT_EQ(0, a.reply_handle);		/* used up */
	EXPECT_EQ(0, memcmp(buf, "second", 6));
	EXPECT_EQ(SHMBOX_RECV_CALL, a.rflags);
	EXPECT_NE(0, a.handle);
	EXPECT_NE(h, a.handle);
	EXPECT_EQ(RMAX, a.reply_max);
	EXPECT_EQ(k[1].pid, a.pid);
	EXPECT_EQ(geteuid(), a.uid);
	ASSERT_EQ(0, finish_caller(&k[0], &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("one", o.reply);
	/* And the next round: answer the second, find nothing. */
	h = a.handle;
	a = rr_arg(h, "two", 3, buf, RMAX, SHMBOX_MSG_NONBLOCK, FOREVER);
	EXPECT_EQ(-EAGAIN, rr_ioctl(self->fd, &a));
	EXPECT_EQ(0, a.reply_handle);
	ASSERT_EQ(0, finish_caller(&k[1], &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("two", o.reply);
	check_mbox_state(self->fd, .sent = 2, .received = 2);
}

TEST_F(mb, reply_recv_without_handle_just_receives)
{
	struct shmbox_mbox_reply_recv a;
	char buf[RMAX + 1];

	ASSERT_EQ(0, send_str(self->fd, "msg", 4));
	a = rr_arg(0, NULL, 0, buf, RMAX, 0, after_ns(SOON));
	ASSERT_EQ(3, rr_ioctl(self->fd, &a));
	EXPECT_EQ(0, memcmp(buf, "msg", 3));
	EXPECT_EQ(4, a.prio);
	EXPECT_EQ(0, a.rflags);
	EXPECT_EQ(0, a.handle);
	EXPECT_EQ(getpid(), a.pid);
}

/*
 * REPLY_RECV arguments it refuses, one a row, with a message queued: it
 * is not received.  A reply buffer or length without a handle to answer
 * is a mistake: EINVAL.
 */
NAMED_MBOX_FIXTURE(rrinval)

struct rr_try {
	unsigned int flags, pad, pad2, nr_handles;
};

FIXTURE_VARIANT(rrinval) {
	bool reply_buf;		/* a reply buffer, but no handle */
	unsigned int reply_len;
	bool nowait;		/* no deadline: SHMBOX_NOWAIT */
	int ntries;		/* tries[] each refused in turn */
	struct rr_try tries[3];
};

FIXTURE_VARIANT_ADD(rrinval, reply_buf_without_handle_einval) {
	.reply_buf = true, .ntries = 1,
};
FIXTURE_VARIANT_ADD(rrinval, reply_len_without_handle_einval) {
	.reply_len = 1, .ntries = 1,
};
FIXTURE_VARIANT_ADD(rrinval, bad_flags_einval) {
	.nowait = true, .ntries = 3,
	.tries = { { .flags = SHMBOX_MSG_PEEK }, { .flags = 1U << 31 },
		   { .pad = 1 } },
};
FIXTURE_VARIANT_ADD(rrinval, bad_handles_fields_einval) {
	.nowait = true, .ntries = 2,
	.tries = { { .pad2 = 1 },
		   { .nr_handles = SHMBOX_MSG_HANDLES_MAX + 1 } },
};

TEST_F(rrinval, refused_receives_nothing)
{
	struct shmbox_mbox_reply_recv a;
	char buf[RMAX + 1], old[8];

	ASSERT_EQ(0, send_str(self->fd, "msg", 0));
	for (int i = 0; i < variant->ntries; i++) {
		a = rr_arg(0, variant->reply_buf ? old : NULL,
			   variant->reply_len, buf, RMAX,
			   variant->tries[i].flags,
			   variant->nowait ? SHMBOX_NOWAIT : after_ns(SOON));
		a.pad = variant->tries[i].pad;
		a.pad2 = variant->tries[i].pad2;
		a.nr_handles = variant->tries[i].nr_handles;
		EXPECT_EQ(-EINVAL, rr_ioctl(self->fd, &a));
	}
	EXPECT_EQ(1, cstat(self->fd).depth);
}

/* A reply that fails (not used up) receives nothing, keeps the handle. */
TEST_F(srv, reply_recv_failing_reply_receives_nothing)
{
	struct shmbox_mbox_reply_recv a;
	char buf[RMAX + 1], big[RMAX + 1];

	ASSERT_EQ(0, send_str(self->fd, "waiting", 0));
	a = rr_arg(self->handle + 12345, "x", 1, buf, RMAX, 0, after_ns(SOON));
	EXPECT_EQ(-ENOENT, rr_ioctl(self->fd, &a));
	EXPECT_EQ(self->handle + 12345, a.reply_handle);
	memset(big, 'b', sizeof(big));
	a = rr_arg(self->handle, big, RMAX + 1, buf, RMAX, 0, after_ns(SOON));
	EXPECT_EQ(-EMSGSIZE, rr_ioctl(self->fd, &a));
	EXPECT_EQ(self->handle, a.reply_handle);	/* still good */
	/* Nothing was received: the message is still there. */
	EXPECT_EQ(1, cstat(self->fd).depth);
	EXPECT_EQ(2, cstat(self->fd).sent);
	EXPECT_EQ(1, cstat(self->fd).received);
	handle_still_works(_metadata, self);
	ASSERT_EQ(7, recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, NULL));
}

/* ESRCH uses the handle up: it is written back 0, nothing received. */
TEST_F(srv, reply_recv_caller_gone_esrch_handle_zeroed)
{
	struct shmbox_mbox_reply_recv a;
	char buf[RMAX + 1];

	ASSERT_EQ(0, send_str(self->fd, "waiting", 0));
	kill_caller(&self->k);
	self->live = false;
	a = rr_arg(self->handle, "x", 1, buf, RMAX, 0, after_ns(SOON));
	EXPECT_EQ(-ESRCH, rr_ioctl(self->fd, &a));
	EXPECT_EQ(0, a.reply_handle);
	EXPECT_EQ(1, cstat(self->fd).depth);
	EXPECT_EQ(-ENOENT, reply_str(self->fd, self->handle, "x"));
}

/* The reply is given even when the receive then finds nothing. */
TEST_F(srv, reply_recv_reply_done_receive_times_out)
{
	struct shmbox_mbox_reply_recv a;
	struct outcome o;
	char buf[RMAX + 1];

	a = rr_arg(self->handle, "done", 4, buf, RMAX, 0, after_ns(NS / 10));
	EXPECT_EQ(-ETIMEDOUT, rr_ioctl(self->fd, &a));
	EXPECT_EQ(0, a.reply_handle);
	self->live = false;
	ASSERT_EQ(0, finish_caller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("done", o.reply);
}

/* ---- stat and /proc ------------------------------------------------------- */

TEST_F(mb, stat_calls_waiting_and_serving)
{
	struct shmbox_mbox_stat st;
	struct caller k[2];
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t h;

	ASSERT_EQ(0, send_str(self->fd, "m", 0));
	ASSERT_EQ(0, queued_caller(&k[0], self->fd, "a", 0, 1));
	ASSERT_EQ(0, queued_caller(&k[1], self->fd, "b", 0, 2));
	st = cstat(self->fd);
	EXPECT_EQ(3, st.depth);
	EXPECT_EQ(2, st.calls_waiting);
	EXPECT_EQ(0, st.calls_serving);
	EXPECT_EQ(3, st.bytes);
	EXPECT_EQ(3 * SHMBOX_MSG_COST(1), st.charged);
	ASSERT_EQ(1, recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, NULL));
	h = take_call(self->fd, buf, NULL);
	st = cstat(self->fd);
	EXPECT_EQ(1, st.depth);
	EXPECT_EQ(1, st.calls_waiting);
	EXPECT_EQ(1, st.calls_serving);
	/* Served by another fd of the mailbox: counted too. */
	{
		int fd2 = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);
		uint64_t h2;

		ASSERT_LE(0, fd2);
		h2 = take_call(fd2, buf, NULL);
		st = cstat(self->fd);
		EXPECT_EQ(0, st.depth);
		EXPECT_EQ(0, st.calls_waiting);
		EXPECT_EQ(2, st.calls_serving);
		EXPECT_EQ(2, cstat(fd2).calls_serving);
		ASSERT_EQ(0, reply_str(fd2, h2, "b"));
		close(fd2);
	}
	EXPECT_EQ(1, cstat(self->fd).calls_serving);
	ASSERT_EQ(0, reply_str(self->fd, h, "a"));
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(0, o.ret);
	}
	check_mbox_state(self->fd, .sent = 3, .received = 3);
}

/* Stat of an older size is not written past its end. */
TEST_F(mb, stat_ver1_size_unchanged_tail)
{
	struct { struct shmbox_mbox_stat st; uint64_t canary; } sb;

	memset(&sb, 0xa5, sizeof(sb));
	memset(&sb.st, 0, SHMBOX_MBOX_STAT_SIZE_VER1);
	sb.st.size = SHMBOX_MBOX_STAT_SIZE_VER1;
	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_STAT, &sb.st));
	EXPECT_EQ(0xa5a5a5a5U, sb.st.calls_waiting);
	EXPECT_EQ(0xa5a5a5a5U, sb.st.calls_serving);
}

TEST_F(mb, proc_shows_calls_and_serving)
{
	struct proc_row r;
	struct caller k[3];
	struct outcome o;
	char buf[RMAX + 1], rname[80];
	uint64_t h;
	int i, rfd;

	ASSERT_EQ(1, proc_find("mailbox", self->name, &r));
	EXPECT_STREQ("0", r.f[P_CALLS]);
	EXPECT_STREQ("0", r.f[P_SERVING]);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, queued_caller(&k[i], self->fd, "p", 0, i + 1));
	h = take_call(self->fd, buf, NULL);
	ASSERT_EQ(1, proc_find("mailbox", self->name, &r));
	EXPECT_STREQ("2", r.f[P_CALLS]);
	EXPECT_STREQ("1", r.f[P_SERVING]);
	EXPECT_STREQ("2", r.f[P_DEPTH]);
	/* A region has neither. */
	snprintf(rname, sizeof(rname), "%s-region", self->name);
	rfd = shmbox_region_open(rname, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
				 SHMBOX_O_AUTOREMOVE, 4096, 0600, 1);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(1, proc_find("region", rname, &r));
	EXPECT_STREQ("-", r.f[P_CALLS]);
	EXPECT_STREQ("-", r.f[P_SERVING]);
	close(rfd);
	ASSERT_EQ(0, reply_str(self->fd, h, "r"));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, reply_str(self->fd, take_call(self->fd, buf, NULL),
				       "r"));
	ASSERT_EQ(1, proc_find("mailbox", self->name, &r));
	EXPECT_STREQ("0", r.f[P_CALLS]);
	EXPECT_STREQ("0", r.f[P_SERVING]);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(0, o.ret);
	}
}

/* ---- quota ----------------------------------------------------------------- */

FIXTURE(quota) {
	unsigned long old_bytes;
	char name[64];
	int fd;
};

FIXTURE_SETUP(quota)
{
	self->old_bytes = 0;
	ASSERT_EQ(0, param_read("max_user_bytes", &self->old_bytes));
	mb_name(self->name, sizeof(self->name));
	self->fd = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(quota)
{
	close(self->fd);
	shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
	if (self->old_bytes)
		param_set("max_user_bytes", self->old_bytes);
}

/* Zero-length messages sent until ENOSPC: how many fit. */
static int fill_count(int fd, int max)
{
	int n = 0, ret;

	while (n < max && !(ret = shmbox_mbox_send(fd, "", 0, 0, 0,
						   SHMBOX_NOWAIT)))
		n++;
	return n < max && ret == -ENOSPC ? n : -1;
}

static void drain(int fd)
{
	char buf[RMAX];

	while (recv_msg(fd, buf, RMAX, 0, SHMBOX_NOWAIT, NULL) >= 0)
		;
}

/* A reply costs its caller until the caller copied it out. */
TEST_F(quota, reply_charged_until_copied_out_enospc)
{
	struct caller k;
	struct outcome o;
	char buf[RMAX + 1];
	uint64_t h;

	ASSERT_EQ(0, param_set("max_user_bytes", 8 * SHMBOX_MSG_COST(0)));
	ASSERT_EQ(0, queued_caller(&k, self->fd, "q", 0, 1));
	h = take_call(self->fd, buf, NULL);
	/* The request left with its copy: eight messages fit again. */
	ASSERT_EQ(8, fill_count(self->fd, 100));
	EXPECT_EQ(-ENOSPC, do_reply(self->fd, h, NULL, 0));
	ASSERT_EQ(0, recv_msg(self->fd, buf, RMAX, 0, SHMBOX_NOWAIT, NULL));
	/* The handle still answers; the reply takes the room just freed. */
	ASSERT_EQ(0, do_reply(self->fd, h, NULL, 0));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	/* Copied out: its charge is back. */
	EXPECT_EQ(1, fill_count(self->fd, 100));
	drain(self->fd);
	EXPECT_EQ(0, cstat(self->fd).charged);
}

/*
 * Abandoned calls (the caller killed, timed out, interrupted, or its
 * reply buffer faulting) leave nothing charged: after many of them on
 * a small max_user_bytes, the owner's whole quota is still there.
 */
TEST_F_TIMEOUT(quota, abandoned_calls_leak_no_quota, 120)
{
	char big[200], buf[RMAX + 1];
	struct caller k;
	struct outcome o;
	uint64_t h;
	int i;

	memset(big, 'r', sizeof(big));
	ASSERT_EQ(0, param_set("max_user_bytes", 4 * SHMBOX_MSG_COST(200)));
	for (i = 0; i < 50; i++) {
		int how = i % 5;
		struct cspec s = { .fd = self->fd, .req = "ab",
				   .reply_len = sizeof(big),
				   .handler = how >= 2 && how <= 3 ? 1 : 0,
				   .resume = how == 3 ? RESUME_ON_GO : 0,
				   .name = how >= 2 && how <= 3 ? self->name : NULL,
				   .bad_reply_buf = how == 4 };
		struct shmbox_mbox_recv r;

		ASSERT_EQ(0, start_caller(&k, &s));
		ASSERT_EQ(0, wait_calls(self->fd, 1, 0));
		ASSERT_EQ(2, recv_msg(self->fd, buf, RMAX, 0, after_ns(SOON),
				      &r));
		h = r.handle;
		switch (how) {
		case 0:		/* killed while waiting */
			kill_caller(&k);
			EXPECT_EQ(-ESRCH, do_reply(self->fd, h, big,
						   sizeof(big)));
			break;
		case 1:		/* answered and copied out */
			ASSERT_EQ(0, do_reply(self->fd, h, big, sizeof(big)));
			ASSERT_EQ(0, finish_caller(&k, &o));
			EXPECT_EQ(0, o.ret);
			break;
		case 2:		/* parked on its own fd, which it closes */
			ASSERT_EQ(0, kill(k.pid, SIGUSR1));
			ASSERT_EQ(0, finish_caller(&k, &o));
			EXPECT_EQ(-EINTR, o.ret);
			EXPECT_EQ(-ESRCH, do_reply(self->fd, h, big,
						   sizeof(big)));
			break;
		case 3:		/* parked, answered, then its fd goes */
			ASSERT_EQ(0, kill(k.pid, SIGUSR1));
			ASSERT_EQ(0, next_outcome(&k, &o));
			EXPECT_EQ(-EINTR, o.ret);
			EXPECT_EQ(0, do_reply(self->fd, h, big, sizeof(big)));
			kill_caller(&k);
			break;
		case 4:		/* the reply cannot be copied out */
			EXPECT_EQ(0, do_reply(self->fd, h, big, sizeof(big)));
			ASSERT_EQ(0, finish_caller(&k, &o));
			EXPECT_EQ(-EFAULT, o.ret);
			break;
		}
		EXPECT_EQ(0, cstat(self->fd).calls_serving) TH_LOG("round %d", i);
		EXPECT_EQ(0, cstat(self->fd).charged) TH_LOG("round %d", i);
	}
/* All four 200-byte messages' worth is free, not one byte less. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, shmbox_mbox_send(self->fd, big, sizeof(big), 0, 0,
					      SHMBOX_NOWAIT)) TH_LOG("msg %d", i);
	EXPECT_EQ(-ENOSPC, shmbox_mbox_send(self->fd, "", 0, 0, 0,
					    SHMBOX_NOWAIT));
	drain(self->fd);
}

/* The owner's quota used up: the request fails at once, not delivered. */
TEST_F(quota, call_request_over_owner_quota_enospc)
{
	char rbuf[RMAX];
	struct shmbox_mbox_call c = call_arg("", 0, rbuf, RMAX, after_ns(NS));

	ASSERT_EQ(0, param_set("max_user_bytes", 2 * SHMBOX_MSG_COST(0)));
	ASSERT_EQ(2, fill_count(self->fd, 100));
	EXPECT_EQ(-ENOSPC, call_ioctl(self->fd, &c));
	EXPECT_EQ(0, c.status);
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
	EXPECT_EQ(2, cstat(self->fd).depth);
	drain(self->fd);
}

/*
 * The reply is charged to the caller (the user who opened its fd), not
 * to the mailbox owner: with the owner's quota used up, the reply to
 * another user's call still goes through.
 */
TEST_F(quota, reply_charged_to_caller_not_owner)
{
	char name[80];
	struct cspec s = { .name = name, .req = "", .uid = NOBODY };
	struct caller k;
	struct outcome o;
	int fd, own;
	uint64_t h;

	umask(0);
	snprintf(name, sizeof(name), "%s-w", self->name);
	fd = mkmbox(name, SHMBOX_MBOX_UNBOUNDED, 0622);
	ASSERT_LE(0, fd);
	own = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, own);
	ASSERT_EQ(0, param_set("max_user_bytes", 4 * SHMBOX_MSG_COST(0)));
	h = start_and_take(fd, &s, &k, NULL);
	/* The owner (we) has nothing left. */
	EXPECT_EQ(4, fill_count(own, 100));
	EXPECT_EQ(0, do_reply(fd, h, NULL, 0));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	drain(own);
	close(own);
	close(fd);
	shmbox_unlink(name, SHMBOX_KIND_MAILBOX);
}

/* A child as @uid holding a mailbox with four queued messages. */
static pid_t hold_full_quota(unsigned int uid, int up, int down)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd, i;

		if (become_user(uid))
			_exit(1);
		fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
		for (i = 0; fd >= 0 && i < 4; i++)
			if (shmbox_mbox_send(fd, "", 0, 0, 0, SHMBOX_NOWAIT))
				_exit(2);
		if (fd < 0 || sync_send(up) || sync_wait(down))
			_exit(3);
		_exit(0);
	}
	return pid;
}

/* The caller's quota used up: the reply fails with ENOSPC, and can retry. */
TEST_F(quota, reply_enospc_when_callers_quota_used)
{
	char name[80];
	struct cspec s = { .name = name, .req = "", .uid = NOBODY };
	int fd, up[2], down[2];
	struct caller k;
	struct outcome o;
	uint64_t h;
	pid_t holder;

	umask(0);
	snprintf(name, sizeof(name), "%s-w", self->name);
	fd = mkmbox(name, SHMBOX_MBOX_UNBOUNDED, 0622);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	ASSERT_EQ(0, param_set("max_user_bytes", 4 * SHMBOX_MSG_COST(0)));
	holder = hold_full_quota(NOBODY, up[1], down[0]);
	ASSERT_LE(0, holder);
	ASSERT_EQ(0, sync_wait(up[0]));
	h = start_and_take(fd, &s, &k, NULL);
	EXPECT_EQ(-ENOSPC, do_reply(fd, h, NULL, 0));
	/* Its quota back, the same handle answers. */
	ASSERT_EQ(0, sync_send(down[1]));
	EXPECT_EQ(0, reap(holder));
	EXPECT_EQ(0, do_reply(fd, h, NULL, 0));
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(0, o.ret);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	close(fd);
	shmbox_unlink(name, SHMBOX_KIND_MAILBOX);
}

/* Calls a closed server fd held leave nothing charged either. */
TEST_F(quota, server_close_with_calls_leaks_no_quota)
{
	struct caller k[NCALLERS];
	struct outcome o;
	char buf[RMAX + 1];
	int srv, i;

	ASSERT_EQ(0, param_set("max_user_bytes", 4 * SHMBOX_MSG_COST(0)));
	for (i = 0; i < NCALLERS; i++)
		ASSERT_EQ(0, queued_caller(&k[i], self->fd, "", 0, i + 1));
	/* A description of our own, which the callers do not share. */
	srv = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);
	ASSERT_LE(0, srv);
	for (i = 0; i < NCALLERS; i++)
		ASSERT_NE(0, take_call(srv, buf, NULL));
	close(srv);
	for (i = 0; i < NCALLERS; i++) {
		ASSERT_EQ(0, finish_caller(&k[i], &o));
		EXPECT_EQ(-EPIPE, o.ret);
	}
	EXPECT_EQ(0, cstat(self->fd).charged);
	EXPECT_EQ(4, fill_count(self->fd, 100));
	drain(self->fd);
}

/* ---- tracepoints ------------------------------------------------------------ */

#define TRACEFS	"/sys/kernel/tracing"
#define EVENTS	TRACEFS "/events/shmbox"

static int write_str(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static char *read_all(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *nb;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

static const char * const call_events[] = {
	"shmbox_mbox_call", "shmbox_mbox_reply", "shmbox_mbox_call_abandon",
};

/* A line of @t with "@event: mbox=@name " and @tail in it. */
static bool trace_has(const char *t, const char *event, const char *name,
		      const char *tail)
{
	char head[160];
	const char *p = t, *eol;

	snprintf(head, sizeof(head), "%s: mbox=%s ", event, name);
	while ((p = strstr(p, head))) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if (memmem(p, eol - p, tail, strlen(tail)))
			return true;
		p = eol;
	}
	return false;
}

TEST_F(mb, tracepoints_call_reply_abandon)
{
	char path[128], buf[RMAX + 1], want[160], *t;
	struct cspec s = { .fd = self->fd, .req = "timed", .timeout = NS / 2 };
	struct caller k;
	struct outcome o;
	uint64_t h, h2;
	unsigned int i;

	if (access(EVENTS "/enable", W_OK))
		SKIP(return, "no %s", EVENTS);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), EVENTS "/%s/enable",
			 call_events[i]);
		ASSERT_EQ(0, write_str(path, "1", 0)) TH_LOG("%s", path);
	}
	ASSERT_EQ(0, write_str(TRACEFS "/tracing_on", "1", 0));
	ASSERT_EQ(0, write_str(TRACEFS "/trace", "", O_TRUNC));
	/* One answered call; one abandoned at its deadline, replied late. */
	ASSERT_EQ(0, queued_caller(&k, self->fd, "traced", 0, 1));
	h = take_call(self->fd, buf, NULL);
	ASSERT_EQ(0, reply_str(self->fd, h, "ok"));
	ASSERT_EQ(0, finish_caller(&k, &o));
	h2 = start_and_take(self->fd, &s, &k, buf);
	ASSERT_EQ(0, finish_caller(&k, &o));
	EXPECT_EQ(-ETIMEDOUT, o.ret);
	EXPECT_EQ(-ESRCH, reply_str(self->fd, h2, "late"));
	t = read_all(TRACEFS "/trace");
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), EVENTS "/%s/enable",
			 call_events[i]);
		write_str(path, "0", 0);
	}
	ASSERT_NE(NULL, t);
	snprintf(want, sizeof(want), "handle=%llu len=6 ret=0",
		 (unsigned long long)h);
	EXPECT_TRUE(trace_has(t, "shmbox_mbox_call", self->name, want))
		TH_LOG("%s in:\n%s", want, t);
	snprintf(want, sizeof(want), "handle=%llu len=2 ret=0",
		 (unsigned long long)h);
	EXPECT_TRUE(trace_has(t, "shmbox_mbox_reply", self->name, want))
		TH_LOG("%s", want);
	snprintf(want, sizeof(want), "handle=%llu len=5 ret=-110",
		 (unsigned long long)h2);
	EXPECT_TRUE(trace_has(t, "shmbox_mbox_call_abandon", self->name, want))
		TH_LOG("%s", want);
	snprintf(want, sizeof(want), "handle=%llu len=4 ret=-3",
		 (unsigned long long)h2);
	EXPECT_TRUE(trace_has(t, "shmbox_mbox_reply", self->name, want))
		TH_LOG("%s", want);
	free(t);
}

/* ---- many callers, many server threads ------------------------------------- */

#define SC_CALLERS	6
#define SC_CALLS	150
#define SC_THREADS	4

struct token {
	uint32_t magic, caller, seq, salt;
};

struct sc_shared {
	uint32_t served[SC_CALLERS][SC_CALLS];	/* receipts per call */
	uint32_t bad_reply;			/* replies to the wrong call */
	uint32_t done;				/* callers finished */
};

struct sc_server {
	int fd;
	int stop;
	struct sc_shared *sh;
	uint64_t *handles;
	uint32_t *nhandles;
	int err;
	pthread_t th;
};

static void *sc_server_main(void *p)
{
	struct sc_server *s = p;
	struct token req, rep;
	uint64_t handle = 0;
	int n;

	for (;;) {
		struct shmbox_mbox_reply_recv a =
			rr_arg(handle, handle ? &rep : NULL,
			       handle ? sizeof(rep) : 0, &req, sizeof(req), 0,
			       after_ns(NS / 10));

		n = rr_ioctl(s->fd, &a);
		if (a.reply_handle) {	/* a reply not used up: a bug here */
			s->err = 1;
			return NULL;
		}
		handle = 0;
		if (n == -ETIMEDOUT) {
			if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
				return NULL;
			continue;
		}
		if (n != sizeof(req) || req.magic != 0x43414c4c ||
		    req.caller >= SC_CALLERS || req.seq >= SC_CALLS ||
		    !(a.rflags & SHMBOX_RECV_CALL) || !a.handle) {
			s->err = 2;
			return NULL;
		}
		__atomic_fetch_add(&s->sh->served[req.caller][req.seq], 1,
				   __ATOMIC_SEQ_CST);
		s->handles[__atomic_fetch_add(s->nhandles, 1,
					      __ATOMIC_SEQ_CST)] = a.handle;
		rep = req;
		rep.salt = ~req.salt;
		handle = a.handle;
	}
}

static int sc_caller(const char *name, struct sc_shared *sh, uint32_t me)
{
	int fd = shmbox_mbox_open(name, 0, NULL, O_WRONLY);
	struct token req, rep;

	if (fd < 0)
		return 1;
	srandom(getpid());
	for (uint32_t seq = 0; seq < SC_CALLS; seq++) {
		struct shmbox_mbox_call c;

		req = (struct token){ 0x43414c4c, me, seq, (uint32_t)random() };
		memset(&rep, 0, sizeof(rep));
		c = call_arg(&req, sizeof(req), &rep, sizeof(rep),
			     after_ns(20 * NS));
		c.prio = random() % 4;
		if (call_ioctl(fd, &c))
			return 2;
		if (c.reply_len != sizeof(rep) || rep.magic != req.magic ||
		    rep.caller != me || rep.seq != seq ||
		    rep.salt != ~req.salt) {
			__atomic_fetch_add(&sh->bad_reply, 1, __ATOMIC_SEQ_CST);
			return 3;
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(mb, many_callers_many_threads_each_reply_once, 300)
{
	struct sc_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	static uint64_t handles[SC_CALLERS * SC_CALLS];
	struct sc_server srv[SC_THREADS];
	uint32_t nhandles = 0;
	pid_t kids[SC_CALLERS];
	int fds[2], i, j, bad = 0;

	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	/* Callers first (no threads to fork from), each its own fd. */
	for (i = 0; i < SC_CALLERS; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0) {
			close(self->fd);
			_exit(sc_caller(self->name, sh, i));
		}
	}
	/* Two descriptions, two threads on each. */
	fds[0] = self->fd;
	fds[1] = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);
	ASSERT_LE(0, fds[1]);
	for (i = 0; i < SC_THREADS; i++) {
		srv[i] = (struct sc_server){ .fd = fds[i % 2], .sh = sh,
			.handles = handles, .nhandles = &nhandles };
		ASSERT_EQ(0, pthread_create(&srv[i].th, NULL, sc_server_main,
					    &srv[i]));
	}
	for (i = 0; i < SC_CALLERS; i++)
		EXPECT_EQ(0, reap(kids[i])) TH_LOG("caller %d", i);
	for (i = 0; i < SC_THREADS; i++)
		__atomic_store_n(&srv[i].stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < SC_THREADS; i++) {
		pthread_join(srv[i].th, NULL);
		EXPECT_EQ(0, srv[i].err) TH_LOG("server thread %d", i);
	}
	EXPECT_EQ(0, sh->bad_reply);
	for (i = 0; i < SC_CALLERS; i++)
		for (j = 0; j < SC_CALLS; j++)
			if (sh->served[i][j] != 1 && bad++ < 10)
				TH_LOG("call %d.%d served %u times", i, j,
				       sh->served[i][j]);
	EXPECT_EQ(0, bad);
	ASSERT_EQ(SC_CALLERS * SC_CALLS, nhandles);
	/* Every handle distinct and non-zero. */
	qsort(handles, nhandles, sizeof(handles[0]), cmp_u64);
	EXPECT_NE(0, handles[0]);
	for (i = 1; i < (int)nhandles; i++)
		bad += handles[i] == handles[i - 1];
	EXPECT_EQ(0, bad);
	check_mbox_state(self->fd, .sent = SC_CALLERS * SC_CALLS,
			 .received = SC_CALLERS * SC_CALLS);
	EXPECT_EQ(0, cstat(self->fd).calls_serving);
	EXPECT_EQ(0, cstat(self->fd).calls_waiting);
	EXPECT_EQ(0, cstat(self->fd).charged);
	close(fds[1]);
	munmap(sh, sizeof(*sh));
}

/* The feature is announced, with ABI 1.3. */
TEST(version_has_call_feature)
{
	struct shmbox_version v = { .size = sizeof(v) };
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(1, v.abi_major);
	EXPECT_LE(3, v.abi_minor);
	EXPECT_TRUE(v.features & SHMBOX_FEAT_CALL);
	close(fd);
}

TEST_HARNESS_MAIN
