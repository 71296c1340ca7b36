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
 * as the fields it sets are zero.  Only shmbox_mbox_stat() hands the
 * caller's own structure to the kernel, so it has a version per size
 * (symbol versions, see libshmbox.map).
 */
#include <errno.h>
#include <fcntl.h>
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

/* libshmbox 1.2: the whole structure, with @inbox_id. */
SHMBOX_API __attribute__((symver("shmbox_mbox_stat@@LIBSHMBOX_1.2")))
int shmbox_mbox_stat_v12(int fd, struct shmbox_mbox_stat *st)
{
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

/* One send: to the bound mailbox, @pid's inbox or (@id not 0) inbox @id. */
static int mbox_send(int fd, int pid, uint64_t id, const void *buf,
		     uint32_t len, unsigned int prio, unsigned int flags,
		     uint64_t deadline_ns)
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
	if (ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s) < 0)
		return -errno;
	return 0;
}

SHMBOX_API int shmbox_mbox_send_to(int fd, int pid, const void *buf,
				   uint32_t len, unsigned int prio,
				   unsigned int flags, uint64_t deadline_ns)
{
	return mbox_send(fd, pid, 0, buf, len, prio, flags, deadline_ns);
}

SHMBOX_API int shmbox_mbox_send(int fd, const void *buf, uint32_t len,
				unsigned int prio, unsigned int flags,
				uint64_t deadline_ns)
{
	return mbox_send(fd, 0, 0, buf, len, prio, flags, deadline_ns);
}

SHMBOX_API int shmbox_mbox_send_to_id(int fd, uint64_t id, const void *buf,
				      uint32_t len, unsigned int prio,
				      unsigned int flags, uint64_t deadline_ns)
{
	if (!id)
		return -EINVAL;
	return mbox_send(fd, 0, id, buf, len, prio, flags, deadline_ns);
}

SHMBOX_API int shmbox_mbox_reply(int fd, const struct shmbox_msg_info_id *to,
				 const void *buf, uint32_t len,
				 unsigned int prio, unsigned int flags,
				 uint64_t deadline_ns)
{
	if (!to->id)
		return -ENOENT;
	return mbox_send(fd, 0, to->id, buf, len, prio, flags, deadline_ns);
}

SHMBOX_API int shmbox_mbox_recv_id(int fd, int from, void *buf, uint32_t cap,
				   unsigned int flags, uint64_t deadline_ns,
				   struct shmbox_msg_info_id *info)
{
	struct shmbox_mbox_recv r;
	int err = 0;

	SHMBOX_ARG_INIT(&r);
	r.flags = wait_flags(flags, &deadline_ns);
	if (from)
		r.flags |= SHMBOX_MSG_FROM;
	r.buf = (uintptr_t)buf;
	r.len = cap;
	r.pid = from;
	r.deadline_ns = deadline_ns;
	if (ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r) < 0) {
		err = -errno;
		if (err != -EMSGSIZE)
			return err;
	}
	if (info) {
		info->info.len = r.len;
		info->info.prio = err ? 0 : r.prio;
		info->info.pid = err ? 0 : r.pid;
		info->info.uid = err ? 0 : r.uid;
		info->id = err ? 0 : r.id;
	}
	return err ? err : (int)r.len;
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

/* A vector receive into descriptors of @msg_size bytes, results cleared. */
static int mbox_recvv(int fd, int from, void *msgs, size_t msg_size,
		      unsigned int count, unsigned int flags,
		      uint64_t deadline_ns)
{
	size_t off = offsetof(struct shmbox_mbox_msg, prio);
	unsigned int i;

	for (i = 0; i < count; i++)
		memset((char *)msgs + i * msg_size + off, 0, msg_size - off);
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

/* Version 0's entries above, the extensible ones here (ABI 1.2). */
SHMBOX_API int shmbox_mbox_recvvx(int fd, int from, struct shmbox_mbox_msgx *m,
				  unsigned int n, unsigned int flags, uint64_t dl)
{
	return mbox_recvv(fd, from, m, sizeof(*m), n, flags, dl);
}
