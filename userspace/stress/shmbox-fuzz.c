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
 * ioctl numbers with random argument bytes, fork, close.  Workers get
 * random signals from an interval timer (interrupting blocking calls) and
 * the parent SIGKILLs and replaces one at random moments.  The kernel's
 * verdict (KASAN, lockdep, kmemleak, warnings) is read by the test runner;
 * this program reports the operations executed and fails only if a
 * worker could not run at all.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmbox.h>

#define NWORKERS	4
#define NFDS		16

struct shared {
	uint64_t ops;
	uint64_t ok;
	uint64_t kills;
	int stop;
};

static struct shared *sh;
static int fds[NFDS];
static void *maps[NFDS];
static size_t maplen[NFDS];
static char *ro_page;
static uint64_t rstate;
static uint64_t handles[8];	/* reply handles receives reported */
static uint64_t inbox_ids[4];	/* inbox ids stat reported */

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

static uint64_t rdeadline(void)
{
	struct timespec ts;

	switch (rnd(4)) {
	case 0: return 0;
	case 1: return SHMBOX_TIMEOUT_NONE;
	default:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
		       rnd(20) * 1000000ULL;
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
		unsigned char raw[256];
	} a;
	struct shmbox_mbox_msg m[8];
	int fd = slot_fd(), i = rnd(NFDS), n;
	long r = -1;

	memset(&a, 0, sizeof(a));
	if (!rnd(64)) {		/* garbage beyond the kernel's struct */
		for (n = 0; n < (int)sizeof(a.raw); n++)
			a.raw[n] = (unsigned char)rnd64();
	}
	switch (rnd(25)) {
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
		a.s.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC);
		a.s.buf = rptr(buf);
		a.s.len = rlen() % (sizeof(buf) + 2);
		a.s.prio = rnd(33);
		a.s.pid = rnd(8) ? 0 : (rnd(2) ? getpid() : getppid());
		a.s.deadline_ns = rdeadline();
		r = ioctl(fd, SHMBOX_IOC_MBOX_SEND, &a);
		break;
	case 5: case 6: case 7:
		/* Version 2 takes calls (reports a handle), older ones not. */
		a.r.size = rnd(4) ? sizeof(a.r) :
			   (rnd(2) ? SHMBOX_MBOX_RECV_SIZE_VER1 : SHMBOX_MBOX_RECV_SIZE_VER0);
		a.r.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK);
		a.r.buf = rptr(buf);
		a.r.len = rlen() % (sizeof(buf) + 2);
		a.r.deadline_ns = rdeadline();
		r = ioctl(fd, SHMBOX_IOC_MBOX_RECV, &a);
		if (!r && a.r.size == sizeof(a.r))
			keep_handle(a.r.handle);
		break;
	case 8: case 9:
		n = 1 + rnd(8);
		memset(m, 0, sizeof(m));
		for (i = 0; i < n; i++) {
			m[i].buf = rptr(buf);
			m[i].len = rlen() % 4097;
			m[i].prio = rnd(2) ? rnd(32) : 0;
		}
		a.v.size = sizeof(a.v);
		a.v.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC);
		a.v.msgs = rnd(8) ? (uintptr_t)m : rptr(m);
		a.v.count = rnd(16) ? (uint32_t)n : rlen();
		a.v.deadline_ns = rdeadline();
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
		a.u.size = sizeof(a.u);
		a.u.kind = rnd(4);
		a.u.name = rnd(8) ? (uintptr_t)rname() : rptr(buf);
		r = ioctl(fd, SHMBOX_IOC_UNLINK, &a);
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
		a.w.deadline_ns = rdeadline();
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
		r = ioctl(fd, _IOC(rnd(4), SHMBOX_IOC_MAGIC, rnd(0x40), rnd(512)),
			  rnd(8) ? (void *)&a : (void *)(uintptr_t)rptr(&a));
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
		a.c.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_TO_ID);
		a.c.buf = rptr(buf);
		a.c.len = rlen() % (sizeof(buf) + 2);
		a.c.prio = rnd(33);
		if (a.c.flags & SHMBOX_MSG_TO_ID)
			a.c.id = rnd(8) ? inbox_ids[rnd(4)] : rnd64();
		else if (!rnd(4))
			a.c.pid = rnd(2) ? getpid() : getppid();
		a.c.deadline_ns = rdeadline();
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
		r = ioctl(fd, SHMBOX_IOC_MBOX_CALL, &a);
		break;
	case 23:
		a.rp.size = rnd(16) ? sizeof(a.rp) : rnd(64);
		a.rp.flags = rflags(0);
		a.rp.handle = rhandle();
		a.rp.buf = rptr(buf);
		a.rp.len = rnd(4) ? rnd(300) : rlen();
		r = ioctl(fd, SHMBOX_IOC_MBOX_REPLY, &a);
		break;
	case 24:
		a.rr.size = rnd(16) ? sizeof(a.rr) : rnd(128);
		a.rr.flags = rflags(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_FROM);
		if (a.rr.flags & SHMBOX_MSG_FROM)
			a.rr.pid = rnd(2) ? getpid() : getppid();
		a.rr.reply_handle = rhandle();
		a.rr.reply_buf = rptr(buf);
		a.rr.reply_len = a.rr.reply_handle || rnd(8) == 0 ? rnd(300) : 0;
		a.rr.buf = rptr(buf);
		a.rr.len = rlen() % 4097;
		a.rr.deadline_ns = rdeadline();
		r = ioctl(fd, SHMBOX_IOC_MBOX_REPLY_RECV, &a);
		if (r >= 0)
			keep_handle(a.rr.handle);
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

static void on_signal(int sig)
{
	(void)sig;
}

static void worker(unsigned int seed)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerval it = { { 0, 3000 }, { 0, 3000 } };
	int i;

	rstate = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed << 17) ^ (uint64_t)getpid();
	for (i = 0; i < NFDS; i++)
		fds[i] = -1;
	/* No SA_RESTART: blocking calls see EINTR. */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED))
		one_op();
	_exit(0);
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
	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || ro_page == MAP_FAILED)
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
	return bad || !sh->ops;
}
