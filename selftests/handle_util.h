/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests of handles in messages (ABI 1.4,
 * SHMBOX_FEAT_HANDLES: mbox_handles.c, chaos.c, infoleak.c): the raw
 * send and receive with a handle array, each returning 0 (or a length)
 * or -errno with the structure written back; binding an fd of a chosen
 * access mode to a region or ring; SHMBOX_IOC_RING_CLAIM; the process's
 * own fds (how many are open, whether one is, its close-on-exec flag,
 * the lowest free ones, RLIMIT_NOFILE set so that only so many are
 * free); and two independent ways to see that regions were freed:
 * waiting until anonymous regions are gone from /proc/shmbox, and the
 * region bytes the caller's IPC namespace holds, from its
 * max_total_bytes accounting (exact in a namespace of the test's own,
 * unshare(CLONE_NEWIPC)).
 *
 * The library's send and receive are not used for handles on purpose:
 * these tests check the kernel's ABI, field by field.
 */
#ifndef SHMBOX_SELFTEST_HANDLE_UTIL_H
#define SHMBOX_SELFTEST_HANDLE_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/shmbox.h>

#include "proc_util.h"
#include "util.h"

#ifndef FOREVER
#define FOREVER	SHMBOX_TIMEOUT_NONE
#endif

/* The access a received handle reports for an O_RDWR / O_RDONLY fd. */
#define H_RW	(SHMBOX_HANDLE_READ | SHMBOX_HANDLE_WRITE)
#define H_RO	SHMBOX_HANDLE_READ

/* One entry of a send's handle array. */
static inline struct shmbox_handle hent(int fd, unsigned int flags)
{
	struct shmbox_handle h;

	memset(&h, 0, sizeof(h));
	h.fd = fd;
	h.flags = flags;
	return h;
}

/* A send of @len bytes of @buf carrying @nh handles of @h, no deadline. */
static inline struct shmbox_mbox_send hsend_arg(const void *buf,
						unsigned int len,
						unsigned int flags,
						const struct shmbox_handle *h,
						unsigned int nh)
{
	struct shmbox_mbox_send s;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = flags;
	s.buf = (uintptr_t)buf;
	s.len = len;
	s.deadline_ns = FOREVER;
	s.handles = (uintptr_t)h;
	s.nr_handles = nh;
	return s;
}

static inline int hsend_ioctl(int fd, struct shmbox_mbox_send *s)
{
	return ioctl(fd, SHMBOX_IOC_MBOX_SEND, s) ? -errno : 0;
}

/* Send to the mailbox bound to @fd: 0 or -errno. */
static inline int hsend(int fd, const void *buf, unsigned int len,
			unsigned int flags, const struct shmbox_handle *h,
			unsigned int nh)
{
	struct shmbox_mbox_send s = hsend_arg(buf, len, flags, h, nh);

	return hsend_ioctl(fd, &s);
}

/* A receive into @buf (@cap bytes) with room for @nh handles in @h. */
static inline struct shmbox_mbox_recv hrecv_arg(void *buf, unsigned int cap,
						unsigned int flags,
						struct shmbox_handle *h,
						unsigned int nh)
{
	struct shmbox_mbox_recv r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.flags = flags;
	r.buf = (uintptr_t)buf;
	r.len = cap;
	r.deadline_ns = FOREVER;
	r.handles = (uintptr_t)h;
	r.nr_handles = nh;
	return r;
}

/* The message's length, or -errno. */
static inline int hrecv_ioctl(int fd, struct shmbox_mbox_recv *r)
{
	return ioctl(fd, SHMBOX_IOC_MBOX_RECV, r) ? -errno : (int)r->len;
}

/* Receive (or peek at) one message; its length or -errno, all in *@out. */
static inline int hrecv(int fd, void *buf, unsigned int cap,
			unsigned int flags, struct shmbox_handle *h,
			unsigned int nh, struct shmbox_mbox_recv *out)
{
	struct shmbox_mbox_recv r = hrecv_arg(buf, cap, flags, h, nh);
	int ret = hrecv_ioctl(fd, &r);

	if (out)
		*out = r;
	return ret;
}

/* Close the fds a receive installed (@h[0..@n)); -1 entries are skipped. */
static inline void close_handles(const struct shmbox_handle *h, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (h[i].fd >= 0)
			close(h[i].fd);
}

