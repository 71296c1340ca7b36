// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_id: inbox ids and exec (ABI 1.2) -- every inbox's id is non-zero
 * and never reused, a receive reports the sender's inbox id (RECV, RECVV
 * with struct shmbox_mbox_msgx; 0 for a sender without one), a send by
 * id reaches exactly that inbox or fails with ESRCH, also once the
 * sender's pid belongs to another process; older (smaller) structures
 * still work and get no id; and an inbox never crosses exec: the new
 * program's inbox is a new one, as itself and setuid root, and the
 * inbox left behind is reached by its id and its fds only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

/*
 * The same layout for every ABI (the M32 suite runs this too): the
 * version-1 fields where version 1 had them, and the sizes of today's
 * structures (the recv, stat and msgx grew to version 2 with ABI 1.3;
 * send to 2, recv, stat and msgx to 3 with ABI 1.4).
 */
_Static_assert(offsetof(struct shmbox_mbox_recv, id) + 8 ==
	       SHMBOX_MBOX_RECV_SIZE_VER1, "recv id");
_Static_assert(offsetof(struct shmbox_mbox_recv, handle) ==
	       SHMBOX_MBOX_RECV_SIZE_VER1, "recv handle");
_Static_assert(offsetof(struct shmbox_mbox_recv, handles) ==
	       SHMBOX_MBOX_RECV_SIZE_VER2, "recv handles");
_Static_assert(sizeof(struct shmbox_mbox_recv) == SHMBOX_MBOX_RECV_SIZE_VER3,
	       "recv");
_Static_assert(offsetof(struct shmbox_mbox_send, handles) ==
	       SHMBOX_MBOX_SEND_SIZE_VER1, "send handles");
_Static_assert(sizeof(struct shmbox_mbox_send) == SHMBOX_MBOX_SEND_SIZE_VER2,
	       "send");
_Static_assert(sizeof(struct shmbox_mbox_vec) == SHMBOX_MBOX_VEC_SIZE_VER1,
	       "vec");
_Static_assert(offsetof(struct shmbox_mbox_stat, inbox_id) + 8 ==
	       SHMBOX_MBOX_STAT_SIZE_VER1, "stat inbox_id");
_Static_assert(offsetof(struct shmbox_mbox_stat, calls_waiting) ==
	       SHMBOX_MBOX_STAT_SIZE_VER1, "stat calls_waiting");
_Static_assert(offsetof(struct shmbox_mbox_stat, handles) ==
	       SHMBOX_MBOX_STAT_SIZE_VER2, "stat handles");
_Static_assert(sizeof(struct shmbox_mbox_stat) == SHMBOX_MBOX_STAT_SIZE_VER3,
	       "stat");
_Static_assert(offsetof(struct shmbox_mbox_msgx, id) + 8 ==
	       SHMBOX_MBOX_MSGX_SIZE_VER1, "msgx id");
_Static_assert(offsetof(struct shmbox_mbox_msgx, handle) ==
	       SHMBOX_MBOX_MSGX_SIZE_VER1, "msgx handle");
_Static_assert(offsetof(struct shmbox_mbox_msgx, handles) ==
	       SHMBOX_MBOX_MSGX_SIZE_VER2, "msgx handles");
_Static_assert(sizeof(struct shmbox_mbox_msgx) == SHMBOX_MBOX_MSGX_SIZE_VER3,
	       "msgx");

#define HELPER		"/usr/libexec/shmbox/exec-inbox"
#define HELPER_SUID	"/usr/libexec/shmbox/exec-inbox-suid"

static uint64_t inbox_id(int fd)
{
	return mstat(fd).inbox_id;
}

/*
 * A child that opens an inbox of its own and sends @msg to @fd's mailbox,
 * reaped.  Return its pid, its inbox id in *@id; -1 if it failed.
 */
static pid_t child_with_inbox_sends(int fd, const char *msg, uint64_t *id)
{
	int p[2], ok;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		int in = mkinbox(8, 0600);

		*id = in < 0 ? 0 : inbox_id(in);
		_exit(!*id || write(p[1], id, sizeof(*id)) != sizeof(*id) ||
		      send_str(fd, msg, 0) ? 1 : 0);
	}
	ok = pid > 0 && read(p[0], id, sizeof(*id)) == sizeof(*id);
	close(p[0]);
	close(p[1]);
	return ok && !reap(pid) ? pid : -1;
}

