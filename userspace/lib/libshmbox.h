/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmbox - userspace library for /dev/shmbox.
 *
 * Error convention (every function): a negative errno value on failure,
 * zero or a non-negative result on success.  errno is not a return
 * channel: read the return value.  Functions never print.
 */
#ifndef LIBSHMBOX_H
#define LIBSHMBOX_H

#include <stdint.h>

#include <linux/shmbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open /dev/shmbox read-write, close-on-exec.  Returns the fd or -errno. */
int shmbox_dev_open(void);

/* Fill @v from SHMBOX_IOC_GET_VERSION on @fd.  Returns 0 or -errno. */
int shmbox_get_version(int fd, struct shmbox_version *v);

/* The library's own version, "MAJOR.MINOR.PATCH". */
const char *shmbox_lib_version(void);

/* Unlink @name (of @kind, or 0 for any kind).  Returns 0 or -errno. */
int shmbox_unlink(const char *name, unsigned int kind);
/*
 * shmbox_unlink() with SHMBOX_IOC_UNLINK's @flags (libshmbox 1.5, ABI
 * 1.5): SHMBOX_UNLINK_KEEP removes the name only, so that a mailbox's fds
 * go on sending and receiving (and its blocked waiters stay blocked)
 * until the last is closed, as after mq_unlink(); without it a mailbox is
 * removed too (EIDRM on its fds).  Regions always live on.  @flags 0 is
 * shmbox_unlink().  0 or -errno: -EINVAL for an unknown flag, -E2BIG
 * for any flag from a module before ABI 1.5, and shmbox_unlink()'s.
 */
int shmbox_unlink_flags(const char *name, unsigned int kind,
			unsigned int flags);

/* ---- shared regions ------------------------------------------------------ */

/*
 * Create or open the region @name (NULL: anonymous) and return a bound fd
 * (close-on-exec) or -errno.  @flags: SHMBOX_O_CREAT, SHMBOX_O_EXCL,
 * SHMBOX_O_AUTOREMOVE; @bytes: the size at creation (0 when opening);
 * @mode: permission bits at creation; @writable: 0 opens read-only (the
 * region can then only be mapped PROT_READ).  mmap() the fd to attach.
 */
int shmbox_region_open(const char *name, unsigned int flags, uint64_t bytes,
		       unsigned int mode, int writable);

/* SHMBOX_IOC_REGION_STAT on a bound fd.  Returns 0 or -errno. */
int shmbox_region_stat(int fd, struct shmbox_region_stat *st);

/*
 * Buffers to pass by handle (libshmbox 1.4, see "handles in messages"
 * below).  shmbox_region_create_map(): create an anonymous region of
 * @bytes (a multiple of the page size), map it whole MAP_SHARED,
 * PROT_READ | PROT_WRITE, at *@addr and return its fd (read-write,
 * close-on-exec): the handle to send.  -errno, with nothing left open or
 * mapped, on failure.  The region lives while an fd, a mapping or a
 * message in flight holds it, so the fd may be moved away
 * (SHMBOX_HANDLE_MOVE) and the mapping kept.
 */
int shmbox_region_create_map(uint64_t bytes, void **addr);
/*
 * Map the whole region of a received handle (@h->bytes bytes of
 * @h->fd), PROT_READ, and PROT_WRITE too if @writable (-EACCES unless
 * the handle has SHMBOX_HANDLE_WRITE), at *@addr.  -EMEDIUMTYPE for a
 * ring's handle (SHMBOX_HANDLE_RING): shmbox_ring_from_fd() maps those.
 * 0 or -errno.
 */
int shmbox_region_map_handle(const struct shmbox_handle *h, int writable,
			     void **addr);
/*
 * Undo either: munmap(@addr, @bytes) unless @addr is NULL, then close(@fd)
 * unless @fd < 0 (both are done even if the first fails).  0 or the first
 * -errno.
 */
int shmbox_region_unmap_close(int fd, void *addr, uint64_t bytes);

/* ---- rings (single producer, single consumer) ---------------------------- */

