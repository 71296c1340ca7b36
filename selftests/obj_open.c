// SPDX-License-Identifier: GPL-2.0
/*
 * obj_open: what one open ioctl may do to another.  An open that fails
 * late (its copy-out faults, or it asks a plain region for a ring role)
 * must not remove an auto-remove object whose creator is still between
 * naming it and binding; an open that loses the race to bind a file must
 * not change that file's role; a ring role claimed by an open that then
 * fails must not look, to the peer, like a peer that came and went.
 *
 * The first two hold an open inside the kernel at its copy-out by putting
 * its argument on a write-protected userfaultfd page (uffd_util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"
#include "uffd_util.h"

#define PG 4096UL

/* An open ioctl run in a thread, so that it can stall at its copy-out. */
struct stalled_open {
	pthread_t thread;
	int fd;
	unsigned long cmd;
	void *arg;
	int ret;			/* 0 or -errno, once joined */
};

static void *stalled_open_run(void *p)
{
	struct stalled_open *so = p;

	so->ret = ioctl(so->fd, so->cmd, so->arg) ? -errno : 0;
	return NULL;
}

FIXTURE(wp) {
	struct wp_page w;
	char name[64];
};

FIXTURE_SETUP(wp)
{
	int err = wp_page_init(&self->w);

	if (err)
		SKIP(return, "no userfaultfd write-protection: %s",
		     strerror(-err));
	snprintf(self->name, sizeof(self->name), "objopen-%d", getpid());
}

FIXTURE_TEARDOWN(wp)
{
	wp_page_fini(&self->w);
}

/*
 * Start @so (its argument on the fixture's page, protected) and wait until
 * it stalls writing its result back: the object is named, not yet bound.
 */
static void stall_open(struct __test_metadata *_metadata, struct wp_page *w,
		       struct stalled_open *so)
{
	ASSERT_EQ(0, wp_protect(w, 1));
	ASSERT_EQ(0, pthread_create(&so->thread, NULL, stalled_open_run, so));
	ASSERT_EQ(0, wp_wait_fault(w, 20000));
}

static void release_open(struct __test_metadata *_metadata, struct wp_page *w,
			 struct stalled_open *so)
{
	ASSERT_EQ(0, wp_protect(w, 0));
	ASSERT_EQ(0, pthread_join(so->thread, NULL));
}

/*
 * An open ioctl on a new fd whose argument (@len bytes of @arg) sits on
 * a read-only page: the kernel reads it, and its copy-out faults.
 * Returns 0 or -errno.
 */
static int open_readonly_arg(unsigned long cmd, const void *arg, size_t len)
{
	void *page = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd, ret = -ENOMEM;

	if (page == MAP_FAILED)
		return ret;
	memcpy(page, arg, len);
	fd = open(SHMBOX_DEVICE_PATH, O_RDWR);
	if (!mprotect(page, PG, PROT_READ) && fd >= 0)
		ret = ioctl(fd, cmd, page) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	munmap(page, PG);
	return ret;
}

static int region_open_ioctl(int fd, const char *name, uint32_t flags,
			     uint64_t bytes, struct shmbox_region_open *uo)
{
	memset(uo, 0, sizeof(*uo));
	uo->size = sizeof(*uo);
	uo->flags = flags;
	uo->name = (uintptr_t)name;
	uo->bytes = bytes;
	uo->mode = 0600;
	return ioctl(fd, SHMBOX_IOC_REGION_OPEN, uo) ? -errno : 0;
}

/* Bug 1, region: a ring role asked of a plain region fails after the find. */
TEST_F(wp, late_failure_keeps_creators_autoremove_region)
{
	struct shmbox_region_open *uo = self->w.page, other;
	struct shmbox_region_stat st = { .size = sizeof(st) };
	struct stalled_open so = { .cmd = SHMBOX_IOC_REGION_OPEN, .arg = uo };
	int fd_b, fd_c;

	so.fd = open(SHMBOX_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, so.fd);
	*uo = (struct shmbox_region_open){
		.size = sizeof(*uo), .name = (uintptr_t)self->name,
		.flags = SHMBOX_O_CREAT | SHMBOX_O_EXCL | SHMBOX_O_AUTOREMOVE,
		.bytes = PG, .mode = 0600,
	};
	stall_open(_metadata, &self->w, &so);

	fd_b = open(SHMBOX_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, fd_b);
	EXPECT_EQ(-EINVAL, region_open_ioctl(fd_b, self->name,
					     SHMBOX_RING_PRODUCER, 0, &other));
	close(fd_b);

	release_open(_metadata, &self->w, &so);
	ASSERT_EQ(0, so.ret);
	ASSERT_EQ(0, ioctl(so.fd, SHMBOX_IOC_REGION_STAT, &st));
	EXPECT_EQ(1, st.obj.linked);
	EXPECT_EQ(1, st.obj.users);
	fd_c = shmbox_region_open(self->name, 0, 0, 0, 1);
	EXPECT_LE(0, fd_c);
	if (fd_c >= 0)
		close(fd_c);
	close(so.fd);
	/* The creator was the last user: now the name goes. */
	EXPECT_EQ(-ENOENT, shmbox_region_open(self->name, 0, 0, 0, 1));
}