TEST(ids_are_nonzero_and_never_reused)
{
	int a = mkinbox(8, 0600), b;
	uint64_t first, child;

	ASSERT_LE(0, a);
	first = inbox_id(a);
	EXPECT_NE(0, first);
	/* The same inbox, the same id; a mailbox has none. */
	b = shmbox_inbox_open(0, NULL, O_RDWR);
	ASSERT_LE(0, b);
	EXPECT_EQ(first, inbox_id(b));
	close(b);
	b = mkmbox(NULL, 1, 0600);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, inbox_id(b));
	ASSERT_LT(0, child_with_inbox_sends(b, "c", &child));
	EXPECT_NE(first, child);
	/* Gone and made again: a new id, never an old one. */
	close(a);
	a = mkinbox(8, 0600);
	ASSERT_LE(0, a);
	EXPECT_NE(first, inbox_id(a));
	EXPECT_NE(child, inbox_id(a));
	EXPECT_LT(first, inbox_id(a));
	close(a);
	close(b);
}

TEST(recv_reports_sender_inbox_id)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	struct shmbox_msg_info_id info;
	uint64_t id;
	pid_t pid;
	char buf[8];

	ASSERT_LE(0, fd);
	pid = child_with_inbox_sends(fd, "kid", &id);
	ASSERT_LT(0, pid);
	/* We have no inbox: our own message says 0. */
	ASSERT_EQ(0, send_str(fd, "me", 0));
	ASSERT_EQ(3, shmbox_mbox_recv_id(fd, 0, buf, sizeof(buf), 0, FOREVER,
					 &info));
	EXPECT_EQ(pid, info.info.pid);
	EXPECT_EQ(id, info.id);
	ASSERT_EQ(2, shmbox_mbox_recv_id(fd, 0, buf, sizeof(buf), 0, FOREVER,
					 &info));
	EXPECT_EQ(getpid(), info.info.pid);
	EXPECT_EQ(0, info.id);
	close(fd);
}

/* The inbox of the program we run is what a send stamps, not one held. */
TEST(sender_id_is_own_inbox_not_inherited)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	int in = mkinbox(8, 0600);
	struct shmbox_msg_info_id info;
	char buf[8];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, in);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)	/* holds our inbox's fd, has none of its own */
		_exit(send_str(fd, "kid", 0) ? 1 : 0);
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(0, send_str(fd, "me", 0));
	ASSERT_EQ(3, shmbox_mbox_recv_id(fd, 0, buf, sizeof(buf), 0, FOREVER,
					 &info));
	EXPECT_EQ(0, info.id);
	ASSERT_EQ(2, shmbox_mbox_recv_id(fd, 0, buf, sizeof(buf), 0, FOREVER,
					 &info));
	EXPECT_EQ(inbox_id(in), info.id);
	close(in);
	close(fd);
}

TEST(recvvx_reports_ids_recvv_keeps_stride)
{
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	int in = mkinbox(8, 0600);
	struct shmbox_mbox_msgx mx[2] = {};
	struct shmbox_mbox_msg m[3] = {};
	unsigned int w[4] = { 1, 2, 3, 4 }, r[5] = {};

	ASSERT_LE(0, fd);
	ASSERT_LE(0, in);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, shmbox_mbox_send(fd, &w[i], sizeof(w[i]), 0, 0,
					      FOREVER));
	for (int i = 0; i < 2; i++) {
		mx[i].buf = (uintptr_t)&r[i];
		mx[i].len = sizeof(r[i]);
	}
	ASSERT_EQ(2, shmbox_mbox_recvvx(fd, 0, mx, 2, 0, FOREVER));
	EXPECT_EQ(inbox_id(in), mx[0].id);
	EXPECT_EQ(inbox_id(in), mx[1].id);
	EXPECT_EQ(getpid(), mx[1].pid);
	EXPECT_EQ(2, r[1]);
	/* Version 0: 24-byte entries; the third's buffer field untouched. */
	vec_words(m, &r[2], 3);
	m[2].buf = 0x1234;
	ASSERT_EQ(2, shmbox_mbox_recvv(fd, 0, m, 2, SHMBOX_MSG_NONBLOCK,
				       FOREVER));
	EXPECT_EQ(3, r[2]);
	EXPECT_EQ(4, r[3]);
	EXPECT_EQ(getpid(), m[1].pid);
	EXPECT_EQ(0x1234, m[2].buf);
	close(in);
	close(fd);
}