/*
 * A ring handle belongs to one thread at a time: the producer's handle
 * writes, the consumer's reads.  A second producer or consumer is refused
 * by the kernel with -EBUSY, so two writers can never corrupt a ring.
 *
 * Deadlines are absolute CLOCK_MONOTONIC nanoseconds (shmbox_deadline_in()
 * makes one), SHMBOX_TIMEOUT_NONE blocks forever and SHMBOX_NOWAIT never
 * blocks (-EAGAIN).  A blocking call fails with -ETIMEDOUT at the
 * deadline, -EINTR on a signal whose handler lacks SA_RESTART, -EPIPE when
 * the other side held its role and is gone (all data read), and -EBADMSG
 * if the shared header or a record is corrupt (the ring is then unusable).
 */
#define SHMBOX_NOWAIT		0ULL

struct shmbox_ring;

/*
 * Open (SHMBOX_O_CREAT: create) ring @name (NULL: anonymous) as
 * SHMBOX_RING_PRODUCER or SHMBOX_RING_CONSUMER (or neither, to observe),
 * map it and return the handle in @ringp.  @data_size: the data area at
 * creation, a power of two multiple of the page size (0 when opening).
 */
int shmbox_ring_open(const char *name, unsigned int flags, uint64_t data_size,
		     unsigned int mode, struct shmbox_ring **ringp);
/*
 * Wrap an fd already bound to a ring (passed over a socket, say) that holds
 * @role (the SHMBOX_RING_PRODUCER/CONSUMER it was opened with, or claimed
 * with shmbox_ring_claim()).  On success the handle owns the fd.
 */
int shmbox_ring_from_fd(int fd, unsigned int role, struct shmbox_ring **ringp);
/*
 * Claim @roles (SHMBOX_RING_PRODUCER, SHMBOX_RING_CONSUMER or both) for a
 * ring fd that holds none: one opened without a role, or received as a
 * handle, which never carries one (libshmbox 1.4, SHMBOX_IOC_RING_CLAIM).
 * 0 or -errno: -EBUSY (another fd holds a role asked for, or this one
 * already has a role), -EACCES (fd not writable), -EBADFD (not a ring),
 * -EINVAL (no role or another bit), -ENOTTY (a module before ABI 1.4).
 */
int shmbox_ring_claim(int fd, unsigned int roles);
void shmbox_ring_close(struct shmbox_ring *ring);
int shmbox_ring_fd(const struct shmbox_ring *ring);
uint64_t shmbox_ring_data_size(const struct shmbox_ring *ring);
/* Largest payload one record can carry. */
uint32_t shmbox_ring_max_record(const struct shmbox_ring *ring);

/* Producer: copy @len bytes in as one record.  0 or -errno (-EMSGSIZE). */
int shmbox_ring_write(struct shmbox_ring *ring, const void *buf, uint32_t len,
		      uint64_t deadline_ns);
/* Producer, zero-copy: reserve room for @len bytes, fill *@data, commit. */
int shmbox_ring_reserve(struct shmbox_ring *ring, uint32_t len, void **data,
			uint64_t deadline_ns);
int shmbox_ring_commit(struct shmbox_ring *ring, uint32_t tag);

/* Consumer: copy the next record out; returns its length or -errno
 * (-EMSGSIZE if @cap is too small: the record stays, see peek). */
int shmbox_ring_read(struct shmbox_ring *ring, void *buf, uint32_t cap,
		     uint64_t deadline_ns);
/* Consumer, zero-copy: look at the next record in place, then release. */
int shmbox_ring_peek(struct shmbox_ring *ring, const void **data,
		     uint32_t *len, uint32_t *tag, uint64_t deadline_ns);
int shmbox_ring_release(struct shmbox_ring *ring);

/*
 * For epoll/poll users: raise this side's waiter flag so that the peer
 * will wake the fd, and return 1 if the ring is already ready (do not
 * sleep), 0 if it is safe to sleep in poll/epoll_wait.
 */
int shmbox_ring_prepare_poll(struct shmbox_ring *ring);

/* System calls this handle has made (wait and wake ioctls). */
uint64_t shmbox_ring_syscalls(const struct shmbox_ring *ring);

/* CLOCK_MONOTONIC now + @ns, for the deadline arguments. */
uint64_t shmbox_deadline_in(uint64_t ns);

/* ---- mailboxes ----------------------------------------------------------- */