/* Bug 1, mailbox: another opener's copy-out faults (read-only argument). */
TEST_F(wp, late_failure_keeps_creators_autoremove_mailbox)
{
	struct shmbox_mbox_open *mo = self->w.page, ro;
	struct stalled_open so = { .cmd = SHMBOX_IOC_MBOX_OPEN, .arg = mo };
	char buf[8] = "x";

	so.fd = open(SHMBOX_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, so.fd);
	*mo = (struct shmbox_mbox_open){
		.size = sizeof(*mo), .name = (uintptr_t)self->name,
		.flags = SHMBOX_O_CREAT | SHMBOX_O_EXCL | SHMBOX_O_AUTOREMOVE,
		.capacity = 4, .mode = 0600,
	};
	stall_open(_metadata, &self->w, &so);

	ro = (struct shmbox_mbox_open){
		.size = sizeof(ro), .name = (uintptr_t)self->name,
	};
	EXPECT_EQ(-EFAULT, open_readonly_arg(SHMBOX_IOC_MBOX_OPEN, &ro,
					     sizeof(ro)));

	release_open(_metadata, &self->w, &so);
	ASSERT_EQ(0, so.ret);
	/* Not killed: the creator's mailbox still carries messages. */
	EXPECT_EQ(1, write(so.fd, buf, 1));
	EXPECT_EQ(1, read(so.fd, buf, sizeof(buf)));
	close(so.fd);
}

/* Bug 2: the open that loses the race to bind a file leaves its role alone. */
TEST_F(wp, losing_open_does_not_change_the_files_role)
{
	struct shmbox_region_open *uo = self->w.page, win;
	struct shmbox_region_stat st = { .size = sizeof(st) };
	struct stalled_open so = { .cmd = SHMBOX_IOC_REGION_OPEN, .arg = uo };
	int creator, fd_p;

	creator = shmbox_region_open(self->name, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
				     SHMBOX_O_AUTOREMOVE | SHMBOX_REGION_RING,
				     PG, 0600, 1);
	ASSERT_LE(0, creator);
	so.fd = open(SHMBOX_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, so.fd);
	*uo = (struct shmbox_region_open){
		.size = sizeof(*uo), .name = (uintptr_t)self->name,
		.flags = SHMBOX_RING_CONSUMER,
	};
	/* Stalled after claiming the consumer role, before binding. */
	stall_open(_metadata, &self->w, &so);
	/* Meanwhile the same file binds as the producer. */
	ASSERT_EQ(0, region_open_ioctl(so.fd, self->name, SHMBOX_RING_PRODUCER,
				       0, &win));
	release_open(_metadata, &self->w, &so);
	EXPECT_EQ(-EBUSY, so.ret);

	/* The file is the producer: closing it frees exactly that role. */
	close(so.fd);
	ASSERT_EQ(0, ioctl(creator, SHMBOX_IOC_REGION_STAT, &st));
	EXPECT_EQ(0, st.producers);
	EXPECT_EQ(0, st.consumers);
	fd_p = shmbox_region_open(self->name, SHMBOX_RING_PRODUCER, 0, 0, 1);
	EXPECT_LE(0, fd_p);
	if (fd_p >= 0)
		close(fd_p);
	close(creator);
}

/* Bug 3: a producer open that fails late is not a producer that went. */
TEST(failed_producer_open_is_no_peer_gone)
{
	struct shmbox_ring_wait w = {
		.size = sizeof(w), .flags = SHMBOX_RING_DATA | SHMBOX_RING_NONBLOCK,
		.deadline_ns = SHMBOX_TIMEOUT_NONE,
	};
	struct pollfd pfd = { .events = POLLIN };
	struct shmbox_region_open ro;
	char name[64];
	int cons, prod;

	snprintf(name, sizeof(name), "objopen-hup-%d", getpid());
	cons = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
				  SHMBOX_REGION_RING | SHMBOX_RING_CONSUMER,
				  PG, 0600, 1);
	ASSERT_LE(0, cons);
	ro = (struct shmbox_region_open){
		.size = sizeof(ro), .name = (uintptr_t)name,
		.flags = SHMBOX_RING_PRODUCER,
	};
	EXPECT_EQ(-EFAULT, open_readonly_arg(SHMBOX_IOC_REGION_OPEN, &ro,
					     sizeof(ro)));

	/* No producer ever bound: the consumer just has nothing yet. */
	pfd.fd = cons;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(-1, ioctl(cons, SHMBOX_IOC_RING_WAIT, &w));
	EXPECT_EQ(EAGAIN, errno);

	/* A producer that did bind and went is EPIPE, as before. */
	prod = shmbox_region_open(name, SHMBOX_RING_PRODUCER, 0, 0, 1);
	ASSERT_LE(0, prod);
	close(prod);
	EXPECT_EQ(-1, ioctl(cons, SHMBOX_IOC_RING_WAIT, &w));
	EXPECT_EQ(EPIPE, errno);
	close(cons);
}

TEST_HARNESS_MAIN
