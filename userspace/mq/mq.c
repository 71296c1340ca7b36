// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox-mq: the POSIX message queue functions on shmbox mailboxes.
 *
 * A message queue descriptor (mqd_t) is an fd of /dev/shmbox, opened with
 * the queue's access mode (and O_NONBLOCK, close-on-exec as Linux's mq
 * fds) and bound to the mailbox whose name is the POSIX name itself: the
 * queue "/q" is the mailbox "/q" (ABI 1.5, SHMBOX_FEAT_MQ), which no
 * native name (they hold no '/') can ever be.  mq_maxmsg is the mailbox's
 * capacity, mq_msgsize its max_msg_size, mq_curmsgs its depth, mq_flags
 * the fd's O_NONBLOCK.  mq_unlink() removes the name only
 * (SHMBOX_UNLINK_KEEP): open descriptors go on working.  A send or a
 * receive is one ioctl: the kernel
 * checks the fd's access mode (EBADF), the message size (EMSGSIZE, with
 * SHMBOX_MSG_WHOLE for mq_receive()'s rule), follows O_NONBLOCK (EAGAIN)
 * and waits until an absolute CLOCK_REALTIME deadline
 * (SHMBOX_MSG_REALTIME, which follows clock jumps), so nothing is
 * converted or checked here but what Linux checks before its system
 * call does anything: the timeout's validity and the priority.
 *
 * Errors are POSIX's: -1 and errno (libshmbox-mq(3) lists each).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "shmbox-mq.h"

#ifndef SHMBOX_MQ_VERSION
#error "SHMBOX_MQ_VERSION is set by the Makefile (MQ_VER)"
#endif

/* Linux's defaults for a queue created without attributes. */
#define SMQ_DEFAULT_MAXMSG	10
#define SMQ_DEFAULT_MSGSIZE	8192

#define SMQ_NS	1000000000LL

SMQ_API const char *shmbox_mq_lib_version(void)
{
	return SHMBOX_MQ_VERSION;
}

/*
 * The checks Linux makes of a name (glibc: the leading '/'; the kernel:
 * the rest, as a file name in the mqueue file system): 0 or the errno.
 */
static int smq_check_name(const char *name)
{
	size_t len;

	if (name[0] != '/')
		return EINVAL;
	if (name[1] == '\0')
		return ENOENT;
	len = strlen(name + 1);
	if (len >= PATH_MAX)
		return ENAMETOOLONG;
	if (strchr(name + 1, '/'))
		return EACCES;
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	return 0;
}

/*
 * open(2) of /dev/shmbox.  No device (module not loaded) is ENOSYS, as
 * glibc's mq_open() says on a kernel without POSIX message queues: an
 * ENOENT would read as "no such queue".
 */
static int smq_dev_open(int flags)
{
	int fd = open(SHMBOX_DEVICE_PATH, flags | O_CLOEXEC);

	if (fd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV))
		errno = ENOSYS;
	return fd;
}

/*
 * The kernel refused a name or an argument as invalid: if the module is
 * older than ABI 1.5 (no POSIX names) that is ENOSYS, else EINVAL.
 */
static int smq_einval(int fd)
{
	struct shmbox_version v = { .size = sizeof(v) };

	if (ioctl(fd, SHMBOX_IOC_GET_VERSION, &v) == 0 &&
	    !(v.features & SHMBOX_FEAT_MQ))
		return ENOSYS;
	return EINVAL;
}

/*
 * mq_open()'s errno for a failed SHMBOX_IOC_MBOX_OPEN: the owner's object
 * quota (EDQUOT) is POSIX's "no space for the queue" (ENOSPC); a region
 * of that name (EMEDIUMTYPE) is a name that exists (EEXIST) for an
 * exclusive create, else one the caller may not open as a queue (EACCES).
 */
static int smq_open_errno(int fd, int err, int oflag)
{
	switch (err) {
	case EDQUOT:
		return ENOSPC;
	case EMEDIUMTYPE:
		return (oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) ?
			EEXIST : EACCES;
	case EINVAL:
		return smq_einval(fd);
	}
	return err;
}

/* Would Linux refuse @attr for a new queue?  (Only a new queue's count.) */
static int smq_attr_bad(const struct mq_attr *attr)
{
	return attr->mq_maxmsg <= 0 || attr->mq_msgsize <= 0 ||
	       (unsigned long)attr->mq_maxmsg > SHMBOX_MBOX_CAPACITY_MAX ||
	       (unsigned long)attr->mq_msgsize > UINT32_MAX;
}

