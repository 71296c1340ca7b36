// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox-fuzz [SECONDS]: structured fuzzer for /dev/shmbox (make fuzz).
 *
 * Several worker processes issue random sequences of valid and invalid
 * operations on a small shared set of names: open/create regions, rings
 * and mailboxes with random flags and sizes, send/receive (plain, vector,
 * direct, peek, sync, timed) with random lengths, priorities and buffer
 * pointers (NULL, unmapped, read-only, kernel addresses), calls, replies
 * and reply-and-receives (with handles a receive reported, stale ones,
 * made-up ones, and calls to inboxes by pid and id), stat, unlink,
 * mmap/mprotect/munmap at random offsets, ring wait/wake, poll, random
 * ioctl numbers with random argument bytes, fork, close.
 *
 * Handles in messages (ABI 1.4): sends, vector sends, calls and replies
 * carry random handle arrays: fds of regions, rings (with and without a
 * role), mailboxes, pipes, unbound /dev/shmbox fds, closed and made-up
 * numbers, random flags (SHMBOX_HANDLE_MOVE and unknown bits), non-zero
 * @bytes, repeated fds, nr_handles up to beyond SHMBOX_MSG_HANDLES_MAX and
 * hostile array pointers; receives (single, vector with struct
 * shmbox_mbox_msgx, reply-and-receive, a call's reply) give random
 * capacities, SHMBOX_MSG_NOCLOEXEC, and now and then an RLIMIT_NOFILE
 * that leaves room for one fd or none (EMFILE); SHMBOX_IOC_RING_CLAIM on
 * any fd.  One operation in four goes to the worker's own anonymous
 * mailbox, so that messages with handles are sent and received (half the
 * handle arrays hold only region and ring fds).  A received fd is closed, or kept in the fd table in place of
 * another (so it is mapped, claimed, sent on); every 1024 operations the
 * worker closes every fd its tables do not know, so the fd table stays
 * bounded whatever the kernel installed.  Every error is accepted (the
 * errnos of the handle operations are tallied, and the ones the header
 * does not document for them are listed); what is checked is what a
 * successful receive promises: each reported fd open, close-on-exec
 * unless SHMBOX_MSG_NOCLOEXEC, with READ or WRITE access, a size, and
 * fd -1 for a peek.  A broken promise is an anomaly and fails the run.
 *
 * POSIX queue semantics (ABI 1.5): sends, receives, vectors, calls and
 * reply-and-receives set SHMBOX_MSG_REALTIME (with CLOCK_REALTIME
 * deadlines, and now and then a monotonic one, long past as a realtime
 * time) and the receives SHMBOX_MSG_WHOLE; priorities go up to 32767 and
 * beyond SHMBOX_MSG_PRIO_MAX, and a received priority at or above it is
 * an anomaly.  SHMBOX_IOC_UNLINK gets the version 1 structure with
 * random @flags (SHMBOX_UNLINK_KEEP, unknown bits) and @pad, and version
 * 0's size.  SHMBOX_IOC_MBOX_NOTIFY registers and removes notifications
 * of every kind, and unknown ones, on any fd (mostly the worker's own
 * mailbox, where they fire): signals the worker handles or ignores
 * (safe_fixed[] and the realtime signals; SIGUSR2 and the realtime ones
 * now and then blocked, so that the kernel falls back to the thread-group
 * leader), signal 0, invalid numbers; real eventfds it creates and
 * drains, pipes, closed and made-up fds; random @value, @flags, @pad and
 * sizes.  A raw random command that happens to
 * be a notification gets its signal made safe too, so no registration
 * can stop or kill a worker.
 *
 * Workers get random signals from an interval timer (interrupting
 * blocking calls) and the parent SIGKILLs and replaces one at random
 * moments.  The kernel's verdict (KASAN, lockdep, kmemleak, warnings) is
 * read by the test runner; this program reports the operations executed
 * and fails only if a worker could not run at all or an anomaly was seen.
 *
 * Owns: its workers; the shared counter page.  No locking beyond atomics.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmbox.h>

#define NWORKERS	4
#define NFDS		16
#define NXFDS		8	/* handle candidates, see xfd() */
#define FD_LIMIT	128	/* RLIMIT_NOFILE of a worker */
#define HMAX		(SHMBOX_MSG_HANDLES_MAX + 4)	/* entries of an array */
#define NEFDS		2	/* eventfds for notifications */

struct shared {
	uint64_t ops;
	uint64_t ok;
	uint64_t kills;
	int stop;
	/* handles in messages */
	uint64_t h_sent;	/* messages sent (or calls, replies) with handles */
	uint64_t h_recv;	/* fds received */
	uint64_t h_moved;	/* fds a successful send moved away */
	uint64_t h_claims;	/* successful SHMBOX_IOC_RING_CLAIMs */
	uint64_t h_emfile;	/* receives run at a lowered RLIMIT_NOFILE */
	uint64_t anomalies;
	uint64_t h_err[256];	/* errnos of the handle operations */
	/* notification (ABI 1.5) */
	uint64_t n_reg;		/* successful registrations (not removals) */
	uint64_t n_sigs;	/* SI_MESGQ signals the workers' handlers saw */
	uint64_t n_efd;		/* eventfd counts read back (notifications) */
	uint64_t n_unlink_keep;	/* successful SHMBOX_UNLINK_KEEP unlinks */
	uint64_t n_err[256];	/* errnos of SHMBOX_IOC_MBOX_NOTIFY */
};

static struct shared *sh;
static int fds[NFDS];
static void *maps[NFDS];
static size_t maplen[NFDS];
static char *ro_page;
static char *edge_page;		/* a page, then an inaccessible one */
static uint64_t rstate;
static uint64_t handles[8];	/* reply handles receives reported */
static uint64_t inbox_ids[4];	/* inbox ids stat reported */
static int xfds[NXFDS];		/* handle candidates, see xfd() */
static int efds[NEFDS];		/* eventfds for notifications */
static struct shmbox_handle harr[HMAX];		/* a send's or a receive's */
static struct shmbox_handle hrep[HMAX];		/* a call's reply's */
static struct shmbox_handle hvec[8][HMAX];	/* per vector entry */

static uint64_t rnd64(void)
{
	rstate ^= rstate << 13;
	rstate ^= rstate >> 7;
	rstate ^= rstate << 17;
	return rstate;
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)(rnd64() % n);
}

static const char *rname(void)
{
	static const char * const names[] = {
		"fz-a", "fz-b", "fz-c", "fz-ring", "fz-mbox", "fz-x/y", "",
	};

	return names[rnd(sizeof(names) / sizeof(names[0]))];
}

