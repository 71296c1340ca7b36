// SPDX-License-Identifier: GPL-2.0
/*
 * mq: libshmbox-mq, the POSIX message queue functions on shmbox
 * mailboxes, through plain <mqueue.h> calls (this binary links
 * -lshmbox-mq, so mq_open() and the rest are the library's; libshmbox
 * only looks at the mailboxes from the side).
 *
 * Names (the queue "/q" is the mailbox "/q", never the native "q"; the
 * name errors), attributes (defaults, given, mq_curmsgs, O_NONBLOCK in
 * mq_flags shared across fork, EINVAL), priorities 0 to 32767 in order,
 * FIFO within one, every errno the library can be made to return,
 * mq_notify() (SIGEV_SIGNAL's siginfo, SIGEV_THREAD's function and
 * attributes, SIGEV_NONE, EBUSY, when it fires and when not, how it is
 * removed, what a fork()ed child holds) and CLOCK_REALTIME deadlines
 * across clock jumps (the tests set the guest's clock, and put it back).
 *
 * Nothing here waits for a while and looks: a child blocked in a receive
 * is found blocked through the mailbox's stat (wait_blocked()); the
 * bounded waits (a signal, a callback, a child's exit) are only there
 * so that a broken library fails instead of hanging.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"
#include "proc_util.h"
#include "shmbox-mq.h"

/* glibc's fortify entry (declared by <mqueue.h> only with fortify on). */
mqd_t __mq_open_2(const char *name, int oflag);

#define QMAX	8		/* the fixture's queue: mq_maxmsg */
#define QSIZE	64		/* and mq_msgsize */
#define WAIT_S	20		/* bound on waits that should end at once */

/* A POSIX name no other test (or run of this one) uses. */
static void qname(char *buf, size_t len)
{
	static int seq;

	snprintf(buf, len, "/mq-%d-%d", getpid(), seq++);
}

static mqd_t mkq(const char *name, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	return mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
}

/* Entries of directory @path (/proc/self/fd, /proc/self/task), or -1. */
static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int nfds(void)
{
	return count_dir("/proc/self/fd");
}

/* Wait (up to WAIT_S) until this process has @n threads: 0, or -1. */
static int wait_threads(int n)
{
	for (int i = 0; i < WAIT_S * 1000; i++) {
		if (count_dir("/proc/self/task") == n)
			return 0;
		usleep(1000);
	}
	return -1;
}

static struct timespec clock_in(clockid_t clk, long long ns)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	ns += ts.tv_nsec;
	ts.tv_sec += ns / (long long)NS;
	ts.tv_nsec = ns % (long long)NS;
	return ts;
}

static long long ts_ns(struct timespec ts)
{
	return ts.tv_sec * (long long)NS + ts.tv_nsec;
}

static int send_s(mqd_t q, const char *s, unsigned int prio)
{
	return mq_send(q, s, strlen(s), prio);
}

/* Receive into @buf (QSIZE + 1 bytes) as a string: the length, or -1. */
static ssize_t recv_s(mqd_t q, char *buf, unsigned int *prio)
{
	ssize_t n = mq_receive(q, buf, QSIZE, prio);

	buf[n >= 0 ? n : 0] = '\0';
	return n;
}

/* Is @sig pending for this process (or thread)? */
static int sig_pending(int sig)
{
	sigset_t s;

	return !sigpending(&s) && sigismember(&s, sig);
}

/* Block @sig; its siginfo within WAIT_S seconds: 0, or -1. */
static int wait_sig(int sig, siginfo_t *si)
{
	struct timespec t = { .tv_sec = WAIT_S };
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigtimedwait(&s, si, &t) == sig ? 0 : -1;
}

static void block_sig(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static int notify_signal(mqd_t q, int sig, int value)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = sig,
			       .sigev_value.sival_int = value };

	return mq_notify(q, &ev);
}

/* A child's mq_notify(SIGEV_SIGNAL) on @q: 0, the errno, or 255. */
static int child_notify(mqd_t q)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(notify_signal(q, SIGUSR2, 0) ? errno : 0);
	return reap(pid);
}

/* Fork a child that sends @s to @q and exits: its pid (reap() it). */
static pid_t child_send(mqd_t q, const char *s)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(send_s(q, s, 0) ? 1 : 0);
	return pid;
}

/* A child's exit code, within WAIT_S seconds (else killed): or -1. */
static int reap_within(pid_t pid, int secs)
{
	int status;

	for (int i = 0; i < secs * 100; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0)
			return -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/*
 * The "mq" fixture: a new queue of QMAX messages of QSIZE bytes, mode
 * 0600, open O_RDWR as self->q.
 */
FIXTURE(mq) {
	char name[64];
	mqd_t q;
};

FIXTURE_SETUP(mq)
{
	qname(self->name, sizeof(self->name));
	self->q = mkq(self->name, QMAX, QSIZE);
	ASSERT_LE(0, self->q) TH_LOG("mq_open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(mq)
{
	mq_close(self->q);
	mq_unlink(self->name);
}

/* ---- names --------------------------------------------------------- */

TEST_F(mq, name_is_the_mailbox_name)
{
	ASSERT_EQ(1, proc_find("mailbox", self->name, NULL));
}

TEST_F(mq, native_open_of_the_name_is_the_queue)
{
	char buf[QSIZE + 1];
	struct shmbox_msg_info info;
	int fd = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);

	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, send_s(self->q, "posix", 7));
	EXPECT_EQ(5, recv_str(fd, buf, sizeof(buf), 0, FOREVER, &info));
	EXPECT_STREQ("posix", buf);
	EXPECT_EQ(7, info.prio);
	close(fd);
}

TEST_F(mq, native_name_of_the_same_letters_is_another_queue)
{
	struct mq_attr a;
	int fd = mkmbox(self->name + 1, 4, 0600);

	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, send_s(self->q, "x", 0));
	EXPECT_EQ(0, mstat(fd).depth);
	ASSERT_EQ(0, send_str(fd, "yy", 0));
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(1, a.mq_curmsgs);
	close(fd);
	shmbox_unlink(self->name + 1, SHMBOX_KIND_MAILBOX);
}