/* Bind @fd to the mailbox @name as @o says: 0, or -1 and errno. */
static int smq_bind(int fd, const char *name, unsigned int flags,
		    unsigned int capacity, unsigned int msgsize, mode_t mode)
{
	struct shmbox_mbox_open o = {
		.size = sizeof(o), .flags = flags, .name = (uintptr_t)name,
		.capacity = capacity, .max_msg_size = msgsize,
		.mode = flags & SHMBOX_O_CREAT ? mode & 0777 : 0,
	};

	return ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o) < 0 ? -1 : 0;
}

static mqd_t smq_open(const char *name, int oflag, mode_t mode,
		      const struct mq_attr *attr)
{
	unsigned int capacity = 0, msgsize = 0, flags = 0;
	int fd, err, bad = 0;

	err = smq_check_name(name);
	if (err)
		return smq_fail(err);
	if ((oflag & O_ACCMODE) == O_ACCMODE)
		return smq_fail(EINVAL);
	if (oflag & O_CREAT) {
		flags = SHMBOX_O_CREAT | (oflag & O_EXCL ? SHMBOX_O_EXCL : 0);
		if (!attr) {
			capacity = SMQ_DEFAULT_MAXMSG;
			msgsize = SMQ_DEFAULT_MSGSIZE;
		} else if (smq_attr_bad(attr)) {
			bad = 1;
		} else {
			capacity = attr->mq_maxmsg;
			msgsize = attr->mq_msgsize;
		}
	}
	fd = smq_dev_open((oflag & O_ACCMODE) | (oflag & O_NONBLOCK));
	if (fd < 0)
		return -1;
	if (!bad && smq_bind(fd, name, flags, capacity, msgsize, mode) == 0)
		return fd;
	/*
	 * Linux looks at the attributes only when it creates the queue: an
	 * existing one opens whatever they say (and O_EXCL fails with
	 * EEXIST), a new one with bad attributes fails with EINVAL.  So
	 * attributes we or the kernel (above its max_msg_size, say) refuse
	 * are retried as an open of an existing mailbox.
	 */
	if (bad || (errno == EINVAL && (oflag & O_CREAT) && attr)) {
		if (smq_bind(fd, name, 0, 0, 0, 0) == 0) {
			if (!(oflag & O_EXCL))
				return fd;
			errno = EEXIST;
		} else if (errno == ENOENT) {
			errno = EINVAL;
		}
	}
	err = smq_open_errno(fd, errno, oflag);
	close(fd);
	return smq_fail(err);
}

SMQ_API mqd_t mq_open(const char *name, int oflag, ...)
{
	const struct mq_attr *attr = NULL;
	mode_t mode = 0;
	va_list ap;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		mode = va_arg(ap, mode_t);
		attr = va_arg(ap, const struct mq_attr *);
		va_end(ap);
	}
	return smq_open(name, oflag, mode, attr);
}

/* glibc's fortified mq_open() with two arguments comes here. */
SMQ_API mqd_t __mq_open_2(const char *name, int oflag)
{
	static const char msg[] =
		"libshmbox-mq: invalid mq_open call: O_CREAT without mode and attr\n";

	if (oflag & O_CREAT) {
		(void)(write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0);
		abort();
	}
	return smq_open(name, oflag, 0, NULL);
}

SMQ_API int mq_close(mqd_t mqd)
{
	/* First: a closed fd's number may be reused by another mq_open(). */
	smq_notify_forget(mqd);
	return close(mqd);
}

SMQ_API int mq_unlink(const char *name)
{
	/*
	 * The name only: the queue lives on for the descriptors open on it
	 * until the last is closed, as POSIX says.
	 */
	struct shmbox_unlink u = {
		.size = sizeof(u), .kind = SHMBOX_KIND_MAILBOX,
		.name = (uintptr_t)name, .flags = SHMBOX_UNLINK_KEEP,
	};
	int fd, err;

	err = smq_check_name(name);
	if (err)
		return smq_fail(err);
	fd = smq_dev_open(O_RDONLY);
	if (fd < 0)
		return -1;
	err = ioctl(fd, SHMBOX_IOC_UNLINK, &u) < 0 ? errno : 0;
	/* Neither owner nor creator is POSIX's EACCES; a region's name, none. */
	if (err == EPERM)
		err = EACCES;
	else if (err == EMEDIUMTYPE)
		err = ENOENT;
	else if (err == EINVAL)
		err = smq_einval(fd);
	close(fd);
	return err ? smq_fail(err) : 0;
}

