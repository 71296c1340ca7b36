// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox mailboxes: thin wrappers over the mailbox ioctls, and over
 * read(2)/write(2) on a bound mailbox fd.
 *
 * Deadlines follow the ring API: absolute CLOCK_MONOTONIC nanoseconds
 * (shmbox_deadline_in()), SHMBOX_TIMEOUT_NONE to wait forever and
 * SHMBOX_NOWAIT (0) never to wait (the call becomes non-blocking).
 * Every function returns a negative errno on failure.
 *
 * The argument structures are this header's, the kernel takes smaller
 * (older) ones too: a newer library works with an older module as long
 * as the fields it sets are zero.  shmbox_mbox_stat() and
 * shmbox_mbox_recvvx() hand the caller's own structures to the kernel,
 * so they have a version per size (symbol versions, see libshmbox.map).
 *
 * The size of a receive's structure tells the kernel what the caller can
 * take.  A call (ABI 1.3): one of SHMBOX_MBOX_RECV_SIZE_VER2 or more gets
 * a reply handle.  The receives without a place for the handle therefore
 * pass SHMBOX_MBOX_RECV_SIZE_VER1, so that a call they take fails its
 * caller at once (EPIPE) instead of waiting for a reply nobody can give.
 * Handles in messages (ABI 1.4): one of SHMBOX_MBOX_RECV_SIZE_VER3 or
 * more installs the message's fds, and fails with EMSGSIZE (the message
 * stays) if its array is too small for them; a smaller one drops them.
 * So every receive passes the size of the version it was written for,
 * never sizeof() of this header's structure, which grows: a receive with
 * no handle array that passed the grown size would stop at the first
 * message carrying handles.  The same holds for the vector descriptors
 * and the reply-and-receive.  Sends, calls and replies pass sizeof():
 * their fields past what they set stay zero, which every version reads
 * as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