/* A pointer that is usually valid and sometimes hostile. */
static uint64_t rptr(void *good)
{
	switch (rnd(16)) {
	case 0: return 0;
	case 1: return 0xffff888000000000ULL;	/* kernel direct map */
	case 2: return 0x1000;			/* unmapped */
	case 3: return (uintptr_t)ro_page;	/* read-only */
	case 4: return (uintptr_t)good + 4093;	/* straddles */
	default: return (uintptr_t)good;
	}
}

static uint32_t rlen(void)
{
	static const uint32_t lens[] = {
		0, 1, 8, 192, 193, 4096, 65536, 65537, 1u << 20, 0xffffffffu,
	};

	return rnd(3) ? rnd(300) : lens[rnd(sizeof(lens) / sizeof(lens[0]))];
}

static uint32_t rflags(uint32_t valid)
{
	uint32_t f = valid & (uint32_t)rnd64();

	if (!rnd(16))
		f |= 1u << rnd(32);
	return f;
}

/*
 * A deadline for a command with @flags: of the clock SHMBOX_MSG_REALTIME
 * says, now and then of the other one (a realtime command's monotonic
 * deadline passed in 1970; a monotonic command's realtime one is decades
 * away, and the worker's timer signals end that wait).
 */
static uint64_t rdeadline(uint32_t flags)
{
	int realtime = !!(flags & SHMBOX_MSG_REALTIME);
	struct timespec ts;

	if (!rnd(16))
		realtime = !realtime;
	switch (rnd(4)) {
	case 0: return 0;
	case 1: return SHMBOX_TIMEOUT_NONE;
	default:
		clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
		return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
		       rnd(20) * 1000000ULL;
	}
}

/* A priority: mostly valid (up to SHMBOX_MSG_PRIO_MAX - 1), or just over. */
static uint32_t rprio(void)
{
	switch (rnd(16)) {
	case 0: case 1: case 2: case 3: return 0;
	case 4: return SHMBOX_MSG_PRIO_MAX - 1;
	case 5: return SHMBOX_MSG_PRIO_MAX;			/* EINVAL */
	case 6: return SHMBOX_MSG_PRIO_MAX + rnd(1000);		/* EINVAL */
	case 7: return rnd(64) ? rnd(SHMBOX_MSG_PRIO_MAX) : (uint32_t)rnd64();
	case 8: case 9: case 10: return rnd(32);	/* ABI 1.4's range */
	default: return rnd(SHMBOX_MSG_PRIO_MAX);
	}
}

static void keep_handle(uint64_t h)
{
	if (h)
		handles[rnd(8)] = h;
}

/* A handle: one a receive reported (maybe used up), or made up. */
static uint64_t rhandle(void)
{
	switch (rnd(8)) {
	case 0: return 0;
	case 1: return rnd64();
	case 2: return handles[rnd(8)] + 1;
	default: return handles[rnd(8)];
	}
}

static int slot_fd(void)
{
	int i = rnd(NFDS);

	if (fds[i] < 0)
		fds[i] = open("/dev/shmbox", rnd(4) ? O_RDWR : (rnd(2) ? O_RDONLY : O_WRONLY));
	return fds[i];
}

/*
 * A handle candidate that stays in the worker: 0 a region, 1 a region
 * created through a read-only fd (or that fd unbound, if refused), 2 a
 * ring without a role, 3 a ring with the producer's, 4 and 5 a pipe's
 * ends, 6 a mailbox, 7 an unbound /dev/shmbox fd; made anew once a send
 * moved it away.
 */
static int xfd(int i)
{
	struct shmbox_region_open ro = { .size = sizeof(ro), .mode = 0600 };
	struct shmbox_mbox_open mo = { .size = sizeof(mo), .capacity = 4,
				       .mode = 0600 };
	int p[2], fd;

	if (xfds[i] >= 0)
		return xfds[i];
	if (i == 4 || i == 5) {
		if (xfds[4] >= 0 || xfds[5] >= 0 || pipe(p))
			return -1;
		xfds[4] = p[0];
		xfds[5] = p[1];
		return xfds[i];
	}
	fd = open("/dev/shmbox", i == 1 ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return -1;
	ro.bytes = 4096u << rnd(3);
	if (i == 2 || i == 3)
		ro.flags = SHMBOX_REGION_RING | (i == 3 ? SHMBOX_RING_PRODUCER : 0);
	if (i <= 3)
		ioctl(fd, SHMBOX_IOC_REGION_OPEN, &ro);
	else if (i == 6)
		ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &mo);
	xfds[i] = fd;
	return fd;
}

/*
 * A handle array's pointer: usually @h, sometimes hostile, or the last 8
 * bytes before an inaccessible page (half an entry, then a fault).
 */
static uint64_t hptr(struct shmbox_handle *h)
{
	switch (rnd(24)) {
	case 0: return 0;
	case 1: return 0xffff888000000000ULL;
	case 2: return 0x1000;
	case 3: return (uintptr_t)ro_page;
	case 4: return (uintptr_t)edge_page + 4096 - 8;
	default: return (uintptr_t)h;
	}
}

/* An fd to pass as a handle: usually a real one, of any kind. */
static int rhfd(void)
{
	int fd;

	switch (rnd(16)) {
	case 0: return -1;
	case 1: return (int)rnd(1024);		/* most likely not open */
	case 2: return rnd(2) ? 0 : -(int)rnd(1000) - 2;
	case 3:					/* just closed */
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			close(fd);
		return fd;
	case 4: case 5: case 6:
		return fds[rnd(NFDS)];
	default:
		return xfd(rnd(NXFDS));
	}
}

/*
 * Fill @h with a random handle array for a send; return its pointer (the
 * array, or now and then a hostile one) and its count in *@nr.
 */
static uint64_t rhandles(struct shmbox_handle *h, uint32_t *nr)
{
	int valid = rnd(2);	/* only fds of regions and rings */
	uint32_t n;

	switch (rnd(16)) {
	case 0: n = 0; break;
	case 1: n = SHMBOX_MSG_HANDLES_MAX + rnd(HMAX - SHMBOX_MSG_HANDLES_MAX + 1); break;
	case 2: n = rnd(4) ? rnd(SHMBOX_MSG_HANDLES_MAX + 1) : (uint32_t)rnd64(); break;
	default: n = 1 + rnd(3); break;
	}
	*nr = n;
	for (uint32_t i = 0; i < n && i < HMAX; i++) {
		if (i && !rnd(16))
			h[i].fd = h[rnd(i)].fd;		/* twice */
		else
			h[i].fd = valid ? xfd(rnd(4)) : rhfd();
		h[i].flags = rnd(3) ? 0 : rflags(SHMBOX_HANDLE_MOVE);
		h[i].bytes = rnd(32) ? 0 : rnd64();
	}
	if (n > HMAX)	/* the kernel must refuse it before reading */
		return rnd(2) ? (uintptr_t)h : hptr(h);
	return hptr(h);
}