/* mq_getattr() (@nattr NULL) and mq_setattr(), as Linux's mq_getsetattr. */
static int smq_getsetattr(mqd_t mqd, const struct mq_attr *nattr,
			  struct mq_attr *oattr)
{
	struct shmbox_mbox_stat st = { .size = sizeof(st) };
	int fl;

	if (nattr && (nattr->mq_flags & ~(long)O_NONBLOCK))
		return smq_fail(EINVAL);
	if (ioctl(mqd, SHMBOX_IOC_MBOX_STAT, &st) < 0)
		return smq_fail(smq_fd_errno(errno));
	fl = fcntl(mqd, F_GETFL);
	if (fl < 0)
		return -1;
	if (oattr) {
		memset(oattr, 0, sizeof(*oattr));
		oattr->mq_flags = fl & O_NONBLOCK;
		oattr->mq_maxmsg = st.capacity;
		oattr->mq_msgsize = st.max_msg_size;
		oattr->mq_curmsgs = st.depth;
	}
	/* The open file description's flag: shared by dup() and fork(). */
	if (nattr && (fl & O_NONBLOCK) != (nattr->mq_flags & O_NONBLOCK) &&
	    fcntl(mqd, F_SETFL, (fl & ~O_NONBLOCK) |
		  (int)(nattr->mq_flags & O_NONBLOCK)) < 0)
		return -1;
	return 0;
}

SMQ_API int mq_getattr(mqd_t mqd, struct mq_attr *attr)
{
	return smq_getsetattr(mqd, NULL, attr);
}

SMQ_API int mq_setattr(mqd_t mqd, const struct mq_attr *nattr,
		       struct mq_attr *oattr)
{
	return smq_getsetattr(mqd, nattr, oattr);
}

/*
 * An abs_timeout (@sec, @nsec if @have) as the deadline and flags of an
 * ioctl: none waits forever (as Linux), a time is CLOCK_REALTIME
 * (SHMBOX_MSG_REALTIME), one beyond the kernel's time range (year 2262)
 * forever too, as Linux clamps it.  Linux checks the timeout before
 * anything else, also when the call would not have to wait: EINVAL for
 * tv_nsec outside [0, 1e9) or a negative tv_sec.  0 or the errno.
 */
static int smq_deadline(int have, int64_t sec, long nsec, __u64 *deadline,
			__u32 *flags)
{
	*deadline = SHMBOX_TIMEOUT_NONE;
	if (!have)
		return 0;
	if (sec < 0 || nsec < 0 || nsec >= SMQ_NS)
		return EINVAL;
	if (sec > (INT64_MAX - nsec) / SMQ_NS)
		return 0;
	*deadline = (uint64_t)sec * SMQ_NS + (uint64_t)nsec;
	*flags |= SHMBOX_MSG_REALTIME;
	return 0;
}

/*
 * One SHMBOX_IOC_MBOX_SEND, after the checks Linux makes first.
 * Version 0 of the structures (up to @deadline_ns) is all a queue needs:
 * the kernel zero-extends it, and copies fewer bytes each way.
 */
static int smq_send(mqd_t mqd, const char *ptr, size_t len,
		    unsigned int prio, int have, int64_t sec, long nsec)
{
	struct shmbox_mbox_send s = {
		.size = SHMBOX_MBOX_SEND_SIZE_VER0, .buf = (uintptr_t)ptr,
		.len = (uint32_t)len, .prio = prio,
	};
	int err = smq_deadline(have, sec, nsec, &s.deadline_ns, &s.flags);

	if (err)
		return smq_fail(err);
	if (prio >= SHMBOX_MSG_PRIO_MAX)
		return smq_fail(EINVAL);
	if (len > UINT32_MAX)
		return smq_fail(EMSGSIZE);
	if (ioctl(mqd, SHMBOX_IOC_MBOX_SEND, &s) < 0)
		return smq_fail(smq_fd_errno(errno));
	return 0;
}

