// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shmbox-bench - shmbox against POSIX mq, SysV msg, pipes, AF_UNIX and a
 * futex hand-off, on the same workloads in the same machine.
 *
 * Every transport is a one-way channel with send() and recv(); a ping-pong
 * uses two channels, a stream one.  The two sides are separate processes
 * pinned to different CPUs.  Every message carries its sequence number at
 * its start and its end and the receiver checks both, so nothing is
 * counted that was not delivered intact and in order.  Each figure is the
 * median of REPS runs, with min and max; the runs of the figures of one
 * section are interleaved (run_jobs()), and a goal ratio is the median of
 * the ratios of same-numbered runs (paired()).
 *
 * Call and reply (SHMBOX_IOC_MBOX_CALL, _REPLY_RECV) is measured only when
 * the running module reports SHMBOX_FEAT_CALL; an older module (bench-ab's
 * A) skips those figures and the goals that need them.
 * rpc64/shmbox-mailbox-4x2 replies by inbox id (shmbox_mbox_reply_to()):
 * it needs SHMBOX_FEAT_INBOX_ID (ABI 1.2); on an older module its server
 * fails every reply and its clients would wait for ever.
 * Likewise the bulk1m figures that pass regions as handles in messages
 * (SHMBOX_FEAT_HANDLES, ABI 1.4; raw ioctls, not the library) need that
 * feature; their pipe, socket and ring references run on any module.
 * shmbox-mq (rtt64, stream64) is the POSIX mq API of libshmbox-mq on
 * mailboxes, the same calls as posix-mq: it needs SHMBOX_FEAT_MQ (ABI
 * 1.5) and libshmbox-mq.so.1, loaded with dlopen() so that its mq_* and
 * libc's (posix-mq) are both in this one binary.  Its cost against the
 * native mailbox and the kernel's mqueue is printed, informational, not
 * a goal.
 *
 * Output: a table on stdout, "ratio NAME = VALUE (goal OP TARGET)" lines,
 * and in --out DIR: bench.json (every figure) and bench.dat (for gnuplot).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <math.h>
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "libshmbox.h"

#define MAXMSG		4096
#define REPS_DEFAULT	5

static int reps = REPS_DEFAULT;
static double scale = 1.0;	/* multiplies message counts */
static int ncpus = 1;
static const char *filter;	/* --filter: name parts, split by , or + */
static int batch = 32;		/* messages per vector call, batched mailbox */
static uint64_t features;	/* SHMBOX_FEAT_* of the running module */
static int have_smq;		/* libshmbox-mq loaded (shmbox-mq figures) */

