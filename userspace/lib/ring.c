// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox rings: a ring over a region's mapping (region.c opens it).
 *
 * The ring is single-producer single-consumer and lock-free.  Ordering
 * (C11 atomics on the shared control page):
 *  - the producer writes a record, then stores prod_pos with release;
 *  - the consumer loads prod_pos with acquire before reading records, and
 *    stores cons_pos with release after it is done with them;
 *  - the producer loads cons_pos with acquire before reusing space.
 * Sleeping is Dekker-style: the sleeper stores its *_waiting flag, issues a
 * seq_cst fence and re-reads the peer's position before asking the kernel
 * to sleep while that position is unchanged; the peer stores its position,
 * issues a seq_cst fence and reads the flag, calling the wake ioctl only
 * when it is set.  One of the two always sees the other's store, so no
 * wake-up is lost and a busy stream makes no system call.
 *
 * Before raising its flag a side spins briefly (SHMBOX_RING_SPIN reads of
 * the peer's position), because a peer on another CPU usually moves within
 * microseconds and a sleep/wake pair costs two system calls.
 *
 * A record's fast path (room or data left from the last position read)
 * is inline in each entry point, and the library is built with
 * -fno-semantic-interposition, so a write or read is one call into the
 * library plus memcpy; waiting and waking are out of line.
 *
 * Nothing in the shared page is trusted: each side keeps its own position
 * privately, every record length is read once and checked against what
 * was published, and a bad value yields -EBADMSG, never a wild access.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct shmbox_ring {
	int fd;
	unsigned int role;
	uint64_t size;
	uint64_t mask;
	size_t map_len;
	void *map;
	struct shmbox_ring_ctl *ctl;
	unsigned char *data;
	uint64_t prod;		/* producer: next free position */
	uint64_t cons;		/* consumer: next record */
	uint64_t seen_cons;	/* producer: cons_pos when last read */
	uint64_t seen_prod;	/* consumer: prod_pos when last read */
	uint32_t max_rec;	/* largest payload a record can hold */
	uint32_t resv_len;	/* producer: reserved payload, if reserved */
	bool reserved;
	uint64_t peek_need;	/* consumer: bytes of the peeked record, or 0 */
	uint64_t syscalls;
};

#define A64(p) ((_Atomic uint64_t *)(p))
#define A32(p) ((_Atomic uint32_t *)(p))

#define SHMBOX_RING_SPIN 2000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

SHMBOX_API int shmbox_ring_from_fd(int fd, unsigned int role,
				   struct shmbox_ring **ringp)
{
	struct shmbox_region_stat st;
	struct shmbox_ring *r;
	uint64_t prod, cons;
	int err;

	if (role & ~(SHMBOX_RING_PRODUCER | SHMBOX_RING_CONSUMER))
		return -EINVAL;
	err = shmbox_region_stat(fd, &st);
	if (err)
		return err;
	if (!(st.obj.oflags & SHMBOX_REGION_RING))
		return -EMEDIUMTYPE;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	/* Sizes come from the kernel, never from the shared page. */
	r->fd = fd;
	r->role = role;
	r->size = st.bytes;
	r->mask = st.bytes - 1;
	r->map_len = st.map_bytes;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0);
	if (r->map == MAP_FAILED) {
		err = -errno;
		free(r);
		return err;
	}
	r->ctl = r->map;
	r->data = (unsigned char *)r->map + SHMBOX_RING_CTL_SIZE;
	prod = atomic_load_explicit(A64(&r->ctl->prod_pos), memory_order_acquire);
	cons = atomic_load_explicit(A64(&r->ctl->cons_pos), memory_order_acquire);
	if (prod - cons > r->size) {
		munmap(r->map, r->map_len);
		free(r);
		return -EBADMSG;
	}
	r->max_rec = shmbox_ring_max_record(r);
	r->prod = prod;
	r->cons = cons;
	r->seen_cons = cons;
	r->seen_prod = prod;
	*ringp = r;
	return 0;
}

/* ABI 1.4: the role an fd opened without one (a received handle) takes. */
SHMBOX_API int shmbox_ring_claim(int fd, unsigned int roles)
{
	struct shmbox_ring_claim c;

	SHMBOX_ARG_INIT(&c);
	c.flags = roles;
	return ioctl(fd, SHMBOX_IOC_RING_CLAIM, &c) < 0 ? -errno : 0;
}