/*
 * Forget fd @fd in every table (a send moved it: the kernel closed it).
 * Returns whether a table had it.
 */
static int forget_fd(int fd)
{
	int found = 0;

	for (int i = 0; i < NFDS; i++)
		if (fds[i] == fd) {
			fds[i] = -1;
			found = 1;
		}
	for (int i = 0; i < NXFDS; i++)
		if (xfds[i] == fd) {
			xfds[i] = -1;
			found = 1;
		}
	for (int i = 0; i < NEFDS; i++)
		if (efds[i] == fd) {
			efds[i] = -1;
			found = 1;
		}
	return found;
}

/*
 * After a send of @h (@n entries at @ptr): the fds it moved, if it moved
 * any, are closed now; forget them.  Asking the fd table covers every
 * case (a call moves its fds once a server took the request, whether the
 * call then succeeds or not).
 */
static void handles_sent(long r, uint64_t ptr, const struct shmbox_handle *h,
			 uint32_t n)
{
	if (ptr != (uintptr_t)h || !n || n > HMAX)
		return;
	if (r >= 0)
		__atomic_add_fetch(&sh->h_sent, 1, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < n; i++) {
		if (!(h[i].flags & SHMBOX_HANDLE_MOVE) || h[i].fd < 0 ||
		    fcntl(h[i].fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* a table's fd is open until a move closes it */
		if (forget_fd(h[i].fd))
			__atomic_add_fetch(&sh->h_moved, 1, __ATOMIC_RELAXED);
	}
}

static void anomaly(const char *what, int fd, uint32_t flags)
{
	__atomic_add_fetch(&sh->anomalies, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "shmbox-fuzz: ANOMALY: %s (fd %d, flags %#x)\n", what,
		fd, flags);
}

/*
 * A receive of @n handles into @h (at @ptr) succeeded (@peek: a peek,
 * @cloexec: the fds must be close-on-exec): check what it promises, then
 * close each new fd or keep it in the table in place of another.
 */
static void handles_received(uint64_t ptr, struct shmbox_handle *h,
			     uint32_t n, uint32_t cap, int peek, int cloexec)
{
	int fl, j;

	if (ptr != (uintptr_t)h || !n)
		return;
	if (n > cap || n > SHMBOX_MSG_HANDLES_MAX) {
		anomaly("more handles reported than the array holds", -1, n);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!(h[i].flags & (SHMBOX_HANDLE_READ | SHMBOX_HANDLE_WRITE)) ||
		    !h[i].bytes)
			anomaly("handle without access or size", h[i].fd,
				h[i].flags);
		if (peek) {
			if (h[i].fd != -1)
				anomaly("a peek installed an fd", h[i].fd,
					h[i].flags);
			continue;
		}
		fl = h[i].fd < 0 ? -1 : fcntl(h[i].fd, F_GETFD);
		if (fl < 0) {
			anomaly("received fd not open", h[i].fd, h[i].flags);
			continue;
		}
		if (!(fl & FD_CLOEXEC) != !cloexec)
			anomaly("received fd's close-on-exec is wrong",
				h[i].fd, (uint32_t)fl);
		__atomic_add_fetch(&sh->h_recv, 1, __ATOMIC_RELAXED);
		/* The number was free: an entry with it is a stale one. */
		forget_fd(h[i].fd);
		if (rnd(4)) {
			close(h[i].fd);
			continue;
		}
		/* keep it: mapped, claimed, sent on as any other */
		j = rnd(NFDS);
		if (fds[j] >= 0)
			close(fds[j]);
		fds[j] = h[i].fd;
	}
}

/* The capacity of a receive's handle array, usually valid. */
static uint32_t rcap(void)
{
	switch (rnd(16)) {
	case 0: case 1: case 2: case 3: return 0;
	case 4: return SHMBOX_MSG_HANDLES_MAX + 1 + rnd(4);	/* EINVAL */
	case 5: return (uint32_t)rnd64();
	default: return 1 + rnd(SHMBOX_MSG_HANDLES_MAX);
	}
}

/* The handle array's pointer for a receive of capacity @cap. */
static uint64_t rhptr(struct shmbox_handle *h, uint32_t cap)
{
	memset(h, 0x5a, sizeof(*h) * HMAX);
	return cap > HMAX && rnd(2) ? (uintptr_t)h : hptr(h);
}

/*
 * Now and then, before a receive: lower RLIMIT_NOFILE so that it leaves
 * room for one new fd or none.  Returns 1 if lowered (restore_limit()
 * after the receive).
 */
static int squeeze_limit(void)
{
	struct rlimit rl;
	int fd;

	if (rnd(32) || getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		return 0;
	close(fd);
	rl.rlim_cur = fd + rnd(2);	/* the lowest free fd, or one more */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	__atomic_add_fetch(&sh->h_emfile, 1, __ATOMIC_RELAXED);
	return 1;
}

static void restore_limit(int squeezed)
{
	struct rlimit rl;

	if (!squeezed || getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = FD_LIMIT < rl.rlim_max ? FD_LIMIT : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* Tally errno @e of a handle operation that failed. */
static void herr(long r, int e)
{
	if (r < 0)
		__atomic_add_fetch(&sh->h_err[e & 255], 1, __ATOMIC_RELAXED);
}

/* Close every fd the tables do not know: whatever the kernel installed. */
static void sweep_fds(void)
{
	for (int fd = 3; fd < FD_LIMIT; fd++) {
		int known = 0;

		for (int i = 0; i < NFDS && !known; i++)
			known = fds[i] == fd;
		for (int i = 0; i < NXFDS && !known; i++)
			known = xfds[i] == fd;
		for (int i = 0; i < NEFDS && !known; i++)
			known = efds[i] == fd;
		if (!known)
			close(fd);
	}
}

/* A received priority is below SHMBOX_MSG_PRIO_MAX, whatever was sent. */
static void check_prio(uint32_t prio, int fd)
{
	if (prio >= SHMBOX_MSG_PRIO_MAX)
		anomaly("received priority out of range", fd, prio);
}

/*
 * The signals a notification may ask for: the worker handles or ignores
 * each (worker() installs the handlers for SIGUSR1, SIGUSR2, SIGALRM and
 * SIGRTMIN..SIGRTMAX; the others here are ignored by default), so none
 * stops or kills it.  0 registers and sends nothing.  Never 32 and 33,
 * which glibc keeps for itself below SIGRTMIN, nor SIGKILL, SIGSTOP,
 * SIGTERM and the like.
 */
static const int safe_fixed[] = {
	0, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGURG, SIGWINCH,
};
#define NSAFE_FIXED	(sizeof(safe_fixed) / sizeof(safe_fixed[0]))

/* A safe signal: one of those above, or any of SIGRTMIN..SIGRTMAX. */
static int rsafe_signo(void)
{
	unsigned int i = rnd(16);

	if (i < NSAFE_FIXED)
		return safe_fixed[i];
	return SIGRTMIN + (int)rnd((unsigned int)(SIGRTMAX - SIGRTMIN + 1));
}

/* @signo if no registration with it can hurt us, else a safe one. */
static int safe_signo(int signo)
{
	for (unsigned int i = 0; i < NSAFE_FIXED; i++)
		if (signo == safe_fixed[i])
			return signo;
	if (signo >= SIGRTMIN && signo <= SIGRTMAX)
		return signo;
	/* out of range: the kernel refuses it (EINVAL), it reaches nobody */
	if (signo < 0 || signo > 64)
		return signo;
	return SIGUSR2;
}

/* A signal number for a notification: safe, or one the kernel refuses. */
static int rsigno(void)
{
	switch (rnd(16)) {
	case 0: return -1 - (int)rnd(1000);
	case 1: return 65 + (int)rnd(1000);
	case 2: return rnd(2) ? INT32_MIN : INT32_MAX;
	default: return rsafe_signo();
	}
}

/* An eventfd of ours, made on first use. */
static int efd_get(int i)
{
	if (efds[i] < 0)
		efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return efds[i];
}

/* Read an eventfd's count back (the notifications that fired on it). */
static void efd_drain(int i)
{
	uint64_t v;

	if (efds[i] >= 0 && read(efds[i], &v, sizeof(v)) == sizeof(v))
		__atomic_add_fetch(&sh->n_efd, v, __ATOMIC_RELAXED);
}

/* The @eventfd field: usually a real eventfd, or any other fd or number. */
static int reventfd(void)
{
	int fd;

	switch (rnd(16)) {
	case 0: return -1;
	case 1: return (int)rnd(1024);
	case 2: return xfd(4 + rnd(2));		/* a pipe: EINVAL */
	case 3: return fds[rnd(NFDS)];		/* /dev/shmbox: EINVAL */
	case 4:					/* just closed: EBADF */
		fd = eventfd(0, 0);
		if (fd >= 0)
			close(fd);
		return fd;
	default: return efd_get(rnd(NEFDS));
	}
}

/*
 * SHMBOX_IOC_MBOX_NOTIFY on @fd: register (any kind, unknown ones too),
 * or remove, with the fields the kind uses random and now and then the
 * others too; sometimes an eventfd is drained first, or a signal it may
 * ask for blocked or unblocked (a pending one is then taken).
 */
static long fuzz_notify(struct shmbox_mbox_notify *nt, int fd)
{
	sigset_t set;
	long r;

	switch (rnd(8)) {
	case 0:
		efd_drain(rnd(NEFDS));
		break;
	case 1:
		/*
		 * Never SIGALRM or SIGUSR1: their interruptions keep blocked
		 * calls short.  An unblocked pending one goes to the handler.
		 */
		sigemptyset(&set);
		sigaddset(&set, rnd(2) ? SIGUSR2 :
			  SIGRTMIN + (int)rnd((unsigned int)(SIGRTMAX - SIGRTMIN + 1)));
		sigprocmask(rnd(2) ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
		break;
	}
	nt->size = rnd(16) ? sizeof(*nt) : rnd(64);
	nt->flags = rflags(0);
	switch (rnd(16)) {
	case 0: nt->notify = 4 + rnd(4); break;
	case 1: nt->notify = (uint32_t)rnd64(); break;
	case 2: case 3: case 4: nt->notify = SHMBOX_NOTIFY_REMOVE; break;
	case 5: case 6: nt->notify = SHMBOX_NOTIFY_NONE; break;
	case 7: case 8: case 9: case 10: nt->notify = SHMBOX_NOTIFY_SIGNAL; break;
	default: nt->notify = SHMBOX_NOTIFY_EVENTFD; break;
	}
	/* the fields of the kind; those of another kind now and then */
	if (nt->notify == SHMBOX_NOTIFY_SIGNAL || !rnd(16))
		nt->signo = rsigno();
	if (nt->notify == SHMBOX_NOTIFY_SIGNAL || !rnd(16))
		nt->value = rnd(2) ? rnd64() : rnd(16);
	if (nt->notify == SHMBOX_NOTIFY_EVENTFD || !rnd(16))
		nt->eventfd = reventfd();
	nt->pad = rnd(32) ? 0 : (uint32_t)rnd64();
	/* whatever the draw, never a signal that could hurt */
	nt->signo = safe_signo(nt->signo);
	r = ioctl(fd, SHMBOX_IOC_MBOX_NOTIFY, nt);
	if (r < 0)
		__atomic_add_fetch(&sh->n_err[errno & 255], 1, __ATOMIC_RELAXED);
	else if (nt->notify != SHMBOX_NOTIFY_REMOVE)
		__atomic_add_fetch(&sh->n_reg, 1, __ATOMIC_RELAXED);
	return r;
}

static void one_op(void)
{
	static char buf[8192];
	union {
		struct shmbox_region_open ro;
		struct shmbox_region_stat rs;
		struct shmbox_mbox_open mo;
		struct shmbox_mbox_stat ms;
		struct shmbox_mbox_send s;
		struct shmbox_mbox_recv r;
		struct shmbox_mbox_vec v;
		struct shmbox_ring_wait w;
		struct shmbox_ring_wake k;
		struct shmbox_unlink u;
		struct shmbox_version ver;
		struct shmbox_mbox_call c;
		struct shmbox_mbox_reply rp;
		struct shmbox_mbox_reply_recv rr;
		struct shmbox_ring_claim cl;
		struct shmbox_mbox_notify nt;
		unsigned char raw[256];
	} a;
	struct shmbox_mbox_msg m[8];
	struct shmbox_mbox_msgx mx[8];
	int fd = rnd(4) ? slot_fd() : xfd(6), i = rnd(NFDS), n, sq;
	uint32_t cap, caps[8];
	unsigned int cmd;
	void *arg;
	long r = -1;

	memset(&a, 0, sizeof(a));
	if (!rnd(64)) {		/* garbage beyond the kernel's struct */
		for (n = 0; n < (int)sizeof(a.raw); n++)
			a.raw[n] = (unsigned char)rnd64();
	}
	switch (rnd(32)) {
	case 0:
		a.ro.size = rnd(8) ? sizeof(a.ro) : rnd(300);
		a.ro.flags = rflags(SHMBOX_O_CREAT | SHMBOX_O_EXCL | SHMBOX_O_AUTOREMOVE |
				    SHMBOX_REGION_RING | SHMBOX_RING_PRODUCER |
				    SHMBOX_RING_CONSUMER);
		a.ro.name = rnd(4) ? (uintptr_t)rname() : rptr(buf);
		a.ro.bytes = rnd(3) ? 4096u << rnd(5) : rnd64() % (1u << 24);
		a.ro.mode = rnd(2) ? 0600 : rnd(01000);
		r = ioctl(fd, SHMBOX_IOC_REGION_OPEN, &a);
		break;
	case 1:
		a.mo.size = sizeof(a.mo);
		a.mo.flags = rflags(SHMBOX_O_CREAT | SHMBOX_O_EXCL | SHMBOX_O_AUTOREMOVE |
				    SHMBOX_MBOX_INBOX);
		a.mo.name = (a.mo.flags & SHMBOX_MBOX_INBOX) && rnd(4) ? 0 :
			    (uintptr_t)rname();
		a.mo.capacity = rnd(4) ? rnd(8) : SHMBOX_MBOX_UNBOUNDED;
		a.mo.max_msg_size = rnd(2) ? 0 : rlen();
		a.mo.mode = 0666;
		r = ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &a);
		break;
	case 2: case 3: case 4:
		a.s.size = sizeof(a.s);
		a.s.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC |
				   SHMBOX_MSG_REALTIME);
		a.s.buf = rptr(buf);
		a.s.len = rlen() % (sizeof(buf) + 2);
		a.s.prio = rprio();
		a.s.pid = rnd(8) ? 0 : (rnd(2) ? getpid() : getppid());
		a.s.deadline_ns = rdeadline(a.s.flags);
		if (rnd(2))
			a.s.handles = rhandles(harr, &a.s.nr_handles);
		r = ioctl(fd, SHMBOX_IOC_MBOX_SEND, &a);
		if (a.s.nr_handles) {
			herr(r, errno);
			handles_sent(r, a.s.handles, harr, a.s.nr_handles);
		}
		break;
	case 5: case 6: case 7:
		/* Version 2 takes calls (reports a handle), older ones not. */
		a.r.size = rnd(4) ? sizeof(a.r) :
			   (rnd(2) ? SHMBOX_MBOX_RECV_SIZE_VER1 : SHMBOX_MBOX_RECV_SIZE_VER0);
		a.r.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK |
				   SHMBOX_MSG_NOCLOEXEC | SHMBOX_MSG_REALTIME |
				   (rnd(4) ? 0 : SHMBOX_MSG_WHOLE));
		a.r.buf = rptr(buf);
		a.r.len = rlen() % (sizeof(buf) + 2);
		a.r.deadline_ns = rdeadline(a.r.flags);
		/* handles: only the newest size reports them */
		cap = rnd(4) ? rcap() : 0;
		a.r.nr_handles = cap;
		a.r.handles = cap || rnd(8) ? rhptr(harr, cap) : 0;
		sq = squeeze_limit();
		r = ioctl(fd, SHMBOX_IOC_MBOX_RECV, &a);
		n = errno;
		restore_limit(sq);
		if (a.r.size == sizeof(a.r))
			herr(r, n);
		if (!r)
			check_prio(a.r.prio, fd);
		if (!r && a.r.size == sizeof(a.r)) {
			keep_handle(a.r.handle);
			handles_received(a.r.handles, harr, a.r.nr_handles, cap,
					 !!(a.r.flags & SHMBOX_MSG_PEEK),
					 !(a.r.flags & SHMBOX_MSG_NOCLOEXEC));
		}
		break;
	case 8: case 9:
		n = 1 + rnd(8);
		memset(m, 0, sizeof(m));
		for (i = 0; i < n; i++) {
			m[i].buf = rptr(buf);
			m[i].len = rlen() % 4097;
			m[i].prio = rprio();
		}
		a.v.size = sizeof(a.v);
		/* WHOLE: the vector receive refuses it, as sends do */
		a.v.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC |
				   SHMBOX_MSG_REALTIME |
				   (rnd(8) ? 0 : SHMBOX_MSG_WHOLE));
		a.v.msgs = rnd(8) ? (uintptr_t)m : rptr(m);
		a.v.count = rnd(16) ? (uint32_t)n : rlen();
		a.v.deadline_ns = rdeadline(a.v.flags);
		r = ioctl(fd, rnd(2) ? SHMBOX_IOC_MBOX_SENDV : SHMBOX_IOC_MBOX_RECVV, &a);
		break;
	case 10:
		a.rs.size = sizeof(a.rs);
		r = ioctl(fd, SHMBOX_IOC_REGION_STAT, &a);
		memset(&a, 0, sizeof(a));
		a.ms.size = sizeof(a.ms);
		r = ioctl(fd, SHMBOX_IOC_MBOX_STAT, &a);
		if (!r && a.ms.inbox_id)
			inbox_ids[rnd(4)] = a.ms.inbox_id;
		break;
	case 11:
		/* Version 1 with @flags (ABI 1.5), or version 0's size. */
		a.u.size = rnd(8) ? sizeof(a.u) :
			   (rnd(2) ? SHMBOX_UNLINK_SIZE_VER0 : rnd(40));
		a.u.kind = rnd(4);
		a.u.name = rnd(8) ? (uintptr_t)rname() : rptr(buf);
		a.u.flags = rflags(SHMBOX_UNLINK_KEEP);
		a.u.pad = rnd(32) ? 0 : (uint32_t)rnd64();
		r = ioctl(fd, SHMBOX_IOC_UNLINK, &a);
		if (!r && a.u.size >= SHMBOX_UNLINK_SIZE_VER1 &&
		    (a.u.flags & SHMBOX_UNLINK_KEEP))
			__atomic_add_fetch(&sh->n_unlink_keep, 1,
					   __ATOMIC_RELAXED);
		break;
	case 12: case 13:
		if (maps[i]) {
			r = rnd(2) ? munmap(maps[i], maplen[i]) :
				     mprotect(maps[i], maplen[i], PROT_READ | PROT_WRITE);
			if (!r || errno == EINVAL) {
				munmap(maps[i], maplen[i]);
				maps[i] = NULL;
			}
			break;
		}
		maplen[i] = 4096u * (1 + rnd(12));
		maps[i] = mmap(NULL, maplen[i], rnd(3) ? PROT_READ | PROT_WRITE : PROT_READ,
			       rnd(8) ? MAP_SHARED : MAP_PRIVATE, fd, 4096ULL * rnd(4));
		if (maps[i] == MAP_FAILED) {
			maps[i] = NULL;
		} else {
			r = 0;
			/* Touch it: faults in every page. */
			for (n = 0; n < (int)maplen[i]; n += 4096)
				((volatile char *)maps[i])[n];
		}
		break;
	case 14:
		a.w.size = sizeof(a.w);
		a.w.flags = rflags(SHMBOX_RING_DATA | SHMBOX_RING_SPACE | SHMBOX_RING_NONBLOCK);
		a.w.seen = rnd(4) ? 0 : rnd64();
		a.w.deadline_ns = rdeadline(0);
		r = ioctl(fd, SHMBOX_IOC_RING_WAIT, &a);
		break;
	case 15:
		a.k.size = sizeof(a.k);
		a.k.flags = rflags(SHMBOX_RING_DATA | SHMBOX_RING_SPACE);
		r = ioctl(fd, SHMBOX_IOC_RING_WAKE, &a);
		break;
	case 16: {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

		r = poll(&p, 1, rnd(3));
		break;
	}
	case 17:
		/* Any command number of ours, any direction and size. */
		for (n = 0; n < (int)sizeof(a.raw); n++)
			a.raw[n] = rnd(4) ? 0 : (unsigned char)rnd64();
		a.ver.size = rnd(2) ? 8u << rnd(6) : (uint32_t)rnd64();
		cmd = _IOC(rnd(4), SHMBOX_IOC_MAGIC, rnd(0x40), rnd(512));
		arg = rnd(8) ? (void *)&a : (void *)(uintptr_t)rptr(&a);
		/*
		 * A notification it registers must not stop or kill us: the
		 * bytes are ours then (not the stack past @a), made safe.
		 */
		if (cmd == SHMBOX_IOC_MBOX_NOTIFY) {
			if ((uintptr_t)arg == (uintptr_t)&a + 4093)
				arg = &a;
			a.nt.signo = safe_signo(a.nt.signo);
		}
		r = ioctl(fd, cmd, arg);
		break;
	case 18:
		if (!rnd(8) && fork() == 0) {
			/* The child uses inherited fds and mappings, then dies,
			 * at the latest with its parent (a blocked receive has
			 * no deadline). */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			for (n = 0; n < 20; n++)
				one_op();
			_exit(0);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		r = 0;
		break;
	case 20: case 21:
		/* read(2)/write(2) of one message, blocking or not. */
		fcntl(fd, F_SETFL, rnd(4) ? O_NONBLOCK : 0);
		n = rlen() % (sizeof(buf) + 2);
		r = rnd(2) ? write(fd, (void *)(uintptr_t)rptr(buf), n) :
			     read(fd, (void *)(uintptr_t)rptr(buf), n);
		break;
	case 22:
		/* A call: to the bound mailbox, an inbox by pid or by id. */
		a.c.size = rnd(16) ? sizeof(a.c) : rnd(128);
		a.c.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_TO_ID |
				   SHMBOX_MSG_REALTIME);
		a.c.buf = rptr(buf);
		a.c.len = rlen() % (sizeof(buf) + 2);
		a.c.prio = rprio();
		if (a.c.flags & SHMBOX_MSG_TO_ID)
			a.c.id = rnd(8) ? inbox_ids[rnd(4)] : rnd64();
		else if (!rnd(4))
			a.c.pid = rnd(2) ? getpid() : getppid();
		a.c.deadline_ns = rdeadline(a.c.flags);
		/* A reply never lands past buf: a length beyond it only with
		 * a buffer that cannot be written. */
		a.c.reply_buf = rptr(buf);
		a.c.reply_len = rlen() % 4097;
		if (!rnd(8)) {
			a.c.reply_len = rlen();
			a.c.reply_buf = rnd(2) ? (uintptr_t)ro_page : 0x1000;
		}
		if (!rnd(32))
			a.c.status = 1;
		if (!rnd(8))		/* resume a parked call, or none */
			a.c.resume = rhandle();
		if (rnd(2)) {		/* the request's handles, the reply's */
			a.c.flags |= rnd(2) ? SHMBOX_MSG_NOCLOEXEC : 0;
			a.c.handles = rhandles(harr, &a.c.nr_handles);
			cap = rcap();
			a.c.reply_nr_handles = cap;
			a.c.reply_handles = cap || rnd(8) ? rhptr(hrep, cap) : 0;
		}
		cap = a.c.reply_nr_handles;
		sq = squeeze_limit();
		r = ioctl(fd, SHMBOX_IOC_MBOX_CALL, &a);
		n = errno;
		restore_limit(sq);
		if (a.c.nr_handles || cap) {
			herr(r, n);
			handles_sent(r, a.c.handles, harr, a.c.nr_handles);
		}
		if (!r && a.c.size == sizeof(a.c))
			handles_received(a.c.reply_handles, hrep,
					 a.c.reply_nr_handles, cap, 0,
					 !(a.c.flags & SHMBOX_MSG_NOCLOEXEC));
		break;
	case 23:
		a.rp.size = rnd(16) ? sizeof(a.rp) : rnd(64);
		a.rp.flags = rflags(0);
		a.rp.handle = rhandle();
		a.rp.buf = rptr(buf);
		a.rp.len = rnd(4) ? rnd(300) : rlen();
		if (rnd(2))
			a.rp.handles = rhandles(harr, &a.rp.nr_handles);
		r = ioctl(fd, SHMBOX_IOC_MBOX_REPLY, &a);
		if (a.rp.nr_handles) {
			herr(r, errno);
			handles_sent(r, a.rp.handles, harr, a.rp.nr_handles);
		}
		break;
	case 24:
		a.rr.size = rnd(16) ? sizeof(a.rr) : rnd(128);
		a.rr.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_FROM |
				    SHMBOX_MSG_REALTIME |
				    (rnd(4) ? 0 : SHMBOX_MSG_WHOLE));
		if (a.rr.flags & SHMBOX_MSG_FROM)
			a.rr.pid = rnd(2) ? getpid() : getppid();
		a.rr.reply_handle = rhandle();
		a.rr.reply_buf = rptr(buf);
		a.rr.reply_len = a.rr.reply_handle || rnd(8) == 0 ? rnd(300) : 0;
		a.rr.buf = rptr(buf);
		a.rr.len = rlen() % 4097;
		a.rr.deadline_ns = rdeadline(a.rr.flags);
		a.rr.flags |= rnd(4) ? 0 : SHMBOX_MSG_NOCLOEXEC;
		cap = rnd(2) ? rcap() : 0;
		a.rr.nr_handles = cap;
		a.rr.handles = cap ? rhptr(harr, cap) : 0;
		sq = squeeze_limit();
		r = ioctl(fd, SHMBOX_IOC_MBOX_REPLY_RECV, &a);
		n = errno;
		restore_limit(sq);
		if (cap)
			herr(r, n);
		if (r >= 0) {
			keep_handle(a.rr.handle);
			check_prio(a.rr.prio, fd);
		}
		if (r >= 0 && a.rr.size == sizeof(a.rr))
			handles_received(a.rr.handles, harr, a.rr.nr_handles,
					 cap, 0,
					 !(a.rr.flags & SHMBOX_MSG_NOCLOEXEC));
		break;
	case 25: case 26:
		/*
		 * Vectors of struct shmbox_mbox_msgx with handles in each
		 * entry; now and then a shorter descriptor, which cannot
		 * report them (the receive drops them).
		 */
		n = 1 + rnd(8);
		memset(mx, 0, sizeof(mx));
		a.v.size = sizeof(a.v);
		a.v.msg_size = rnd(8) ? sizeof(mx[0]) :
			       (rnd(2) ? SHMBOX_MBOX_MSGX_SIZE_VER2 : 8u * rnd(40));
		a.v.msgs = rnd(8) ? (uintptr_t)mx : rptr(mx);
		a.v.count = rnd(16) ? (uint32_t)n : rlen();
		if (rnd(2)) {		/* send */
			a.v.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC |
					   SHMBOX_MSG_REALTIME);
			a.v.deadline_ns = rdeadline(a.v.flags);
			for (i = 0; i < n; i++) {
				mx[i].buf = rptr(buf);
				mx[i].len = rlen() % 4097;
				mx[i].prio = rprio();
				if (rnd(2))
					mx[i].handles = rhandles(hvec[i],
								 &mx[i].nr_handles);
			}
			r = ioctl(fd, SHMBOX_IOC_MBOX_SENDV, &a);
			herr(r, errno);
			for (i = 0; i < n; i++)
				handles_sent(i < r ? 0 : -1, mx[i].handles,
					     hvec[i], mx[i].nr_handles);
			break;
		}
		a.v.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_NOCLOEXEC |
				   SHMBOX_MSG_REALTIME);
		a.v.deadline_ns = rdeadline(a.v.flags);
		for (i = 0; i < n; i++) {
			mx[i].buf = rptr(buf);
			mx[i].len = rlen() % 4097;
			caps[i] = rnd(4) ? rcap() : 0;
			mx[i].nr_handles = caps[i];
			mx[i].handles = caps[i] ? rhptr(hvec[i], caps[i]) : 0;
		}
		sq = squeeze_limit();
		r = ioctl(fd, SHMBOX_IOC_MBOX_RECVV, &a);
		n = errno;
		restore_limit(sq);
		herr(r, n);
		if (a.v.msgs != (uintptr_t)mx || a.v.msg_size != sizeof(mx[0]))
			break;
		for (i = 0; i < r && i < 8; i++) {
			keep_handle(mx[i].handle);
			check_prio(mx[i].prio, fd);
			handles_received(mx[i].handles, hvec[i],
					 mx[i].nr_handles, caps[i], 0,
					 !(a.v.flags & SHMBOX_MSG_NOCLOEXEC));
		}
		break;
	case 27:
		/*
		 * A role on any /dev/shmbox fd: a ring's without one, with
		 * one, a region's, a mailbox's, an unbound one.
		 */
		a.cl.size = rnd(16) ? sizeof(a.cl) : rnd(64);
		a.cl.flags = rflags(SHMBOX_RING_PRODUCER | SHMBOX_RING_CONSUMER);
		r = ioctl(rnd(2) ? fd : xfd(rnd(8) ? rnd(4) : 6 + rnd(2)),
			  SHMBOX_IOC_RING_CLAIM, &a);
		herr(r, errno);
		if (!r)
			__atomic_add_fetch(&sh->h_claims, 1, __ATOMIC_RELAXED);
		break;
	case 29:
		/* A receive that can take any message: the handles' way in. */
		a.r.size = sizeof(a.r);
		a.r.flags = SHMBOX_MSG_NONBLOCK | (rnd(2) ? SHMBOX_MSG_NOCLOEXEC : 0) |
			    (rnd(8) ? 0 : SHMBOX_MSG_WHOLE);
		a.r.buf = (uintptr_t)buf;
		a.r.len = sizeof(buf);
		a.r.deadline_ns = SHMBOX_TIMEOUT_NONE;
		a.r.handles = (uintptr_t)harr;
		a.r.nr_handles = SHMBOX_MSG_HANDLES_MAX;
		r = ioctl(rnd(2) ? xfd(6) : fd, SHMBOX_IOC_MBOX_RECV, &a);
		herr(r, errno);
		if (!r) {
			keep_handle(a.r.handle);
			check_prio(a.r.prio, fd);
			handles_received(a.r.handles, harr, a.r.nr_handles,
					 SHMBOX_MSG_HANDLES_MAX, 0,
					 !(a.r.flags & SHMBOX_MSG_NOCLOEXEC));
		}
		break;
	case 28:
		/*
		 * A send that carries handles, to the bound mailbox or an
		 * inbox, for traffic the receives and calls can take.
		 */
		a.s.size = sizeof(a.s);
		a.s.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC |
				   SHMBOX_MSG_REALTIME);
		a.s.buf = (uintptr_t)buf;
		a.s.len = rnd(64);
		a.s.prio = rnd(4) ? rnd(SHMBOX_MSG_PRIO_MAX) : rnd(32);
		a.s.pid = rnd(4) ? 0 : (rnd(2) ? getpid() : getppid());
		a.s.deadline_ns = rdeadline(a.s.flags);
		n = 1 + rnd(SHMBOX_MSG_HANDLES_MAX);
		for (i = 0; i < n; i++) {
			harr[i].fd = xfd(rnd(4));	/* regions and rings */
			harr[i].flags = rnd(4) ? 0 : SHMBOX_HANDLE_MOVE;
			harr[i].bytes = 0;
		}
		a.s.handles = (uintptr_t)harr;
		a.s.nr_handles = n;
		r = ioctl(fd, SHMBOX_IOC_MBOX_SEND, &a);
		herr(r, errno);
		handles_sent(r, a.s.handles, harr, n);
		break;
	case 30:
		r = fuzz_notify(&a.nt, rnd(4) ? xfd(6) : fd);
		break;
	default:
		if (fds[i] >= 0) {
			r = close(fds[i]);
			fds[i] = -1;
		}
		break;
	}
	__atomic_add_fetch(&sh->ops, 1, __ATOMIC_RELAXED);
	if (r >= 0)
		__atomic_add_fetch(&sh->ok, 1, __ATOMIC_RELAXED);
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si && si->si_code == SI_MESGQ)
		__atomic_add_fetch(&sh->n_sigs, 1, __ATOMIC_RELAXED);
}