TEST(name_without_slash_einval)
{
	EXPECT_EQ(-1, mq_open("mq-noslash", O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST(name_with_inner_slash_eacces)
{
	EXPECT_EQ(-1, mq_open("/mq/inner", O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(EACCES, errno);
}

TEST(name_slash_alone_enoent)
{
	EXPECT_EQ(-1, mq_open("/", O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(ENOENT, errno);
}

TEST(name_longest_opens)
{
	char name[NAME_MAX + 2];
	mqd_t q;

	name[0] = '/';
	memset(name + 1, 'l', NAME_MAX);
	name[NAME_MAX + 1] = '\0';
	mq_unlink(name);
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q) TH_LOG("%s", strerror(errno));
	mq_close(q);
	EXPECT_EQ(0, mq_unlink(name));
}

TEST(name_too_long_enametoolong)
{
	char name[NAME_MAX + 3];

	name[0] = '/';
	memset(name + 1, 'l', NAME_MAX + 1);
	name[NAME_MAX + 2] = '\0';
	EXPECT_EQ(-1, mq_open(name, O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

TEST(open_missing_enoent)
{
	char name[64];

	qname(name, sizeof(name));
	EXPECT_EQ(-1, mq_open(name, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(mq, open_excl_existing_eexist)
{
	EXPECT_EQ(-1, mkq(self->name, QMAX, QSIZE));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(mq, open_existing_with_creat_opens_it)
{
	mqd_t q = mq_open(self->name, O_RDWR | O_CREAT, 0600, NULL);
	struct mq_attr a;

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(QMAX, a.mq_maxmsg);
	EXPECT_EQ(QSIZE, a.mq_msgsize);
	mq_close(q);
}

TEST(unlink_without_slash_einval)
{
	EXPECT_EQ(-1, mq_unlink("mq-noslash"));
	EXPECT_EQ(EINVAL, errno);
}

TEST(unlink_missing_enoent)
{
	char name[64];

	qname(name, sizeof(name));
	EXPECT_EQ(-1, mq_unlink(name));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(mq, unlink_removes_the_name)
{
	ASSERT_EQ(0, mq_unlink(self->name));
	EXPECT_EQ(-1, mq_open(self->name, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * POSIX: "If one or more processes have the message queue open when
 * mq_unlink() is called, destruction of the message queue shall be
 * postponed until all references to the message queue have been
 * closed"; Linux's open descriptors keep working.
 */
TEST_F(mq, unlink_leaves_open_descriptors_working)
{
	char buf[QSIZE + 1];

	ASSERT_EQ(0, send_s(self->q, "before", 0));
	ASSERT_EQ(0, mq_unlink(self->name));
	EXPECT_EQ(0, send_s(self->q, "after", 0)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(6, recv_s(self->q, buf, NULL)) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ("before", buf);
}

TEST_F(mq, unlink_leaves_a_blocked_receiver_waiting)
{
	pid_t pid = fork();

	if (pid == 0) {
		char buf[QSIZE + 1];

		_exit(recv_s(self->q, buf, NULL) == 4 &&
		      !strcmp(buf, "late") ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(self->q, 0, 1));
	ASSERT_EQ(0, mq_unlink(self->name));
	EXPECT_EQ(1, mstat(self->q).blocked_receivers);
	EXPECT_EQ(0, send_s(self->q, "late", 0));
	EXPECT_EQ(0, reap_within(pid, WAIT_S));
}

TEST_F(mq, unlink_then_create_is_a_new_queue)
{
	struct mq_attr a;
	mqd_t q;

	ASSERT_EQ(0, send_s(self->q, "old", 0));
	ASSERT_EQ(0, mq_unlink(self->name));
	q = mkq(self->name, 2, 16);
	ASSERT_LE(0, q) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(0, a.mq_curmsgs);
	EXPECT_EQ(2, a.mq_maxmsg);
	mq_close(q);
}

/* A region may carry a POSIX-style name too: it is no queue. */
FIXTURE(region_named) {
	char name[64];
	int fd;
};

FIXTURE_SETUP(region_named)
{
	qname(self->name, sizeof(self->name));
	self->fd = shmbox_region_open(self->name,
				      SHMBOX_O_CREAT | SHMBOX_O_EXCL, 4096,
				      0600, 1);
	if (self->fd == -EINVAL)
		SKIP(return, "the module takes POSIX-style names for mailboxes only");
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(region_named)
{
	if (self->fd >= 0)
		close(self->fd);
	shmbox_unlink(self->name, SHMBOX_KIND_REGION);
}

TEST_F(region_named, open_eacces)
{
	EXPECT_EQ(-1, mq_open(self->name, O_RDWR));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(region_named, create_excl_eexist)
{
	EXPECT_EQ(-1, mkq(self->name, QMAX, QSIZE));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(region_named, unlink_enoent)
{
	EXPECT_EQ(-1, mq_unlink(self->name));
	EXPECT_EQ(ENOENT, errno);
}

/* ---- open flags and attributes ------------------------------------- */

TEST(access_mode_3_einval)
{
	char name[64];

	qname(name, sizeof(name));
	EXPECT_EQ(-1, mq_open(name, O_ACCMODE | O_CREAT, 0600, NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST(default_attributes_are_linux_ones)
{
	struct mq_attr a;
	char name[64];
	mqd_t q;

	qname(name, sizeof(name));
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(0, a.mq_flags);
	EXPECT_EQ(10, a.mq_maxmsg);
	EXPECT_EQ(8192, a.mq_msgsize);
	EXPECT_EQ(0, a.mq_curmsgs);
	mq_close(q);
	mq_unlink(name);
}

TEST_F(mq, given_attributes)
{
	struct mq_attr a;

	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(0, a.mq_flags);
	EXPECT_EQ(QMAX, a.mq_maxmsg);
	EXPECT_EQ(QSIZE, a.mq_msgsize);
	EXPECT_EQ(0, a.mq_curmsgs);
}

TEST_F(mq, curmsgs_counts_queued_messages)
{
	char buf[QSIZE + 1];
	struct mq_attr a;

	ASSERT_EQ(0, send_s(self->q, "a", 0));
	ASSERT_EQ(0, send_s(self->q, "b", 0));
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(2, a.mq_curmsgs);
	ASSERT_EQ(1, recv_s(self->q, buf, NULL));
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(1, a.mq_curmsgs);
}

TEST(mode_minus_umask)
{
	struct shmbox_mbox_stat st;
	mode_t old = umask(027);
	char name[64];
	mqd_t q;

	qname(name, sizeof(name));
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0666, NULL);
	umask(old);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, shmbox_mbox_stat(q, &st));
	EXPECT_EQ(0640, st.obj.mode);
	mq_close(q);
	mq_unlink(name);
}

TEST_F(mq, descriptor_is_close_on_exec)
{
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->q, F_GETFD) & FD_CLOEXEC);
}

TEST_F(mq, o_nonblock_at_open_in_mq_flags)
{
	mqd_t q = mq_open(self->name, O_RDWR | O_NONBLOCK);
	char buf[QSIZE + 1];
	struct mq_attr a;

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(O_NONBLOCK, a.mq_flags);
	EXPECT_EQ(-1, recv_s(q, buf, NULL));
	EXPECT_EQ(EAGAIN, errno);
	mq_close(q);
}

TEST_F(mq, setattr_nonblock_shared_after_fork)
{
	struct mq_attr a;
	char buf[QSIZE + 1];
	pid_t pid = fork();

	if (pid == 0) {
		struct mq_attr n = { .mq_flags = O_NONBLOCK }, o;

		if (mq_setattr(self->q, &n, &o))
			_exit(1);
		_exit(o.mq_flags == 0 && o.mq_maxmsg == QMAX &&
		      o.mq_msgsize == QSIZE ? 0 : 2);
	}
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(O_NONBLOCK, a.mq_flags);
	EXPECT_EQ(-1, recv_s(self->q, buf, NULL));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(mq, setattr_clears_nonblock)
{
	struct mq_attr n = { .mq_flags = O_NONBLOCK }, a;

	ASSERT_EQ(0, mq_setattr(self->q, &n, NULL));
	n.mq_flags = 0;
	ASSERT_EQ(0, mq_setattr(self->q, &n, &a));
	EXPECT_EQ(O_NONBLOCK, a.mq_flags);
	EXPECT_EQ(0, fcntl(self->q, F_GETFL) & O_NONBLOCK);
}

TEST_F(mq, setattr_ignores_the_other_attributes)
{
	struct mq_attr n = { .mq_maxmsg = 1, .mq_msgsize = 1,
			     .mq_curmsgs = 5 }, a;

	ASSERT_EQ(0, mq_setattr(self->q, &n, NULL));
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(QMAX, a.mq_maxmsg);
	EXPECT_EQ(QSIZE, a.mq_msgsize);
	EXPECT_EQ(0, a.mq_curmsgs);
}

TEST_F(mq, setattr_other_flag_einval)
{
	struct mq_attr n = { .mq_flags = O_NONBLOCK | O_APPEND };

	EXPECT_EQ(-1, mq_setattr(self->q, &n, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, fcntl(self->q, F_GETFL) & O_NONBLOCK);
}

/* mq_open() of a new queue with attributes Linux refuses: EINVAL. */
FIXTURE(bad_attr) {
	char name[64];
};

FIXTURE_VARIANT(bad_attr) {
	long maxmsg;
	long msgsize;		/* -100: the module's max_msg_size + 1 */
};

FIXTURE_VARIANT_ADD(bad_attr, maxmsg_zero) { .maxmsg = 0, .msgsize = 8 };
FIXTURE_VARIANT_ADD(bad_attr, maxmsg_negative) { .maxmsg = -1, .msgsize = 8 };
FIXTURE_VARIANT_ADD(bad_attr, maxmsg_above_65536) {
	.maxmsg = SHMBOX_MBOX_CAPACITY_MAX + 1, .msgsize = 8 };
FIXTURE_VARIANT_ADD(bad_attr, msgsize_zero) { .maxmsg = 1, .msgsize = 0 };
FIXTURE_VARIANT_ADD(bad_attr, msgsize_negative) { .maxmsg = 1, .msgsize = -1 };
FIXTURE_VARIANT_ADD(bad_attr, msgsize_above_max_msg_size) {
	.maxmsg = 1, .msgsize = -100 };

FIXTURE_SETUP(bad_attr)
{
	qname(self->name, sizeof(self->name));
}

FIXTURE_TEARDOWN(bad_attr)
{
	mq_unlink(self->name);
}

static long variant_msgsize(long msgsize)
{
	return msgsize == -100 ? (long)param_get("max_msg_size") + 1 : msgsize;
}

TEST_F(bad_attr, new_queue_einval)
{
	ASSERT_NE(1, variant_msgsize(variant->msgsize));
	EXPECT_EQ(-1, mkq(self->name, variant->maxmsg,
			  variant_msgsize(variant->msgsize)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mq_open(self->name, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
}

/* Linux looks at the attributes only to create: an existing queue opens. */
TEST_F(bad_attr, existing_queue_opens)
{
	struct mq_attr bad = { .mq_maxmsg = variant->maxmsg,
			       .mq_msgsize = variant_msgsize(variant->msgsize) };
	mqd_t q0 = mkq(self->name, 3, 24), q;
	struct mq_attr a;

	ASSERT_LE(0, q0);
	q = mq_open(self->name, O_RDWR | O_CREAT, 0600, &bad);
	ASSERT_LE(0, q) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(3, a.mq_maxmsg);
	EXPECT_EQ(24, a.mq_msgsize);
	mq_close(q);
	mq_close(q0);
}

TEST_F(bad_attr, existing_queue_excl_eexist)
{
	struct mq_attr bad = { .mq_maxmsg = variant->maxmsg,
			       .mq_msgsize = variant_msgsize(variant->msgsize) };
	mqd_t q0 = mkq(self->name, 3, 24);

	ASSERT_LE(0, q0);
	EXPECT_EQ(-1, mq_open(self->name, O_RDWR | O_CREAT | O_EXCL, 0600,
			      &bad));
	EXPECT_EQ(EEXIST, errno);
	mq_close(q0);
}

/* ---- priorities ---------------------------------------------------- */

TEST_F(mq, priorities_received_highest_first)
{
	static const unsigned int sent[] = { 0, 1000, 31, 32767, 1, 32 };
	static const unsigned int want[] = { 32767, 1000, 32, 31, 1, 0 };
	char buf[QSIZE + 1];
	unsigned int prio;

	for (int i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "p%u", sent[i]);
		ASSERT_EQ(0, send_s(self->q, buf, sent[i]))
			TH_LOG("prio %u: %s", sent[i], strerror(errno));
	}
	for (int i = 0; i < 6; i++) {
		char w[16];

		snprintf(w, sizeof(w), "p%u", want[i]);
		ASSERT_LT(0, recv_s(self->q, buf, &prio));
		EXPECT_EQ(want[i], prio);
		EXPECT_STREQ(w, buf);
	}
}

TEST_F(mq, fifo_within_a_priority)
{
	char buf[QSIZE + 1];
	unsigned int prio;

	ASSERT_EQ(0, send_s(self->q, "first", 20000));
	ASSERT_EQ(0, send_s(self->q, "low", 3));
	ASSERT_EQ(0, send_s(self->q, "second", 20000));
	ASSERT_EQ(0, send_s(self->q, "third", 20000));
	ASSERT_EQ(5, recv_s(self->q, buf, &prio));
	EXPECT_STREQ("first", buf);
	ASSERT_EQ(6, recv_s(self->q, buf, &prio));
	EXPECT_STREQ("second", buf);
	ASSERT_EQ(5, recv_s(self->q, buf, &prio));
	EXPECT_STREQ("third", buf);
	ASSERT_EQ(3, recv_s(self->q, buf, NULL));
	EXPECT_STREQ("low", buf);
}

TEST_F(mq, priority_32768_einval)
{
	struct mq_attr a;

	EXPECT_EQ(-1, send_s(self->q, "x", MQ_PRIO_MAX));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(0, a.mq_curmsgs);
}

TEST_F(mq, priority_uint_max_einval)
{
	EXPECT_EQ(-1, send_s(self->q, "x", UINT_MAX));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- errors of send and receive ------------------------------------ */

TEST_F(mq, send_full_nonblocking_eagain)
{
	mqd_t q = mq_open(self->name, O_WRONLY | O_NONBLOCK);

	ASSERT_LE(0, q);
	for (int i = 0; i < QMAX; i++)
		ASSERT_EQ(0, send_s(q, "f", 0));
	EXPECT_EQ(-1, send_s(q, "f", 0));
	EXPECT_EQ(EAGAIN, errno);
	mq_close(q);
}

TEST_F(mq, receive_empty_nonblocking_eagain)
{
	mqd_t q = mq_open(self->name, O_RDONLY | O_NONBLOCK);
	char buf[QSIZE + 1];

	ASSERT_LE(0, q);
	EXPECT_EQ(-1, recv_s(q, buf, NULL));
	EXPECT_EQ(EAGAIN, errno);
	mq_close(q);
}

TEST_F(mq, send_on_read_only_descriptor_ebadf)
{
	mqd_t q = mq_open(self->name, O_RDONLY);

	ASSERT_LE(0, q);
	EXPECT_EQ(-1, send_s(q, "r", 0));
	EXPECT_EQ(EBADF, errno);
	mq_close(q);
}

TEST_F(mq, receive_on_write_only_descriptor_ebadf)
{
	mqd_t q = mq_open(self->name, O_WRONLY);
	char buf[QSIZE + 1];

	ASSERT_LE(0, q);
	ASSERT_EQ(0, send_s(q, "w", 0));
	EXPECT_EQ(-1, recv_s(q, buf, NULL));
	EXPECT_EQ(EBADF, errno);
	mq_close(q);
}

TEST(send_on_a_pipe_ebadf)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-1, send_s(p[1], "p", 0));
	EXPECT_EQ(EBADF, errno);
	close(p[0]);
	close(p[1]);
}

TEST(receive_on_an_unbound_shmbox_fd_ebadf)
{
	int fd = shmbox_dev_open();
	char buf[QSIZE + 1];

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, recv_s(fd, buf, NULL));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

TEST(getattr_on_a_pipe_ebadf)
{
	struct mq_attr a;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-1, mq_getattr(p[0], &a));
	EXPECT_EQ(EBADF, errno);
	close(p[0]);
	close(p[1]);
}

TEST_F(mq, send_on_a_closed_descriptor_ebadf)
{
	mqd_t q = mq_open(self->name, O_RDWR);

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_close(q));
	EXPECT_EQ(-1, send_s(q, "c", 0));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(mq, send_longer_than_msgsize_emsgsize)
{
	char big[QSIZE + 1];
	struct mq_attr a;

	memset(big, 'b', sizeof(big));
	EXPECT_EQ(-1, mq_send(self->q, big, QSIZE + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(0, a.mq_curmsgs);
}

TEST_F(mq, send_of_msgsize_bytes_fits)
{
	char big[QSIZE];

	memset(big, 'b', sizeof(big));
	EXPECT_EQ(0, mq_send(self->q, big, QSIZE, 0));
	EXPECT_EQ(QSIZE, mq_receive(self->q, big, QSIZE, NULL));
}

/* mq_receive()'s rule: the buffer must hold mq_msgsize, whatever is queued. */
TEST_F(mq, receive_buffer_below_msgsize_emsgsize)
{
	char buf[QSIZE];
	struct mq_attr a;

	ASSERT_EQ(0, send_s(self->q, "s", 0));
	EXPECT_EQ(-1, mq_receive(self->q, buf, QSIZE - 1, NULL));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(1, a.mq_curmsgs);
}

TEST_F(mq, receive_buffer_below_msgsize_empty_queue_emsgsize)
{
	char buf[QSIZE];

	EXPECT_EQ(-1, mq_receive(self->q, buf, QSIZE - 1, NULL));
	EXPECT_EQ(EMSGSIZE, errno);
}

TEST_F(mq, timedreceive_empty_etimedout)
{
	struct timespec t = clock_in(CLOCK_REALTIME, NS / 20);
	char buf[QSIZE];

	EXPECT_EQ(-1, mq_timedreceive(self->q, buf, QSIZE, NULL, &t));
	EXPECT_EQ(ETIMEDOUT, errno);
}

TEST_F(mq, timedreceive_past_deadline_etimedout)
{
	struct timespec t = { .tv_sec = 0, .tv_nsec = 0 };
	char buf[QSIZE];

	EXPECT_EQ(-1, mq_timedreceive(self->q, buf, QSIZE, NULL, &t));
	EXPECT_EQ(ETIMEDOUT, errno);
}

TEST_F(mq, timedreceive_past_deadline_queued_message_received)
{
	struct timespec t = { .tv_sec = 1 };
	char buf[QSIZE];

	ASSERT_EQ(0, send_s(self->q, "ready", 0));
	EXPECT_EQ(5, mq_timedreceive(self->q, buf, QSIZE, NULL, &t));
}

TEST_F(mq, timedsend_full_etimedout)
{
	struct timespec t;

	for (int i = 0; i < QMAX; i++)
		ASSERT_EQ(0, send_s(self->q, "f", 0));
	t = clock_in(CLOCK_REALTIME, NS / 20);
	EXPECT_EQ(-1, mq_timedsend(self->q, "f", 1, 0, &t));
	EXPECT_EQ(ETIMEDOUT, errno);
}

/* Linux checks abs_timeout first, also when the call need not wait. */
FIXTURE(bad_timeout) {
	char name[64];
	mqd_t q;
	struct timespec t;
};

FIXTURE_VARIANT(bad_timeout) {
	time_t sec;
	long nsec;
};

FIXTURE_VARIANT_ADD(bad_timeout, nsec_1e9) { .sec = 1, .nsec = 1000000000 };
FIXTURE_VARIANT_ADD(bad_timeout, nsec_negative) { .sec = 1, .nsec = -1 };
FIXTURE_VARIANT_ADD(bad_timeout, sec_negative) { .sec = -1, .nsec = 0 };

FIXTURE_SETUP(bad_timeout)
{
	qname(self->name, sizeof(self->name));
	self->q = mkq(self->name, 1, QSIZE);
	ASSERT_LE(0, self->q);
	self->t.tv_sec = variant->sec;
	self->t.tv_nsec = variant->nsec;
}

FIXTURE_TEARDOWN(bad_timeout)
{
	mq_close(self->q);
	mq_unlink(self->name);
}

TEST_F(bad_timeout, timedreceive_would_wait_einval)
{
	char buf[QSIZE];

	EXPECT_EQ(-1, mq_timedreceive(self->q, buf, QSIZE, NULL, &self->t));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(bad_timeout, timedreceive_message_queued_einval)
{
	char buf[QSIZE];
	struct mq_attr a;

	ASSERT_EQ(0, send_s(self->q, "m", 0));
	EXPECT_EQ(-1, mq_timedreceive(self->q, buf, QSIZE, NULL, &self->t));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(1, a.mq_curmsgs);
}

TEST_F(bad_timeout, timedsend_would_wait_einval)
{
	ASSERT_EQ(0, send_s(self->q, "m", 0));
	EXPECT_EQ(-1, mq_timedsend(self->q, "m", 1, 0, &self->t));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(bad_timeout, timedsend_room_einval)
{
	struct mq_attr a;

	EXPECT_EQ(-1, mq_timedsend(self->q, "m", 1, 0, &self->t));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mq_getattr(self->q, &a));
	EXPECT_EQ(0, a.mq_curmsgs);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* A child blocked in mq_receive(); SIGUSR1 with @flags; its result. */
static int interrupted_receive(struct __test_metadata *_metadata, mqd_t q,
			       int flags, int *err)
{
	int p[2];
	pid_t pid;
	ssize_t n;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1,
					.sa_flags = flags };
		char buf[QSIZE + 1];
		int e;

		sigaction(SIGUSR1, &sa, NULL);
		n = recv_s(q, buf, NULL);
		e = errno;
		if (write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(3);
		_exit(n < 0 ? 1 : 0);
	}
	close(p[1]);
	ASSERT_EQ(0, wait_blocked(q, 0, 1));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	if (flags & SA_RESTART) {
		/* Restarted: it waits again, and takes the next message. */
		ASSERT_EQ(0, wait_blocked(q, 0, 1));
		ASSERT_EQ(0, send_s(q, "r", 0));
	}
	ASSERT_EQ(sizeof(*err), read(p[0], err, sizeof(*err)));
	close(p[0]);
	return reap_within(pid, WAIT_S);
}

TEST_F(mq, receive_interrupted_without_sa_restart_eintr)
{
	int err;

	EXPECT_EQ(1, interrupted_receive(_metadata, self->q, 0, &err));
	EXPECT_EQ(EINTR, err);
}

TEST_F(mq, receive_interrupted_with_sa_restart_restarts)
{
	int err;

	EXPECT_EQ(0, interrupted_receive(_metadata, self->q, SA_RESTART,
					 &err));
}

static int open_rdonly(void *name)
{
	return mq_open(name, O_RDONLY) < 0 ? errno : 0;
}

TEST_F(mq, open_as_nobody_denied_eacces)
{
	EXPECT_EQ(EACCES, as_nobody(open_rdonly, self->name));
}

static int unlink_name(void *name)
{
	return mq_unlink(name) ? errno : 0;
}

TEST(unlink_as_nobody_not_owner_eacces)
{
	char name[64];
	mqd_t q;

	qname(name, sizeof(name));
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0666, NULL);
	ASSERT_LE(0, q);
	EXPECT_EQ(EACCES, as_nobody(unlink_name, name));
	mq_close(q);
	EXPECT_EQ(0, mq_unlink(name));
}

TEST_F(mq, open_at_rlimit_nofile_emfile)
{
	pid_t pid = fork();

	if (pid == 0) {
		int lowest = dup(self->q);
		struct rlimit r;

		if (lowest < 0 || close(lowest) || getrlimit(RLIMIT_NOFILE, &r))
			_exit(100);
		r.rlim_cur = lowest;
		if (setrlimit(RLIMIT_NOFILE, &r))
			_exit(101);
		_exit(mq_open(self->name, O_RDWR) < 0 ? errno : 0);
	}
	EXPECT_EQ(EMFILE, reap(pid));
}

#define FILE_MAX	"/proc/sys/fs/file-max"

/*
 * ENFILE: fs.file-max 0, for a user without CAP_SYS_ADMIN (0 because the
 * kernel compares it with an approximate count of the files open, which
 * may read below the true one).  The queue is mode 0666: the open could
 * fail for no other reason.
 */
TEST(open_at_file_max_enfile)
{
	unsigned long old;
	char name[64], c;
	int go[2];
	pid_t pid;
	mqd_t q;

	qname(name, sizeof(name));
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0666, NULL);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, read_ulong(FILE_MAX, &old));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (become_nobody())
			_exit(100);
		if (read(go[0], &c, 1) != 1)
			_exit(101);
		_exit(mq_open(name, O_RDWR) < 0 ? errno : 0);
	}
	close(go[0]);
	ASSERT_EQ(0, write_ulong(FILE_MAX, 0));
	EXPECT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(ENFILE, reap(pid));
	EXPECT_EQ(0, write_ulong(FILE_MAX, old));
	close(go[1]);
	mq_close(q);
	mq_unlink(name);
}

/* ENOSPC: the namespace's max_objects (root is not exempt from it). */
TEST(create_at_max_objects_enospc)
{
	unsigned long old;
	pid_t pid;

	ASSERT_EQ(0, param_swap("max_objects", 1, &old));
	pid = fork();
	if (pid == 0) {
		char a[64], b[64];

		qname(a, sizeof(a));
		qname(b, sizeof(b));
		if (unshare(CLONE_NEWIPC))
			_exit(100);
		if (mq_open(a, O_RDWR | O_CREAT | O_EXCL, 0600, NULL) < 0)
			_exit(101);
		_exit(mq_open(b, O_RDWR | O_CREAT | O_EXCL, 0600, NULL) < 0 ?
		      errno : 0);
	}
	EXPECT_EQ(ENOSPC, reap(pid));
	EXPECT_EQ(0, param_set("max_objects", old));
}

/* ENOSPC too for the owner's max_user_objects (the kernel's EDQUOT). */
static int create_two(void *names)
{
	char (*n)[64] = names;

	for (int i = 0; i < 2; i++)
		if (mq_open(n[i], O_RDWR | O_CREAT | O_EXCL, 0600, NULL) < 0)
			return errno;
	return 0;
}

TEST(create_at_max_user_objects_enospc)
{
	char names[2][64];
	unsigned long old;

	qname(names[0], sizeof(names[0]));
	qname(names[1], sizeof(names[1]));
	ASSERT_EQ(0, param_swap("max_user_objects", 1, &old));
	EXPECT_EQ(ENOSPC, as_user(NOBODY2, create_two, names));
	EXPECT_EQ(0, param_set("max_user_objects", old));
	mq_unlink(names[0]);
	mq_unlink(names[1]);
}

TEST(mq_open_2_opens)
{
	char name[64];
	mqd_t q;

	qname(name, sizeof(name));
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q);
	mq_close(q);
	q = __mq_open_2(name, O_RDWR);
	EXPECT_LE(0, q);
	mq_close(q);
	mq_unlink(name);
}

TEST(mq_open_2_with_o_creat_aborts)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(STDERR_FILENO);
		__mq_open_2("/mq-open-2", O_RDWR | O_CREAT);
		_exit(0);
	}
	EXPECT_EQ(128 + SIGABRT, reap(pid));
}

TEST_F(mq, poll_in_and_out)
{
	struct pollfd p = { .fd = self->q, .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	ASSERT_EQ(0, send_s(self->q, "p", 0));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, p.revents);
}

#if __TIMESIZE == 32
/* 32-bit: what a program built with _TIME_BITS=64 calls. */
struct ts64 {
	int64_t tv_sec;
	int32_t tv_nsec;
	int32_t pad;
};

int __mq_timedsend_time64(mqd_t, const char *, size_t, unsigned int,
			  const struct ts64 *);
ssize_t __mq_timedreceive_time64(mqd_t, char *, size_t, unsigned int *,
				 const struct ts64 *);

TEST_F(mq, time64_entries_past_2038)
{
	struct ts64 t = { .tv_sec = 4102444800LL, .pad = -1 };	/* 2100 */
	char buf[QSIZE];
	unsigned int prio;

	EXPECT_EQ(0, __mq_timedsend_time64(self->q, "t64", 3, 9, &t));
	EXPECT_EQ(3, __mq_timedreceive_time64(self->q, buf, QSIZE, &prio, &t));
	EXPECT_EQ(9, prio);
}

TEST_F(mq, time64_bad_nsec_einval)
{
	struct ts64 t = { .tv_sec = 1, .tv_nsec = 1000000000 };
	char buf[QSIZE];

	EXPECT_EQ(-1, __mq_timedreceive_time64(self->q, buf, QSIZE, NULL, &t));
	EXPECT_EQ(EINVAL, errno);
}
#endif

/* ---- mq_notify ------------------------------------------------------ */

TEST_F(mq, notify_signal_siginfo)
{
	siginfo_t si;
	pid_t pid;

	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 4242));
	pid = child_send(self->q, "n");
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, wait_sig(SIGUSR1, &si));
	EXPECT_EQ(SIGUSR1, si.si_signo);
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(4242, si.si_value.sival_int);
	EXPECT_EQ(pid, si.si_pid);
	EXPECT_EQ(getuid(), si.si_uid);
}

TEST_F(mq, notify_signal_sival_ptr)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGRTMIN };
	static int here;
	siginfo_t si;

	ev.sigev_value.sival_ptr = &here;
	block_sig(SIGRTMIN);
	ASSERT_EQ(0, mq_notify(self->q, &ev));
	ASSERT_EQ(0, send_s(self->q, "n", 0));
	ASSERT_EQ(0, wait_sig(SIGRTMIN, &si));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(&here, si.si_value.sival_ptr);
	EXPECT_EQ(getpid(), si.si_pid);
}

/* SIGEV_THREAD: the function writes its value and thread id here. */
static int cb_pipe[2];

static void cb_write(union sigval v)
{
	int w[2] = { v.sival_int, (int)syscall(SYS_gettid) };

	if (write(cb_pipe[1], w, sizeof(w)) != sizeof(w))
		abort();
}

/* The stack size the function's thread has (written as above). */
static void cb_stack(union sigval v)
{
	pthread_attr_t a;
	size_t sz = 0;
	int w[2] = { v.sival_int, 0 };

	if (!pthread_getattr_np(pthread_self(), &a)) {
		pthread_attr_getstacksize(&a, &sz);
		w[1] = (int)(sz >> 20);
		pthread_attr_destroy(&a);
	}
	if (write(cb_pipe[1], w, sizeof(w)) != sizeof(w))
		abort();
}

static int notify_thread(mqd_t q, void (*fn)(union sigval), int value,
			 pthread_attr_t *attr)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD,
			       .sigev_notify_function = fn,
			       .sigev_notify_attributes = attr,
			       .sigev_value.sival_int = value };

	return mq_notify(q, &ev);
}

/* What the function wrote, within WAIT_S: 0, or -1. */
static int cb_read(int w[2])
{
	struct pollfd p = { .fd = cb_pipe[0], .events = POLLIN };

	if (poll(&p, 1, WAIT_S * 1000) != 1)
		return -1;
	return read(cb_pipe[0], w, 2 * sizeof(int)) == 2 * sizeof(int) ? 0 : -1;
}

/* Nothing written (the registration did not fire, or was removed)? */
static int cb_none(void)
{
	struct pollfd p = { .fd = cb_pipe[0], .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

TEST_F(mq, notify_thread_runs_the_function)
{
	int w[2];

	ASSERT_EQ(0, pipe(cb_pipe));
	ASSERT_EQ(0, notify_thread(self->q, cb_write, 777, NULL));
	ASSERT_EQ(0, send_s(self->q, "t", 0));
	ASSERT_EQ(0, cb_read(w));
	EXPECT_EQ(777, w[0]);
	EXPECT_NE(getpid(), w[1]);
}

TEST_F(mq, notify_thread_attributes_copied)
{
	pthread_attr_t a;
	int w[2];

	ASSERT_EQ(0, pipe(cb_pipe));
	ASSERT_EQ(0, pthread_attr_init(&a));
	ASSERT_EQ(0, pthread_attr_setstacksize(&a, 24 << 20));
	ASSERT_EQ(0, pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED));
	ASSERT_EQ(0, notify_thread(self->q, cb_stack, 5, &a));
	/* The caller may destroy its attributes once mq_notify() returned. */
	ASSERT_EQ(0, pthread_attr_destroy(&a));
	ASSERT_EQ(0, send_s(self->q, "t", 0));
	ASSERT_EQ(0, cb_read(w));
	EXPECT_EQ(5, w[0]);
	EXPECT_LE(24, w[1]);
}

TEST_F(mq, notify_thread_reregistered_from_the_function_queue)
{
	int w[2];
	char buf[QSIZE + 1];

	ASSERT_EQ(0, pipe(cb_pipe));
	ASSERT_EQ(0, notify_thread(self->q, cb_write, 1, NULL));
	ASSERT_EQ(0, send_s(self->q, "1", 0));
	ASSERT_EQ(0, cb_read(w));
	ASSERT_EQ(1, recv_s(self->q, buf, NULL));
	ASSERT_EQ(0, notify_thread(self->q, cb_write, 2, NULL));
	ASSERT_EQ(0, send_s(self->q, "2", 0));
	ASSERT_EQ(0, cb_read(w));
	EXPECT_EQ(2, w[0]);
}

TEST_F(mq, notify_thread_helper_ended_by_notify_null)
{
	int fds, threads = count_dir("/proc/self/task");

	ASSERT_EQ(0, pipe(cb_pipe));
	fds = nfds();
	ASSERT_EQ(0, notify_thread(self->q, cb_write, 1, NULL));
	EXPECT_EQ(fds + 1, nfds());
	EXPECT_EQ(threads + 1, count_dir("/proc/self/task"));
	ASSERT_EQ(0, mq_notify(self->q, NULL));
	EXPECT_EQ(fds, nfds());
	EXPECT_EQ(0, wait_threads(threads));
	ASSERT_EQ(0, send_s(self->q, "t", 0));
	EXPECT_EQ(0, child_notify(self->q));
	EXPECT_TRUE(cb_none());
}

TEST_F(mq, notify_thread_helper_ended_by_mq_close)
{
	mqd_t q = mq_open(self->name, O_RDONLY);
	int fds, threads = count_dir("/proc/self/task");

	ASSERT_LE(0, q);
	ASSERT_EQ(0, pipe(cb_pipe));
	fds = nfds();
	ASSERT_EQ(0, notify_thread(q, cb_write, 1, NULL));
	ASSERT_EQ(0, mq_close(q));
	EXPECT_EQ(fds - 1, nfds());
	EXPECT_EQ(0, wait_threads(threads));
	ASSERT_EQ(0, send_s(self->q, "t", 0));
	EXPECT_EQ(0, child_notify(self->q));
	EXPECT_TRUE(cb_none());
}

TEST_F(mq, notify_thread_fork_child_holds_nothing)
{
	int fds, w[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(cb_pipe));
	ASSERT_EQ(0, notify_thread(self->q, cb_write, 9, NULL));
	fds = nfds();
	pid = fork();
	if (pid == 0) {
		/* Its copy of the eventfd is closed; the parent's stands. */
		if (nfds() != fds - 1)
			_exit(1);
		if (notify_thread(self->q, cb_write, 1, NULL) == 0 ||
		    errno != EBUSY)
			_exit(2);
		if (nfds() != fds - 1)
			_exit(3);
		_exit(mq_close(self->q) ? 4 : 0);
	}
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, send_s(self->q, "t", 0));
	ASSERT_EQ(0, cb_read(w));
	EXPECT_EQ(9, w[0]);
}

TEST_F(mq, notify_thread_ebusy_leaves_nothing_open)
{
	int fds;

	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 0));
	fds = nfds();
	EXPECT_EQ(-1, notify_thread(self->q, cb_write, 1, NULL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(fds, nfds());
}

TEST_F(mq, notify_none_holds_the_place)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };

	ASSERT_EQ(0, mq_notify(self->q, &ev));
	EXPECT_EQ(EBUSY, child_notify(self->q));
}

TEST_F(mq, notify_none_removed_once_fired)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };

	ASSERT_EQ(0, mq_notify(self->q, &ev));
	ASSERT_EQ(0, send_s(self->q, "n", 0));
	EXPECT_EQ(0, child_notify(self->q));
}

TEST_F(mq, notify_second_process_ebusy)
{
	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 0));
	EXPECT_EQ(EBUSY, child_notify(self->q));
}

TEST_F(mq, notify_holder_again_ebusy)
{
	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 0));
	EXPECT_EQ(-1, notify_signal(self->q, SIGUSR1, 0));
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(mq, notify_not_fired_for_a_blocked_receiver)
{
	siginfo_t si;
	pid_t pid;

	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 0));
	pid = fork();
	if (pid == 0) {
		char buf[QSIZE + 1];

		_exit(recv_s(self->q, buf, NULL) == 1 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(self->q, 0, 1));
	ASSERT_EQ(0, send_s(self->q, "r", 0));
	ASSERT_EQ(0, reap(pid));
	EXPECT_FALSE(sig_pending(SIGUSR1));
	/* Still registered: the next message into the empty queue fires. */
	EXPECT_EQ(EBUSY, child_notify(self->q));
	ASSERT_EQ(0, send_s(self->q, "s", 0));
	EXPECT_EQ(0, wait_sig(SIGUSR1, &si));
}

TEST_F(mq, notify_not_fired_for_a_queue_not_empty)
{
	char buf[QSIZE + 1];
	siginfo_t si;

	block_sig(SIGUSR1);
	ASSERT_EQ(0, send_s(self->q, "a", 0));
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 0));
	ASSERT_EQ(0, send_s(self->q, "b", 0));
	EXPECT_FALSE(sig_pending(SIGUSR1));
	EXPECT_EQ(EBUSY, child_notify(self->q));
	ASSERT_EQ(1, recv_s(self->q, buf, NULL));
	ASSERT_EQ(1, recv_s(self->q, buf, NULL));
	ASSERT_EQ(0, send_s(self->q, "c", 0));
	EXPECT_EQ(0, wait_sig(SIGUSR1, &si));
}

TEST_F(mq, notify_removed_once_fired)
{
	char buf[QSIZE + 1];
	siginfo_t si;

	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 0));
	ASSERT_EQ(0, send_s(self->q, "a", 0));
	ASSERT_EQ(0, wait_sig(SIGUSR1, &si));
	ASSERT_EQ(1, recv_s(self->q, buf, NULL));
	ASSERT_EQ(0, send_s(self->q, "b", 0));
	EXPECT_FALSE(sig_pending(SIGUSR1));
	EXPECT_EQ(0, child_notify(self->q));
}