/*
 * A mailbox fd is a /dev/shmbox fd bound to a mailbox; @access is its open
 * mode: O_RDONLY receives only, O_WRONLY sends only, O_RDWR both (the
 * mailbox's mode is checked against it).  Deadlines as for rings:
 * shmbox_deadline_in(), SHMBOX_TIMEOUT_NONE, or SHMBOX_NOWAIT (never wait:
 * -EAGAIN).  Flags are the SHMBOX_MSG_* bits of <linux/shmbox.h>; the
 * library passes them to the kernel as given (adding only
 * SHMBOX_MSG_NONBLOCK for SHMBOX_NOWAIT, SHMBOX_MSG_TO_ID for an id and
 * SHMBOX_MSG_FROM for a sender), so the kernel decides which a call
 * takes, and fails the others with -EINVAL.  Priorities are 0 to
 * SHMBOX_MSG_PRIO_MAX - 1, higher received first: 0 to 32767 on a module
 * of ABI 1.5, 0 to 31 on older ones (-EINVAL above).
 *
 * Since ABI 1.5 (SHMBOX_FEAT_MQ; -EINVAL from an older module):
 *  - SHMBOX_MSG_REALTIME, to every function here with flags and a
 *    deadline: @deadline_ns is an absolute CLOCK_REALTIME time
 *    (clock_gettime(CLOCK_REALTIME) plus the wait, not
 *    shmbox_deadline_in(), which is CLOCK_MONOTONIC), and the wait ends
 *    when that clock reads it, also after the clock was set.
 *    SHMBOX_TIMEOUT_NONE and SHMBOX_NOWAIT (0) mean what they do
 *    without it: forever, and not waiting (-EAGAIN, never the
 *    -ETIMEDOUT of a deadline in 1970).  The resumes
 *    (shmbox_mbox_call_resume(), shmbox_mbox_call_resumeh()) take no
 *    flags: their deadline is always CLOCK_MONOTONIC.
 *  - SHMBOX_MSG_WHOLE, to the single receives (shmbox_mbox_recv(),
 *    _recv_from(), _recv_id(), _recv_call(), _recvh(), _reply_recv(),
 *    _reply_recvh()): @cap must be at least the mailbox's max_msg_size,
 *    else -EMSGSIZE at once, before waiting and whatever is queued, with
 *    that size in @info->len and nothing taken (mq_receive()'s rule).
 *    The vector receives and the sends and calls refuse it (-EINVAL).
 */
struct shmbox_mbox_attr {
	uint32_t capacity;	/* 0 rendezvous, n, or SHMBOX_MBOX_UNBOUNDED */
	uint32_t max_msg_size;	/* 0: the module's max_msg_size */
	uint32_t mode;		/* permission bits at creation */
};

/* What a receive reports about the message. */
struct shmbox_msg_info {
	uint32_t len;		/* its length (also with -EMSGSIZE) */
	uint32_t prio;
	int32_t pid;		/* sender, in our pid namespace (0: not visible) */
	uint32_t uid;		/* sender's effective uid, in our user namespace */
};

/*
 * The same with the sender's inbox id (libshmbox 1.2, ABI 1.2): the id of
 * the inbox of the program the sender ran when it sent, 0 if it had
 * none.  Reply to the id, not to the pid: a pid may belong to another
 * process by the time the reply goes out, an id never names another
 * inbox (the send fails with -ESRCH once that inbox is gone).
 */
struct shmbox_msg_info_id {
	struct shmbox_msg_info info;
	uint64_t id;
};

/*
 * Create or open mailbox @name (NULL: anonymous) and return a bound fd
 * (close-on-exec) or -errno.  @flags: SHMBOX_O_*; @attr applies at
 * creation (NULL: unbounded, largest messages, mode 0600).
 */
int shmbox_mbox_open(const char *name, unsigned int flags,
		     const struct shmbox_mbox_attr *attr, int access);
/* Open (SHMBOX_O_CREAT: create) this process's inbox; fd or -errno. */
int shmbox_inbox_open(unsigned int flags, const struct shmbox_mbox_attr *attr,
		      int access);
/*
 * SHMBOX_IOC_MBOX_STAT on a bound fd.  0 or -errno.  Programs built
 * against libshmbox 1.4 get the whole structure (with @handles, the
 * handles in the mailbox's messages); older ones keep the version they
 * were built with (symbol versions: 1.3 with @calls_waiting and
 * @calls_serving, 1.2 with @inbox_id, 1.0 without).
 */