/* One SHMBOX_IOC_MBOX_RECV, whole-buffer rule (EMSGSIZE below msgsize). */
static ssize_t smq_receive(mqd_t mqd, char *ptr, size_t len,
			   unsigned int *prio, int have, int64_t sec,
			   long nsec)
{
	struct shmbox_mbox_recv r = {
		.size = SHMBOX_MBOX_RECV_SIZE_VER0, .flags = SHMBOX_MSG_WHOLE,
		.buf = (uintptr_t)ptr,
		.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
	};
	int err = smq_deadline(have, sec, nsec, &r.deadline_ns, &r.flags);

	if (err)
		return smq_fail(err);
	if (ioctl(mqd, SHMBOX_IOC_MBOX_RECV, &r) < 0)
		return smq_fail(smq_fd_errno(errno));
	if (prio)
		*prio = r.prio;
	return r.len;
}

SMQ_API int mq_send(mqd_t mqd, const char *ptr, size_t len, unsigned int prio)
{
	return smq_send(mqd, ptr, len, prio, 0, 0, 0);
}

SMQ_API ssize_t mq_receive(mqd_t mqd, char *ptr, size_t len,
			   unsigned int *prio)
{
	return smq_receive(mqd, ptr, len, prio, 0, 0, 0);
}

/*
 * <mqueue.h> declares abs_timeout nonnull; the library is built with
 * -fno-delete-null-pointer-checks and tests the pointer in these static
 * helpers, whose parameter is not so declared, so that NULL still means
 * "no timeout" as in Linux.
 */
static int smq_timedsend(mqd_t mqd, const char *ptr, size_t len,
			 unsigned int prio, const struct timespec *ts)
{
	return smq_send(mqd, ptr, len, prio, ts != NULL,
			ts ? ts->tv_sec : 0, ts ? ts->tv_nsec : 0);
}

static ssize_t smq_timedreceive(mqd_t mqd, char *ptr, size_t len,
				unsigned int *prio, const struct timespec *ts)
{
	return smq_receive(mqd, ptr, len, prio, ts != NULL,
			   ts ? ts->tv_sec : 0, ts ? ts->tv_nsec : 0);
}

SMQ_API int mq_timedsend(mqd_t mqd, const char *ptr, size_t len,
			 unsigned int prio, const struct timespec *ts)
{
	return smq_timedsend(mqd, ptr, len, prio, ts);
}

SMQ_API ssize_t mq_timedreceive(mqd_t mqd, char *restrict ptr, size_t len,
				unsigned int *restrict prio,
				const struct timespec *restrict ts)
{
	return smq_timedreceive(mqd, ptr, len, prio, ts);
}

#if __TIMESIZE == 32
/*
 * 32-bit glibc: a program built with _TIME_BITS=64 calls these instead
 * (<mqueue.h> redirects mq_timed*() to them), with glibc's 64-bit
 * timespec: a 64-bit tv_sec, a 32-bit tv_nsec and 32 bits of padding
 * that are not looked at.  Without them such a program would reach
 * libc's, the kernel's mqueue, with a shmbox fd.
 */
struct smq_timespec64 {
	int64_t tv_sec;
	int32_t tv_nsec;
	int32_t pad;
};

SMQ_API int __mq_timedsend_time64(mqd_t mqd, const char *ptr, size_t len,
				  unsigned int prio,
				  const struct smq_timespec64 *ts);
SMQ_API ssize_t __mq_timedreceive_time64(mqd_t mqd, char *ptr, size_t len,
					 unsigned int *prio,
					 const struct smq_timespec64 *ts);

SMQ_API int __mq_timedsend_time64(mqd_t mqd, const char *ptr, size_t len,
				  unsigned int prio,
				  const struct smq_timespec64 *ts)
{
	return smq_send(mqd, ptr, len, prio, ts != NULL,
			ts ? ts->tv_sec : 0, ts ? ts->tv_nsec : 0);
}

SMQ_API ssize_t __mq_timedreceive_time64(mqd_t mqd, char *ptr, size_t len,
					 unsigned int *prio,
					 const struct smq_timespec64 *ts)
{
	return smq_receive(mqd, ptr, len, prio, ts != NULL,
			   ts ? ts->tv_sec : 0, ts ? ts->tv_nsec : 0);
}
#endif

SMQ_API int mq_notify(mqd_t mqd, const struct sigevent *sev)
{
	return smq_notify(mqd, sev);
}