SHMBOX_API int shmbox_ring_open(const char *name, unsigned int flags,
				uint64_t data_size, unsigned int mode,
				struct shmbox_ring **ringp)
{
	int fd, err;

	fd = shmbox_region_open(name, flags | SHMBOX_REGION_RING, data_size,
				mode, 1);
	if (fd < 0)
		return fd;
	err = shmbox_ring_from_fd(fd, flags & (SHMBOX_RING_PRODUCER |
					       SHMBOX_RING_CONSUMER), ringp);
	if (err)
		close(fd);
	return err;
}

SHMBOX_API void shmbox_ring_close(struct shmbox_ring *r)
{
	if (!r)
		return;
	munmap(r->map, r->map_len);
	close(r->fd);
	free(r);
}

SHMBOX_API int shmbox_ring_fd(const struct shmbox_ring *r)
{
	return r->fd;
}

SHMBOX_API uint64_t shmbox_ring_data_size(const struct shmbox_ring *r)
{
	return r->size;
}

SHMBOX_API uint32_t shmbox_ring_max_record(const struct shmbox_ring *r)
{
	uint64_t max = r->size - sizeof(struct shmbox_ring_rec);

	return max > UINT32_MAX ? UINT32_MAX & ~7U : (uint32_t)max;
}

SHMBOX_API uint64_t shmbox_ring_syscalls(const struct shmbox_ring *r)
{
	return r->syscalls;
}

/* A flag left raised by shmbox_ring_prepare_poll() is lowered on use. */
static void ring_flag_lower(__u32 *flag)
{
	if (atomic_load_explicit(A32(flag), memory_order_relaxed))
		atomic_store_explicit(A32(flag), 0, memory_order_relaxed);
}