TEST_F(mq, notify_reregistered_after_firing)
{
	char buf[QSIZE + 1];
	siginfo_t si;

	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 1));
	ASSERT_EQ(0, send_s(self->q, "a", 0));
	ASSERT_EQ(0, wait_sig(SIGUSR1, &si));
	ASSERT_EQ(1, recv_s(self->q, buf, NULL));
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 2));
	ASSERT_EQ(0, send_s(self->q, "b", 0));
	ASSERT_EQ(0, wait_sig(SIGUSR1, &si));
	EXPECT_EQ(2, si.si_value.sival_int);
}

TEST_F(mq, notify_removed_by_notify_null)
{
	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 0));
	ASSERT_EQ(0, mq_notify(self->q, NULL));
	ASSERT_EQ(0, send_s(self->q, "a", 0));
	EXPECT_FALSE(sig_pending(SIGUSR1));
	EXPECT_EQ(0, child_notify(self->q));
}

TEST_F(mq, notify_null_without_registration_succeeds)
{
	EXPECT_EQ(0, mq_notify(self->q, NULL));
}

TEST_F(mq, notify_removed_by_mq_close)
{
	mqd_t q = mq_open(self->name, O_RDONLY);

	ASSERT_LE(0, q);
	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(q, SIGUSR1, 0));
	ASSERT_EQ(0, mq_close(q));
	ASSERT_EQ(0, send_s(self->q, "a", 0));
	EXPECT_FALSE(sig_pending(SIGUSR1));
	EXPECT_EQ(0, child_notify(self->q));
}