int shmbox_mbox_stat(int fd, struct shmbox_mbox_stat *st);

/* Send to the bound mailbox / to @pid's inbox (any /dev/shmbox fd open
 * for writing).  0 or -errno. */
int shmbox_mbox_send(int fd, const void *buf, uint32_t len, unsigned int prio,
		     unsigned int flags, uint64_t deadline_ns);
int shmbox_mbox_send_to(int fd, int pid, const void *buf, uint32_t len,
			unsigned int prio, unsigned int flags,
			uint64_t deadline_ns);

/*
 * Send to inbox @id (from a receive's struct shmbox_msg_info_id, or
 * stat's @inbox_id) through any /dev/shmbox fd open for writing: exactly
 * that inbox, or -ESRCH once it is gone (libshmbox 1.2).  0 or -errno.
 */
int shmbox_mbox_send_to_id(int fd, uint64_t id, const void *buf, uint32_t len,
			   unsigned int prio, unsigned int flags,
			   uint64_t deadline_ns);

/*
 * Reply to the sender of a message received with shmbox_mbox_recv_id():
 * a send to its inbox id, never to its pid.  -ENOENT without a system
 * call if the sender had no inbox (id 0), -ESRCH if it is gone.
 * (libshmbox 1.2 called it shmbox_mbox_reply(), a name that now answers
 * a call; programs built against 1.2 keep the function they linked.)
 */
int shmbox_mbox_reply_to(int fd, const struct shmbox_msg_info_id *to,
			 const void *buf, uint32_t len, unsigned int prio,
			 unsigned int flags, uint64_t deadline_ns);

/*
 * Receive (SHMBOX_MSG_PEEK: copy without removing) into @buf of @cap
 * bytes; returns the message length or -errno.  With -EMSGSIZE, @info->len
 * is the length needed and the message stays.  _from: only messages from
 * process @from (0: any).  @info may be NULL.  These receives (and
 * shmbox_mbox_read(), shmbox_mbox_recvv()) cannot report a reply handle:
 * a call they take arrives as an ordinary message and its caller fails at
 * once with -EPIPE.  Servers use shmbox_mbox_recv_call() below.  Nor can
 * they take handles (ABI 1.4): a message's handles are dropped, its
 * payload received; shmbox_mbox_recvh() takes them.
 */
int shmbox_mbox_recv(int fd, void *buf, uint32_t cap, unsigned int flags,
		     uint64_t deadline_ns, struct shmbox_msg_info *info);
int shmbox_mbox_recv_from(int fd, int from, void *buf, uint32_t cap,
			  unsigned int flags, uint64_t deadline_ns,
			  struct shmbox_msg_info *info);
/* As shmbox_mbox_recv_from(), with the sender's inbox id (libshmbox 1.2). */
int shmbox_mbox_recv_id(int fd, int from, void *buf, uint32_t cap,
			unsigned int flags, uint64_t deadline_ns,
			struct shmbox_msg_info_id *info);

/*
 * write(2)/read(2) on a bound mailbox fd: one message at priority 0,
 * blocking unless the fd is O_NONBLOCK, no deadline, no sender details;
 * no argument structure, so the cheapest one-message call.  Return 0 /
 * the message length, or -errno (-EMSGSIZE: the message stays).
 */
int shmbox_mbox_write(int fd, const void *buf, uint32_t len);
int shmbox_mbox_read(int fd, void *buf, uint32_t cap);

/*
 * Vectors: send @count messages (to @pid's inbox, or the bound mailbox if
 * @pid is 0); receive up to @count (waiting for the first only; @from as
 * above).  Return how many were done, or -errno if none was.
 */
int shmbox_mbox_sendv(int fd, int pid, const struct shmbox_mbox_msg *msgs,
		      unsigned int count, unsigned int flags,
		      uint64_t deadline_ns);
int shmbox_mbox_recvv(int fd, int from, struct shmbox_mbox_msg *msgs,
		      unsigned int count, unsigned int flags,
		      uint64_t deadline_ns);