static int mbox_bind(const char *name, unsigned int flags,
		     const struct shmbox_mbox_attr *attr, int access)
{
	struct shmbox_mbox_open o;
	int fd, err;

	if (access != O_RDONLY && access != O_WRONLY && access != O_RDWR)
		return -EINVAL;
	fd = open(SHMBOX_DEVICE_PATH, access | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	SHMBOX_ARG_INIT(&o);
	o.flags = flags;
	o.name = (uintptr_t)name;
	if (attr) {
		o.capacity = attr->capacity;
		o.max_msg_size = attr->max_msg_size;
		o.mode = attr->mode;
	} else {
		o.capacity = SHMBOX_MBOX_UNBOUNDED;
		o.mode = 0600;
	}
	if (ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

SHMBOX_API int shmbox_mbox_open(const char *name, unsigned int flags,
				const struct shmbox_mbox_attr *attr,
				int access)
{
	if (flags & SHMBOX_MBOX_INBOX)
		return -EINVAL;
	return mbox_bind(name, flags, attr, access);
}

SHMBOX_API int shmbox_inbox_open(unsigned int flags,
				 const struct shmbox_mbox_attr *attr,
				 int access)
{
	return mbox_bind(NULL, flags | SHMBOX_MBOX_INBOX, attr, access);
}

/* libshmbox 1.0 and 1.1: a caller's structure of version 0's size. */
SHMBOX_API __attribute__((symver("shmbox_mbox_stat@LIBSHMBOX_1.0")))
int shmbox_mbox_stat_v0(int fd, struct shmbox_mbox_stat *st)
{
	memset(st, 0, SHMBOX_MBOX_STAT_SIZE_VER0);
	st->size = SHMBOX_MBOX_STAT_SIZE_VER0;
	if (ioctl(fd, SHMBOX_IOC_MBOX_STAT, st) < 0)
		return -errno;
	return 0;
}

/* libshmbox 1.2: the structure up to @inbox_id. */
SHMBOX_API __attribute__((symver("shmbox_mbox_stat@LIBSHMBOX_1.2")))
int shmbox_mbox_stat_v12(int fd, struct shmbox_mbox_stat *st)
{
	memset(st, 0, SHMBOX_MBOX_STAT_SIZE_VER1);
	st->size = SHMBOX_MBOX_STAT_SIZE_VER1;
	if (ioctl(fd, SHMBOX_IOC_MBOX_STAT, st) < 0)
		return -errno;
	return 0;
}

/* libshmbox 1.3: the structure up to the call counters. */
SHMBOX_API __attribute__((symver("shmbox_mbox_stat@LIBSHMBOX_1.3")))
int shmbox_mbox_stat_v13(int fd, struct shmbox_mbox_stat *st)
{
	memset(st, 0, SHMBOX_MBOX_STAT_SIZE_VER2);
	st->size = SHMBOX_MBOX_STAT_SIZE_VER2;
	if (ioctl(fd, SHMBOX_IOC_MBOX_STAT, st) < 0)
		return -errno;
	return 0;
}

/*
 * libshmbox 1.4: the whole structure, with @handles.  The default, and
 * so the version that takes this header's size: the assertion stops the
 * build when the structure grows again, which needs a version of its own.
 */
SHMBOX_API __attribute__((symver("shmbox_mbox_stat@@LIBSHMBOX_1.4")))
int shmbox_mbox_stat_v14(int fd, struct shmbox_mbox_stat *st)
{
	_Static_assert(sizeof(*st) == SHMBOX_MBOX_STAT_SIZE_VER3,
		       "struct shmbox_mbox_stat grew: add a symbol version");
	SHMBOX_ARG_INIT(st);
	if (ioctl(fd, SHMBOX_IOC_MBOX_STAT, st) < 0)
		return -errno;
	return 0;
}

static unsigned int wait_flags(unsigned int flags, uint64_t *deadline_ns)
{
	if (*deadline_ns == SHMBOX_NOWAIT) {
		*deadline_ns = SHMBOX_TIMEOUT_NONE;
		flags |= SHMBOX_MSG_NONBLOCK;
	}
	return flags;
}

/*
 * The handle fields of an argument: the array only with entries, so that
 * a call without handles leaves them 0, which a module before ABI 1.4
 * accepts (it fails a non-zero one with E2BIG).
 */
static uint64_t handles_ptr(const struct shmbox_handle *h, unsigned int nh)
{
	return nh ? (uintptr_t)h : 0;
}

/*
 * A receive's array before the call: every entry's fd -1, so that after a
 * failure (nothing installed) or past the handles a message carried, a
 * caller that closes what it got closes nothing.  The kernel takes at
 * most SHMBOX_MSG_HANDLES_MAX (EINVAL beyond): so many entries at most.
 */
static void handles_clear(struct shmbox_handle *h, unsigned int nh)
{
	unsigned int i;

	if (!h)
		return;
	for (i = 0; i < nh && i < SHMBOX_MSG_HANDLES_MAX; i++) {
		h[i].fd = -1;
		h[i].flags = 0;
		h[i].bytes = 0;
	}
}

/*
 * One send: to the bound mailbox, @pid's inbox or (@id not 0) inbox @id,
 * with @nh handles of @h.
 */
static int mbox_send(int fd, int pid, uint64_t id, const void *buf,
		     uint32_t len, unsigned int prio, unsigned int flags,
		     uint64_t deadline_ns, const struct shmbox_handle *h,
		     unsigned int nh)
{
	struct shmbox_mbox_send s;

	SHMBOX_ARG_INIT(&s);
	s.flags = wait_flags(flags, &deadline_ns) | (id ? SHMBOX_MSG_TO_ID : 0);
	s.buf = (uintptr_t)buf;
	s.len = len;
	s.prio = prio;
	s.pid = pid;
	s.id = id;
	s.deadline_ns = deadline_ns;
	s.handles = handles_ptr(h, nh);
	s.nr_handles = nh;
	if (ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s) < 0)
		return -errno;
	return 0;
}

SHMBOX_API int shmbox_mbox_send_to(int fd, int pid, const void *buf,
				   uint32_t len, unsigned int prio,
				   unsigned int flags, uint64_t deadline_ns)
{
	return mbox_send(fd, pid, 0, buf, len, prio, flags, deadline_ns, NULL,
			 0);
}

SHMBOX_API int shmbox_mbox_send(int fd, const void *buf, uint32_t len,
				unsigned int prio, unsigned int flags,
				uint64_t deadline_ns)
{
	return mbox_send(fd, 0, 0, buf, len, prio, flags, deadline_ns, NULL, 0);
}

SHMBOX_API int shmbox_mbox_send_to_id(int fd, uint64_t id, const void *buf,
				      uint32_t len, unsigned int prio,
				      unsigned int flags, uint64_t deadline_ns)
{
	if (!id)
		return -EINVAL;
	return mbox_send(fd, 0, id, buf, len, prio, flags, deadline_ns, NULL,
			 0);
}

/* A reply by a send to the sender's inbox id (libshmbox 1.2). */
static int reply_to(int fd, const struct shmbox_msg_info_id *to,
		    const void *buf, uint32_t len, unsigned int prio,
		    unsigned int flags, uint64_t deadline_ns)
{
	if (!to->id)
		return -ENOENT;
	return mbox_send(fd, 0, to->id, buf, len, prio, flags, deadline_ns,
			 NULL, 0);
}

SHMBOX_API int shmbox_mbox_reply_to(int fd, const struct shmbox_msg_info_id *to,
				    const void *buf, uint32_t len,
				    unsigned int prio, unsigned int flags,
				    uint64_t deadline_ns)
{
	return reply_to(fd, to, buf, len, prio, flags, deadline_ns);
}

/* libshmbox 1.2's shmbox_mbox_reply(): the same as shmbox_mbox_reply_to(). */
SHMBOX_API __attribute__((symver("shmbox_mbox_reply@LIBSHMBOX_1.2")))
int shmbox_mbox_reply_v12(int fd, const struct shmbox_msg_info_id *to,
			  const void *buf, uint32_t len, unsigned int prio,
			  unsigned int flags, uint64_t deadline_ns)
{
	return reply_to(fd, to, buf, len, prio, flags, deadline_ns);
}

/*
 * One receive; @size: SHMBOX_MBOX_RECV_SIZE_VER1 for the receives that
 * cannot take a call, _VER2 for those that can, _VER3 for those that also
 * take handles (into @nh entries of @h).  Returns the length or -errno;
 * @r is the kernel's answer (its @len and @nr_handles also with
 * -EMSGSIZE).
 */
static int mbox_recv(int fd, uint32_t size, int from, void *buf,
		     uint32_t cap, unsigned int flags, uint64_t deadline_ns,
		     struct shmbox_handle *h, unsigned int nh,
		     struct shmbox_mbox_recv *r)
{
	SHMBOX_ARG_INIT(r);
	r->size = size;
	r->handles = handles_ptr(h, nh);
	r->nr_handles = nh;
	r->flags = wait_flags(flags, &deadline_ns);
	if (from)
		r->flags |= SHMBOX_MSG_FROM;
	r->buf = (uintptr_t)buf;
	r->len = cap;
	r->pid = from;
	r->deadline_ns = deadline_ns;
	if (ioctl(fd, SHMBOX_IOC_MBOX_RECV, r) < 0)
		return -errno;
	return (int)r->len;
}

SHMBOX_API int shmbox_mbox_recv_id(int fd, int from, void *buf, uint32_t cap,
				   unsigned int flags, uint64_t deadline_ns,
				   struct shmbox_msg_info_id *info)
{
	struct shmbox_mbox_recv r;
	int n;

	n = mbox_recv(fd, SHMBOX_MBOX_RECV_SIZE_VER1, from, buf, cap, flags,
		      deadline_ns, NULL, 0, &r);
	if (n < 0 && n != -EMSGSIZE)
		return n;
	if (info) {
		bool ok = n >= 0;

		info->info.len = r.len;
		info->info.prio = ok ? r.prio : 0;
		info->info.pid = ok ? r.pid : 0;
		info->info.uid = ok ? r.uid : 0;
		info->id = ok ? r.id : 0;
	}
	return n;
}

SHMBOX_API int shmbox_mbox_recv_from(int fd, int from, void *buf,
				     uint32_t cap, unsigned int flags,
				     uint64_t deadline_ns,
				     struct shmbox_msg_info *info)
{
	struct shmbox_msg_info_id i;
	int n = shmbox_mbox_recv_id(fd, from, buf, cap, flags, deadline_ns,
				    info ? &i : NULL);

	if (info && (n >= 0 || n == -EMSGSIZE))
		*info = i.info;
	return n;
}

SHMBOX_API int shmbox_mbox_recv(int fd, void *buf, uint32_t cap,
				unsigned int flags, uint64_t deadline_ns,
				struct shmbox_msg_info *info)
{
	return shmbox_mbox_recv_from(fd, 0, buf, cap, flags, deadline_ns,
				     info);
}

SHMBOX_API int shmbox_mbox_write(int fd, const void *buf, uint32_t len)
{
	ssize_t n = write(fd, buf, len);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

SHMBOX_API int shmbox_mbox_read(int fd, void *buf, uint32_t cap)
{
	ssize_t n = read(fd, buf, cap);

	return n < 0 ? -errno : (int)n;
}

/* A vector call; @msg_size: the descriptors' size, 0 for version 0's. */
static int mbox_vec(int fd, unsigned long cmd, int pid, uint64_t id,
		    void *msgs, uint32_t msg_size, unsigned int count,
		    unsigned int flags, uint64_t deadline_ns)
{
	struct shmbox_mbox_vec v;
	int n;

	SHMBOX_ARG_INIT(&v);
	v.flags = wait_flags(flags, &deadline_ns) | (id ? SHMBOX_MSG_TO_ID : 0);
	v.msgs = (uintptr_t)msgs;
	v.count = count;
	v.pid = pid;
	v.id = id;
	v.msg_size = msg_size;
	v.deadline_ns = deadline_ns;
	n = ioctl(fd, cmd, &v);
	return n < 0 ? -errno : n;
}

SHMBOX_API int shmbox_mbox_sendv(int fd, int pid,
				 const struct shmbox_mbox_msg *msgs,
				 unsigned int count, unsigned int flags,
				 uint64_t deadline_ns)
{
	return mbox_vec(fd, SHMBOX_IOC_MBOX_SENDV, pid, 0, (void *)msgs, 0,
			count, flags, deadline_ns);
}

SHMBOX_API int shmbox_mbox_sendv_to_id(int fd, uint64_t id,
				       const struct shmbox_mbox_msg *msgs,
				       unsigned int count, unsigned int flags,
				       uint64_t deadline_ns)
{
	if (!id)
		return -EINVAL;
	return mbox_vec(fd, SHMBOX_IOC_MBOX_SENDV, 0, id, (void *)msgs, 0,
			count, flags, deadline_ns);
}

/*
 * A vector receive into descriptors of @msg_size bytes, results cleared.
 * Descriptors of ABI 1.4 (SHMBOX_MBOX_MSGX_SIZE_VER3) keep their inputs
 * @handles and @nr_handles, and their arrays are cleared as a single
 * receive's are.
 */
static int mbox_recvv(int fd, int from, void *msgs, size_t msg_size,
		      unsigned int count, unsigned int flags,
		      uint64_t deadline_ns)
{
	size_t off = offsetof(struct shmbox_mbox_msg, prio);
	bool with_handles = msg_size >= SHMBOX_MBOX_MSGX_SIZE_VER3;
	unsigned int i;

	for (i = 0; i < count; i++) {
		struct shmbox_mbox_msgx *x =
			(struct shmbox_mbox_msgx *)((char *)msgs + i * msg_size);
		uint64_t handles = with_handles ? x->handles : 0;
		uint32_t nh = with_handles ? x->nr_handles : 0;

		memset((char *)x + off, 0, msg_size - off);
		if (!with_handles)
			continue;
		x->handles = handles;
		x->nr_handles = nh;
		handles_clear((struct shmbox_handle *)(uintptr_t)handles, nh);
	}
	if (from)
		flags |= SHMBOX_MSG_FROM;
	if (msg_size == sizeof(struct shmbox_mbox_msg))
		msg_size = 0;		/* version 0: what an older module knows */
	return mbox_vec(fd, SHMBOX_IOC_MBOX_RECVV, from, 0, msgs, msg_size,
			count, flags, deadline_ns);
}

SHMBOX_API int shmbox_mbox_recvv(int fd, int from, struct shmbox_mbox_msg *m,
				 unsigned int n, unsigned int flags, uint64_t dl)
{
	return mbox_recvv(fd, from, m, sizeof(*m), n, flags, dl);
}

/*
 * Version 0's entries above, the extensible ones here: libshmbox 1.2's
 * programs pass descriptors of SHMBOX_MBOX_MSGX_SIZE_VER1 bytes (they get
 * calls as ordinary messages), 1.3's the whole structure (with handles).
 */
SHMBOX_API __attribute__((symver("shmbox_mbox_recvvx@LIBSHMBOX_1.2")))
int shmbox_mbox_recvvx_v12(int fd, int from, struct shmbox_mbox_msgx *m,
			   unsigned int n, unsigned int flags, uint64_t dl)
{
	return mbox_recvv(fd, from, m, SHMBOX_MBOX_MSGX_SIZE_VER1, n, flags,
			  dl);
}

SHMBOX_API __attribute__((symver("shmbox_mbox_recvvx@LIBSHMBOX_1.3")))
int shmbox_mbox_recvvx_v13(int fd, int from, struct shmbox_mbox_msgx *m,
			   unsigned int n, unsigned int flags, uint64_t dl)
{
	return mbox_recvv(fd, from, m, SHMBOX_MBOX_MSGX_SIZE_VER2, n, flags,
			  dl);
}

/*
 * libshmbox 1.4: the whole descriptor, with each message's handles.  The
 * default, so this header's size: grown again, it needs a version of its
 * own (the assertion says so), as 1.3's did.
 */
SHMBOX_API __attribute__((symver("shmbox_mbox_recvvx@@LIBSHMBOX_1.4")))
int shmbox_mbox_recvvx_v14(int fd, int from, struct shmbox_mbox_msgx *m,
			   unsigned int n, unsigned int flags, uint64_t dl)
{
	_Static_assert(sizeof(*m) == SHMBOX_MBOX_MSGX_SIZE_VER3,
		       "struct shmbox_mbox_msgx grew: add a symbol version");
	return mbox_recvv(fd, from, m, sizeof(*m), n, flags, dl);
}

/* New in 1.4, so only ever with 1.4's descriptors (see recvvx above). */
SHMBOX_API int shmbox_mbox_sendvx(int fd, int pid, uint64_t id,
				  const struct shmbox_mbox_msgx *msgs,
				  unsigned int count, unsigned int flags,
				  uint64_t deadline_ns)
{
	_Static_assert(sizeof(*msgs) == SHMBOX_MBOX_MSGX_SIZE_VER3,
		       "struct shmbox_mbox_msgx grew: add a symbol version");
	if (pid && id)
		return -EINVAL;
	return mbox_vec(fd, SHMBOX_IOC_MBOX_SENDV, pid, id, (void *)msgs,
			sizeof(*msgs), count, flags, deadline_ns);
}


/* ---- call and reply (ABI 1.3) -------------------------------------------- */

/*
 * SHMBOX_IOC_MBOX_CALL with @c filled in; @res as the caller wants it.
 * The output fields are written back on failure too (or are still 0).
 */
static int mbox_call(int fd, struct shmbox_mbox_call *c,
		     struct shmbox_call_result *res)
{
	int err = 0;

	if (ioctl(fd, SHMBOX_IOC_MBOX_CALL, c) < 0)
		err = -errno;
	if (res) {
		res->len = err ? 0 : c->reply_len;
		res->status = c->status;
		res->pid = c->reply_pid;
		res->uid = c->reply_uid;
		res->id = c->reply_id;
		res->resume = err == -EINTR ? c->resume : 0;
	}
	return err ? err : (int)c->reply_len;
}

/* A new call's request and reply buffer; -EINVAL for both @pid and @id. */
static int call_init(struct shmbox_mbox_call *c, int pid, uint64_t id,
		     const void *req, uint32_t len, unsigned int prio,
		     void *reply, uint32_t cap, unsigned int flags,
		     uint64_t deadline_ns)
{
	if (pid && id)
		return -EINVAL;
	SHMBOX_ARG_INIT(c);
	c->flags = wait_flags(flags, &deadline_ns) | (id ? SHMBOX_MSG_TO_ID : 0);
	c->buf = (uintptr_t)req;
	c->len = len;
	c->prio = prio;
	c->pid = pid;
	c->id = id;
	c->deadline_ns = deadline_ns;
	c->reply_buf = (uintptr_t)reply;
	c->reply_len = cap;
	return 0;
}

/*
 * A resumed call: the kernel checks its request fields but does not send
 * them: all zero (the bound mailbox, no flags) always pass.
 */
static int resume_init(struct shmbox_mbox_call *c, uint64_t resume,
		       void *reply, uint32_t cap, uint64_t deadline_ns)
{
	if (!resume)
		return -EINVAL;
	SHMBOX_ARG_INIT(c);
	if (deadline_ns == SHMBOX_NOWAIT)
		deadline_ns = SHMBOX_TIMEOUT_NONE;
	c->deadline_ns = deadline_ns;
	c->reply_buf = (uintptr_t)reply;
	c->reply_len = cap;
	c->resume = resume;
	return 0;
}

SHMBOX_API int shmbox_mbox_call(int fd, int pid, uint64_t id, const void *req,
				uint32_t len, unsigned int prio, void *reply,
				uint32_t cap, unsigned int flags,
				uint64_t deadline_ns,
				struct shmbox_call_result *res)
{
	struct shmbox_mbox_call c;
	int err;

	err = call_init(&c, pid, id, req, len, prio, reply, cap, flags,
			deadline_ns);
	return err ? err : mbox_call(fd, &c, res);
}

SHMBOX_API int shmbox_mbox_call_resume(int fd, uint64_t resume, void *reply,
				       uint32_t cap, uint64_t deadline_ns,
				       struct shmbox_call_result *res)
{
	struct shmbox_mbox_call c;
	int err;

	err = resume_init(&c, resume, reply, cap, deadline_ns);
	return err ? err : mbox_call(fd, &c, res);
}

/* A receive's answer as the caller sees it; only @len after -EMSGSIZE. */
static void call_info(struct shmbox_msg_info_call *info, bool ok,
		      uint32_t len, uint32_t prio, int32_t pid, uint32_t uid,
		      uint64_t id, uint64_t handle, uint32_t reply_max,
		      uint32_t rflags)
{
	memset(info, 0, sizeof(*info));
	info->len = len;
	if (!ok)
		return;
	info->prio = prio;
	info->pid = pid;
	info->uid = uid;
	info->id = id;
	info->handle = handle;
	info->reply_max = reply_max;
	info->rflags = rflags;
}

/*
 * The call-aware receives: @size as for mbox_recv(), @nh (may be NULL for
 * none) the entries of @h in, the message's handles out (also with
 * -EMSGSIZE, else unchanged).
 */
static int recv_call(int fd, uint32_t size, int from, void *buf,
		     uint32_t cap, unsigned int flags, uint64_t deadline_ns,
		     struct shmbox_msg_info_call *info,
		     struct shmbox_handle *h, unsigned int *nh)
{
	struct shmbox_mbox_recv r;
	unsigned int entries = nh ? *nh : 0;
	int n;

	if (!info)
		return -EINVAL;
	handles_clear(h, entries);
	n = mbox_recv(fd, size, from, buf, cap, flags, deadline_ns, h,
		      entries, &r);
	if (n < 0 && n != -EMSGSIZE)
		return n;
	call_info(info, n >= 0, r.len, r.prio, r.pid, r.uid, r.id, r.handle,
		  r.reply_max, r.rflags);
	if (nh)
		*nh = r.nr_handles;
	return n;
}

SHMBOX_API int shmbox_mbox_recv_call(int fd, int from, void *buf, uint32_t cap,
				     unsigned int flags, uint64_t deadline_ns,
				     struct shmbox_msg_info_call *info)
{
	return recv_call(fd, SHMBOX_MBOX_RECV_SIZE_VER2, from, buf, cap, flags,
			 deadline_ns, info, NULL, NULL);
}

/* SHMBOX_IOC_MBOX_REPLY, with @nh handles of @h. */
static int mbox_reply(int fd, uint64_t handle, const void *buf, uint32_t len,
		      const struct shmbox_handle *h, unsigned int nh)
{
	struct shmbox_mbox_reply r;

	if (!handle)
		return -EINVAL;
	SHMBOX_ARG_INIT(&r);
	r.handle = handle;
	r.buf = (uintptr_t)buf;
	r.len = len;
	r.handles = handles_ptr(h, nh);
	r.nr_handles = nh;
	if (ioctl(fd, SHMBOX_IOC_MBOX_REPLY, &r) < 0)
		return -errno;
	return 0;
}

/* libshmbox 1.3's shmbox_mbox_reply(): answer a call by its handle. */
SHMBOX_API __attribute__((symver("shmbox_mbox_reply@@LIBSHMBOX_1.3")))
int shmbox_mbox_reply_v13(int fd, uint64_t handle, const void *buf,
			  uint32_t len)
{
	return mbox_reply(fd, handle, buf, len, NULL, 0);
}

/*
 * SHMBOX_IOC_MBOX_REPLY_RECV; @size: version 0's for the receive that
 * drops handles, SHMBOX_MBOX_REPLY_RECV_SIZE_VER1 for the one that takes
 * them into @h (@nh as for recv_call()).
 */
static int reply_recv(int fd, uint32_t size, uint64_t *handle,
		      const void *reply, uint32_t reply_len, void *buf,
		      uint32_t cap, unsigned int flags, uint64_t deadline_ns,
		      struct shmbox_msg_info_call *info,
		      struct shmbox_handle *h, unsigned int *nh)
{
	struct shmbox_mbox_reply_recv rr;
	unsigned int entries = nh ? *nh : 0;
	int err = 0;

	if (!info)
		return -EINVAL;
	handles_clear(h, entries);
	SHMBOX_ARG_INIT(&rr);
	rr.size = size;
	rr.flags = wait_flags(flags, &deadline_ns);
	rr.reply_handle = handle ? *handle : 0;
	/* No reply without a handle: its buffer must be 0 then, its length too. */
	rr.reply_buf = rr.reply_handle ? (uintptr_t)reply : 0;
	rr.reply_len = reply_len;
	rr.buf = (uintptr_t)buf;
	rr.len = cap;
	rr.deadline_ns = deadline_ns;
	rr.handles = handles_ptr(h, entries);
	rr.nr_handles = entries;
	if (ioctl(fd, SHMBOX_IOC_MBOX_REPLY_RECV, &rr) < 0)
		err = -errno;
	/* 0 once used up, else as it was (also when the call failed early). */
	if (handle)
		*handle = rr.reply_handle;
	if (err && err != -EMSGSIZE)
		return err;
	/* -EMSGSIZE with the handle unused was the reply's, not the receive's. */
	if (err && handle && *handle)
		return err;
	call_info(info, !err, rr.len, rr.prio, rr.pid, rr.uid, rr.id,
		  rr.handle, rr.reply_max, rr.rflags);
	if (nh)
		*nh = rr.nr_handles;
	return err ? err : (int)rr.len;
}

SHMBOX_API int shmbox_mbox_reply_recv(int fd, uint64_t *handle,
				      const void *reply, uint32_t reply_len,
				      void *buf, uint32_t cap,
				      unsigned int flags, uint64_t deadline_ns,
				      struct shmbox_msg_info_call *info)
{
	return reply_recv(fd, SHMBOX_MBOX_REPLY_RECV_SIZE_VER0, handle, reply,
			  reply_len, buf, cap, flags, deadline_ns, info, NULL,
			  NULL);
}

/* ---- handles in messages (ABI 1.4) --------------------------------------- */

SHMBOX_API int shmbox_mbox_sendh(int fd, const void *buf, uint32_t len,
				 unsigned int prio, unsigned int flags,
				 uint64_t deadline_ns,
				 const struct shmbox_handle *h, unsigned int nh)
{
	return mbox_send(fd, 0, 0, buf, len, prio, flags, deadline_ns, h, nh);
}

SHMBOX_API int shmbox_mbox_sendh_to(int fd, int pid, uint64_t id,
				    const void *buf, uint32_t len,
				    unsigned int prio, unsigned int flags,
				    uint64_t deadline_ns,
				    const struct shmbox_handle *h,
				    unsigned int nh)
{
	if (pid && id)
		return -EINVAL;
	return mbox_send(fd, pid, id, buf, len, prio, flags, deadline_ns, h,
			 nh);
}

SHMBOX_API int shmbox_mbox_recvh(int fd, int from, void *buf, uint32_t cap,
				 unsigned int flags, uint64_t deadline_ns,
				 struct shmbox_msg_info_call *info,
				 struct shmbox_handle *h, unsigned int *nh)
{
	if (!nh)
		return -EINVAL;
	return recv_call(fd, SHMBOX_MBOX_RECV_SIZE_VER3, from, buf, cap, flags,
			 deadline_ns, info, h, nh);
}

/*
 * A call's reply handles: the kernel writes back how many the reply
 * carried on success; after a failure *@rnh keeps the array's size, so
 * that a resume after -EINTR passes what the interrupted call did (it
 * must give at least as many).
 */
static int call_handles(int fd, struct shmbox_mbox_call *c,
			struct shmbox_call_result *res,
			struct shmbox_handle *rh, unsigned int *rnh)
{
	unsigned int entries = rnh ? *rnh : 0;
	int n;

	handles_clear(rh, entries);
	c->reply_handles = handles_ptr(rh, entries);
	c->reply_nr_handles = entries;
	n = mbox_call(fd, c, res);
	if (n >= 0 && rnh)
		*rnh = c->reply_nr_handles;
	return n;
}

SHMBOX_API int shmbox_mbox_callh(int fd, int pid, uint64_t id,
				 const void *req, uint32_t len,
				 unsigned int prio, void *reply, uint32_t cap,
				 unsigned int flags, uint64_t deadline_ns,
				 struct shmbox_call_result *res,
				 const struct shmbox_handle *h, unsigned int nh,
				 struct shmbox_handle *rh, unsigned int *rnh)
{
	struct shmbox_mbox_call c;
	int err;

	err = call_init(&c, pid, id, req, len, prio, reply, cap, flags,
			deadline_ns);
	if (err)
		return err;
	c.handles = handles_ptr(h, nh);
	c.nr_handles = nh;
	return call_handles(fd, &c, res, rh, rnh);
}

SHMBOX_API int shmbox_mbox_call_resumeh(int fd, uint64_t resume, void *reply,
					uint32_t cap, uint64_t deadline_ns,
					struct shmbox_call_result *res,
					struct shmbox_handle *rh,
					unsigned int *rnh)
{
	struct shmbox_mbox_call c;
	int err;

	err = resume_init(&c, resume, reply, cap, deadline_ns);
	return err ? err : call_handles(fd, &c, res, rh, rnh);
}

SHMBOX_API int shmbox_mbox_replyh(int fd, uint64_t handle, const void *buf,
				  uint32_t len, const struct shmbox_handle *h,
				  unsigned int nh)
{
	return mbox_reply(fd, handle, buf, len, h, nh);
}

SHMBOX_API int shmbox_mbox_reply_recvh(int fd, uint64_t *handle,
				       const void *reply, uint32_t reply_len,
				       void *buf, uint32_t cap,
				       unsigned int flags,
				       uint64_t deadline_ns,
				       struct shmbox_msg_info_call *info,
				       struct shmbox_handle *h,
				       unsigned int *nh)
{
	if (!nh)
		return -EINVAL;
	return reply_recv(fd, SHMBOX_MBOX_REPLY_RECV_SIZE_VER1, handle, reply,
			  reply_len, buf, cap, flags, deadline_ns, info, h, nh);
}

/* ---- notification (ABI 1.5) ---------------------------------------------- */

/*
 * SHMBOX_IOC_MBOX_NOTIFY.  The arguments go to the kernel as given, so a
 * field the kind does not use and that is not 0 fails with EINVAL there,
 * as an unknown @notify does.
 */
SHMBOX_API int shmbox_mbox_notify(int fd, unsigned int notify, int signo,
				  uint64_t value, int efd)
{
	struct shmbox_mbox_notify n;

	SHMBOX_ARG_INIT(&n);
	n.notify = notify;
	n.signo = signo;
	n.value = value;
	n.eventfd = efd;
	if (ioctl(fd, SHMBOX_IOC_MBOX_NOTIFY, &n) < 0)
		return -errno;
	return 0;
}