/* Does --filter select the figure @name (all do without --filter)? */
static int selected(const char *name)
{
	const char *p = filter;

	if (!p)
		return 1;
	while (*p) {
		size_t n = strcspn(p, ",+");

		if (n && memmem(name, strlen(name), p, n))
			return 1;
		p += n + !!p[n];
	}
	return 0;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "shmbox-bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- channels ------------------------------------------------------------ */

enum { TX, RX };

struct chan;
struct chan_ops {
	const char *name;
	int (*create)(struct chan *c, uint32_t size);	/* before fork */
	int (*attach)(struct chan *c, int side);	/* in the child */
	int (*send)(struct chan *c, const void *buf, uint32_t len);
	int (*recv)(struct chan *c, void *buf, uint32_t cap);	/* length */
	void (*destroy)(struct chan *c);
	uint64_t (*syscalls)(struct chan *c);
	int (*flush)(struct chan *c);			/* batched sends */
};

struct futex_slot {
	_Atomic uint32_t seq;		/* last published message */
	_Atomic uint32_t waiting;
	uint32_t len;
	char pad[52];
	char data[MAXMSG];
};

struct chan {
	const struct chan_ops *ops;
	int id;
	char name[64];
	int fd[2];
	uint32_t msgsize;		/* pipe: a byte stream, fixed-size messages */
	mqd_t mq;
	struct shmbox_ring *ring;
	struct futex_slot *slot;
	struct floor_slot *fslot;
	uint32_t fseq;			/* futex, floor: our side's sequence */
	int batch;			/* mailbox: messages per vector call */
	struct shmbox_mbox_msg vec[64];
	char vbuf[64][64];
	int vpos, vcount;
};

static int sys_err(int r)
{
	return r < 0 ? -errno : r;
}

/* pipe */
/*
 * Every queue holds about 64 messages or 256 KiB, like the shmbox mailbox
 * (capacity 64) and ring (256 KiB) it is compared with.
 */
#define QUEUE_BYTES	(256 << 10)

static int pipe_create(struct chan *c, uint32_t size)
{
	c->msgsize = size;
	if (pipe(c->fd))
		return -errno;
	fcntl(c->fd[1], F_SETPIPE_SZ, QUEUE_BYTES);
	return 0;
}

static int pipe_attach(struct chan *c, int side)
{
	close(c->fd[side == TX ? 0 : 1]);
	return 0;
}

static int fd_write_all(int fd, const void *buf, uint32_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* A pipe is a byte stream: every message is exactly ->msgsize bytes. */
static int pipe_send(struct chan *c, const void *buf, uint32_t len)
{
	return fd_write_all(c->fd[1], buf, len);
}

static int pipe_recv(struct chan *c, void *buf, uint32_t cap)
{
	char *p = buf;
	uint32_t got = 0, want = c->msgsize < cap ? c->msgsize : cap;

	while (got < want) {
		ssize_t n = read(c->fd[0], p + got, want - got);

		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		got += n;
	}
	return got;
}

static void fd_destroy(struct chan *c)
{
	close(c->fd[0]);
	close(c->fd[1]);
}

/* AF_UNIX SOCK_SEQPACKET */
static int unix_create(struct chan *c, uint32_t size)
{
	int buf = QUEUE_BYTES;

	(void)size;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c->fd))
		return -errno;
	setsockopt(c->fd[0], SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(c->fd[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return 0;
}

static int unix_send(struct chan *c, const void *buf, uint32_t len)
{
	return send(c->fd[1], buf, len, 0) < 0 ? -errno : 0;
}

static int unix_recv(struct chan *c, void *buf, uint32_t cap)
{
	return sys_err(recv(c->fd[0], buf, cap, 0));
}

/* POSIX mq */
static int mq_create(struct chan *c, uint32_t size)
{
	struct mq_attr a = { .mq_maxmsg = 64, .mq_msgsize = size };

	snprintf(c->name, sizeof(c->name), "/bench-%d-%d", getpid(), c->id);
	mq_unlink(c->name);
	c->mq = mq_open(c->name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	return c->mq == (mqd_t)-1 ? -errno : 0;
}

static int mq_send_(struct chan *c, const void *buf, uint32_t len)
{
	return mq_send(c->mq, buf, len, 0) ? -errno : 0;
}

static int mq_recv_(struct chan *c, void *buf, uint32_t cap)
{
	return sys_err(mq_receive(c->mq, buf, cap, NULL));
}

static void mq_destroy(struct chan *c)
{
	mq_close(c->mq);
	mq_unlink(c->name);
}

/*
 * POSIX mq through libshmbox-mq: the same calls, found with dlsym() in
 * the library itself, since the program's own mq_* are libc's.
 */
static struct {
	mqd_t (*open)(const char *, int, ...);
	int (*send)(mqd_t, const char *, size_t, unsigned int);
	ssize_t (*receive)(mqd_t, char *, size_t, unsigned int *);
	int (*close)(mqd_t);
	int (*unlink)(const char *);
} smq;

/* Load libshmbox-mq: 0, or -1 (and why on stdout). */
static int smq_load(void)
{
	void *h = dlopen("libshmbox-mq.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		printf("  shmbox-mq: skipped, %s\n", dlerror());
		return -1;
	}
	smq.open = (mqd_t (*)(const char *, int, ...))dlsym(h, "mq_open");
	smq.send = (int (*)(mqd_t, const char *, size_t, unsigned int))
		dlsym(h, "mq_send");
	smq.receive = (ssize_t (*)(mqd_t, char *, size_t, unsigned int *))
		dlsym(h, "mq_receive");
	smq.close = (int (*)(mqd_t))dlsym(h, "mq_close");
	smq.unlink = (int (*)(const char *))dlsym(h, "mq_unlink");
	if (smq.open && smq.send && smq.receive && smq.close && smq.unlink)
		return 0;
	printf("  shmbox-mq: skipped, libshmbox-mq.so.1 lacks an mq_ function\n");
	return -1;
}

static int smq_create(struct chan *c, uint32_t size)
{
	struct mq_attr a = { .mq_maxmsg = 64, .mq_msgsize = size };

	snprintf(c->name, sizeof(c->name), "/bench-smq-%d-%d", getpid(), c->id);
	smq.unlink(c->name);
	c->mq = smq.open(c->name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	return c->mq == (mqd_t)-1 ? -errno : 0;
}

static int smq_send(struct chan *c, const void *buf, uint32_t len)
{
	return smq.send(c->mq, buf, len, 0) ? -errno : 0;
}

static int smq_recv(struct chan *c, void *buf, uint32_t cap)
{
	return sys_err(smq.receive(c->mq, buf, cap, NULL));
}

static void smq_destroy(struct chan *c)
{
	smq.close(c->mq);
	smq.unlink(c->name);
}

/* SysV msg */
struct sysv_msg {
	long mtype;
	char mtext[MAXMSG];
};

static int sysv_create(struct chan *c, uint32_t size)
{
	struct msqid_ds ds;

	c->fd[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (c->fd[0] < 0)
		return -errno;
	if (!msgctl(c->fd[0], IPC_STAT, &ds)) {
		ds.msg_qbytes = 64 * size;
		msgctl(c->fd[0], IPC_SET, &ds);
	}
	return 0;
}

static int sysv_send(struct chan *c, const void *buf, uint32_t len)
{
	struct sysv_msg m;

	m.mtype = 1;
	memcpy(m.mtext, buf, len);
	return msgsnd(c->fd[0], &m, len, 0) ? -errno : 0;
}

static int sysv_recv(struct chan *c, void *buf, uint32_t cap)
{
	struct sysv_msg m;
	ssize_t n = msgrcv(c->fd[0], &m, cap, 0, 0);

	if (n < 0)
		return -errno;
	memcpy(buf, m.mtext, n);
	return n;
}

static void sysv_destroy(struct chan *c)
{
	msgctl(c->fd[0], IPC_RMID, NULL);
}

/* futex hand-off over shared memory: one slot, the floor of a blocking
 * hand-off between processes (no kernel object, no queue). */
static int futex_create(struct chan *c, uint32_t size)
{
	(void)size;
	c->slot = mmap(NULL, sizeof(*c->slot), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return c->slot == MAP_FAILED ? -errno : 0;
}

static long futex(_Atomic uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Single slot: the sender waits until the receiver took the last one. */
static int futex_send(struct chan *c, const void *buf, uint32_t len)
{
	struct futex_slot *s = c->slot;
	uint32_t taken;

	/* ->waiting counts the receiver's acknowledgements. */
	while ((taken = atomic_load(&s->waiting)) != c->fseq)
		futex(&s->waiting, FUTEX_WAIT, taken);
	memcpy(s->data, buf, len);
	s->len = len;
	atomic_store(&s->seq, ++c->fseq);
	futex(&s->seq, FUTEX_WAKE, 1);
	return 0;
}

static int futex_recv(struct chan *c, void *buf, uint32_t cap)
{
	struct futex_slot *s = c->slot;
	uint32_t seq, len;

	while ((seq = atomic_load(&s->seq)) == c->fseq)
		futex(&s->seq, FUTEX_WAIT, seq);
	len = s->len < cap ? s->len : cap;
	memcpy(buf, s->data, len);
	atomic_store(&s->waiting, ++c->fseq);
	futex(&s->waiting, FUTEX_WAKE, 1);
	return len;
}

static void futex_destroy(struct chan *c)
{
	munmap(c->slot, sizeof(*c->slot));
}

/*
 * The floors of a kernel-mediated round trip (rtt64/floor-2sys, -4sys):
 * the hand-off itself costs what it costs in shared memory, with the
 * mailbox's polling (spin up to FLOOR_SPIN_NS, then sleep on a futex),
 * and each round trip adds 2 (resp. 4) null system calls, each made
 * while its side holds the token, so that all of them are on the
 * critical path: what a design with that many calls per round trip
 * costs if its calls do no work.  (A blocking receive enters the kernel
 * before its message comes, overlapping its entry with the peer's work,
 * so a 4-call design's critical path holds a little less than 4 whole
 * calls; floor-4sys does not credit that.)
 *
 * The null system call is getppid(2), through syscall() so that no
 * library cache can answer it: it takes no lock and writes nothing, the
 * cheapest real entry into the kernel and back.
 *
 * One slot per direction, for a ping-pong only: the sender never waits
 * for room, since the peer's answer proves it took the last message.
 */
#define FLOOR_SPIN_NS	50000	/* the mbox_spin_ns default */

struct floor_slot {
	_Atomic uint32_t seq;		/* last published message */
	_Atomic uint32_t sleeping;	/* the receiver waits in FUTEX_WAIT */
	uint32_t len;
	char pad[52];
	char data[MAXMSG];
};

static inline void null_syscall(void)
{
	syscall(SYS_getppid);
}

/*
 * The spin's clock: the TSC where there is one (the guest's clocksource is
 * the HPET, whose every read is a system call and an emulated MMIO
 * access: the module's spin uses local_clock() for the same reason),
 * calibrated once against CLOCK_MONOTONIC.
 */
static double spin_ticks_per_ns = 1.0;

#if defined(__x86_64__) || defined(__i386__)
static inline uint64_t spin_clock(void)
{
	return __rdtsc();
}

static inline void spin_relax(void)
{
	_mm_pause();
}
#else
static inline uint64_t spin_clock(void)
{
	return (uint64_t)(now() * 1e9);
}

static inline void spin_relax(void)
{
}
#endif

static void spin_calibrate(void)
{
	double t0 = now(), t;
	uint64_t c0 = spin_clock(), c;

	do {
		t = now();
		c = spin_clock();
	} while (t - t0 < 0.02);
	if (c > c0)
		spin_ticks_per_ns = (c - c0) / ((t - t0) * 1e9);
}

static int floor_create(struct chan *c, uint32_t size)
{
	(void)size;
	c->fslot = mmap(NULL, sizeof(*c->fslot), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return c->fslot == MAP_FAILED ? -errno : 0;
}

static int floor_send_sys(struct chan *c, const void *buf, uint32_t len,
			  int nsys)
{
	struct floor_slot *s = c->fslot;

	for (int i = 0; i < nsys; i++)
		null_syscall();
	memcpy(s->data, buf, len);
	s->len = len;
	/* seq_cst store, then load: pairs with floor_recv()'s */
	atomic_store(&s->seq, ++c->fseq);
	if (atomic_load(&s->sleeping))
		futex(&s->seq, FUTEX_WAKE, 1);
	return 0;
}

static int floor_recv_sys(struct chan *c, void *buf, uint32_t cap, int nsys)
{
	struct floor_slot *s = c->fslot;
	uint64_t end = spin_clock() + (uint64_t)(FLOOR_SPIN_NS *
						 spin_ticks_per_ns);
	uint32_t len;

	while (atomic_load_explicit(&s->seq, memory_order_acquire) == c->fseq) {
		if (spin_clock() < end) {
			spin_relax();
			continue;
		}
		/* Announce the sleep, then look again: no lost wake-up. */
		atomic_store(&s->sleeping, 1);
		while (atomic_load(&s->seq) == c->fseq)
			futex(&s->seq, FUTEX_WAIT, c->fseq);
		atomic_store(&s->sleeping, 0);
	}
	c->fseq++;
	len = s->len < cap ? s->len : cap;
	memcpy(buf, s->data, len);
	for (int i = 0; i < nsys; i++)
		null_syscall();
	return len;
}

/* Two calls a round trip: one per side, as a call and a reply-and-receive. */
static int floor2_send(struct chan *c, const void *buf, uint32_t len)
{
	return floor_send_sys(c, buf, len, 1);
}

static int floor2_recv(struct chan *c, void *buf, uint32_t cap)
{
	return floor_recv_sys(c, buf, cap, 0);
}

/* Four: a send and a receive per side. */
static int floor4_recv(struct chan *c, void *buf, uint32_t cap)
{
	return floor_recv_sys(c, buf, cap, 1);
}

static void floor_destroy(struct chan *c)
{
	munmap(c->fslot, sizeof(*c->fslot));
}

/* shmbox mailbox */
static int mbox_create(struct chan *c, uint32_t size)
{
	struct shmbox_mbox_attr a = { .capacity = 64, .max_msg_size = size,
				      .mode = 0600 };

	c->fd[0] = shmbox_mbox_open(NULL, 0, &a, O_RDWR);
	return c->fd[0] < 0 ? c->fd[0] : 0;
}

static int mbox_flush(struct chan *c)
{
	for (int done = 0; done < c->vcount;) {
		int n = shmbox_mbox_sendv(c->fd[0], 0, c->vec + done,
					  c->vcount - done, 0,
					  SHMBOX_TIMEOUT_NONE);
		if (n < 0)
			return n;
		done += n;
	}
	c->vcount = 0;
	return 0;
}

static int mbox_send(struct chan *c, const void *buf, uint32_t len)
{
	if (c->batch <= 1)
		return shmbox_mbox_write(c->fd[0], buf, len);
	/* Batched: queue locally, send a full vector at a time. */
	memcpy(c->vbuf[c->vcount], buf, len);
	c->vec[c->vcount].buf = (uintptr_t)c->vbuf[c->vcount];
	c->vec[c->vcount].len = len;
	if (++c->vcount < c->batch)
		return 0;
	return mbox_flush(c);
}

static int mbox_recv(struct chan *c, void *buf, uint32_t cap)
{
	int n;

	if (c->batch <= 1)
		return shmbox_mbox_read(c->fd[0], buf, cap);
	if (c->vpos == c->vcount) {
		for (int i = 0; i < c->batch; i++) {
			memset(&c->vec[i], 0, sizeof(c->vec[i]));
			c->vec[i].buf = (uintptr_t)c->vbuf[i];
			c->vec[i].len = sizeof(c->vbuf[i]);
		}
		n = shmbox_mbox_recvv(c->fd[0], 0, c->vec, c->batch, 0,
				      SHMBOX_TIMEOUT_NONE);
		if (n < 0)
			return n;
		c->vpos = 0;
		c->vcount = n;
	}
	n = c->vec[c->vpos].len < cap ? c->vec[c->vpos].len : cap;
	memcpy(buf, c->vbuf[c->vpos++], n);
	return n;
}

static void mbox_destroy(struct chan *c)
{
	close(c->fd[0]);
}

/* shmbox ring */
static int ring_create(struct chan *c, uint32_t size)
{
	(void)size;
	snprintf(c->name, sizeof(c->name), "bench-ring-%d-%d", getpid(), c->id);
	shmbox_unlink(c->name, 0);
	return shmbox_ring_open(c->name, SHMBOX_O_CREAT | SHMBOX_O_EXCL,
				256 << 10, 0600, &c->ring);
}

static int ring_attach(struct chan *c, int side)
{
	shmbox_ring_close(c->ring);
	return shmbox_ring_open(c->name, side == TX ? SHMBOX_RING_PRODUCER :
				SHMBOX_RING_CONSUMER, 0, 0, &c->ring);
}

static int ring_send(struct chan *c, const void *buf, uint32_t len)
{
	return shmbox_ring_write(c->ring, buf, len, SHMBOX_TIMEOUT_NONE);
}

static int ring_recv(struct chan *c, void *buf, uint32_t cap)
{
	return shmbox_ring_read(c->ring, buf, cap, SHMBOX_TIMEOUT_NONE);
}

/*
 * Zero-copy receive: the consumer reads the record where it lies (every
 * byte of it, as a consumer that uses the data would) and releases it;
 * only the sequence words are copied out, for the check.  The producer
 * side is the same copying write, so a message is copied exactly once.
 */
static volatile uint64_t zc_sink;

static int ring_recv_zc(struct chan *c, void *buf, uint32_t cap)
{
	const void *data;
	uint64_t sum = 0, w;
	uint32_t len;
	int err;

	err = shmbox_ring_peek(c->ring, &data, &len, NULL,
			       SHMBOX_TIMEOUT_NONE);
	if (err)
		return err;
	if (len > cap || len < 16) {
		shmbox_ring_release(c->ring);
		return -EMSGSIZE;
	}
	for (uint32_t i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, (const char *)data + i, 8);
		sum ^= w;
	}
	zc_sink = sum;
	memcpy(buf, data, 8);
	memcpy((char *)buf + len - 8, (const char *)data + len - 8, 8);
	shmbox_ring_release(c->ring);
	return (int)len;
}

static void ring_destroy(struct chan *c)
{
	shmbox_ring_close(c->ring);
	shmbox_unlink(c->name, 0);
}

static uint64_t ring_syscalls(struct chan *c)
{
	return shmbox_ring_syscalls(c->ring);
}

static int none_attach(struct chan *c, int side)
{
	(void)c;
	(void)side;
	return 0;
}

/* The same messages through SHMBOX_IOC_MBOX_SEND/RECV, one per call. */
static int mbox_send_ioctl(struct chan *c, const void *buf, uint32_t len)
{
	return shmbox_mbox_send(c->fd[0], buf, len, 0, 0, SHMBOX_TIMEOUT_NONE);
}

static int mbox_recv_ioctl(struct chan *c, void *buf, uint32_t cap)
{
	return shmbox_mbox_recv(c->fd[0], buf, cap, 0, SHMBOX_TIMEOUT_NONE,
				NULL);
}

/* One message per read(2)/write(2), or vectors with --batch. */
static const struct chan_ops ops_mbox = {
	.name = "shmbox-mailbox", .create = mbox_create, .attach = none_attach,
	.send = mbox_send, .recv = mbox_recv, .destroy = mbox_destroy,
	.flush = mbox_flush,
};
static const struct chan_ops ops_mbox_ioctl = {
	.name = "shmbox-mailbox-ioctl", .create = mbox_create,
	.attach = none_attach, .send = mbox_send_ioctl,
	.recv = mbox_recv_ioctl, .destroy = mbox_destroy,
};
static const struct chan_ops ops_ring = {
	.name = "shmbox-ring", .create = ring_create, .attach = ring_attach,
	.send = ring_send, .recv = ring_recv, .destroy = ring_destroy,
	.syscalls = ring_syscalls,
};
static const struct chan_ops ops_ring_zc = {
	.name = "shmbox-ring-zc", .create = ring_create, .attach = ring_attach,
	.send = ring_send, .recv = ring_recv_zc, .destroy = ring_destroy,
	.syscalls = ring_syscalls,
};
static const struct chan_ops ops_mq = {
	.name = "posix-mq", .create = mq_create, .attach = none_attach,
	.send = mq_send_, .recv = mq_recv_, .destroy = mq_destroy,
};
static const struct chan_ops ops_smq = {
	.name = "shmbox-mq", .create = smq_create, .attach = none_attach,
	.send = smq_send, .recv = smq_recv, .destroy = smq_destroy,
};
static const struct chan_ops ops_sysv = {
	.name = "sysv-msg", .create = sysv_create, .attach = none_attach,
	.send = sysv_send, .recv = sysv_recv, .destroy = sysv_destroy,
};
static const struct chan_ops ops_pipe = {
	.name = "pipe", .create = pipe_create, .attach = pipe_attach,
	.send = pipe_send, .recv = pipe_recv, .destroy = fd_destroy,
};
static const struct chan_ops ops_unix = {
	.name = "unix-seqpacket", .create = unix_create, .attach = pipe_attach,
	.send = unix_send, .recv = unix_recv, .destroy = fd_destroy,
};
static const struct chan_ops ops_futex = {
	.name = "futex", .create = futex_create, .attach = none_attach,
	.send = futex_send, .recv = futex_recv, .destroy = futex_destroy,
};
/* The floors: round trips only (run_pingpong()). */
static const struct chan_ops ops_floor2 = {
	.name = "floor-2sys", .create = floor_create, .attach = none_attach,
	.send = floor2_send, .recv = floor2_recv, .destroy = floor_destroy,
};
static const struct chan_ops ops_floor4 = {
	.name = "floor-4sys", .create = floor_create, .attach = none_attach,
	.send = floor2_send, .recv = floor4_recv, .destroy = floor_destroy,
};

/* ---- workloads ------------------------------------------------------------ */

/* Message i: sequence at both ends, the rest a pattern. */
static void msg_fill(char *p, uint64_t seq, uint32_t len)
{
	memcpy(p, &seq, 8);
	if (len >= 16)
		memcpy(p + len - 8, &seq, 8);
}

static int msg_check(const char *p, uint64_t seq, uint32_t len)
{
	uint64_t a, b = seq;

	memcpy(&a, p, 8);
	if (len >= 16)
		memcpy(&b, p + len - 8, 8);
	return a == seq && b == seq;
}

/* Shared between the parent and its children. */
struct shared {
	_Atomic int ready;
	_Atomic int go;
	double elapsed[16];
	uint64_t count[16];
	uint64_t syscalls[16];
	int bad[16];
};

static struct shared *sh;

static void wait_go(void)
{
	atomic_fetch_add(&sh->ready, 1);
	while (!atomic_load(&sh->go))
		usleep(100);
}

static void start_and_wait(int nchildren, pid_t *pids)
{
	int status, bad = 0;

	while (atomic_load(&sh->ready) < nchildren)
		usleep(100);
	atomic_store(&sh->go, 1);
	for (int i = 0; i < nchildren; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	}
	if (bad)
		die("a benchmark process failed", EIO);
}

static void reset_shared(void)
{
	memset(sh, 0, sizeof(*sh));
}

/* Round trip: returns microseconds per round trip. */
static double run_pingpong(const struct chan_ops *ops, uint32_t size, long n)
{
	struct chan ch[2] = { { .ops = ops, .id = 0 }, { .ops = ops, .id = 1 } };
	pid_t pids[2];
	int err;

	reset_shared();
	for (int i = 0; i < 2; i++) {
		err = ops->create(&ch[i], size);
		if (err)
			die(ops->name, -err);
	}
	for (int side = 0; side < 2; side++) {
		pids[side] = fork();
		if (pids[side])
			continue;
		char buf[MAXMSG] = { 0 };
		/* side 0 sends on ch0, receives on ch1; side 1 the reverse */
		struct chan *out = &ch[side], *in = &ch[!side];

		pin(side);
		if (ops->attach(out, TX) || ops->attach(in, RX))
			_exit(2);
		wait_go();
		double t0 = now();
		for (long i = 0; i < n; i++) {
			if (side == 0) {
				msg_fill(buf, i, size);
				if (ops->send(out, buf, size))
					_exit(3);
				if (ops->recv(in, buf, MAXMSG) != (int)size ||
				    !msg_check(buf, i, size))
					_exit(4);
			} else {
				if (ops->recv(in, buf, MAXMSG) != (int)size ||
				    !msg_check(buf, i, size))
					_exit(4);
				if (ops->send(out, buf, size))
					_exit(3);
			}
		}
		sh->elapsed[side] = now() - t0;
		_exit(0);
	}
	start_and_wait(2, pids);
	for (int i = 0; i < 2; i++)
		ops->destroy(&ch[i]);
	return sh->elapsed[0] / n * 1e6;
}

/*
 * Stream from @senders to @receivers over one channel: returns messages per
 * second (all receivers together).  @batch: mailbox vector size.
 */
static double run_stream(const struct chan_ops *ops, uint32_t size, long n,
			 int senders, int receivers, int batch,
			 double *syscalls_per_msg)
{
	struct chan ch = { .ops = ops, .id = 0, .batch = batch };
	pid_t pids[16];
	int nproc = senders + receivers, err;
	long per_sender = n / senders;
	double t;

	reset_shared();
	err = ops->create(&ch, size);
	if (err)
		die(ops->name, -err);
	for (int p = 0; p < nproc; p++) {
		pids[p] = fork();
		if (pids[p])
			continue;
		char buf[MAXMSG] = { 0 };
		int tx = p < senders;
		uint64_t last[16];

		pin(tx ? 0 : 1);
		if (ops->attach(&ch, tx ? TX : RX))
			_exit(2);
		wait_go();
		double t0 = now();
		if (tx) {
			for (long i = 0; i < per_sender; i++) {
				/* sequence: sender in the top byte */
				msg_fill(buf, ((uint64_t)p << 56) | i, size);
				if (ops->send(&ch, buf, size))
					_exit(3);
			}
			if (ops->flush && ops->flush(&ch))
				_exit(3);
		} else {
			long mine = per_sender * senders / receivers;

			memset(last, 0xff, sizeof(last));
			if (p - senders < (per_sender * senders) % receivers)
				mine++;
			for (long i = 0; i < mine; i++) {
				uint64_t seq, from;
				int r = ops->recv(&ch, buf, MAXMSG);

				if (r != (int)size)
					_exit(4);
				memcpy(&seq, buf, 8);
				from = seq >> 56;
				/* each sender's messages arrive in order */
				if (from >= 16 || !msg_check(buf, seq, size) ||
				    (last[from] != UINT64_MAX &&
				     (seq & 0xffffffffffffffULL) <= last[from]))
					_exit(5);
				last[from] = seq & 0xffffffffffffffULL;
			}
			sh->count[p] = mine;
		}
		sh->elapsed[p] = now() - t0;
		if (ops->syscalls)
			sh->syscalls[p] = ops->syscalls(&ch);
		_exit(0);
	}
	start_and_wait(nproc, pids);
	ops->destroy(&ch);
	t = 0;
	for (int p = senders; p < nproc; p++)
		if (sh->elapsed[p] > t)
			t = sh->elapsed[p];
	if (syscalls_per_msg) {
		uint64_t s = 0;

		for (int p = 0; p < nproc; p++)
			s += sh->syscalls[p];
		*syscalls_per_msg = (double)s / (per_sender * senders);
	}
	return per_sender * senders / t;
}

/*
 * The cost of the kernel path alone: one process sends a message and
 * receives it back, so that no call ever waits and nothing is woken.
 * Returns microseconds per send + receive.
 */
static double run_call(const struct chan_ops *ops, uint32_t size, long n)
{
	struct chan ch = { .ops = ops, .id = 0, .batch = 1 };
	char buf[MAXMSG] = { 0 };
	double t0;
	int err;

	err = ops->create(&ch, size);
	if (err)
		die(ops->name, -err);
	pin(0);
	t0 = now();
	for (long i = 0; i < n; i++) {
		msg_fill(buf, i, size);
		if (ops->send(&ch, buf, size))
			die(ops->name, EIO);
		if (ops->recv(&ch, buf, MAXMSG) != (int)size ||
		    !msg_check(buf, i, size))
			die(ops->name, EIO);
	}
	t0 = now() - t0;
	ops->destroy(&ch);
	return t0 / n * 1e6;
}

/*
 * Call and reply through the raw ioctls (SHMBOX_FEAT_CALL): the client's
 * SHMBOX_IOC_MBOX_CALL sends the request and waits for the reply, the
 * server's SHMBOX_IOC_MBOX_REPLY_RECV answers the previous call and takes
 * the next: one system call a side per round trip.  Each returns a length
 * or -errno.
 */
static int call_ioctl(int fd, const void *req, uint32_t len, void *rep,
		      uint32_t cap)
{
	struct shmbox_mbox_call a = {
		.size = sizeof(a), .buf = (uintptr_t)req, .len = len,
		.deadline_ns = SHMBOX_TIMEOUT_NONE,
		.reply_buf = (uintptr_t)rep, .reply_len = cap,
	};

	if (ioctl(fd, SHMBOX_IOC_MBOX_CALL, &a) < 0)
		return -errno;
	return a.reply_len;
}

/*
 * Answer *@handle (0: none) with @rep, @rlen and receive the next message
 * into @buf; *@handle is then the new call's handle, 0 for a message that
 * is not a call.
 */
static int reply_recv_ioctl(int fd, uint64_t *handle, const void *rep,
			    uint32_t rlen, void *buf, uint32_t cap)
{
	struct shmbox_mbox_reply_recv a = {
		.size = sizeof(a), .reply_handle = *handle,
		.reply_buf = *handle ? (uintptr_t)rep : 0,
		.reply_len = *handle ? rlen : 0,
		.buf = (uintptr_t)buf, .len = cap,
		.deadline_ns = SHMBOX_TIMEOUT_NONE,
	};

	if (ioctl(fd, SHMBOX_IOC_MBOX_REPLY_RECV, &a) < 0)
		return -errno;
	*handle = a.rflags & SHMBOX_RECV_CALL ? a.handle : 0;
	return a.len;
}

static int reply_ioctl(int fd, uint64_t handle, const void *rep, uint32_t len)
{
	struct shmbox_mbox_reply a = {
		.size = sizeof(a), .handle = handle, .buf = (uintptr_t)rep,
		.len = len,
	};

	return ioctl(fd, SHMBOX_IOC_MBOX_REPLY, &a) < 0 ? -errno : 0;
}

static int call_mbox_create(uint32_t size)
{
	struct shmbox_mbox_attr a = { .capacity = 64, .max_msg_size = size,
				      .mode = 0600 };
	int fd = shmbox_mbox_open(NULL, 0, &a, O_RDWR);

	if (fd < 0)
		die("call mailbox", -fd);
	return fd;
}

/*
 * A server thread: echo every call's request as its reply, until a
 * message that is not a call.  @fd is shared by all the server's threads.
 * Returns 0, or the step that failed.
 */
static int call_serve(int fd, uint32_t size)
{
	char buf[2][MAXMSG];
	uint64_t handle = 0;
	int cur = 0, r;

	for (;;) {
		/* reply from one buffer, receive into the other */
		r = reply_recv_ioctl(fd, &handle, buf[cur], size, buf[!cur],
				     MAXMSG);
		cur = !cur;
		if (r < 0)
			return 5;
		if (!handle)
			return 0;	/* the stop message */
		if (r != (int)size)
			return 6;
	}
}

/*
 * Call round trip (rtt64/shmbox-call): one client process calls, one
 * server process answers with REPLY_RECV, on two CPUs.  Microseconds per
 * call.  The server answers the last call with a plain REPLY.
 */
static double run_call_rtt(uint32_t size, long n)
{
	int fd = call_mbox_create(size);
	pid_t pids[2];

	reset_shared();
	for (int side = 0; side < 2; side++) {
		pids[side] = fork();
		if (pids[side])
			continue;
		char req[MAXMSG] = { 0 }, rep[MAXMSG], buf[2][MAXMSG];
		uint64_t handle = 0;
		int cur = 0;

		pin(side);
		wait_go();
		double t0 = now();
		for (long i = 0; i < n; i++) {
			if (side == 0) {
				msg_fill(req, i, size);
				if (call_ioctl(fd, req, size, rep, MAXMSG) !=
				    (int)size || !msg_check(rep, i, size))
					_exit(4);
				continue;
			}
			if (reply_recv_ioctl(fd, &handle, buf[cur], size,
					     buf[!cur], MAXMSG) != (int)size ||
			    !handle)
				_exit(5);
			cur = !cur;
			if (!msg_check(buf[cur], i, size))
				_exit(6);
		}
		if (side == 1 && reply_ioctl(fd, handle, buf[cur], size))
			_exit(7);
		sh->elapsed[side] = now() - t0;
		_exit(0);
	}
	start_and_wait(2, pids);
	close(fd);
	return sh->elapsed[0] / n * 1e6;
}

/*
 * The same server with the classic four calls a round trip: receive the
 * request with its sender's inbox id, send the reply to that id (never
 * to a pid).  Until a message of another length.
 */
static int mbox_serve(int fd, uint32_t size)
{
	char buf[MAXMSG];
	struct shmbox_msg_info_id from;
	int r;

	for (;;) {
		r = shmbox_mbox_recv_id(fd, 0, buf, MAXMSG, 0,
					SHMBOX_TIMEOUT_NONE, &from);
		if (r < 0)
			return 5;
		if (r != (int)size)
			return 0;	/* the stop message */
		if (shmbox_mbox_reply_to(fd, &from, buf, size, 0, 0,
				      SHMBOX_TIMEOUT_NONE))
			return 6;
	}
}

struct rpc_server {
	pthread_t tid;
	int fd, err, call;
	uint32_t size;
};

static void *rpc_server_thread(void *arg)
{
	struct rpc_server *s = arg;

	s->err = s->call ? call_serve(s->fd, s->size) :
			   mbox_serve(s->fd, s->size);
	return NULL;
}

/*
 * RPC throughput (rpc64/shmbox-call-4x2): @clients processes on CPU 0 each
 * make their share of @n calls on one mailbox; one server process on CPU
 * 1 answers them with @threads threads sharing the mailbox fd, each in a
 * REPLY_RECV loop.  Every reply is checked to be its own caller's request
 * (sender in the top byte).  Calls per second, all clients together.
 * Then one stop message per server thread, a plain message, not a call.
 * !@call (rpc64/shmbox-mailbox-4x2): the same with four calls a round
 * trip, the client's write(2) of the request and read(2) of the reply
 * from its own inbox, the server's receive and its send to the inbox id.
 */
static double run_rpc(uint32_t size, long n, int clients, int threads,
		      int call)
{
	int fd = call_mbox_create(size), status, bad = 0;
	long per = n / clients;
	pid_t pids[16];
	char stop[8] = "stop";
	double t = 0;

	reset_shared();
	for (int p = 0; p <= clients; p++) {
		pids[p] = fork();
		if (pids[p])
			continue;
		if (p == clients) {	/* the server */
			struct rpc_server s[8];
			int err = 0;

			pin(1);
			for (int i = 0; i < threads; i++) {
				s[i] = (struct rpc_server){
					.fd = fd, .size = size, .call = call };
				if (pthread_create(&s[i].tid, NULL,
						   rpc_server_thread, &s[i]))
					_exit(2);
			}
			for (int i = 0; i < threads; i++) {
				pthread_join(s[i].tid, NULL);
				err = err ? err : s[i].err;
			}
			_exit(err);
		}
		char req[MAXMSG] = { 0 }, rep[MAXMSG];
		struct shmbox_mbox_attr ia = { .capacity = 64,
					       .max_msg_size = size,
					       .mode = 0600 };
		int inbox = -1;

		pin(0);
		if (!call) {
			inbox = shmbox_inbox_open(SHMBOX_O_CREAT, &ia, O_RDWR);
			if (inbox < 0)
				_exit(2);
		}
		wait_go();
		double t0 = now();
		for (long i = 0; i < per; i++) {
			uint64_t seq = ((uint64_t)p << 56) | i;
			int r;

			msg_fill(req, seq, size);
			if (call) {
				r = call_ioctl(fd, req, size, rep, MAXMSG);
			} else {
				r = shmbox_mbox_write(fd, req, size);
				if (!r)
					r = shmbox_mbox_read(inbox, rep, MAXMSG);
			}
			if (r != (int)size || !msg_check(rep, seq, size))
				_exit(4);
		}
		sh->elapsed[p] = now() - t0;
		_exit(0);
	}
	while (atomic_load(&sh->ready) < clients)
		usleep(100);
	atomic_store(&sh->go, 1);
	for (int p = 0; p < clients; p++) {
		waitpid(pids[p], &status, 0);
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
		if (sh->elapsed[p] > t)
			t = sh->elapsed[p];
	}
	for (int i = 0; i < threads; i++)
		if (shmbox_mbox_send(fd, stop, sizeof(stop), 0, 0,
				     SHMBOX_TIMEOUT_NONE))
			bad = 1;
	waitpid(pids[clients], &status, 0);
	bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	close(fd);
	if (bad)
		die("a call benchmark process failed", EIO);
	return per * clients / t;
}

/*
 * The ceiling of a copying ring: one memcpy of each message, over a span
 * as large as the ring's data area, so that both stay as cache- and
 * TLB-resident as the ring is; in a child pinned to the producer's CPU,
 * like the ring's producer.  Returns bytes per second.
 */
static double run_memcpy(uint32_t size, long n)
{
	size_t span = QUEUE_BYTES;
	pid_t pid;

	reset_shared();
	pid = fork();
	if (pid == 0) {
		char *a = malloc(span), *b = malloc(span);
		size_t off = 0;
		double t0;

		if (!a || !b)
			_exit(2);
		pin(0);
		memset(a, 1, span);
		memset(b, 2, span);
		wait_go();
		t0 = now();
		for (long i = 0; i < n; i++) {
			memcpy(b + off, a + off, size);
			off += size;
			if (off + size > span)
				off = 0;
		}
		sh->elapsed[0] = now() - t0;
		_exit(b[1] == 1 ? 0 : 4);
	}
	start_and_wait(1, &pid);
	return n * (double)size / sh->elapsed[0];
}

/*
 * Bulk transfer (the bulk1m figures): a producer process moves units of
 * 1 MiB to a consumer process on the other CPU.  Every transport moves
 * the same bytes: the producer writes every byte of a unit once
 * (bulk_fill(), 64-bit stores of a pattern that changes with every word,
 * the unit's sequence number in its first and last word) and the
 * consumer reads every byte once (bulk_sum(), a 64-bit word sum checked
 * against bulk_expect()), so no transport is credited for bytes nobody
 * touched and a lost or stale unit fails the run.  Throughput is the
 * consumer's: MiB per second from the start to the last unit checked.
 *
 * One copy of the fill and of the sum (noinline) serves every transport,
 * whatever its piece size.  A memset() fill would not: GCC inlines one of
 * a constant 4 KiB as rep stosl, glibc does 1 MiB with rep stosb, and
 * under TCG the one moves 4 bytes per emulated step, the other 1 (in the
 * guest a memset of 1 MiB ran at 250-285 MiB/s at any piece size, the
 * ring's inlined 4 KiB ones at 830), so the fill's cost depended on the
 * call site.  A pattern that changes with every word also keeps GCC from
 * turning the loop back into a memset().
 *
 * Each transport may hold about 1 MiB in flight (the pipe's and the
 * socket's buffers, the ring's data area); the handle pool is BULK_POOL
 * regions, since a region is one unit, handed over whole.
 *
 *  - shmbox-handle: BULK_POOL anonymous 1 MiB regions
 *    (SHMBOX_IOC_REGION_OPEN with no name), created and mapped by the
 *    producer.  The producer fills a region in place and sends a 16-byte
 *    message naming its pool slot on one mailbox; the message carries the
 *    region's fd as a handle the first time that slot is used only, so the
 *    consumer maps each region once, when its handle comes, and keeps it
 *    mapped (the new fd is closed at once: the mapping holds the region).
 *    The consumer reads the region in place and returns the slot on a
 *    second mailbox (a 4-byte write(2)); the producer reuses it.  Payload
 *    bytes never pass through the kernel.
 *  - shmbox-handle-remap: the same, but every unit carries its region's
 *    handle and the consumer maps it, reads it, unmaps it and closes the
 *    fd: what a receiver that caches nothing pays (a mapping and its page
 *    faults per unit).
 *  - pipe, unix-stream: write(2)/read(2) of BULK_CHUNK bytes at a time
 *    through a pipe (F_SETPIPE_SZ 1 MiB) or an AF_UNIX SOCK_STREAM
 *    socketpair (1 MiB send buffer); the producer fills a chunk buffer, the
 *    consumer sums the buffer it read into: two copies through the kernel.
 *  - shmbox-ring: the shmbox ring (1 MiB data area) with 4 KiB records,
 *    zero-copy on both sides (shmbox_ring_reserve() filled in place and
 *    committed, shmbox_ring_peek() summed in place and released), so a
 *    byte is written once and read once there too.
 */
#define BULK_UNIT	(1u << 20)
#define BULK_CHUNK	(64u << 10)
#define BULK_REC	4096u
#define BULK_POOL	4
#define BULK_QUEUE	(1u << 20)

enum bulk_kind {
	BULK_HANDLE, BULK_HANDLE_REMAP, BULK_PIPE, BULK_UNIX, BULK_RING,
};

static const char *const bulk_names[] = {
	[BULK_HANDLE] = "bulk1m/shmbox-handle",
	[BULK_HANDLE_REMAP] = "bulk1m/shmbox-handle-remap",
	[BULK_PIPE] = "bulk1m/pipe",
	[BULK_UNIX] = "bulk1m/unix-stream",
	[BULK_RING] = "bulk1m/shmbox-ring",
};

/* The data mailbox's message: which unit, in which pool slot. */
struct bulk_msg {
	uint64_t seq;
	uint32_t slot;
	uint32_t pad;
};

/* Word k of unit @seq is bulk_base(seq) + k * BULK_STEP (mod 2^64). */
#define BULK_STEP	0x9e3779b97f4a7c15ULL
#define BULK_WORDS	(BULK_UNIT / 8)

static uint64_t bulk_base(uint64_t seq)
{
	return seq * 0x0101010101010101ULL + 1;
}

/*
 * Write bytes [@off, @off + @len) of unit @seq at @p (@off and @len
 * multiples of 8): word k of the unit is bulk_base(seq) + k * BULK_STEP,
 * except its first and last, which are @seq.
 */
static __attribute__((noinline)) void bulk_fill(char *p, uint64_t seq,
						size_t off, size_t len)
{
	uint64_t w = bulk_base(seq) + off / 8 * BULK_STEP;

	for (size_t i = 0; i < len; i += 8, w += BULK_STEP)
		memcpy(p + i, &w, 8);
	if (off == 0)
		memcpy(p, &seq, 8);
	if (off + len == BULK_UNIT)
		memcpy(p + len - 8, &seq, 8);
}

/* The sum of the 64-bit words of @p (@len a multiple of 32). */
static __attribute__((noinline)) uint64_t bulk_sum(const char *p, size_t len)
{
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, w[4];

	for (size_t i = 0; i < len; i += 32) {
		memcpy(w, p + i, 32);
		s0 += w[0];
		s1 += w[1];
		s2 += w[2];
		s3 += w[3];
	}
	return s0 + s1 + s2 + s3;
}

/* What bulk_sum() of the whole unit @seq is (modulo 2^64). */
static uint64_t bulk_expect(uint64_t seq)
{
	uint64_t n = BULK_WORDS, b = bulk_base(seq);

	/* all n words, less the first and last pattern words, plus seq twice */
	return n * b + n * (n - 1) / 2 * BULK_STEP - b -
	       (b + (n - 1) * BULK_STEP) + 2 * seq;
}

/*
 * Raw SHMBOX_IOC_MBOX_SEND / _RECV with handles (ABI 1.4; the library's
 * wrappers come separately).  The receive's @nh: in, the entries of @h;
 * out, the handles the message carried.  Length or -errno.
 */
static int send_handles(int fd, const void *buf, uint32_t len,
			const struct shmbox_handle *h, uint32_t nh)
{
	struct shmbox_mbox_send a = {
		.size = sizeof(a), .buf = (uintptr_t)buf, .len = len,
		.deadline_ns = SHMBOX_TIMEOUT_NONE,
		.handles = (uintptr_t)h, .nr_handles = nh,
	};

	return ioctl(fd, SHMBOX_IOC_MBOX_SEND, &a) < 0 ? -errno : 0;
}

static int recv_handles(int fd, void *buf, uint32_t cap,
			struct shmbox_handle *h, uint32_t *nh)
{
	struct shmbox_mbox_recv a = {
		.size = sizeof(a), .buf = (uintptr_t)buf, .len = cap,
		.deadline_ns = SHMBOX_TIMEOUT_NONE,
		.handles = (uintptr_t)h, .nr_handles = *nh,
	};

	if (ioctl(fd, SHMBOX_IOC_MBOX_RECV, &a) < 0)
		return -errno;
	*nh = a.nr_handles;
	return a.len;
}

/* Every side starts its clock when the parent says go: setup is not timed. */
static double bulk_t0;

static void bulk_go(void)
{
	wait_go();
	bulk_t0 = now();
}

static int fd_read_all(int fd, void *buf, uint32_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/* Producer of the handle transports; 0 or the step that failed. */
static int bulk_handle_tx(int data, int back, long units, int remap)
{
	char *map[BULK_POOL];
	int rfd[BULK_POOL];

	for (int s = 0; s < BULK_POOL; s++) {
		rfd[s] = shmbox_region_open(NULL, 0, BULK_UNIT, 0600, 1);
		if (rfd[s] < 0)
			return 10;
		map[s] = mmap(NULL, BULK_UNIT, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_POPULATE, rfd[s], 0);
		if (map[s] == MAP_FAILED)
			return 11;
	}
	bulk_go();
	for (long i = 0; i < units; i++) {
		struct bulk_msg m = { .seq = i };
		struct shmbox_handle h = { 0 };
		uint32_t slot = i;

		if (i >= BULK_POOL &&
		    (shmbox_mbox_read(back, &slot, sizeof(slot)) !=
		     sizeof(slot) || slot >= BULK_POOL))
			return 12;
		bulk_fill(map[slot], i, 0, BULK_UNIT);
		m.slot = slot;
		h.fd = rfd[slot];
		if (send_handles(data, &m, sizeof(m), &h,
				 remap || i < BULK_POOL))
			return 13;
	}
	return 0;
}

/* Consumer of the handle transports. */
static int bulk_handle_rx(int data, int back, long units, int remap)
{
	const char *map[BULK_POOL] = { 0 };

	bulk_go();
	for (long i = 0; i < units; i++) {
		struct shmbox_handle h[1];
		struct bulk_msg m;
		uint32_t nh = 1;
		void *p;

		if (recv_handles(data, &m, sizeof(m), h, &nh) != sizeof(m) ||
		    m.seq != (uint64_t)i || m.slot >= BULK_POOL)
			return 20;
		if (nh) {
			/* first use of the slot, or every unit (remap) */
			if (nh != 1 || map[m.slot] || h[0].bytes != BULK_UNIT ||
			    !(h[0].flags & SHMBOX_HANDLE_READ))
				return 21;
			p = mmap(NULL, BULK_UNIT, PROT_READ, MAP_SHARED,
				 h[0].fd, 0);
			close(h[0].fd);
			if (p == MAP_FAILED)
				return 22;
			map[m.slot] = p;
		} else if (!map[m.slot]) {
			return 23;
		}
		if (bulk_sum(map[m.slot], BULK_UNIT) != bulk_expect(i))
			return 24;
		if (remap) {
			munmap((void *)map[m.slot], BULK_UNIT);
			map[m.slot] = NULL;
		}
		if (shmbox_mbox_write(back, &m.slot, sizeof(m.slot)))
			return 25;
	}
	return 0;
}

/* Pipe and stream socket: @fd the end this side uses. */
static int bulk_stream_tx(int fd, long units)
{
	char *buf = malloc(BULK_CHUNK);

	if (!buf)
		return 10;
	memset(buf, 0, BULK_CHUNK);
	bulk_go();
	for (long i = 0; i < units; i++)
		for (uint32_t off = 0; off < BULK_UNIT; off += BULK_CHUNK) {
			bulk_fill(buf, i, off, BULK_CHUNK);
			if (fd_write_all(fd, buf, BULK_CHUNK))
				return 13;
		}
	return 0;
}

static int bulk_stream_rx(int fd, long units)
{
	char *buf = malloc(BULK_CHUNK);

	if (!buf)
		return 20;
	memset(buf, 0, BULK_CHUNK);
	bulk_go();
	for (long i = 0; i < units; i++) {
		uint64_t sum = 0;

		for (uint32_t off = 0; off < BULK_UNIT; off += BULK_CHUNK) {
			if (fd_read_all(fd, buf, BULK_CHUNK))
				return 21;
			sum += bulk_sum(buf, BULK_CHUNK);
		}
		if (sum != bulk_expect(i))
			return 24;
	}
	return 0;
}

/* The ring, zero-copy on both sides, 4 KiB records. */
static int bulk_ring_tx(const char *name, long units)
{
	struct shmbox_ring *r;
	void *d;

	if (shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0, &r))
		return 10;
	bulk_go();
	for (long i = 0; i < units; i++)
		for (uint32_t off = 0; off < BULK_UNIT; off += BULK_REC) {
			if (shmbox_ring_reserve(r, BULK_REC, &d,
						SHMBOX_TIMEOUT_NONE))
				return 13;
			bulk_fill(d, i, off, BULK_REC);
			if (shmbox_ring_commit(r, 0))
				return 14;
		}
	shmbox_ring_close(r);
	return 0;
}

static int bulk_ring_rx(const char *name, long units)
{
	struct shmbox_ring *r;
	const void *d;
	uint32_t len;

	if (shmbox_ring_open(name, SHMBOX_RING_CONSUMER, 0, 0, &r))
		return 20;
	bulk_go();
	for (long i = 0; i < units; i++) {
		uint64_t sum = 0;

		for (uint32_t off = 0; off < BULK_UNIT; off += BULK_REC) {
			if (shmbox_ring_peek(r, &d, &len, NULL,
					     SHMBOX_TIMEOUT_NONE) ||
			    len != BULK_REC)
				return 21;
			sum += bulk_sum(d, BULK_REC);
			if (shmbox_ring_release(r))
				return 22;
		}
		if (sum != bulk_expect(i))
			return 24;
	}
	shmbox_ring_close(r);
	return 0;
}

/* One bulk1m figure: @units MiB from CPU 0 to CPU 1; MiB per second. */
static double run_bulk(enum bulk_kind kind, long units)
{
	int fd[2] = { -1, -1 }, remap = kind == BULK_HANDLE_REMAP, sz, err;
	struct shmbox_ring *ring = NULL;
	char name[64] = "";
	pid_t pids[2];

	reset_shared();
	switch (kind) {
	case BULK_HANDLE:
	case BULK_HANDLE_REMAP: {
		/* fd[0]: units, producer -> consumer; fd[1]: free slots back */
		struct shmbox_mbox_attr a = { .capacity = 64,
					      .max_msg_size = 64,
					      .mode = 0600 };

		for (int i = 0; i < 2; i++) {
			fd[i] = shmbox_mbox_open(NULL, 0, &a, O_RDWR);
			if (fd[i] < 0)
				die("bulk1m mailbox", -fd[i]);
		}
		break;
	}
	case BULK_PIPE:
		if (pipe(fd))
			die("pipe", errno);
		fcntl(fd[1], F_SETPIPE_SZ, BULK_QUEUE);
		break;
	case BULK_UNIX:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd))
			die("socketpair", errno);
		/* 1 MiB: beyond wmem_max only as root (SO_SNDBUFFORCE) */
		sz = BULK_QUEUE;
		if (setsockopt(fd[1], SOL_SOCKET, SO_SNDBUFFORCE, &sz,
			       sizeof(sz)))
			setsockopt(fd[1], SOL_SOCKET, SO_SNDBUF, &sz,
				   sizeof(sz));
		if (setsockopt(fd[0], SOL_SOCKET, SO_RCVBUFFORCE, &sz,
			       sizeof(sz)))
			setsockopt(fd[0], SOL_SOCKET, SO_RCVBUF, &sz,
				   sizeof(sz));
		break;
	case BULK_RING:
		snprintf(name, sizeof(name), "bench-bulk-%d", getpid());
		shmbox_unlink(name, 0);
		err = shmbox_ring_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL,
				       BULK_QUEUE, 0600, &ring);
		if (err)
			die("bulk1m ring", -err);
		break;
	}
	for (int side = 0; side < 2; side++) {
		pids[side] = fork();
		if (pids[side])
			continue;
		int rc = 0;

		pin(side);
		if (ring)
			shmbox_ring_close(ring);
		if (kind == BULK_PIPE || kind == BULK_UNIX)
			close(fd[side == 0 ? 0 : 1]);
		switch (kind) {
		case BULK_HANDLE:
		case BULK_HANDLE_REMAP:
			rc = side ? bulk_handle_rx(fd[0], fd[1], units, remap) :
				    bulk_handle_tx(fd[0], fd[1], units, remap);
			break;
		case BULK_PIPE:
		case BULK_UNIX:
			rc = side ? bulk_stream_rx(fd[0], units) :
				    bulk_stream_tx(fd[1], units);
			break;
		case BULK_RING:
			rc = side ? bulk_ring_rx(name, units) :
				    bulk_ring_tx(name, units);
			break;
		}
		sh->elapsed[side] = now() - bulk_t0;
		if (rc)
			fprintf(stderr, "shmbox-bench: %s: %s side, step %d: %s\n",
				bulk_names[kind], side ? "consumer" : "producer",
				rc, strerror(errno));
		_exit(rc);
	}
	start_and_wait(2, pids);
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (ring) {
		shmbox_ring_close(ring);
		shmbox_unlink(name, 0);
	}
	return units / sh->elapsed[1];
}

/*
 * Set module parameter @name to @val; return its old value (malloc'd), or
 * NULL if it cannot be changed (not root, module parameters hidden).
 */
static char *param_swap(const char *name, const char *val)
{
	char path[128], old[64] = "";
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "/sys/module/shmbox/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(old, sizeof(old), f))
		old[0] = 0;
	fclose(f);
	old[strcspn(old, "\n")] = 0;
	f = fopen(path, "w");
	if (!f)
		return NULL;
	bad = fputs(val, f) < 0;
	if (fclose(f) || bad)
		return NULL;
	return strdup(old);
}

/* ---- figures ------------------------------------------------------------ */

struct figure {
	char name[64];
	const char *unit;
	int higher_better;
	double v[16], med, min, max;
};

static struct figure figs[64];
static int nfigs;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A new figure, or NULL when --filter leaves it out. */
static struct figure *fig_new(const char *name, const char *unit, int hb)
{
	struct figure *f;

	if (!selected(name))
		return NULL;
	f = &figs[nfigs++];

	snprintf(f->name, sizeof(f->name), "%s", name);
	f->unit = unit;
	f->higher_better = hb;
	return f;
}

static void fig_done(struct figure *f)
{
	double s[16];

	memcpy(s, f->v, sizeof(double) * reps);
	qsort(s, reps, sizeof(double), cmp_double);
	f->min = s[0];
	f->max = s[reps - 1];
	f->med = s[reps / 2];
	printf("  %-34s %12.2f %-8s (min %.2f, max %.2f)\n", f->name, f->med,
	       f->unit, f->min, f->max);
	fflush(stdout);
}

static struct figure *fig_find(const char *name)
{
	for (int i = 0; i < nfigs; i++)
		if (!strcmp(figs[i].name, name))
			return &figs[i];
	return NULL;
}

/*
 * The median over the repetitions of @k * a[r] / b[r] (of a[r] alone if
 * @b is NULL): repetition r of every figure of a section ran in the same
 * stretch of time (run_jobs()), so a drift of the machine cancels out of
 * each ratio.  NAN if a figure was not measured.
 */
static double paired(const char *a, const char *b, double k)
{
	struct figure *fa = fig_find(a), *fb = b ? fig_find(b) : NULL;
	double q[16];

	if (!fa || (b && !fb))
		return NAN;
	for (int r = 0; r < reps; r++)
		q[r] = k * fa->v[r] / (fb ? fb->v[r] : 1);
	qsort(q, reps, sizeof(double), cmp_double);
	return q[reps / 2];
}

static const struct chan_ops *all_ops[] = {
	&ops_mbox, &ops_mbox_ioctl, &ops_ring, &ops_mq, &ops_sysv, &ops_pipe, &ops_unix,
	&ops_futex,
};

#define NOPS	(sizeof(all_ops) / sizeof(all_ops[0]))

static long count(long base)
{
	long n = (long)(base * scale);

	return n < 64 ? 64 : n - n % 64;
}

struct ratio {
	const char *name, *op;
	double value, target;
};

/* ---- sections ------------------------------------------------------------ */

/*
 * The figures of a section are measured interleaved: repetition r of every
 * figure, then repetition r + 1.  Under emulation the host moves figures
 * by up to 2x from one minute to the next; interleaved, such a drift hits
 * the figures a goal compares alike, instead of one of them only.
 */
enum job_kind {
	J_PING, J_PING_NOSPIN, J_STREAM, J_STREAM_BATCHED, J_FAN4,
	J_MEMCPY, J_SYSCALLS, J_CALL, J_CALL_RTT, J_CALL_RTT_NOSPIN, J_RPC,
	J_RPC_MBOX, J_BULK,
};

struct job {
	enum job_kind kind;
	const struct chan_ops *ops;
	uint32_t size;
	long n;
	struct figure *fg;
	enum bulk_kind bulk;	/* J_BULK */
};

static struct job jobs[32];
static int njobs;

#define SPIN_PARAM	"/sys/module/shmbox/parameters/mbox_spin_ns"

/* Queue figure @fmt (%s: @ops's name) for run_jobs(), unless filtered out. */
static void job_add(enum job_kind kind, const struct chan_ops *ops,
		    uint32_t size, long n, const char *fmt, const char *unit)
{
	char name[64];
	struct figure *fg;

	/* Polling can be turned off only by who may write the parameter. */
	if ((kind == J_PING_NOSPIN || kind == J_CALL_RTT_NOSPIN) &&
	    access(SPIN_PARAM, W_OK))
		return;
	snprintf(name, sizeof(name), fmt, ops ? ops->name : "");
	fg = fig_new(name, unit, strcmp(unit, "us") && strcmp(unit, "calls"));
	if (fg)
		jobs[njobs++] = (struct job){ .kind = kind, .ops = ops,
					      .size = size, .n = n, .fg = fg };
}

/* Queue bulk1m figure @kind (run_bulk(), @units MiB a run). */
static void job_add_bulk(enum bulk_kind kind, long units)
{
	struct figure *fg = fig_new(bulk_names[kind], "MiB/s", 1);

	if (fg)
		jobs[njobs++] = (struct job){ .kind = J_BULK, .n = units,
					      .fg = fg, .bulk = kind };
}

static double job_run(const struct job *j)
{
	double v = NAN;
	char *old;

	switch (j->kind) {
	case J_PING:
		return run_pingpong(j->ops, j->size, j->n);
	case J_PING_NOSPIN:
	case J_CALL_RTT_NOSPIN:
		old = param_swap("mbox_spin_ns", "0");
		if (!old)
			die("mbox_spin_ns", EACCES);
		if (j->kind == J_PING_NOSPIN)
			v = run_pingpong(j->ops, j->size, j->n);
		else
			v = run_call_rtt(j->size, j->n);
		param_swap("mbox_spin_ns", old);
		free(old);
		return v;
	case J_CALL_RTT:
		return run_call_rtt(j->size, j->n);
	case J_RPC:
		return run_rpc(j->size, j->n, 4, 2, 1);
	case J_RPC_MBOX:
		return run_rpc(j->size, j->n, 4, 2, 0);
	case J_STREAM:
		return run_stream(j->ops, j->size, j->n, 1, 1, 1, NULL);
	case J_STREAM_BATCHED:
		return run_stream(j->ops, j->size, j->n, 1, 1, batch, NULL);
	case J_FAN4:
		return run_stream(j->ops, j->size, j->n, 4, 4, 1, NULL);
	case J_MEMCPY:
		return run_memcpy(j->size, j->n) / 1e6;
	case J_SYSCALLS:
		run_stream(j->ops, j->size, j->n, 1, 1, 1, &v);
		return v;
	case J_CALL:
		return run_call(j->ops, j->size, j->n);
	case J_BULK:
		return run_bulk(j->bulk, j->n);
	}
	return v;
}

/* Measure the queued figures, interleaved, and print them. */
static void run_jobs(void)
{
	for (int r = 0; r < reps; r++)
		for (int i = 0; i < njobs; i++)
			jobs[i].fg->v[r] = job_run(&jobs[i]);
	for (int i = 0; i < njobs; i++)
		fig_done(jobs[i].fg);
	njobs = 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	struct ratio ratios[16];
	int nratios = 0, fails = 0, skipped = 0;
	char path[512];
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			filter = argv[++i];
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: shmbox-bench [--out DIR] [--reps N] [--scale X] [--filter A,B] [--batch N]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > 16)
		reps = REPS_DEFAULT;
	if (batch < 2 || batch > 64)
		batch = 32;
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	spin_calibrate();
	{
		struct shmbox_version v;
		int fd = shmbox_dev_open();

		if (fd >= 0 && !shmbox_get_version(fd, &v))
			features = v.features;
		if (fd >= 0)
			close(fd);
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap", errno);
	if (!(features & SHMBOX_FEAT_MQ))
		printf("  shmbox-mq: skipped, the module has no SHMBOX_FEAT_MQ\n");
	else if (selected("rtt64/shmbox-mq") || selected("stream64/shmbox-mq"))
		have_smq = !smq_load();

	printf("shmbox-bench: %d CPUs, %d repetitions per figure (median, min, max)\n\n",
	       ncpus, reps);
	printf("ping-pong round trip, 64 B, two processes on two CPUs:\n");
	for (size_t i = 0; i < NOPS; i++) {
		job_add(J_PING, all_ops[i], 64, count(4000), "rtt64/%s", "us");
		/* the POSIX API on mailboxes, beside the kernel's */
		if (all_ops[i] == &ops_mq && have_smq)
			job_add(J_PING, &ops_smq, 64, count(4000), "rtt64/%s",
				"us");
		if (all_ops[i] != &ops_mbox)
			continue;
		/* a plain blocking hand-off */
		job_add(J_PING_NOSPIN, &ops_mbox, 64, count(4000),
			"rtt64/%s-nospin", "us");
		/* call and reply: one system call a side */
		if (features & SHMBOX_FEAT_CALL) {
			job_add(J_CALL_RTT, NULL, 64, count(4000),
				"rtt64/shmbox-call", "us");
			job_add(J_CALL_RTT_NOSPIN, NULL, 64, count(4000),
				"rtt64/shmbox-call-nospin", "us");
		}
	}
	/* the least 2 and 4 system calls a round trip can cost */
	job_add(J_PING, &ops_floor2, 64, count(4000), "rtt64/%s", "us");
	job_add(J_PING, &ops_floor4, 64, count(4000), "rtt64/%s", "us");
	run_jobs();
	if (!(features & SHMBOX_FEAT_CALL) && selected("rtt64/shmbox-call"))
		printf("  rtt64/shmbox-call: skipped, the module has no SHMBOX_FEAT_CALL\n");

	printf("\nstreaming, one producer -> one consumer:\n");
	for (int s = 0; s < 2; s++) {
		uint32_t size = s ? 4096 : 64;
		long n = count(s ? 20000 : 100000);
		char name[32];

		snprintf(name, sizeof(name), "stream%u/%%s", size);
		for (size_t i = 0; i < NOPS; i++) {
			if (all_ops[i] == &ops_futex)
				continue;	/* a hand-off, not a queue */
			job_add(J_STREAM, all_ops[i], size, n, name, "msg/s");
			if (all_ops[i] == &ops_mq && have_smq && size == 64)
				job_add(J_STREAM, &ops_smq, size, n, name,
					"msg/s");
			if (all_ops[i] == &ops_ring)
				job_add(J_STREAM, &ops_ring_zc, size, n, name,
					"msg/s");
			if (all_ops[i] == &ops_mbox && size == 64)
				job_add(J_STREAM_BATCHED, &ops_mbox, size, n,
					"stream64/%s-batched", "msg/s");
		}
		snprintf(name, sizeof(name), "memcpy%u", size);
		job_add(J_MEMCPY, NULL, size, n * 4, name, "MB/s");
		run_jobs();
	}

	printf("\nbulk transfer, 1 MiB units, one producer -> one consumer (every byte\n"
	       "written once and read once):\n");
	for (int k = BULK_HANDLE; k <= BULK_RING; k++) {
		/* regions passed as handles: ABI 1.4 */
		if ((k == BULK_HANDLE || k == BULK_HANDLE_REMAP) &&
		    !(features & SHMBOX_FEAT_HANDLES))
			continue;
		job_add_bulk(k, count(256));
	}
	run_jobs();
	if (!(features & SHMBOX_FEAT_HANDLES) && selected("bulk1m/shmbox-handle"))
		printf("  bulk1m/shmbox-handle: skipped, the module has no SHMBOX_FEAT_HANDLES\n");

	printf("\nfan-in/fan-out on one mailbox, 64 B:\n");
	job_add(J_STREAM, &ops_mbox, 64, count(40000), "fan/mailbox-1x1", "msg/s");
	job_add(J_FAN4, &ops_mbox, 64, count(40000), "fan/mailbox-4x4", "msg/s");
	run_jobs();

	printf("\nRPC, 64 B, 4 client processes, 1 server process with 2 threads on one fd:\n");
	if (features & SHMBOX_FEAT_CALL)
		job_add(J_RPC, NULL, 64, count(20000), "rpc64/shmbox-call-4x2",
			"calls/s");
	if (features & SHMBOX_FEAT_INBOX_ID)
		job_add(J_RPC_MBOX, NULL, 64, count(20000),
			"rpc64/shmbox-mailbox-4x2", "calls/s");
	run_jobs();
	if (!(features & SHMBOX_FEAT_CALL) && selected("rpc64/shmbox-call-4x2"))
		printf("  rpc64/shmbox-call-4x2: skipped, the module has no SHMBOX_FEAT_CALL\n");
	if (!(features & SHMBOX_FEAT_INBOX_ID) &&
	    selected("rpc64/shmbox-mailbox-4x2"))
		printf("  rpc64/shmbox-mailbox-4x2: skipped, the module has no SHMBOX_FEAT_INBOX_ID\n");

	printf("\nring system calls per message, steady 64 B stream:\n");
	job_add(J_SYSCALLS, &ops_ring, 64, count(400000),
		"ring/syscalls-per-msg", "calls");
	run_jobs();

	printf("\nkernel path alone, 64 B send + receive in one process (no waits):\n");
	for (size_t i = 0; i < NOPS; i++) {
		if (all_ops[i] == &ops_futex || all_ops[i] == &ops_ring)
			continue;	/* no queue / no system call */
		job_add(J_CALL, all_ops[i], 64, count(20000), "call64/%s", "us");
	}
	run_jobs();

	/* Goals (issue 5). */
#define RATIO(n, op, a, b, k, tgt) \
	ratios[nratios++] = (struct ratio){ n, op, paired(a, b, k), tgt }
	RATIO("mailbox_rtt64/posix_mq", "<=", "rtt64/shmbox-mailbox",
	      "rtt64/posix-mq", 1, 0.8);
	RATIO("mailbox_rtt64/futex", "<=", "rtt64/shmbox-mailbox",
	      "rtt64/futex", 1, 1.25);
	RATIO("mailbox_stream64/posix_mq", ">=", "stream64/shmbox-mailbox",
	      "stream64/posix-mq", 1, 1.5);
	RATIO("mailbox_batched_stream64/posix_mq", ">=",
	      "stream64/shmbox-mailbox-batched", "stream64/posix-mq", 1, 5.0);
	RATIO("ring_stream64/pipe", ">=", "stream64/shmbox-ring",
	      "stream64/pipe", 1, 20.0);
	/*
	 * The copying ring: two copies per message (in and out, one on each
	 * CPU) against one memcpy on one CPU.  The zero-copy figure is
	 * shown beside it; under TCG its word-by-word read of the record is
	 * slower than glibc's vector memcpy out.
	 */
	RATIO("ring_stream4096_MBps/memcpy_MBps", ">=", "stream4096/shmbox-ring",
	      "memcpy4096", 4096 / 1e6, 0.5);
	RATIO("mailbox_fan4x4/1x1", ">=", "fan/mailbox-4x4", "fan/mailbox-1x1",
	      1, 1.0);
	RATIO("ring_syscalls_per_msg", "<=", "ring/syscalls-per-msg", NULL, 1,
	      0.01);
	/*
	 * Goals (issue 16): call and reply against the floors of 2 and 4
	 * system calls a round trip (rtt64/floor-*), the mailbox's 4-call
	 * round trip (write, read) and POSIX mq's.  Without SHMBOX_FEAT_CALL
	 * the call figures are not measured and their goals say so.
	 */
	RATIO("call_rtt64/floor2_rtt64", "<=", "rtt64/shmbox-call",
	      "rtt64/floor-2sys", 1, 1.5);
	RATIO("mailbox_rtt64/floor4_rtt64", "<=", "rtt64/shmbox-mailbox",
	      "rtt64/floor-4sys", 1, 1.5);
	RATIO("call_rtt64/mailbox_rtt64", "<=", "rtt64/shmbox-call",
	      "rtt64/shmbox-mailbox", 1, 0.6);
	RATIO("call_rtt64/posix_mq_rtt64", "<=", "rtt64/shmbox-call",
	      "rtt64/posix-mq", 1, 0.15);
	/*
	 * Goal (ABI 1.4, handles in messages): 1 MiB units by reference, a
	 * region's handle and a slot number instead of the bytes, against
	 * the same bytes through a pipe.  Without SHMBOX_FEAT_HANDLES: not
	 * measured.
	 */
	RATIO("bulk1m_handle/pipe", ">=", "bulk1m/shmbox-handle",
	      "bulk1m/pipe", 1, 5.0);

	printf("\nratios: median over the repetitions of each one's ratio\n");
	for (int i = 0; i < nratios; i++) {
		struct ratio *q = &ratios[i];
		int ok = q->op[0] == '<' ? q->value <= q->target :
					   q->value >= q->target;

		if (isnan(q->value)) {
			printf("ratio %s = n/a (goal %s %g)  NOT MEASURED\n",
			       q->name, q->op, q->target);
			skipped++;
			continue;
		}
		printf("ratio %s = %.3f (goal %s %g)%s\n", q->name, q->value,
		       q->op, q->target, ok ? "" : "  MISSED");
		fails += !ok;
	}

	if (out) {
		snprintf(path, sizeof(path), "%s/bench.json", out);
		f = fopen(path, "w");
		if (!f)
			die(path, errno);
		fprintf(f, "{\n  \"cpus\": %d,\n  \"reps\": %d,\n  \"figures\": [\n",
			ncpus, reps);
		for (int i = 0; i < nfigs; i++)
			fprintf(f, "    {\"name\": \"%s\", \"unit\": \"%s\", \"median\": %.6g, \"min\": %.6g, \"max\": %.6g}%s\n",
				figs[i].name, figs[i].unit, figs[i].med,
				figs[i].min, figs[i].max,
				i + 1 < nfigs ? "," : "");
		fprintf(f, "  ],\n  \"ratios\": [\n");
		for (int i = 0; i < nratios; i++) {
			char v[32] = "null";	/* not measured (--filter) */

			if (!isnan(ratios[i].value))
				snprintf(v, sizeof(v), "%.6g", ratios[i].value);
			fprintf(f, "    {\"name\": \"%s\", \"value\": %s, \"op\": \"%s\", \"target\": %g}%s\n",
				ratios[i].name, v, ratios[i].op,
				ratios[i].target, i + 1 < nratios ? "," : "");
		}
		fprintf(f, "  ]\n}\n");
		fclose(f);
		snprintf(path, sizeof(path), "%s/bench.dat", out);
		f = fopen(path, "w");
		if (!f)
			die(path, errno);
		for (int i = 0; i < nfigs; i++)
			fprintf(f, "\"%s\" %g %g %g\n", figs[i].name, figs[i].med,
				figs[i].min, figs[i].max);
		fclose(f);
	}
	/*
	 * The libshmbox-mq layer (issue 18): the POSIX calls on a mailbox
	 * against the native calls (read/write, and the ioctls the layer
	 * makes) and against the kernel's mqueue.  Informational: no goal.
	 */
	printf("\nlibshmbox-mq layer (informational, no goal; rtt: < 1 is faster, stream: > 1 is faster):\n");
	{
		static const char *const layer[][3] = {
			{ "shmbox_mq_rtt64/mailbox", "rtt64/shmbox-mq", "rtt64/shmbox-mailbox" },
			{ "shmbox_mq_rtt64/mailbox_ioctl", "rtt64/shmbox-mq", "rtt64/shmbox-mailbox-ioctl" },
			{ "shmbox_mq_rtt64/posix_mq", "rtt64/shmbox-mq", "rtt64/posix-mq" },
			{ "shmbox_mq_stream64/mailbox", "stream64/shmbox-mq", "stream64/shmbox-mailbox" },
			{ "shmbox_mq_stream64/mailbox_ioctl", "stream64/shmbox-mq", "stream64/shmbox-mailbox-ioctl" },
			{ "shmbox_mq_stream64/posix_mq", "stream64/shmbox-mq", "stream64/posix-mq" },
		};

		for (size_t i = 0; i < sizeof(layer) / sizeof(layer[0]); i++) {
			double v = paired(layer[i][1], layer[i][2], 1);

			if (isnan(v))
				printf("layer %s = n/a\n", layer[i][0]);
			else
				printf("layer %s = %.3f\n", layer[i][0], v);
		}
	}
	printf("\n%d of %d goals met\n", nratios - fails - skipped, nratios);
	return 0;
}