/*
 * libshmbox 1.2: send a vector to inbox @id; receive into descriptors
 * that also get each sender's inbox id (struct shmbox_mbox_msgx).  Since
 * 1.3 the descriptors are the whole struct shmbox_mbox_msgx of this
 * header, which takes calls: an entry with SHMBOX_RECV_CALL in @rflags
 * has its reply handle in @handle (answer with shmbox_mbox_reply()).
 * Since 1.4 they also carry handles: set each entry's @handles (an array
 * of struct shmbox_handle) and @nr_handles (its entries, 0 for none: a
 * message with handles then fails that entry with -EMSGSIZE and stays)
 * before the call; @nr_handles comes back as the handles the message
 * carried.  Programs built against 1.3 keep its 48-byte descriptors, and
 * 1.2's their 32-byte ones (symbol versions); those get calls as
 * ordinary messages (1.2) and handles dropped (both; 1.3's see
 * SHMBOX_RECV_HANDLES_DROPPED in @rflags).
 */
int shmbox_mbox_sendv_to_id(int fd, uint64_t id,
			    const struct shmbox_mbox_msg *msgs,
			    unsigned int count, unsigned int flags,
			    uint64_t deadline_ns);
int shmbox_mbox_recvvx(int fd, int from, struct shmbox_mbox_msgx *msgs,
		       unsigned int count, unsigned int flags,
		       uint64_t deadline_ns);

/* ---- call and reply (libshmbox 1.3, ABI 1.3, SHMBOX_FEAT_CALL) ----------- */

/*
 * A call sends a request and waits for its reply in one system call; the
 * server that receives it gets a reply handle, one-shot and good only on
 * the open file it received on, and answers with it.  Ordinary messages
 * and calls share a mailbox; the receive says which it got.  A module
 * without SHMBOX_FEAT_CALL fails these with -ENOTTY.
 */

/* What shmbox_mbox_call() reports (also when it fails). */
struct shmbox_call_result {
	uint32_t len;		/* the reply's length (0 on failure) */
	uint32_t status;	/* SHMBOX_CALL_DELIVERED: a server took the
				 * request (set on failure too) */
	int32_t pid;		/* the server that replied, in our pid ns */
	uint32_t uid;		/* its effective uid, in our user namespace */
	uint64_t id;		/* its inbox id at the reply, 0 if none */
	uint64_t resume;	/* -EINTR after a server took the request:
				 * the call, parked on the fd for this
				 * thread (see shmbox_mbox_call_resume());
				 * else 0 */
};

/* What the call-aware receives report about a message or a call. */
struct shmbox_msg_info_call {
	uint32_t len;		/* its length (also with -EMSGSIZE) */
	uint32_t prio;
	int32_t pid;		/* sender (caller), in our pid namespace */
	uint32_t uid;		/* its effective uid, in our user namespace */
	uint64_t id;		/* its inbox id when it sent, 0 if none */
	uint64_t handle;	/* a call's reply handle; 0: an ordinary
				 * message (or a peek) */
	uint32_t reply_max;	/* a call's longest reply (its caller's buffer) */
	uint32_t rflags;	/* SHMBOX_RECV_CALL for a call */
};

/*
 * Call: send @len bytes at @prio and wait for the reply, copied into
 * @reply of @cap bytes (at most the module's max_msg_size, else -EINVAL;
 * the server's reply may be no longer).  To @pid's inbox (pid > 0), to
 * inbox @id (id != 0: the library sets SHMBOX_MSG_TO_ID), or to the bound
 * mailbox (both 0); both set is -EINVAL.  @deadline_ns bounds the whole
 * call; SHMBOX_NOWAIT (or SHMBOX_MSG_NONBLOCK) makes only the request
 * non-blocking (-EAGAIN if it would wait for room or, at capacity 0, for
 * a server) and then waits for the reply without a deadline.  Returns
 * the reply length or -errno; @res (may be NULL) is filled either way:
 * with SHMBOX_CALL_DELIVERED in @res->status a failure came after a
 * server took the request (-ETIMEDOUT: abandoned, its reply will be
 * dropped; -EPIPE: the server closed its fd or used a receive that cannot
 * answer; -EFAULT: the reply was lost), else nothing was delivered.
 * A signal after a server took the request does not abandon the call: a
 * handler with SA_RESTART goes on waiting for the same reply; without,
 * the call fails with -EINTR and @res->resume (not 0) names it, parked:
 * resume it with shmbox_mbox_call_resume(), never by calling again, which
 * would send a second request.  -EINTR with @res->resume 0: nothing was
 * delivered.
 */