/* Larger entries than this kernel's: accepted with zeros past what it knows. */
TEST(recvv_larger_entries_zero_tail)
{
	struct { struct shmbox_mbox_msgx x; uint64_t tail; } e[2] = {};
	int fd = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	struct shmbox_mbox_vec v = { .size = sizeof(v), .count = 2,
		.flags = SHMBOX_MSG_NONBLOCK, .msg_size = sizeof(e[0]),
		.msgs = (uintptr_t)e, .deadline_ns = FOREVER };
	unsigned int w = 7, r[2] = {};

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_mbox_send(fd, &w, sizeof(w), 3, 0, FOREVER));
	ASSERT_EQ(0, shmbox_mbox_send(fd, &w, sizeof(w), 2, 0, FOREVER));
	for (int i = 0; i < 2; i++) {
		e[i].x.buf = (uintptr_t)&r[i];
		e[i].x.len = sizeof(r[i]);
	}
	ASSERT_EQ(2, ioctl(fd, SHMBOX_IOC_MBOX_RECVV, &v));
	EXPECT_EQ(3, e[0].x.prio);
	EXPECT_EQ(2, e[1].x.prio);
	EXPECT_EQ(0, e[1].tail);
	EXPECT_EQ(7, r[1]);
	close(fd);
}

TEST(send_by_id_reaches_that_inbox)
{
	struct shmbox_mbox_msg m[2];
	unsigned int w[2] = { 5, 6 };
	int in = mkinbox(8, 0600);
	int fd = shmbox_dev_open();
	char buf[8];

	ASSERT_LE(0, in);
	ASSERT_LE(0, fd);
	/* From an unbound fd, one message and a vector. */
	ASSERT_EQ(0, shmbox_mbox_send_to_id(fd, inbox_id(in), "id", 2, 0, 0,
					    FOREVER));
	vec_words(m, w, 2);
	ASSERT_EQ(2, shmbox_mbox_sendv_to_id(fd, inbox_id(in), m, 2, 0,
					     FOREVER));
	EXPECT_EQ(2, recv_str(in, buf, sizeof(buf), 0, SHMBOX_NOWAIT, NULL));
	EXPECT_STREQ("id", buf);
	check_mbox_state(in, .depth = 2, .bytes = 8, .sent = 3,
			 .received = 1);
	close(fd);
	close(in);
}

TEST(send_by_unknown_or_gone_id_esrch)
{
	int in = mkinbox(8, 0600);
	int fd = shmbox_dev_open();
	uint64_t id;

	ASSERT_LE(0, in);
	ASSERT_LE(0, fd);
	id = inbox_id(in);
	EXPECT_EQ(-ESRCH, shmbox_mbox_send_to_id(fd, id + 1000000, "x", 1, 0,
						 0, SHMBOX_NOWAIT));
	EXPECT_EQ(-ESRCH, shmbox_mbox_send_to_id(fd, UINT64_MAX, "x", 1, 0, 0,
						 SHMBOX_NOWAIT));
	close(in);
	EXPECT_EQ(-ESRCH, shmbox_mbox_send_to_id(fd, id, "x", 1, 0, 0,
						 SHMBOX_NOWAIT));
	close(fd);
}

TEST(send_by_id_checks_mode_eacces)
{
	int in = mkinbox(8, 0600);
	int fd = open(SHMBOX_DEVICE_PATH, O_WRONLY);
	uint64_t id;
	pid_t pid;

	ASSERT_LE(0, in);
	ASSERT_LE(0, fd);
	id = inbox_id(in);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		drop_to_nobody();
		_exit(shmbox_mbox_send_to_id(fd, id, "x", 1, 0, 0,
					     SHMBOX_NOWAIT) == -EACCES ? 0 : 1);
	}
	EXPECT_EQ(0, reap(pid));
	check_mbox_state(in);
	close(fd);
	close(in);
}