static void worker(unsigned int seed)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };
	struct itimerval it = { { 0, 3000 }, { 0, 3000 } };
	struct rlimit rl;
	uint64_t nops = 0;
	int i;

	rstate = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed << 17) ^ (uint64_t)getpid();
	for (i = 0; i < NFDS; i++)
		fds[i] = -1;
	for (i = 0; i < NXFDS; i++)
		xfds[i] = -1;
	for (i = 0; i < NEFDS; i++)
		efds[i] = -1;
	/* A bounded fd table: sweep_fds() covers all of it. */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = FD_LIMIT < rl.rlim_max ? FD_LIMIT : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sweep_fds();
	/*
	 * No SA_RESTART: blocking calls see EINTR.  SIGALRM and SIGUSR1
	 * come from the timer and the parent; every signal a notification
	 * may ask for (safe_fixed[], the realtime ones) is handled, or
	 * ignored by default (SIGCHLD, SIGURG, SIGWINCH).  A fork()ed child
	 * inherits them.
	 */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	for (i = SIGRTMIN; i <= SIGRTMAX; i++)
		sigaction(i, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		one_op();
		if (!(++nops % 1024))
			sweep_fds();
	}
	_exit(0);
}

/*
 * The errnos the header documents for the handle operations (send,
 * receive, vectors, call, reply, reply-and-receive, ring claim, and the
 * common ones), with or without handles; anything else is listed as
 * unexpected (not a failure: a fuzzer's inputs reach corners the header
 * may not spell out).
 */