int shmbox_mbox_call(int fd, int pid, uint64_t id, const void *req,
		     uint32_t len, unsigned int prio, void *reply, uint32_t cap,
		     unsigned int flags, uint64_t deadline_ns,
		     struct shmbox_call_result *res);

/*
 * Go on waiting for the reply of the call @resume (@res->resume of the
 * shmbox_mbox_call() that failed with -EINTR), from the same thread
 * through the same @fd, into a buffer of at least the interrupted call's
 * @cap (the reply may be as long as that call allowed; a smaller @cap is
 * -EINVAL and the call stays parked).  Returns the reply length, at once
 * if it came meanwhile, or -errno as shmbox_mbox_call() after delivery;
 * -ENOENT if no such call is parked on @fd for this thread (resumed
 * already, evicted by SHMBOX_CALL_PARK_MAX later ones, or never parked).
 * @deadline_ns as for the call (SHMBOX_NOWAIT: none), but always
 * CLOCK_MONOTONIC: a resume passes no flags, so not SHMBOX_MSG_REALTIME.
 */
int shmbox_mbox_call_resume(int fd, uint64_t resume, void *reply,
			    uint32_t cap, uint64_t deadline_ns,
			    struct shmbox_call_result *res);

/*
 * A receive that takes calls: as shmbox_mbox_recv_id(), into @info (not
 * NULL: -EINVAL, it carries the handle).  For a call @info->rflags has
 * SHMBOX_RECV_CALL and @info->handle its reply handle (0 for a peek,
 * which takes nothing).  A message's handles (ABI 1.4) are dropped, with
 * SHMBOX_RECV_HANDLES_DROPPED in @info->rflags: shmbox_mbox_recvh() takes
 * them.  Returns the message length or -errno.
 */
int shmbox_mbox_recv_call(int fd, int from, void *buf, uint32_t cap,
			  unsigned int flags, uint64_t deadline_ns,
			  struct shmbox_msg_info_call *info);

/*
 * Answer the call @handle (received on this fd) with @len bytes, at most
 * its @reply_max.  Never waits.  0 or -errno: -ENOENT (no such call
 * waiting on this open file: answered already, or never issued), -ESRCH
 * (its caller gave up or died: the reply is dropped), -EMSGSIZE,
 * -ENOSPC (the caller's max_user_bytes); -EINVAL for handle 0, without a
 * system call.  The handle is
 * used up by success and by -ESRCH; after any other error it still
 * answers its call.
 */
int shmbox_mbox_reply(int fd, uint64_t handle, const void *buf, uint32_t len);

/*
 * Reply and receive the next message or call in one system call, the
 * server's loop: if *@handle is not 0, answer it with @reply_len bytes of
 * @reply (with *@handle 0 or @handle NULL, @reply_len must be 0); then
 * receive as shmbox_mbox_recv_call() does (@flags: SHMBOX_MSG_NONBLOCK;
 * @deadline_ns the receive's).  If the reply fails, nothing is received.
 * *@handle is set to 0 once it is used up, so after a failure a non-zero
 * *@handle means the reply failed and still answers its call; -ESRCH
 * (0 in *@handle) means the reply's caller was gone: call again to
 * receive.  The next call's handle is in @info->handle (not NULL:
 * -EINVAL).  A received message's handles (ABI 1.4) are dropped as by
 * shmbox_mbox_recv_call(); shmbox_mbox_reply_recvh() takes them.
 * Returns the next message's length or -errno.
 *
 *	uint64_t h = 0;
 *	for (;;) {
 *		n = shmbox_mbox_reply_recv(fd, &h, out, out_len, in,
 *					   sizeof(in), 0, SHMBOX_TIMEOUT_NONE,
 *					   &info);
 *		...
 *		h = info.handle;	(0 for an ordinary message)
 *	}
 */
int shmbox_mbox_reply_recv(int fd, uint64_t *handle, const void *reply,
			   uint32_t reply_len, void *buf, uint32_t cap,
			   unsigned int flags, uint64_t deadline_ns,
			   struct shmbox_msg_info_call *info);

/* ---- handles in messages (libshmbox 1.4, ABI 1.4, SHMBOX_FEAT_HANDLES) --- */