/* Version-0 structures: still accepted, and nothing is written past them. */
TEST(old_sizes_work_without_id)
{
	struct { struct shmbox_mbox_recv r; uint64_t canary; } rb;
	struct { struct shmbox_mbox_stat st; uint64_t canary; } sb;
	struct shmbox_mbox_send s = sarg("old", 3, 0, 0);
	int in = mkinbox(8, 0600);
	char buf[8];

	ASSERT_LE(0, in);
	s.size = SHMBOX_MBOX_SEND_SIZE_VER0;
	ASSERT_EQ(0, ioctl(in, SHMBOX_IOC_MBOX_SEND, &s));
	memset(&rb, 0xa5, sizeof(rb));
	rb.r = rarg(buf, sizeof(buf), 0);
	rb.r.size = SHMBOX_MBOX_RECV_SIZE_VER0;
	memset(&rb.r.id, 0xa5, sizeof(rb.r.id));
	ASSERT_EQ(0, ioctl(in, SHMBOX_IOC_MBOX_RECV, &rb.r));
	EXPECT_EQ(3, rb.r.len);
	EXPECT_EQ(getpid(), rb.r.pid);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, rb.r.id);
	memset(&sb, 0xa5, sizeof(sb));
	memset(&sb.st, 0, SHMBOX_MBOX_STAT_SIZE_VER0);
	sb.st.size = SHMBOX_MBOX_STAT_SIZE_VER0;
	ASSERT_EQ(0, ioctl(in, SHMBOX_IOC_MBOX_STAT, &sb.st));
	EXPECT_EQ(getpid(), sb.st.inbox_pid);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, sb.st.inbox_id);
	close(in);
}

/* ---- pid reuse ------------------------------------------------------------ */

#define PID_MAX		"/proc/sys/kernel/pid_max"
#define PID_SPACE	400		/* pid_max while the test runs */
#define RESERVED_PIDS	300		/* where pids start again after a wrap */

/*
 * Take the next pid past RESERVED_PIDS (a fresh guest, T=mbox_id, is
 * still below it), so that a pid handed out now comes back once pids
 * wrap: ns_last_pid if we may write it, else forks.
 */
static void past_reserved_pids(void)
{
	pid_t pid;

	for (int i = 0; i < RESERVED_PIDS; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || reap(pid) || pid >= RESERVED_PIDS - 1)
			return;
		if (!i)
			write_ulong("/proc/sys/kernel/ns_last_pid",
				    RESERVED_PIDS - 1);
	}
}

/*
 * Fork until a child gets pid @want (at most @tries forks or 20 s).
 * That child opens its inbox, says so on @p, and exits 0 if the first
 * message it gets is "by-pid".  Return its pid, or -1.
 */
static pid_t fork_until_pid(pid_t want, unsigned long tries, int p)
{
	time_t end = time(NULL) + 20;	/* the harness allows a test 30 s */
	pid_t pid;

	for (unsigned long i = 0; i < tries && time(NULL) < end; i++) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			int in;
			char buf[16];

			if (getpid() != want)
				_exit(0);
			in = mkinbox(8, 0622);
			if (in < 0 || write(p, "r", 1) != 1)
				_exit(1);
			_exit(recv_str(in, buf, sizeof(buf), 0,
				       shmbox_deadline_in(20 * NS), NULL) == 6 &&
			      !strcmp(buf, "by-pid") ? 0 : 2);
		}
		if (pid == want)
			return pid;
		reap(pid);
	}
	return -1;
}

/*
 * What the pid reuse test saw, gathered with pid_max lowered and only
 * checked once it is back (an ASSERT must not leave it low).
 */
struct reuse {
	pid_t sender;
	struct shmbox_msg_info_id info;
	int recv, reply_id, send_pid, reused_rc;
	pid_t reused;
	unsigned long forks;
};