/* Sleep until *@pos moves away from @seen (see the file comment). */
static int __attribute__((noinline)) ring_sleep(struct shmbox_ring *r, uint32_t which, __u32 *flag,
		      __u64 *pos, uint64_t seen, uint64_t deadline_ns)
{
	struct shmbox_ring_wait w;
	int err = 0;

	if (deadline_ns == SHMBOX_NOWAIT)
		return -EAGAIN;
	for (int i = 0; i < SHMBOX_RING_SPIN; i++) {
		if (atomic_load_explicit(A64(pos), memory_order_relaxed) != seen)
			return 0;
		cpu_relax();
	}
	atomic_store_explicit(A32(flag), 1, memory_order_relaxed);
	/*
	 * Flag before position; pairs with the peer's fence in ring_wake()
	 * (position before flag): either it sees the flag and wakes us, or
	 * we see its new position here.  The kernel checks the position
	 * again after queueing us (shmbox_ioc_ring_wait() in module/region.c).
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(A64(pos), memory_order_relaxed) == seen) {
		SHMBOX_ARG_INIT(&w);
		w.flags = which;
		w.seen = seen;
		w.deadline_ns = deadline_ns;
		r->syscalls++;
		if (ioctl(r->fd, SHMBOX_IOC_RING_WAIT, &w) < 0)
			err = -errno;
	}
	atomic_store_explicit(A32(flag), 0, memory_order_relaxed);
	return err;
}

static void __attribute__((noinline)) ring_wake_peer(struct shmbox_ring *r,
						    uint32_t which)
{
	struct shmbox_ring_wake k;

	SHMBOX_ARG_INIT(&k);
	k.flags = which;
	r->syscalls++;
	ioctl(r->fd, SHMBOX_IOC_RING_WAKE, &k);
}

/* After publishing a position: wake the peer if it sleeps. */
static inline void ring_wake(struct shmbox_ring *r, uint32_t which,
			     __u32 *flag)
{
	/*
	 * Position before flag; pairs with the peer's fence in ring_sleep()
	 * or shmbox_ring_prepare_poll() (flag before position).
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(A32(flag), memory_order_relaxed))
		ring_wake_peer(r, which);
}

static int __attribute__((noinline))
ring_wait_space(struct shmbox_ring *r, uint64_t need, uint64_t deadline_ns)
{
	uint64_t cons;
	int err;

	/*
	 * The consumer only ever frees space: while the last cons_pos read
	 * (and checked) leaves room, do not touch its cache line again.
	 */
	for (;;) {
		if (r->size - (r->prod - r->seen_cons) >= need) {
			ring_flag_lower(&r->ctl->prod_waiting);
			return 0;
		}
		/* Pairs with the release store in ring_consume(). */
		cons = atomic_load_explicit(A64(&r->ctl->cons_pos),
					    memory_order_acquire);
		if (r->prod - cons > r->size)
			return -EBADMSG;
		if (cons != r->seen_cons) {
			r->seen_cons = cons;
			continue;
		}
		err = ring_sleep(r, SHMBOX_RING_SPACE, &r->ctl->prod_waiting,
				 &r->ctl->cons_pos, cons, deadline_ns);
		if (err)
			return err;
	}
}

static inline void ring_publish(struct shmbox_ring *r, uint32_t len, uint32_t tag)
{
	struct shmbox_ring_rec *rec = (void *)(r->data + (r->prod & r->mask));

	rec->len = len;
	rec->tag = tag;
	r->prod += SHMBOX_RING_REC_SIZE(len);
	/*
	 * The record before its position: pairs with the consumer's acquire
	 * load of prod_pos in ring_wait_data().
	 */
	atomic_store_explicit(A64(&r->ctl->prod_pos), r->prod,
			      memory_order_release);
	ring_wake(r, SHMBOX_RING_DATA, &r->ctl->cons_waiting);
}

/* Make room for a @len-byte record; return where its payload goes. */
static inline int ring_reserve(struct shmbox_ring *r, uint32_t len,
			       void **data, uint64_t deadline_ns)
{
	uint64_t need = SHMBOX_RING_REC_SIZE(len);
	int err;

	if (!(r->role & SHMBOX_RING_PRODUCER))
		return -EBADF;
	if (r->reserved)
		return -EBUSY;
	if (len > r->max_rec)
		return -EMSGSIZE;
	/* Fast path: room left since the last cons_pos read. */
	if (r->size - (r->prod - r->seen_cons) >= need) {
		ring_flag_lower(&r->ctl->prod_waiting);
	} else {
		err = ring_wait_space(r, need, deadline_ns);
		if (err)
			return err;
	}
	*data = r->data + (r->prod & r->mask) + sizeof(struct shmbox_ring_rec);
	return 0;
}

SHMBOX_API int shmbox_ring_reserve(struct shmbox_ring *r, uint32_t len,
				   void **data, uint64_t deadline_ns)
{
	int err;

	err = ring_reserve(r, len, data, deadline_ns);
	if (err)
		return err;
	r->resv_len = len;
	r->reserved = true;
	return 0;
}

SHMBOX_API int shmbox_ring_commit(struct shmbox_ring *r, uint32_t tag)
{
	if (!r->reserved)
		return -EINVAL;
	r->reserved = false;
	ring_publish(r, r->resv_len, tag);
	return 0;
}

SHMBOX_API int shmbox_ring_write(struct shmbox_ring *r, const void *buf,
				 uint32_t len, uint64_t deadline_ns)
{
	void *dst;
	int err;

	err = ring_reserve(r, len, &dst, deadline_ns);
	if (err)
		return err;
	memcpy(dst, buf, len);
	ring_publish(r, len, 0);
	return 0;
}

/* Wait until records are published past r->cons; return how many bytes. */
static int __attribute__((noinline))
ring_wait_data(struct shmbox_ring *r, uint64_t deadline_ns, uint64_t *availp)
{
	uint64_t prod, avail;
	int err;

	/*
	 * Records up to the last prod_pos read (and checked) are published:
	 * read the producer's cache line again only once they are consumed.
	 */
	for (;;) {
		avail = r->seen_prod - r->cons;
		if (avail) {
			ring_flag_lower(&r->ctl->cons_waiting);
			*availp = avail;
			return 0;
		}
		/* Pairs with the release store in ring_publish(). */
		prod = atomic_load_explicit(A64(&r->ctl->prod_pos),
					    memory_order_acquire);
		if (prod - r->cons > r->size)
			return -EBADMSG;
		if (prod != r->seen_prod) {
			r->seen_prod = prod;
			continue;
		}
		err = ring_sleep(r, SHMBOX_RING_DATA, &r->ctl->cons_waiting,
				 &r->ctl->prod_pos, prod, deadline_ns);
		if (err)
			return err;
	}
}

/* Wait for the next record; check it against what was published. */
static inline int ring_next(struct shmbox_ring *r, uint64_t deadline_ns,
			    struct shmbox_ring_rec *out, uint64_t *need)
{
	const volatile struct shmbox_ring_rec *rec;
	uint64_t avail;
	int err;

	if (!(r->role & SHMBOX_RING_CONSUMER))
		return -EBADF;
	avail = r->seen_prod - r->cons;
	if (avail) {
		ring_flag_lower(&r->ctl->cons_waiting);
	} else {
		err = ring_wait_data(r, deadline_ns, &avail);
		if (err)
			return err;
	}
	/* Read the header once: the producer could be hostile. */
	rec = (const volatile void *)(r->data + (r->cons & r->mask));
	out->len = rec->len;
	out->tag = rec->tag;
	*need = SHMBOX_RING_REC_SIZE(out->len);
	if (out->len > r->max_rec || *need > avail)
		return -EBADMSG;
	return 0;
}

static inline void ring_consume(struct shmbox_ring *r, uint64_t need)
{
	r->cons += need;
	/*
	 * Done reading before the space is handed back: pairs with the
	 * producer's acquire load of cons_pos in ring_wait_space().
	 */
	atomic_store_explicit(A64(&r->ctl->cons_pos), r->cons,
			      memory_order_release);
	ring_wake(r, SHMBOX_RING_SPACE, &r->ctl->prod_waiting);
}

SHMBOX_API int shmbox_ring_read(struct shmbox_ring *r, void *buf,
				uint32_t cap, uint64_t deadline_ns)
{
	struct shmbox_ring_rec rec;
	uint64_t need;
	int err;

	if (r->peek_need)
		return -EBUSY;
	err = ring_next(r, deadline_ns, &rec, &need);
	if (err)
		return err;
	if (rec.len > cap)
		return -EMSGSIZE;
	memcpy(buf, r->data + (r->cons & r->mask) + sizeof(rec), rec.len);
	ring_consume(r, need);
	return (int)rec.len;
}

SHMBOX_API int shmbox_ring_peek(struct shmbox_ring *r, const void **data,
				uint32_t *len, uint32_t *tag,
				uint64_t deadline_ns)
{
	struct shmbox_ring_rec rec;
	uint64_t need;
	int err;

	err = ring_next(r, deadline_ns, &rec, &need);
	if (err)
		return err;
	*data = r->data + (r->cons & r->mask) + sizeof(rec);
	*len = rec.len;
	if (tag)
		*tag = rec.tag;
	r->peek_need = need;
	return 0;
}

SHMBOX_API int shmbox_ring_release(struct shmbox_ring *r)
{
	if (!r->peek_need)
		return -EINVAL;
	ring_consume(r, r->peek_need);
	r->peek_need = 0;
	return 0;
}

SHMBOX_API int shmbox_ring_prepare_poll(struct shmbox_ring *r)
{
	uint64_t prod, cons;
	__u32 *flag;

	flag = (r->role & SHMBOX_RING_CONSUMER) ? &r->ctl->cons_waiting :
						  &r->ctl->prod_waiting;
	atomic_store_explicit(A32(flag), 1, memory_order_relaxed);
	/* As in ring_sleep(): pairs with the peer's fence in ring_wake(). */
	atomic_thread_fence(memory_order_seq_cst);
	prod = atomic_load_explicit(A64(&r->ctl->prod_pos), memory_order_acquire);
	cons = atomic_load_explicit(A64(&r->ctl->cons_pos), memory_order_acquire);
	if ((r->role & SHMBOX_RING_CONSUMER) ? prod != cons :
	    prod - cons <= r->size - SHMBOX_RING_REC_SIZE(1)) {
		atomic_store_explicit(A32(flag), 0, memory_order_relaxed);
		return 1;
	}
	return 0;
}