/*
 * A message may carry up to SHMBOX_MSG_HANDLES_MAX handles: fds of
 * regions or rings, given as an array of struct shmbox_handle (@fd, and
 * SHMBOX_HANDLE_MOVE in @flags to close the fd once the message is sent;
 * @bytes 0).  Bulk data then moves by reference: fill a region
 * (shmbox_region_create_map()), send its fd, and the receiver maps it
 * (shmbox_region_map_handle()).  The receiver gets a new fd (close-on-exec
 * unless SHMBOX_MSG_NOCLOEXEC) of the same region, with the sender's fd's
 * access (SHMBOX_HANDLE_READ/_WRITE in @flags), never a ring role (claim
 * one with shmbox_ring_claim()), and the region's size in @bytes
 * (SHMBOX_HANDLE_RING: a ring's data size).  Mailbox fds cannot be passed
 * (-EINVAL).  All or nothing: a send that fails moved and closed nothing,
 * a receive that fails installed no fd and left the message, handles and
 * all, in the mailbox.  Each handle costs SHMBOX_HANDLE_COST quota bytes.
 *
 * Each function here is an older one with the handle arguments appended,
 * and with no handles it does what that one does: shmbox_mbox_callh(),
 * _call_resumeh(), _replyh() and _reply_recvh() are the functions without
 * the "h", shmbox_mbox_sendh() is shmbox_mbox_send(), shmbox_mbox_recvh()
 * is shmbox_mbox_recv_call(); shmbox_mbox_sendh_to() addresses as
 * shmbox_mbox_call() does.  Handles to send are @h and @nh (0 to SHMBOX_MSG_HANDLES_MAX, @h
 * may be NULL when 0).  Handles to receive go into the @*nh entries of
 * @h: *@nh is the array's size in and the number of handles the message
 * carried out (also with -EMSGSIZE, which then means the buffer or the
 * array was too small: compare @info->len with @cap and *@nh with the
 * array; the message stays).  The library sets every entry's @fd to -1
 * first, so entries past what arrived, or after a failure, hold no fd.
 * A module before ABI 1.4 runs these without handles and fails them with
 * -E2BIG when any are given.
 */

/* shmbox_mbox_send() to the bound mailbox with handles.  0 or -errno. */
int shmbox_mbox_sendh(int fd, const void *buf, uint32_t len,
		      unsigned int prio, unsigned int flags,
		      uint64_t deadline_ns, const struct shmbox_handle *h,
		      unsigned int nh);
/*
 * With handles to @pid's inbox (pid > 0), to inbox @id (id != 0; the
 * library sets SHMBOX_MSG_TO_ID), or to the bound mailbox (both 0), as
 * shmbox_mbox_call() addresses; both set is -EINVAL.  0 or -errno.
 */
int shmbox_mbox_sendh_to(int fd, int pid, uint64_t id, const void *buf,
			 uint32_t len, unsigned int prio, unsigned int flags,
			 uint64_t deadline_ns, const struct shmbox_handle *h,
			 unsigned int nh);
/*
 * shmbox_mbox_recv_call() that takes handles (it takes calls too: @info is
 * required).  @flags: SHMBOX_MSG_NONBLOCK, SHMBOX_MSG_PEEK (reports the
 * handles with @fd -1, installs nothing), SHMBOX_MSG_NOCLOEXEC.  @nh is
 * required (-EINVAL if NULL).  Returns the message length or -errno: also
 * -EMFILE/-ENFILE (no fd left for a handle), the message staying.
 */
int shmbox_mbox_recvh(int fd, int from, void *buf, uint32_t cap,
		      unsigned int flags, uint64_t deadline_ns,
		      struct shmbox_msg_info_call *info,
		      struct shmbox_handle *h, unsigned int *nh);
/*
 * A vector send of struct shmbox_mbox_msgx entries, each with its own
 * @handles and @nr_handles (the other fields past @uid 0), to @pid's
 * inbox, inbox @id or the bound mailbox (both 0; both set is -EINVAL).
 * Returns how many were sent, or -errno if none was.
 */
int shmbox_mbox_sendvx(int fd, int pid, uint64_t id,
		       const struct shmbox_mbox_msgx *msgs, unsigned int count,
		       unsigned int flags, uint64_t deadline_ns);