static void reuse_run(struct reuse *ru, int in, int p[2])
{
	char buf[8], c;

	past_reserved_pids();
	ru->sender = fork();
	if (ru->sender == 0) {
		int mine = mkinbox(8, 0600);

		_exit(mine < 0 || shmbox_mbox_send_to(mine, getppid(), "hi", 2,
						      0, 0, FOREVER) ? 1 : 0);
	}
	if (ru->sender < 0 || reap(ru->sender))
		return;
	ru->recv = shmbox_mbox_recv_id(in, 0, buf, sizeof(buf), 0, FOREVER,
				       &ru->info);
	/* The sender is gone: its inbox with it. */
	ru->reply_id = shmbox_mbox_reply_to(in, &ru->info, "x", 1, 0, 0,
					    SHMBOX_NOWAIT);
	ru->reused = fork_until_pid(ru->sender, ru->forks, p[1]);
	if (ru->reused < 0 || read(p[0], &c, 1) != 1)
		return;
	/* Its pid is someone else's now: the id still reaches no one. */
	ru->reply_id = shmbox_mbox_reply_to(in, &ru->info, "x", 1, 0, 0,
					    SHMBOX_NOWAIT);
	ru->send_pid = shmbox_mbox_send_to(in, ru->sender, "by-pid", 6, 0, 0,
					   FOREVER);
	ru->reused_rc = reap(ru->reused);
}

TEST(reply_by_id_after_pid_reuse_esrch)
{
	struct reuse ru = { .reused = -1, .forks = 32768 + 100 };
	int in = mkinbox(8, 0622), p[2];
	unsigned long old_max = 0;
	bool lowered;

	ASSERT_LE(0, in);
	ASSERT_EQ(0, pipe(p));
	/*
	 * A small pid space, so that a number comes back within a hundred
	 * forks even on the debug kernel: past the first RESERVED_PIDS
	 * (300), pids are handed out from 300 to pid_max - 1.
	 */
	lowered = !read_ulong(PID_MAX, &old_max) && old_max > PID_SPACE &&
		  !write_ulong(PID_MAX, PID_SPACE);
	if (lowered || old_max)
		ru.forks = 2 * (lowered ? PID_SPACE : old_max);
	reuse_run(&ru, in, p);
	if (lowered)
		ASSERT_EQ(0, write_ulong(PID_MAX, old_max));
	ASSERT_LT(0, ru.sender);
	ASSERT_EQ(2, ru.recv);
	EXPECT_EQ(ru.sender, ru.info.info.pid);
	EXPECT_NE(0, ru.info.id);
	EXPECT_EQ(-ESRCH, ru.reply_id);
	if (ru.reused < 0)
		SKIP(return, "pid %d did not come back in %lu forks",
		     ru.sender, ru.forks);
	EXPECT_EQ(0, ru.send_pid);
	EXPECT_EQ(0, ru.reused_rc);
	close(in);
	close(p[0]);
	close(p[1]);
}

/* ---- exec ----------------------------------------------------------------- */

/* A line from @fd (the helper's stdout), without its newline. */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap && read(fd, &buf[n], 1) == 1 && buf[n] != '\n')
		n++;
	buf[n] = 0;
	return n;
}

/* Another process's fd @nr, as an attacker's child inherits it. */
static int grab_fd(pid_t pid, int nr)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), fd;

	if (pidfd < 0)
		return -1;
	fd = syscall(SYS_pidfd_getfd, pidfd, nr, 0);
	close(pidfd);
	return fd;
}

/* The process that execs: its inbox, then the helper on the pipes. */
static void exec_child(const char *helper, int to[2], int from[2])
{
	int in = mkinbox(8, 0666);
	char line[64], go;

	/* A uid switch (as_nobody()) made us undumpable: pidfd_getfd(). */
	close(to[1]);
	close(from[0]);
	if (in < 0 || prctl(PR_SET_DUMPABLE, 1))
		_exit(90);
	snprintf(line, sizeof(line), "old %d %llu\n", in,
		 (unsigned long long)inbox_id(in));
	if (write(from[1], line, strlen(line)) < 0 || read(to[0], &go, 1) != 1)
		_exit(91);
	if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0)
		_exit(92);
	execl(helper, helper, (char *)NULL);
	_exit(93);
}