static const int h_expected[] = {
	EBADF, EINVAL, EBADFD, EMSGSIZE, EMFILE, ENFILE, EFAULT, E2BIG,
	EAGAIN, ETIMEDOUT, EINTR, EIDRM, ENOSPC, ENOMEM, ESRCH, ENOENT,
	EACCES, EPIPE, EBUSY,
};

/* The errnos SHMBOX_IOC_MBOX_NOTIFY documents, and the common ones. */
static const int n_expected[] = {
	EBUSY, EIDRM, EBADFD, EBADF, EINVAL, ENOMEM, EFAULT, E2BIG,
};

/*
 * Print "shmbox-fuzz: @what errors:" and each errno counted in @err (of
 * 256), marking those not in @expected (@n of them) as unexpected.
 */
static void report_errnos(const char *what, const uint64_t *err,
			  const int *expected, size_t n)
{
	char line[2048];
	size_t o = 0;

	line[0] = 0;
	for (int e = 1; e < 256; e++) {
		int known = 0;

		if (!err[e])
			continue;
		for (size_t k = 0; k < n; k++)
			known |= expected[k] == e;
		if (o < sizeof(line) - 64)
			o += snprintf(line + o, sizeof(line) - o, " %s %llu%s",
				      strerrorname_np(e) ? strerrorname_np(e) : "?",
				      (unsigned long long)err[e],
				      known ? "" : " (unexpected)");
	}
	printf("shmbox-fuzz: %s errors:%s\n", what, o ? line : " none");
}