/*
 * shmbox_mbox_call() with @nh handles of @h in the request and the
 * reply's handles into @rh: *@rnh is the entries of @rh in (the most the
 * server may give, else its reply fails with -EMSGSIZE; @rnh NULL: none)
 * and, on success, the handles the reply carried out; after a failure it
 * is left as it was, so a resume after -EINTR passes it again.  The
 * reply's fds are reserved before the request goes (-EMFILE, -ENFILE
 * then, nothing sent) and installed close-on-exec unless @flags has
 * SHMBOX_MSG_NOCLOEXEC.  Request handles with SHMBOX_HANDLE_MOVE are
 * closed once a server took the request.
 */
int shmbox_mbox_callh(int fd, int pid, uint64_t id, const void *req,
		      uint32_t len, unsigned int prio, void *reply,
		      uint32_t cap, unsigned int flags, uint64_t deadline_ns,
		      struct shmbox_call_result *res,
		      const struct shmbox_handle *h, unsigned int nh,
		      struct shmbox_handle *rh, unsigned int *rnh);
/*
 * shmbox_mbox_call_resume() for a call made by shmbox_mbox_callh(): *@rnh
 * at least the interrupted call's (else -EINVAL, the call stays parked).
 */
int shmbox_mbox_call_resumeh(int fd, uint64_t resume, void *reply,
			     uint32_t cap, uint64_t deadline_ns,
			     struct shmbox_call_result *res,
			     struct shmbox_handle *rh, unsigned int *rnh);
/*
 * shmbox_mbox_reply() with handles: at most the caller's *@rnh (else
 * -EMSGSIZE, and the handle still answers its call).  Moved fds are
 * closed once the reply is given.  0 or -errno.
 */
int shmbox_mbox_replyh(int fd, uint64_t handle, const void *buf, uint32_t len,
		       const struct shmbox_handle *h, unsigned int nh);
/*
 * shmbox_mbox_reply_recv() whose receive takes handles, as
 * shmbox_mbox_recvh() (@nh required).  The reply carries none: answer
 * with handles by shmbox_mbox_replyh(), then receive.
 */
int shmbox_mbox_reply_recvh(int fd, uint64_t *handle, const void *reply,
			    uint32_t reply_len, void *buf, uint32_t cap,
			    unsigned int flags, uint64_t deadline_ns,
			    struct shmbox_msg_info_call *info,
			    struct shmbox_handle *h, unsigned int *nh);

/* ---- notification (libshmbox 1.5, ABI 1.5, SHMBOX_FEAT_MQ) -------------- */

/*
 * Ask to be told when a message arrives in the empty mailbox @fd is bound
 * to, as mq_notify() does for a POSIX queue (see "Notification" in
 * <linux/shmbox.h> for the rules): one registration per mailbox, held by
 * the calling process; it fires when a message is queued into the empty
 * mailbox and no receiver was waiting for it, and firing removes it (one
 * notification per registration); the holder closing any fd bound to the
 * mailbox, and the mailbox's removal, remove it without notice.  @fd need
 * not be open for reading.
 *
 * @notify: SHMBOX_NOTIFY_NONE (hold the place, tell nothing),
 * SHMBOX_NOTIFY_SIGNAL (queue signal @signo, 1 to 64, or 0 for none, with
 * si_code SI_MESGQ and @value in si_value), SHMBOX_NOTIFY_EVENTFD (add 1
 * to the eventfd @efd, which the registration holds), or
 * SHMBOX_NOTIFY_REMOVE (remove the caller's registration; succeeds also
 * when it holds none).  The arguments the kind does not use must be 0.
 *
 * 0 or -errno: -EBUSY (the mailbox has a registration, the caller's own
 * too), -EIDRM (the mailbox was removed), -EBADFD (@fd not bound to a
 * mailbox), -EBADF (@efd not open), -EINVAL (unknown @notify, a bad
 * @signo, @efd not an eventfd, a non-zero argument the kind does not
 * use), -ENOMEM, -ENOTTY (a module before ABI 1.5).
 */
int shmbox_mbox_notify(int fd, unsigned int notify, int signo,
		       uint64_t value, int efd);

#ifdef __cplusplus
}
#endif

#endif /* LIBSHMBOX_H */
