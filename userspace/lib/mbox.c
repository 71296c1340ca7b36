// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox mailboxes: thin wrappers over the mailbox ioctls, and over
 * read(2)/write(2) on a bound mailbox fd.
 *
 * Deadlines follow the ring API: absolute CLOCK_MONOTONIC nanoseconds
 * (shmbox_deadline_in()), SHMBOX_TIMEOUT_NONE to wait forever and
 * SHMBOX_NOWAIT (0) never to wait (the call becomes non-blocking).
 * Every function returns a negative errno on failure.
 */
#include <errno.h>
#include <fcntl.h>
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

SHMBOX_API int shmbox_mbox_stat(int fd, struct shmbox_mbox_stat *st)
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

SHMBOX_API int shmbox_mbox_send_to(int fd, int pid, const void *buf,
				   uint32_t len, unsigned int prio,
				   unsigned int flags, uint64_t deadline_ns)
{
	struct shmbox_mbox_send s;

	SHMBOX_ARG_INIT(&s);
	s.flags = wait_flags(flags, &deadline_ns);
	s.buf = (uintptr_t)buf;
	s.len = len;
	s.prio = prio;
	s.pid = pid;
	s.deadline_ns = deadline_ns;
	if (ioctl(fd, SHMBOX_IOC_MBOX_SEND, &s) < 0)
		return -errno;
	return 0;
}

SHMBOX_API int shmbox_mbox_send(int fd, const void *buf, uint32_t len,
				unsigned int prio, unsigned int flags,
				uint64_t deadline_ns)
{
	return shmbox_mbox_send_to(fd, 0, buf, len, prio, flags, deadline_ns);
}

SHMBOX_API int shmbox_mbox_recv_from(int fd, int from, void *buf,
				     uint32_t cap, unsigned int flags,
				     uint64_t deadline_ns,
				     struct shmbox_msg_info *info)
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
		info->len = r.len;
		info->prio = err ? 0 : r.prio;
		info->pid = err ? 0 : r.pid;
		info->uid = err ? 0 : r.uid;
	}
	return err ? err : (int)r.len;
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

static int mbox_vec(int fd, unsigned long cmd, int pid,
		    struct shmbox_mbox_msg *msgs, unsigned int count,
		    unsigned int flags, uint64_t deadline_ns)
{
	struct shmbox_mbox_vec v;
	int n;

	SHMBOX_ARG_INIT(&v);
	v.flags = wait_flags(flags, &deadline_ns);
	v.msgs = (uintptr_t)msgs;
	v.count = count;
	v.pid = pid;
	v.deadline_ns = deadline_ns;
	n = ioctl(fd, cmd, &v);
	return n < 0 ? -errno : n;
}

SHMBOX_API int shmbox_mbox_sendv(int fd, int pid,
				 const struct shmbox_mbox_msg *msgs,
				 unsigned int count, unsigned int flags,
				 uint64_t deadline_ns)
{
	return mbox_vec(fd, SHMBOX_IOC_MBOX_SENDV, pid,
			(struct shmbox_mbox_msg *)msgs, count, flags,
			deadline_ns);
}

SHMBOX_API int shmbox_mbox_recvv(int fd, int from,
				 struct shmbox_mbox_msg *msgs,
				 unsigned int count, unsigned int flags,
				 uint64_t deadline_ns)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		msgs[i].prio = 0;
		msgs[i].pid = 0;
		msgs[i].uid = 0;
	}
	if (from)
		flags |= SHMBOX_MSG_FROM;
	return mbox_vec(fd, SHMBOX_IOC_MBOX_RECVV, from, msgs, count, flags,
			deadline_ns);
}