static void report_handles(void)
{
	printf("shmbox-fuzz: handles: %llu sends/calls/replies with handles succeeded, %llu fds received, %llu moved, %llu ring claims, %llu receives at a lowered fd limit, %llu anomalies\n",
	       (unsigned long long)sh->h_sent, (unsigned long long)sh->h_recv,
	       (unsigned long long)sh->h_moved, (unsigned long long)sh->h_claims,
	       (unsigned long long)sh->h_emfile,
	       (unsigned long long)sh->anomalies);
	report_errnos("handle operations'", sh->h_err, h_expected,
		      sizeof(h_expected) / sizeof(h_expected[0]));
}

static void report_notify(void)
{
	printf("shmbox-fuzz: notify: %llu registrations, %llu SI_MESGQ signals, %llu eventfd notifications read, %llu UNLINK_KEEP unlinks\n",
	       (unsigned long long)sh->n_reg, (unsigned long long)sh->n_sigs,
	       (unsigned long long)sh->n_efd,
	       (unsigned long long)sh->n_unlink_keep);
	report_errnos("notify", sh->n_err, n_expected,
		      sizeof(n_expected) / sizeof(n_expected[0]));
}

int main(int argc, char **argv)
{
	const char *env = getenv("FUZZ_SECONDS");
	int secs = argc > 1 ? atoi(argv[1]) : env ? atoi(env) : 60;
	pid_t kids[NWORKERS];
	unsigned int seed = 1;
	time_t end;
	int i, st, bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	edge_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || ro_page == MAP_FAILED || edge_page == MAP_FAILED ||
	    mprotect(edge_page + 4096, 4096, PROT_NONE))
		return 1;
	rstate = 88172645463325252ULL;
	for (i = 0; i < NWORKERS; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			worker(seed++);
	}
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		usleep(20000 + rnd(200000));
		i = rnd(NWORKERS);
		if (rnd(3)) {
			kill(kids[i], SIGUSR1);
			continue;
		}
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
		sh->kills++;
		kids[i] = fork();
		if (kids[i] == 0)
			worker(seed++);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NWORKERS; i++) {
		/* Stragglers blocked without a deadline: SIGKILL ends them. */
		kill(kids[i], SIGALRM);
	}
	sleep(1);
	for (i = 0; i < NWORKERS; i++) {
		kill(kids[i], SIGKILL);
		if (waitpid(kids[i], &st, 0) != kids[i])
			bad++;
	}
	while (waitpid(-1, NULL, 0) > 0)
		;
	printf("shmbox-fuzz: %llu ops (%llu succeeded), %llu workers killed, %d s\n",
	       (unsigned long long)sh->ops, (unsigned long long)sh->ok,
	       (unsigned long long)sh->kills, secs);
	report_handles();
	report_notify();
	return bad || !sh->ops || sh->anomalies;
}
