/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the call-and-reply selftests (mbox_call.c, chaos.c):
 * the raw SHMBOX_IOC_MBOX_CALL, _REPLY, _REPLY_RECV and a receive that
 * reports a reply handle (struct shmbox_mbox_recv of version 2), each
 * returning 0 (or a length) or -errno, with the argument structures
 * filled in; the mailbox's stat through the raw ioctl; the monotonic
 * clock; and waiting until a mailbox holds or serves so many calls.
 *
 * The library's call functions are not used on purpose: these tests
 * check the kernel's ABI, field by field.
 */
#ifndef SHMBOX_SELFTEST_CALL_UTIL_H
#define SHMBOX_SELFTEST_CALL_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmbox.h>

#ifndef NS
#define NS	1000000000ULL
#endif

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static inline uint64_t after_ns(uint64_t ns)
{
	return mono_ns() + ns;
}

/* A call of @req (@len bytes) with a reply buffer, every other field 0. */
static inline struct shmbox_mbox_call call_arg(const void *req,
					       unsigned int len,
					       void *rbuf, unsigned int rlen,
					       uint64_t deadline)
{
	struct shmbox_mbox_call c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.buf = (uintptr_t)req;
	c.len = len;
	c.deadline_ns = deadline;
	c.reply_buf = (uintptr_t)rbuf;
	c.reply_len = rlen;
	return c;
}

static inline int call_ioctl(int fd, struct shmbox_mbox_call *c)
{
	return ioctl(fd, SHMBOX_IOC_MBOX_CALL, c) ? -errno : 0;
}

/*
 * Call the mailbox bound to @fd with the string @req; the reply, as a
 * string, in @rbuf (@cap bytes); the whole result in *@out if given.
 * 0 or -errno.
 */
static inline int call_str(int fd, const char *req, char *rbuf, size_t cap,
			   uint64_t deadline, struct shmbox_mbox_call *out)
{
	struct shmbox_mbox_call c = call_arg(req, strlen(req), rbuf, cap - 1,
					     deadline);
	int ret = call_ioctl(fd, &c);

	rbuf[ret == 0 && c.reply_len < cap ? c.reply_len : 0] = 0;
	if (out)
		*out = c;
	return ret;
}

/* A receive that can take a call (version-2 structure). */
static inline struct shmbox_mbox_recv recv_arg(void *buf, unsigned int len,
					       unsigned int flags,
					       uint64_t deadline)
{
	struct shmbox_mbox_recv r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.flags = flags;
	r.buf = (uintptr_t)buf;
	r.len = len;
	r.deadline_ns = deadline;
	return r;
}

/*
 * Receive into @buf; the length or -errno, everything else in *@out.
 * A @deadline of 0 (SHMBOX_NOWAIT) means SHMBOX_MSG_NONBLOCK, as in the
 * library: to the kernel it is a deadline long past (ETIMEDOUT).
 */
static inline int recv_msg(int fd, void *buf, unsigned int len,
			   unsigned int flags, uint64_t deadline,
			   struct shmbox_mbox_recv *out)
{
	struct shmbox_mbox_recv r = recv_arg(buf, len,
					     flags | (deadline ? 0 :
						      SHMBOX_MSG_NONBLOCK),
					     deadline);
	int ret = ioctl(fd, SHMBOX_IOC_MBOX_RECV, &r) ? -errno : (int)r.len;

	if (out)
		*out = r;
	return ret;
}

static inline struct shmbox_mbox_reply reply_arg(uint64_t handle,
						 const void *buf,
						 unsigned int len)
{
	struct shmbox_mbox_reply a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.handle = handle;
	a.buf = (uintptr_t)buf;
	a.len = len;
	return a;
}

static inline int reply_ioctl(int fd, struct shmbox_mbox_reply *a)
{
	return ioctl(fd, SHMBOX_IOC_MBOX_REPLY, a) ? -errno : 0;
}

/* Answer @handle with @len bytes of @buf: 0 or -errno. */
static inline int do_reply(int fd, uint64_t handle, const void *buf,
			   unsigned int len)
{
	struct shmbox_mbox_reply a = reply_arg(handle, buf, len);

	return reply_ioctl(fd, &a);
}

static inline int reply_str(int fd, uint64_t handle, const char *s)
{
	return do_reply(fd, handle, s, strlen(s));
}

/* Reply-and-receive: answer @handle (0: none) with @rbuf, then receive. */
static inline struct shmbox_mbox_reply_recv rr_arg(uint64_t handle,
						   const void *rbuf,
						   unsigned int rlen,
						   void *buf, unsigned int len,
						   unsigned int flags,
						   uint64_t deadline)
{
	struct shmbox_mbox_reply_recv a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = flags;
	a.reply_handle = handle;
	a.reply_buf = (uintptr_t)rbuf;
	a.reply_len = rlen;
	a.buf = (uintptr_t)buf;
	a.len = len;
	a.deadline_ns = deadline;
	return a;
}

/* The message's length, or -errno. */
static inline int rr_ioctl(int fd, struct shmbox_mbox_reply_recv *a)
{
	return ioctl(fd, SHMBOX_IOC_MBOX_REPLY_RECV, a) ? -errno : (int)a->len;
}

/* The whole stat through the raw ioctl; every byte 0xff if it failed. */
static inline struct shmbox_mbox_stat cstat(int fd)
{
	struct shmbox_mbox_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	if (ioctl(fd, SHMBOX_IOC_MBOX_STAT, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/* Wait (up to ~20 s) until @fd's mailbox has @waiting and @serving calls. */
static inline int wait_calls(int fd, unsigned int waiting,
			     unsigned int serving)
{
	for (int i = 0; i < 20000; i++) {
		struct shmbox_mbox_stat st = cstat(fd);

		if (st.calls_waiting == waiting && st.calls_serving == serving)
			return 0;
		usleep(1000);
	}
	return -1;
}

#endif /* SHMBOX_SELFTEST_CALL_UTIL_H */