/* The queue lives on after mq_unlink(), and so does its registration. */
TEST_F(mq, notify_survives_unlink)
{
	siginfo_t si;

	block_sig(SIGUSR1);
	ASSERT_EQ(0, notify_signal(self->q, SIGUSR1, 3));
	ASSERT_EQ(0, mq_unlink(self->name));
	ASSERT_EQ(0, send_s(self->q, "u", 0));
	ASSERT_EQ(0, wait_sig(SIGUSR1, &si));
	EXPECT_EQ(3, si.si_value.sival_int);
}

TEST_F(mq, notify_bad_sigev_notify_einval)
{
	struct sigevent ev = { .sigev_notify = 99 };

	EXPECT_EQ(-1, mq_notify(self->q, &ev));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mq, notify_bad_signal_einval)
{
	EXPECT_EQ(-1, notify_signal(self->q, 65, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST(notify_on_a_pipe_ebadf)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-1, notify_signal(p[0], SIGUSR1, 0));
	EXPECT_EQ(EBADF, errno);
	close(p[0]);
	close(p[1]);
}

/* ---- CLOCK_REALTIME deadlines across clock jumps -------------------- */

/*
 * Each test sets the guest's realtime clock; the offset from
 * CLOCK_MONOTONIC is saved first and put back after (also by the
 * teardown, after a failed assertion).
 */
FIXTURE(clock) {
	char name[64];
	mqd_t q;
	long long offset;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int moved;
};

static long long rt_offset(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ts_ns(rt) - ts_ns(mono);
}

static int clock_set_ns(long long ns)
{
	struct timespec ts = { .tv_sec = ns / (long long)NS,
			       .tv_nsec = ns % (long long)NS };

	return clock_settime(CLOCK_REALTIME, &ts);
}

static void clock_restore(FIXTURE_DATA(clock) *self)
{
	struct timespec mono;

	if (!self->moved)
		return;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (!clock_set_ns(ts_ns(mono) + self->offset))
		self->moved = 0;
}

/* Set the realtime clock @delta_s seconds away from what it reads. */
static int clock_jump(FIXTURE_DATA(clock) *self, long long delta_s)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	self->moved = 1;
	return clock_set_ns(ts_ns(rt) + delta_s * (long long)NS);
}