/*
 * Open /dev/shmbox with @access (O_RDWR, O_RDONLY) and bind it with
 * SHMBOX_IOC_REGION_OPEN: @flags, @name (NULL: anonymous), @bytes, mode
 * 0600.  The fd (close-on-exec), or -errno.
 */
static inline int region_fd(const char *name, unsigned int flags,
			    uint64_t bytes, int access)
{
	struct shmbox_region_open o;
	int fd = open(SHMBOX_DEVICE_PATH, access | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.flags = flags;
	o.name = (uintptr_t)name;
	o.bytes = bytes;
	o.mode = 0600;
	if (ioctl(fd, SHMBOX_IOC_REGION_OPEN, &o)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* SHMBOX_IOC_RING_CLAIM of @flags on @fd: 0 or -errno. */
static inline int ring_claim(int fd, unsigned int flags)
{
	struct shmbox_ring_claim c = { .size = sizeof(c), .flags = flags };

	return ioctl(fd, SHMBOX_IOC_RING_CLAIM, &c) ? -errno : 0;
}

/* The region's stat through the raw ioctl; every byte 0xff if it failed. */
static inline struct shmbox_region_stat rstat(int fd)
{
	struct shmbox_region_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	if (ioctl(fd, SHMBOX_IOC_REGION_STAT, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/* ---- the process's fds ---------------------------------------------------- */

/* Open fds of this process (entries of /proc/self/fd), or -1. */
static inline int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;		/* the directory's own fd */
}

static inline int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* FD_CLOEXEC of @fd (0 or FD_CLOEXEC), or -1 if it is not open. */
static inline int fd_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl < 0 ? -1 : fl & FD_CLOEXEC;
}

/* The @nth (0: the lowest) fd number that is not open. */
static inline int nth_free_fd(int nth)
{
	for (int fd = 0;; fd++)
		if (!fd_is_open(fd) && nth-- == 0)
			return fd;
}

/*
 * Lower RLIMIT_NOFILE so that exactly @nfree fds can still be opened
 * (the lowest free numbers); the limit as it was in *@old.  0, or -1.
 */
static inline int limit_free_fds(int nfree, struct rlimit *old)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, old))
		return -1;
	rl = *old;
	rl.rlim_cur = nfree ? nth_free_fd(nfree - 1) + 1 : nth_free_fd(0);
	return setrlimit(RLIMIT_NOFILE, &rl) ? -1 : 0;
}

/* ---- objects gone ---------------------------------------------------------- */

/*
 * Wait (up to ~5 s) until /proc/shmbox lists @n anonymous regions of
 * @bytes made by @cpid (0: anyone); 0, or -1 (the last count in *@seen
 * if given: -1 at once if the file cannot be read or parsed).
 */
static inline int wait_anon_regions(pid_t cpid, unsigned long long bytes,
				    int n, int *seen)
{
	int c = -1;

	for (int i = 0; i < 5000; i++) {
		c = proc_count_anon("region", cpid, bytes);
		if (c == n || c < 0)
			break;
		usleep(1000);
	}
	if (seen)
		*seen = c;
	return c == n ? 0 : -1;
}

/*
 * Whether the regions of the caller's IPC namespace hold exactly @used
 * bytes (a multiple of the page size), as max_total_bytes counts them:
 * with that parameter set to @used plus a page, one page more can be
 * created and, while it is held, not a second.  Waits up to ~5 s for it
 * (the last holder frees a region); 0, or -1 (the parameter restored).
 */
static inline int ns_region_bytes_are(unsigned long used)
{
	unsigned long old, pg = sysconf(_SC_PAGESIZE);
	int ok = 0, fd1, fd2;

	if (param_swap("max_total_bytes", used + pg, &old))
		return -1;
	for (int i = 0; i < 5000 && !ok; i++) {
		fd1 = region_fd(NULL, SHMBOX_O_CREAT, pg, O_RDWR);
		fd2 = fd1 < 0 ? -1 : region_fd(NULL, SHMBOX_O_CREAT, pg, O_RDWR);
		ok = fd1 >= 0 && fd2 == -ENOSPC;
		if (fd2 >= 0)
			close(fd2);
		if (fd1 >= 0)
			close(fd1);
		if (!ok)
			usleep(1000);
	}
	param_set("max_total_bytes", old);
	return ok ? 0 : -1;
}

#endif /* SHMBOX_SELFTEST_HANDLE_UTIL_H */