/* The test's side once the helper runs; 0, or the step that failed. */
static int exec_check(pid_t pid, int oldfd, uint64_t oldid, int to, int from)
{
	struct shmbox_msg_info_id info;
	int fd = shmbox_dev_open();
	char line[64], buf[16];
	unsigned long long newid;

	/* The exec is done: the old inbox is no longer reached by pid. */
	if (shmbox_mbox_send_to(fd, pid, "early", 5, 0, 0, SHMBOX_NOWAIT) !=
	    -ENOENT)
		return 10;
	if (write(to, "g", 1) != 1 || read_line(from, line, sizeof(line)) <= 0 ||
	    sscanf(line, "inbox %llu", &newid) != 1)
		return 11;
	if (!newid || newid == oldid || inbox_id(oldfd) != oldid)
		return 12;
	if (mstat(oldfd).inbox_pid != 0)
		return 13;
	if (shmbox_mbox_send_to(fd, pid, "program", 7, 0, 0, FOREVER))
		return 14;
	if (read_line(from, line, sizeof(line)) <= 0 || strcmp(line, "got program"))
		return 15;
	/* The attacker's fd sees nothing of it; the old id still works. */
	if (shmbox_mbox_recv(oldfd, buf, sizeof(buf), 0, SHMBOX_NOWAIT, NULL) !=
	    -EAGAIN)
		return 16;
	if (shmbox_mbox_send_to_id(fd, oldid, "old", 3, 0, 0, FOREVER) ||
	    shmbox_mbox_recv_id(oldfd, 0, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
				&info) != 3)
		return 17;
	close(fd);
	return reap(pid) ? 18 : 0;
}

/*
 * A process with an inbox (mode 0666) execs @helper; we hold an fd to
 * the inbox it had, as an attacker's child would.  Return 0, 4 (skip:
 * no pidfd_getfd, or @euid0 and the helper did not run setuid root), or
 * the step that failed.
 */
static int exec_case(const char *helper, bool euid0)
{
	int to[2], from[2], nr, oldfd, rc;
	unsigned long long oldid;
	unsigned int euid;
	char line[64];
	pid_t pid;

	if (pipe(to) || pipe(from))
		return 1;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		exec_child(helper, to, from);
	close(to[0]);
	close(from[1]);
	if (read_line(from[0], line, sizeof(line)) <= 0 ||
	    sscanf(line, "old %d %llu", &nr, &oldid) != 2)
		return 3;
	oldfd = grab_fd(pid, nr);
	if (oldfd < 0) {
		kill(pid, SIGKILL);
		reap(pid);
		return 4;
	}
	if (write(to[1], "g", 1) != 1 ||
	    read_line(from[0], line, sizeof(line)) <= 0 ||
	    sscanf(line, "ready %u", &euid) != 1)
		return 5;
	if (euid0 && euid != 0) {
		kill(pid, SIGKILL);
		reap(pid);
		return 4;
	}
	rc = exec_check(pid, oldfd, oldid, to[1], from[0]);
	close(oldfd);
	close(to[1]);
	close(from[0]);
	return rc;
}

static int exec_case_suid(void *arg)
{
	return exec_case(arg, true);
}

TEST(exec_gets_new_inbox)
{
	int rc = exec_case(HELPER, false);

	if (rc == 4)
		SKIP(return, "pidfd_getfd() refused");
	EXPECT_EQ(0, rc) TH_LOG("step %d", rc);
}

/* The case: nobody execs a setuid-root program, a child keeps the fd. */
TEST(setuid_exec_inbox_not_the_attackers)
{
	int rc;

	if (access(HELPER_SUID, X_OK))
		SKIP(return, "no %s", HELPER_SUID);
	rc = as_nobody(exec_case_suid, (void *)HELPER_SUID);
	if (rc == 4)
		SKIP(return, "%s did not run setuid root, or pidfd_getfd() refused",
		     HELPER_SUID);
	EXPECT_EQ(0, rc) TH_LOG("step %d", rc);
}

TEST_HARNESS_MAIN