FIXTURE_SETUP(clock)
{
	qname(self->name, sizeof(self->name));
	self->q = mkq(self->name, QMAX, QSIZE);
	ASSERT_LE(0, self->q);
	self->offset = rt_offset();
	self->moved = 0;
}

FIXTURE_TEARDOWN(clock)
{
	clock_restore(self);
	mq_close(self->q);
	mq_unlink(self->name);
}

/* Fork a child in mq_timedreceive() until @secs from now: exit 0 if it
 * got "late", 3 on ETIMEDOUT, else 1. */
static pid_t timed_receiver(mqd_t q, int secs)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec t = clock_in(CLOCK_REALTIME,
					     secs * (long long)NS);
		char buf[QSIZE + 1];
		ssize_t n = mq_timedreceive(q, buf, QSIZE, NULL, &t);

		if (n < 0)
			_exit(errno == ETIMEDOUT ? 3 : 1);
		_exit(n == 4 && !memcmp(buf, "late", 4) ? 0 : 1);
	}
	return pid;
}

/* Forward past the deadline: the wait ends at once, not 60 s later. */
TEST_F_TIMEOUT(clock, forward_jump_ends_the_wait, 120)
{
	pid_t pid = timed_receiver(self->q, 60);
	int ret;

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_blocked(self->q, 0, 1));
	ASSERT_EQ(0, clock_jump(self, 120));
	/* Half the deadline: the wait followed the clock or it fails. */
	ret = reap_within(pid, 30);
	clock_restore(self);
	EXPECT_EQ(3, ret);
}

/* Backward: a wait with 2 s to go still waits after 3 s of real time. */
TEST_F_TIMEOUT(clock, backward_jump_extends_the_wait, 90)
{
	struct timespec three = { .tv_sec = 3 };
	pid_t pid = timed_receiver(self->q, 2);
	int ret, blocked;

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_blocked(self->q, 0, 1));
	ASSERT_EQ(0, clock_jump(self, -3600));
	clock_nanosleep(CLOCK_MONOTONIC, 0, &three, NULL);
	blocked = waitpid(pid, NULL, WNOHANG) == 0 &&
		  mstat(self->q).blocked_receivers == 1;
	EXPECT_EQ(0, send_s(self->q, "late", 0));
	ret = reap_within(pid, WAIT_S);
	clock_restore(self);
	EXPECT_TRUE(blocked);
	EXPECT_EQ(0, ret);
}

TEST_HARNESS_MAIN
