/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A page whose writes stall: the selftests put an ioctl's argument on it
 * to hold the call inside the kernel at its copy-out (userfaultfd in
 * write-protect mode), do something else meanwhile, then let it go on.
 * Needs a kernel with userfaultfd write-protection and a caller allowed
 * kernel-mode faults (root); wp_page_init() says when that is missing.
 */
#ifndef SHMBOX_SELFTEST_UFFD_UTIL_H
#define SHMBOX_SELFTEST_UFFD_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WP_PAGE_SIZE	4096UL

struct wp_page {
	int uffd;
	void *page;
};

/*
 * Map one zeroed page and register it for write-protect faults (not yet
 * protected: fill it, then wp_protect()).  0, or -errno: -ENOSYS or
 * -EOPNOTSUPP when the kernel cannot do it (the caller skips).
 */
static inline int wp_page_init(struct wp_page *w)
{
	struct uffdio_api api = {
		.api = UFFD_API, .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
	int err;

	w->page = MAP_FAILED;
	w->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (w->uffd < 0)
		return errno == EPERM ? -EPERM : -ENOSYS;
	if (ioctl(w->uffd, UFFDIO_API, &api) ||
	    !(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP)) {
		err = -EOPNOTSUPP;
		goto close_uffd;
	}
	w->page = mmap(NULL, WP_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (w->page == MAP_FAILED) {
		err = -errno;
		goto close_uffd;
	}
	memset(w->page, 0, WP_PAGE_SIZE);
	reg.range.start = (uintptr_t)w->page;
	reg.range.len = WP_PAGE_SIZE;
	if (ioctl(w->uffd, UFFDIO_REGISTER, &reg) ||
	    !(reg.ioctls & (1ULL << _UFFDIO_WRITEPROTECT))) {
		err = -EOPNOTSUPP;
		goto unmap_page;
	}
	return 0;

unmap_page:
	munmap(w->page, WP_PAGE_SIZE);
	w->page = MAP_FAILED;
close_uffd:
	close(w->uffd);
	w->uffd = -1;
	return err;
}

/* Protect the page (@on) or lift it, waking a stalled writer: 0 or -errno. */
static inline int wp_protect(struct wp_page *w, int on)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)w->page, .len = WP_PAGE_SIZE },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(w->uffd, UFFDIO_WRITEPROTECT, &wp) ? -errno : 0;
}

/* Wait up to @ms for a write fault on the page: 0, -ETIMEDOUT or -errno. */
static inline int wp_wait_fault(struct wp_page *w, int ms)
{
	struct pollfd pfd = { .fd = w->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, ms) != 1)
		return -ETIMEDOUT;
	if (read(w->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -errno;
	if (msg.event != UFFD_EVENT_PAGEFAULT ||
	    !(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP))
		return -EPROTO;
	return 0;
}

static inline void wp_page_fini(struct wp_page *w)
{
	if (w->page != MAP_FAILED)
		munmap(w->page, WP_PAGE_SIZE);
	if (w->uffd >= 0)
		close(w->uffd);
}

#endif /* SHMBOX_SELFTEST_UFFD_UTIL_H */
