// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_handles: handles in messages (ABI 1.4, SHMBOX_FEAT_HANDLES)
 * through the raw ioctls, one behaviour or error per subtest.
 *
 * A region's handle received is a new fd of a new open file description
 * of the same memory, close-on-exec unless SHMBOX_MSG_NOCLOEXEC, with
 * the sender's access and never more, the sender's fd untouched unless
 * moved; a ring's carries no role (SHMBOX_IOC_RING_CLAIM and its
 * errors); SHMBOX_HANDLE_MOVE closes only after a send that succeeded.
 * All or nothing both ways: every refused send (each bad handle, a full
 * mailbox, a deadline) queues nothing, closes nothing and leaks no
 * reference (the region goes with its fd afterwards); every refused
 * receive (array too small, not writable, payload too small, no fd free
 * under RLIMIT_NOFILE) installs nothing and leaves the message; a peek
 * installs nothing; receives that cannot report handles (read(2), older
 * structures) drop them.  Vectors carry handles per entry; call and
 * reply carry them both ways (the reply's fds reserved before the
 * request is sent: EMFILE sends nothing; a refused reply still leaves
 * the call answerable; a parked call keeps its reply's handles for the
 * resume, or they go with the caller).  Handles never received go with
 * their message (the mailbox unlinked or closed, the inbox's process
 * gone) and free the region; an auto-remove region keeps its name
 * meanwhile.
 * Stat's handles and charged, /proc/shmbox's handles column; handles
 * across fork, and a ring whose consumer gets it by handle.
 *
 * Leaks are counted, not guessed: the entries of /proc/self/fd before
 * and after, the anonymous regions /proc/shmbox lists (by creator pid
 * and size), and the region bytes of the IPC namespace each test makes
 * its own (max_total_bytes' accounting).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"
#include "call_util.h"
#include "proc_util.h"
#include "handle_util.h"

/* The same layout for every ABI (the M32 suite runs this too). */
_Static_assert(sizeof(struct shmbox_handle) == SHMBOX_HANDLE_SIZE, "handle");
_Static_assert(offsetof(struct shmbox_handle, bytes) == 8, "handle bytes");
_Static_assert(offsetof(struct shmbox_mbox_send, handles) ==
	       SHMBOX_MBOX_SEND_SIZE_VER1, "send handles");
_Static_assert(sizeof(struct shmbox_mbox_send) == SHMBOX_MBOX_SEND_SIZE_VER2,
	       "send");
_Static_assert(offsetof(struct shmbox_mbox_recv, handles) ==
	       SHMBOX_MBOX_RECV_SIZE_VER2, "recv handles");
_Static_assert(sizeof(struct shmbox_mbox_recv) == SHMBOX_MBOX_RECV_SIZE_VER3,
	       "recv");
_Static_assert(offsetof(struct shmbox_mbox_msgx, handles) ==
	       SHMBOX_MBOX_MSGX_SIZE_VER2, "msgx handles");
_Static_assert(sizeof(struct shmbox_mbox_msgx) == SHMBOX_MBOX_MSGX_SIZE_VER3,
	       "msgx");
_Static_assert(offsetof(struct shmbox_mbox_call, handles) ==
	       SHMBOX_MBOX_CALL_SIZE_VER0, "call handles");
_Static_assert(sizeof(struct shmbox_mbox_call) == SHMBOX_MBOX_CALL_SIZE_VER1,
	       "call");
_Static_assert(offsetof(struct shmbox_mbox_reply, handles) ==
	       SHMBOX_MBOX_REPLY_SIZE_VER0, "reply handles");
_Static_assert(sizeof(struct shmbox_mbox_reply) == SHMBOX_MBOX_REPLY_SIZE_VER1,
	       "reply");
_Static_assert(offsetof(struct shmbox_mbox_reply_recv, handles) ==
	       SHMBOX_MBOX_REPLY_RECV_SIZE_VER0, "reply_recv handles");
_Static_assert(sizeof(struct shmbox_mbox_reply_recv) ==
	       SHMBOX_MBOX_REPLY_RECV_SIZE_VER1, "reply_recv");
_Static_assert(offsetof(struct shmbox_mbox_stat, handles) ==
	       SHMBOX_MBOX_STAT_SIZE_VER2, "stat handles");
_Static_assert(sizeof(struct shmbox_mbox_stat) == SHMBOX_MBOX_STAT_SIZE_VER3,
	       "stat");

#define PG		4096UL
#define RB		(3 * PG)	/* the fixtures' region */
#define RB2		(2 * PG)	/* a second region */
#define RB_FREED	(7 * PG)	/* regions whose freeing is watched */
#define RING_BYTES	(4 * PG)
#define HMAX		SHMBOX_MSG_HANDLES_MAX
#define SOON		(10 * NS)	/* a blocking step's deadline */
#define PAT		0xa5

/* An anonymous region of @bytes, O_RDWR, mapped, "@text" at its start. */
static int filled_region(uint64_t bytes, const char *text, char **map)
{
	int fd = region_fd(NULL, SHMBOX_O_CREAT, bytes, O_RDWR);
	char *p;

	if (fd < 0)
		return fd;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}
	strcpy(p, text);
	if (map)
		*map = p;
	else
		munmap(p, bytes);
	return fd;
}

/* The region's first bytes through a new read-only mapping of @fd. */
static int read_region(int fd, uint64_t bytes, char *out, size_t cap)
{
	char *p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	snprintf(out, cap, "%s", p);
	munmap(p, bytes);
	return 0;
}

/* Assert that a received handle maps @bytes starting with @text. */
#define expect_region(h, bytes, flags, text) \
	__expect_region(_metadata, __LINE__, (h), (bytes), (flags), (text))

static void __expect_region(struct __test_metadata *_metadata, int line,
			    const struct shmbox_handle *h, uint64_t bytes,
			    unsigned int flags, const char *text)
{
	char got[64];

	EXPECT_LE(0, h->fd) TH_LOG("line %d", line);
	EXPECT_EQ(flags, h->flags) TH_LOG("line %d", line);
	EXPECT_EQ(bytes, h->bytes) TH_LOG("line %d", line);
	if (h->fd < 0)
		return;
	EXPECT_EQ(0, read_region(h->fd, bytes, got, sizeof(got)))
		TH_LOG("line %d", line);
	EXPECT_STREQ(text, got) TH_LOG("line %d", line);
}

/* What a mailbox holds: depth, handles, nothing else checked. */
#define expect_queued(fd, depth, nh) \
	__expect_queued(_metadata, __LINE__, (fd), (depth), (nh))

static void __expect_queued(struct __test_metadata *_metadata, int line,
			    int fd, unsigned int depth, unsigned int nh)
{
	struct shmbox_mbox_stat st = cstat(fd);

	EXPECT_EQ(depth, st.depth) TH_LOG("depth, line %d", line);
	EXPECT_EQ(nh, st.handles) TH_LOG("handles, line %d", line);
}

/*
 * The fixtures: an IPC namespace of the test's own, in it a fresh named
 * unbounded mailbox (mb, mode 0600), an anonymous region of RB bytes
 * (rfd, O_RDWR) mapped at map with "first" at its start, and a second
 * of RB2 (r2) with "second".  One macro, as each table needs a fixture
 * of its own.
 */
#define HANDLES_FIELDS	\
	char name[64];	\
	int mb;		\
	int rfd;	\
	int r2;		\
	char *map

#define HANDLES_SETUP()							\
	do {								\
		self->map = NULL;					\
		self->rfd = self->r2 = -1;				\
		ASSERT_EQ(0, unshare(CLONE_NEWIPC));			\
		mb_name(self->name, sizeof(self->name));		\
		self->mb = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600); \
		ASSERT_LE(0, self->mb);					\
		self->rfd = filled_region(RB, "first", &self->map);	\
		ASSERT_LE(0, self->rfd);				\
		self->r2 = filled_region(RB2, "second", NULL);		\
		ASSERT_LE(0, self->r2);					\
	} while (0)

#define HANDLES_TEARDOWN()						\
	do {								\
		if (self->map)						\
			munmap(self->map, RB);				\
		if (self->rfd >= 0)					\
			close(self->rfd);				\
		if (self->r2 >= 0)					\
			close(self->r2);				\
		close(self->mb);					\
		shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);		\
	} while (0)

#define HANDLES_FIXTURE(f)						\
	FIXTURE(f) { HANDLES_FIELDS; };					\
	FIXTURE_SETUP(f) { HANDLES_SETUP(); }				\
	FIXTURE_TEARDOWN(f) { HANDLES_TEARDOWN(); }

/* Let the fixture's region go: unmap and close it, as its sender would. */
static void drop_fixture_region(int *rfd, char **map)
{
	if (*map)
		munmap(*map, RB);
	*map = NULL;
	if (*rfd >= 0)
		close(*rfd);
	*rfd = -1;
}

/*
 * No reference to the fixture's region is left once its fd has gone:
 * /proc/shmbox lists it no more, and the namespace's region bytes are
 * the second region's alone.
 */
#define expect_fixture_region_freed(self) \
	__expect_fixture_region_freed(_metadata, __LINE__, &(self)->rfd, \
				      &(self)->map, (self)->r2 >= 0 ? RB2 : 0)

static void __expect_fixture_region_freed(struct __test_metadata *_metadata,
					  int line, int *rfd, char **map,
					  unsigned long left)
{
	int seen;

	drop_fixture_region(rfd, map);
	EXPECT_EQ(0, wait_anon_regions(getpid(), RB, 0, &seen))
		TH_LOG("line %d: %d regions of %lu bytes still listed", line,
		       seen, RB);
	EXPECT_EQ(0, ns_region_bytes_are(left))
		TH_LOG("line %d: the namespace's regions are not %lu bytes",
		       line, left);
}

HANDLES_FIXTURE(base)

TEST(version_reports_handles_feature)
{
	struct shmbox_version v = { .size = sizeof(v) };
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(1, v.abi_major);
	EXPECT_LE(4, v.abi_minor);
	EXPECT_TRUE(v.features & SHMBOX_FEAT_HANDLES);
	close(fd);
}

/* ---- a region's handle ------------------------------------------------------ */

TEST_F(base, region_handle_new_fd_same_memory)
{
	struct shmbox_handle in[1] = { hent(self->rfd, 0) }, out[4];
	struct shmbox_region_stat s1, s2;
	struct shmbox_mbox_recv r;
	char buf[16], *p;
	int nfd = fd_count(), fd;

	ASSERT_EQ(0, hsend(self->mb, "msg", 3, 0, in, 1));
	expect_queued(self->mb, 1, 1);
	memset(out, PAT, sizeof(out));
	ASSERT_EQ(3, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 4, &r));
	EXPECT_EQ(1, r.nr_handles);
	EXPECT_EQ(0, r.rflags);
	EXPECT_EQ(0, memcmp(buf, "msg", 3));
	fd = out[0].fd;
	ASSERT_LE(0, fd);
	EXPECT_NE(self->rfd, fd);
	EXPECT_EQ(H_RW, out[0].flags);
	EXPECT_EQ(RB, out[0].bytes);
	EXPECT_EQ(nfd + 1, fd_count());
	expect_queued(self->mb, 0, 0);

	/* The same memory, both ways. */
	p = mmap(NULL, RB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("first", p);
	strcpy(self->map + PG, "through the sender's");
	EXPECT_STREQ("through the sender's", p + PG);
	strcpy(p + 2 * PG, "through the receiver's");
	EXPECT_STREQ("through the receiver's", self->map + 2 * PG);

	/* The same object, two fds bound to it. */
	s1 = rstat(self->rfd);
	s2 = rstat(fd);
	EXPECT_EQ(SHMBOX_KIND_REGION, s2.obj.kind);
	EXPECT_EQ(s1.obj.ctime_ns, s2.obj.ctime_ns);
	EXPECT_EQ(s1.obj.cpid, s2.obj.cpid);
	EXPECT_EQ(RB, s2.bytes);
	EXPECT_EQ(2, s2.obj.users);
	EXPECT_EQ(2, s2.nattch);

	/* A new open file description, not a dup of the sender's. */
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(0, fcntl(self->rfd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);

	/* The sender's fd still works; the receiver's outlives it. */
	munmap(p, RB);
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, self->rfd, PG);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("through the sender's", p);
	munmap(p, PG);
	drop_fixture_region(&self->rfd, &self->map);
	p = mmap(NULL, RB, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("through the receiver's", p + 2 * PG);
	munmap(p, RB);
	EXPECT_EQ(0, ns_region_bytes_are(RB + RB2));
	close(fd);
	EXPECT_EQ(0, wait_anon_regions(getpid(), RB, 0, NULL));
	EXPECT_EQ(0, ns_region_bytes_are(RB2));
}

TEST_F(base, same_fd_twice_without_move_two_fds)
{
	struct shmbox_handle in[2] = { hent(self->rfd, 0), hent(self->rfd, 0) };
	struct shmbox_handle out[2];
	struct shmbox_mbox_recv r;
	char buf[8];

	ASSERT_EQ(0, hsend(self->mb, "2x", 2, 0, in, 2));
	expect_queued(self->mb, 1, 2);
	ASSERT_EQ(2, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 2, &r));
	ASSERT_EQ(2, r.nr_handles);
	EXPECT_NE(out[0].fd, out[1].fd);
	expect_region(&out[0], RB, H_RW, "first");
	expect_region(&out[1], RB, H_RW, "first");
	close_handles(out, 2);
}

/* Handles arrive in the order they were given. */
TEST_F(base, handles_keep_their_order)
{
	int d = dup(self->r2);
	struct shmbox_handle in[3] = { hent(self->r2, 0), hent(self->rfd, 0),
				       hent(d, 0) };
	struct shmbox_handle out[HMAX];
	struct shmbox_mbox_recv r;
	char buf[8];

	ASSERT_LE(0, d);
	ASSERT_EQ(0, hsend(self->mb, "o", 1, 0, in, 3));
	close(d);
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, HMAX, &r));
	ASSERT_EQ(3, r.nr_handles);
	expect_region(&out[0], RB2, H_RW, "second");
	expect_region(&out[1], RB, H_RW, "first");
	expect_region(&out[2], RB2, H_RW, "second");
	close_handles(out, 3);
}

/* ---- close-on-exec, by every receive that installs handles -------------- */

enum { VIA_RECV, VIA_RECVV, VIA_REPLY_RECV };

HANDLES_FIXTURE(cloexec)

FIXTURE_VARIANT(cloexec) {
	int via;
	unsigned int flags;
	int want;		/* FD_CLOEXEC or 0 */
};

FIXTURE_VARIANT_ADD(cloexec, recv_default_cloexec) {
	.via = VIA_RECV, .want = FD_CLOEXEC,
};
FIXTURE_VARIANT_ADD(cloexec, recv_nocloexec_flag) {
	.via = VIA_RECV, .flags = SHMBOX_MSG_NOCLOEXEC, .want = 0,
};
FIXTURE_VARIANT_ADD(cloexec, recvv_default_cloexec) {
	.via = VIA_RECVV, .want = FD_CLOEXEC,
};
FIXTURE_VARIANT_ADD(cloexec, recvv_nocloexec_flag) {
	.via = VIA_RECVV, .flags = SHMBOX_MSG_NOCLOEXEC, .want = 0,
};
FIXTURE_VARIANT_ADD(cloexec, reply_recv_default_cloexec) {
	.via = VIA_REPLY_RECV, .want = FD_CLOEXEC,
};
FIXTURE_VARIANT_ADD(cloexec, reply_recv_nocloexec_flag) {
	.via = VIA_REPLY_RECV, .flags = SHMBOX_MSG_NOCLOEXEC, .want = 0,
};

TEST_F(cloexec, received_fd_flag)
{
	struct shmbox_handle in[1] = { hent(self->rfd, 0) }, out[1];
	struct shmbox_mbox_msgx m;
	struct shmbox_mbox_vec v;
	struct shmbox_mbox_recv r;
	struct shmbox_mbox_reply_recv rr;
	unsigned int nh = 0;
	char buf[8];

	ASSERT_EQ(0, hsend(self->mb, "c", 1, 0, in, 1));
	memset(out, PAT, sizeof(out));
	switch (variant->via) {
	case VIA_RECV:
		ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf),
				   SHMBOX_MSG_NONBLOCK | variant->flags, out, 1,
				   &r));
		nh = r.nr_handles;
		break;
	case VIA_RECVV:
		memset(&m, 0, sizeof(m));
		m.buf = (uintptr_t)buf;
		m.len = sizeof(buf);
		m.handles = (uintptr_t)out;
		m.nr_handles = 1;
		memset(&v, 0, sizeof(v));
		v.size = sizeof(v);
		v.flags = SHMBOX_MSG_NONBLOCK | variant->flags;
		v.msgs = (uintptr_t)&m;
		v.count = 1;
		v.msg_size = sizeof(m);
		ASSERT_EQ(1, ioctl(self->mb, SHMBOX_IOC_MBOX_RECVV, &v));
		nh = m.nr_handles;
		break;
	case VIA_REPLY_RECV:
		rr = rr_arg(0, NULL, 0, buf, sizeof(buf),
			    SHMBOX_MSG_NONBLOCK | variant->flags, FOREVER);
		rr.handles = (uintptr_t)out;
		rr.nr_handles = 1;
		ASSERT_EQ(1, rr_ioctl(self->mb, &rr));
		nh = rr.nr_handles;
		break;
	}
	ASSERT_EQ(1, nh);
	ASSERT_LE(0, out[0].fd);
	EXPECT_EQ(variant->want, fd_cloexec(out[0].fd));
	expect_region(&out[0], RB, H_RW, "first");
	close(out[0].fd);
}

/* ---- access kept ------------------------------------------------------------ */

FIXTURE(access) {
	char name[64];
	int mb, wfd, sfd;
	char *map;
};

FIXTURE_VARIANT(access) {
	int access;		/* of the fd sent */
	unsigned int flags;	/* the handle's, received */
	int map_write_err;	/* mmap PROT_WRITE of the received fd */
};

FIXTURE_VARIANT_ADD(access, rdwr_fd_rdwr_handle) {
	.access = O_RDWR, .flags = H_RW, .map_write_err = 0,
};
FIXTURE_VARIANT_ADD(access, rdonly_fd_rdonly_handle) {
	.access = O_RDONLY, .flags = H_RO, .map_write_err = EACCES,
};

FIXTURE_SETUP(access)
{
	mb_name(self->name, sizeof(self->name));
	self->mb = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, self->mb);
	self->wfd = region_fd(self->name, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
			      SHMBOX_O_AUTOREMOVE, RB, O_RDWR);
	ASSERT_LE(0, self->wfd);
	self->map = mmap(NULL, RB, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->wfd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	strcpy(self->map, "shared");
	self->sfd = region_fd(self->name, 0, 0, variant->access);
	ASSERT_LE(0, self->sfd);
}

FIXTURE_TEARDOWN(access)
{
	munmap(self->map, RB);
	close(self->sfd);
	close(self->wfd);
	close(self->mb);
}

TEST_F(access, received_fd_has_the_senders_access)
{
	struct shmbox_handle in[1] = { hent(self->sfd, 0) }, out[1];
	struct shmbox_mbox_recv r;
	char buf[8], *p;
	int fd;

	ASSERT_EQ(0, hsend(self->mb, "a", 1, 0, in, 1));
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 1, &r));
	ASSERT_EQ(1, r.nr_handles);
	fd = out[0].fd;
	ASSERT_LE(0, fd);
	EXPECT_EQ(variant->flags, out[0].flags);
	EXPECT_EQ(variant->access, fcntl(fd, F_GETFL) & O_ACCMODE);

	p = mmap(NULL, RB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (variant->map_write_err) {
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(variant->map_write_err, errno);
	} else {
		ASSERT_NE(MAP_FAILED, p);
		strcpy(p + PG, "written");
		EXPECT_STREQ("written", self->map + PG);
		munmap(p, RB);
	}
	/* Reading is always allowed; writing only as the sender could. */
	p = mmap(NULL, RB, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("shared", p);
	errno = 0;
	EXPECT_EQ(variant->map_write_err ? -1 : 0,
		  mprotect(p, RB, PROT_READ | PROT_WRITE));
	EXPECT_EQ(variant->map_write_err, errno);
	munmap(p, RB);
	close(fd);
}

/* A received handle passes on like any fd of the region, access and all. */
TEST_F(access, received_handle_passed_on_keeps_access)
{
	struct shmbox_handle in[1] = { hent(self->sfd, 0) }, out[1];
	int other = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600), fd, fd2;
	struct shmbox_mbox_recv r;
	char buf[8];

	ASSERT_LE(0, other);
	ASSERT_EQ(0, hsend(self->mb, "1", 1, 0, in, 1));
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 1, &r));
	ASSERT_EQ(1, r.nr_handles);
	fd = out[0].fd;
	in[0] = hent(fd, SHMBOX_HANDLE_MOVE);
	ASSERT_EQ(0, hsend(other, "2", 1, 0, in, 1));
	EXPECT_FALSE(fd_is_open(fd));
	ASSERT_EQ(1, hrecv(other, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 1, &r));
	ASSERT_EQ(1, r.nr_handles);
	fd2 = out[0].fd;
	EXPECT_EQ(variant->flags, out[0].flags);
	EXPECT_EQ(RB, out[0].bytes);
	EXPECT_EQ(variant->access, fcntl(fd2, F_GETFL) & O_ACCMODE);
	expect_region(&out[0], RB, variant->flags, "shared");
	close(fd2);
	close(other);
}

/* ---- a ring's handle and SHMBOX_IOC_RING_CLAIM -------------------------- */

enum { T_HANDLE, T_REGION, T_MAILBOX, T_UNBOUND };

FIXTURE(claim) {
	char name[64];
	int mb, ring, holder, extra, target;
};

FIXTURE_VARIANT(claim) {
	unsigned int holder;	/* the role the sender's fd holds */
	bool rdonly;		/* the handle is of an O_RDONLY ring fd */
	int target;		/* what the claim goes to */
	unsigned int pre;	/* a claim made first, which succeeds */
	unsigned int flags;
	int err;
	unsigned int producers, consumers;	/* the ring's, afterwards */
};

#define PROD	SHMBOX_RING_PRODUCER
#define CONS	SHMBOX_RING_CONSUMER

FIXTURE_VARIANT_ADD(claim, free_role_ok) {
	.holder = PROD, .flags = CONS, .producers = 1, .consumers = 1,
};
FIXTURE_VARIANT_ADD(claim, senders_role_ebusy) {
	.holder = PROD, .flags = PROD, .err = EBUSY, .producers = 1,
};
FIXTURE_VARIANT_ADD(claim, both_one_held_ebusy_claims_neither) {
	.holder = PROD, .flags = PROD | CONS, .err = EBUSY, .producers = 1,
};
FIXTURE_VARIANT_ADD(claim, both_free_ok) {
	.flags = PROD | CONS, .producers = 1, .consumers = 1,
};
FIXTURE_VARIANT_ADD(claim, second_claim_other_role_ebusy) {
	.pre = CONS, .flags = PROD, .err = EBUSY, .consumers = 1,
};
FIXTURE_VARIANT_ADD(claim, second_claim_same_role_ebusy) {
	.pre = CONS, .flags = CONS, .err = EBUSY, .consumers = 1,
};
FIXTURE_VARIANT_ADD(claim, read_only_fd_eacces) {
	.rdonly = true, .flags = CONS, .err = EACCES,
};
FIXTURE_VARIANT_ADD(claim, no_role_einval) {
	.flags = 0, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(claim, unknown_flag_einval) {
	.flags = CONS | (1U << 20), .err = EINVAL,
};
FIXTURE_VARIANT_ADD(claim, wait_flag_einval) {
	.flags = CONS | SHMBOX_RING_DATA, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(claim, region_fd_ebadfd) {
	.target = T_REGION, .flags = CONS, .err = EBADFD,
};
FIXTURE_VARIANT_ADD(claim, mailbox_fd_ebadfd) {
	.target = T_MAILBOX, .flags = CONS, .err = EBADFD,
};
FIXTURE_VARIANT_ADD(claim, unbound_fd_ebadfd) {
	.target = T_UNBOUND, .flags = CONS, .err = EBADFD,
};

/* Send @fd's handle over @mb and receive it: the new fd, or -1. */
#define pass_handle(mb, fd, flags) \
	__pass_handle(_metadata, __LINE__, (mb), (fd), (flags))

static int __pass_handle(struct __test_metadata *_metadata, int line, int mb,
			 int fd, struct shmbox_handle *got)
{
	struct shmbox_handle in[1] = { hent(fd, 0) }, out[1];
	struct shmbox_mbox_recv r;
	char buf[8];

	EXPECT_EQ(0, hsend(mb, "h", 1, 0, in, 1)) TH_LOG("line %d", line);
	memset(out, PAT, sizeof(out));
	EXPECT_EQ(1, hrecv(mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK, out, 1,
			   &r)) TH_LOG("line %d", line);
	EXPECT_EQ(1, r.nr_handles) TH_LOG("line %d", line);
	if (r.nr_handles != 1)
		return -1;
	if (got)
		*got = out[0];
	return out[0].fd;
}

FIXTURE_SETUP(claim)
{
	struct shmbox_handle got;
	int sent;

	self->holder = self->extra = self->target = -1;
	mb_name(self->name, sizeof(self->name));
	self->mb = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
	ASSERT_LE(0, self->mb);
	self->ring = region_fd(self->name, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
			       SHMBOX_O_AUTOREMOVE | SHMBOX_REGION_RING,
			       RING_BYTES, O_RDWR);
	ASSERT_LE(0, self->ring);
	if (variant->holder) {
		self->holder = region_fd(self->name, SHMBOX_REGION_RING |
					 variant->holder, 0, O_RDWR);
		ASSERT_LE(0, self->holder);
	}
	switch (variant->target) {
	case T_HANDLE:
		sent = self->ring;
		if (variant->holder)
			sent = self->holder;
		if (variant->rdonly) {
			self->extra = region_fd(self->name, SHMBOX_REGION_RING,
						0, O_RDONLY);
			ASSERT_LE(0, self->extra);
			sent = self->extra;
		}
		self->target = pass_handle(self->mb, sent, &got);
		ASSERT_LE(0, self->target);
		EXPECT_EQ((variant->rdonly ? H_RO : H_RW) | SHMBOX_HANDLE_RING,
			  got.flags);
		EXPECT_EQ(RING_BYTES, got.bytes);
		break;
	case T_REGION:
		self->extra = region_fd(NULL, SHMBOX_O_CREAT, PG, O_RDWR);
		ASSERT_LE(0, self->extra);
		self->target = pass_handle(self->mb, self->extra, &got);
		ASSERT_LE(0, self->target);
		EXPECT_EQ(H_RW, got.flags);
		break;
	case T_MAILBOX:
		self->target = dup(self->mb);
		break;
	case T_UNBOUND:
		self->target = shmbox_dev_open();
		break;
	}
	ASSERT_LE(0, self->target);
	/* A handle carries no role. */
	EXPECT_EQ(variant->holder == PROD, rstat(self->ring).producers);
	EXPECT_EQ(0, rstat(self->ring).consumers);
}

FIXTURE_TEARDOWN(claim)
{
	if (self->target >= 0)
		close(self->target);
	if (self->extra >= 0)
		close(self->extra);
	if (self->holder >= 0)
		close(self->holder);
	close(self->ring);
	close(self->mb);
}

TEST_F(claim, ring_claim)
{
	struct shmbox_region_stat st;

	if (variant->pre)
		ASSERT_EQ(0, ring_claim(self->target, variant->pre));
	EXPECT_EQ(-variant->err, ring_claim(self->target, variant->flags));
	st = rstat(self->ring);
	EXPECT_EQ(variant->producers, st.producers);
	EXPECT_EQ(variant->consumers, st.consumers);
}

/* The received fd never had the sender's role: it claims it once freed. */
TEST(ring_handle_claims_role_once_holder_closes)
{
	int mb = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600), prod, fd;
	struct shmbox_handle got;

	ASSERT_LE(0, mb);
	prod = region_fd(NULL, SHMBOX_O_CREAT | SHMBOX_REGION_RING |
			 SHMBOX_RING_PRODUCER, RING_BYTES, O_RDWR);
	ASSERT_LE(0, prod);
	fd = pass_handle(mb, prod, &got);
	ASSERT_LE(0, fd);
	EXPECT_EQ(H_RW | SHMBOX_HANDLE_RING, got.flags);
	EXPECT_EQ(1, rstat(fd).producers);
	EXPECT_EQ(-EBUSY, ring_claim(fd, SHMBOX_RING_PRODUCER));
	close(prod);
	EXPECT_EQ(0, rstat(fd).producers);
	EXPECT_EQ(0, ring_claim(fd, SHMBOX_RING_PRODUCER));
	EXPECT_EQ(1, rstat(fd).producers);
	close(fd);
	close(mb);
}

/* ---- SHMBOX_HANDLE_MOVE ------------------------------------------------------ */

TEST_F(base, move_closes_senders_fd_once_queued)
{
	struct shmbox_handle in[1] = { hent(self->rfd, SHMBOX_HANDLE_MOVE) };
	struct shmbox_handle out[1];
	struct shmbox_mbox_recv r;
	int nfd = fd_count();
	char buf[8];

	ASSERT_EQ(0, hsend(self->mb, "mv", 2, 0, in, 1));
	EXPECT_EQ(-1, fcntl(self->rfd, F_GETFD));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(nfd - 1, fd_count());
	self->rfd = -1;
	expect_queued(self->mb, 1, 1);
	ASSERT_EQ(2, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 1, &r));
	ASSERT_EQ(1, r.nr_handles);
	expect_region(&out[0], RB, H_RW, "first");
	EXPECT_EQ(nfd, fd_count());
	close(out[0].fd);
}

/* A synchronous send closes its moved fd once a receiver took it. */
TEST(move_sync_send_closes_once_taken)
{
	int mb = mkmbox(NULL, 0, 0600), rfd = filled_region(RB, "sync", NULL);
	struct shmbox_handle in[1] = { hent(rfd, SHMBOX_HANDLE_MOVE) };
	pid_t pid;

	ASSERT_LE(0, mb);
	ASSERT_LE(0, rfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmbox_handle out[1];
		struct shmbox_mbox_recv r;
		char buf[8], got[16];

		close(rfd);
		if (hrecv(mb, buf, sizeof(buf), 0, out, 1, &r) != 1 ||
		    r.nr_handles != 1)
			_exit(1);
		if (read_region(out[0].fd, RB, got, sizeof(got)) ||
		    strcmp(got, "sync"))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked(mb, 0, 1));
	ASSERT_EQ(0, hsend(mb, "s", 1, 0, in, 1));
	EXPECT_FALSE(fd_is_open(rfd));
	EXPECT_EQ(0, reap(pid));
	close(mb);
}

/* A send that fails closes nothing: one row per way to fail. */
FIXTURE(move_kept) {
	char name[64];
	int mb, rfd;
};

enum { S_NONE, S_CLOSED, S_SAME_MOVED };

FIXTURE_VARIANT(move_kept) {
	unsigned int cap;
	bool fill;		/* one message queued first */
	unsigned int flags;
	uint64_t timeout;	/* a deadline this far ahead; 0: none */
	bool unlinked;
	int second;		/* a second handle */
	bool call;		/* the handles in a call's request */
	int err;
};

FIXTURE_VARIANT_ADD(move_kept, full_nonblock_eagain) {
	.cap = 1, .fill = true, .flags = SHMBOX_MSG_NONBLOCK, .err = EAGAIN,
};
FIXTURE_VARIANT_ADD(move_kept, full_deadline_etimedout) {
	.cap = 1, .fill = true, .timeout = NS / 50, .err = ETIMEDOUT,
};
FIXTURE_VARIANT_ADD(move_kept, rendezvous_nonblock_eagain) {
	.cap = 0, .flags = SHMBOX_MSG_NONBLOCK, .err = EAGAIN,
};
FIXTURE_VARIANT_ADD(move_kept, sync_not_taken_etimedout) {
	.cap = SHMBOX_MBOX_UNBOUNDED, .flags = SHMBOX_MSG_SYNC,
	.timeout = NS / 50, .err = ETIMEDOUT,
};
FIXTURE_VARIANT_ADD(move_kept, unlinked_mailbox_eidrm) {
	.cap = SHMBOX_MBOX_UNBOUNDED, .unlinked = true, .err = EIDRM,
};
FIXTURE_VARIANT_ADD(move_kept, second_handle_closed_ebadf) {
	.cap = SHMBOX_MBOX_UNBOUNDED, .second = S_CLOSED, .err = EBADF,
};
FIXTURE_VARIANT_ADD(move_kept, same_fd_moved_twice_einval) {
	.cap = SHMBOX_MBOX_UNBOUNDED, .second = S_SAME_MOVED, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(move_kept, call_rendezvous_nonblock_eagain) {
	.cap = 0, .call = true, .flags = SHMBOX_MSG_NONBLOCK, .err = EAGAIN,
};
FIXTURE_VARIANT_ADD(move_kept, call_full_nonblock_eagain) {
	.cap = 1, .fill = true, .call = true, .flags = SHMBOX_MSG_NONBLOCK,
	.err = EAGAIN,
};
FIXTURE_VARIANT_ADD(move_kept, call_not_taken_etimedout) {
	.cap = SHMBOX_MBOX_UNBOUNDED, .call = true, .timeout = NS / 50,
	.err = ETIMEDOUT,
};

FIXTURE_SETUP(move_kept)
{
	mb_name(self->name, sizeof(self->name));
	self->mb = mkmbox(self->name, variant->cap, 0600);
	ASSERT_LE(0, self->mb);
	self->rfd = filled_region(RB, "kept", NULL);
	ASSERT_LE(0, self->rfd);
	if (variant->fill)
		ASSERT_EQ(0, hsend(self->mb, "full", 4, 0, NULL, 0));
	if (variant->unlinked)
		ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
}

FIXTURE_TEARDOWN(move_kept)
{
	close(self->rfd);
	close(self->mb);
	if (!variant->unlinked)
		shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
}

TEST_F(move_kept, failed_send_closes_nothing)
{
	struct shmbox_handle in[2] = { hent(self->rfd, SHMBOX_HANDLE_MOVE) };
	struct shmbox_mbox_send s;
	unsigned int nh = 1, depth = variant->fill;
	struct shmbox_mbox_stat st;
	int nfd, closed;

	if (variant->second == S_CLOSED) {
		closed = dup(self->rfd);
		ASSERT_LE(0, closed);
		close(closed);
		in[nh++] = hent(closed, 0);
	} else if (variant->second == S_SAME_MOVED) {
		in[nh++] = hent(self->rfd, SHMBOX_HANDLE_MOVE);
	}
	nfd = fd_count();
	if (variant->call) {
		char rbuf[8];
		struct shmbox_mbox_call c = call_arg("m", 1, rbuf, sizeof(rbuf),
						     FOREVER);

		c.flags = variant->flags;
		c.handles = (uintptr_t)in;
		c.nr_handles = nh;
		if (variant->timeout)
			c.deadline_ns = after_ns(variant->timeout);
		EXPECT_EQ(-variant->err, call_ioctl(self->mb, &c));
		EXPECT_EQ(0, c.status);
	} else {
		s = hsend_arg("m", 1, variant->flags, in, nh);
		if (variant->timeout)
			s.deadline_ns = after_ns(variant->timeout);
		EXPECT_EQ(-variant->err, hsend_ioctl(self->mb, &s));
	}
	EXPECT_TRUE(fd_is_open(self->rfd));
	EXPECT_EQ(nfd, fd_count());
	st = cstat(self->mb);
	EXPECT_EQ(depth, st.depth);
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(depth, st.sent);
	EXPECT_EQ(0, st.blocked_senders);
	EXPECT_EQ(0, st.calls_waiting);
	EXPECT_EQ(depth ? SHMBOX_MSG_COST(4) : 0, st.charged);
	/* The region is whole: the fd still maps it. */
	{
		char got[16];

		EXPECT_EQ(0, read_region(self->rfd, RB, got, sizeof(got)));
		EXPECT_STREQ("kept", got);
	}
}

/* ---- a refused send queues, closes and keeps nothing ------------------------ */

enum { V_SEND, V_SENDV, V_CALL };
enum { B_GOOD, B_CLOSED, B_PIPE, B_DEVNULL, B_MAILBOX, B_UNBOUND,
       B_SAME_MOVED };
enum { P_OK, P_BOGUS, P_PARTIAL };

HANDLES_FIXTURE(refused)

FIXTURE_VARIANT(refused) {
	int via;
	int bad;		/* the second entry */
	unsigned int bad_flags;	/* its flags */
	uint64_t bad_bytes;	/* its bytes */
	unsigned int nr;	/* nr_handles; 0: 2 */
	unsigned int pad2;
	int ptr;		/* where handles points */
	int err;
};

FIXTURE_VARIANT_ADD(refused, closed_fd_ebadf) {
	.bad = B_CLOSED, .err = EBADF,
};
FIXTURE_VARIANT_ADD(refused, pipe_fd_einval) {
	.bad = B_PIPE, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, other_file_einval) {
	.bad = B_DEVNULL, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, mailbox_fd_einval) {
	.bad = B_MAILBOX, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, unbound_fd_ebadfd) {
	.bad = B_UNBOUND, .err = EBADFD,
};
FIXTURE_VARIANT_ADD(refused, same_fd_moved_twice_einval) {
	.bad = B_SAME_MOVED, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, too_many_handles_einval) {
	.nr = HMAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, unknown_handle_flag_einval) {
	.bad_flags = 1U << 7, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, out_flag_on_send_einval) {
	.bad_flags = SHMBOX_HANDLE_READ, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, nonzero_bytes_einval) {
	.bad_bytes = RB2, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, nonzero_pad2_einval) {
	.pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, bogus_array_efault) {
	.ptr = P_BOGUS, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(refused, array_half_readable_efault) {
	.ptr = P_PARTIAL, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(refused, sendv_closed_fd_ebadf) {
	.via = V_SENDV, .bad = B_CLOSED, .err = EBADF,
};
FIXTURE_VARIANT_ADD(refused, sendv_mailbox_fd_einval) {
	.via = V_SENDV, .bad = B_MAILBOX, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, sendv_too_many_handles_einval) {
	.via = V_SENDV, .nr = HMAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, sendv_entry_nonzero_pad2_einval) {
	.via = V_SENDV, .pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, sendv_bogus_array_efault) {
	.via = V_SENDV, .ptr = P_BOGUS, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(refused, call_closed_fd_ebadf) {
	.via = V_CALL, .bad = B_CLOSED, .err = EBADF,
};
FIXTURE_VARIANT_ADD(refused, call_pipe_fd_einval) {
	.via = V_CALL, .bad = B_PIPE, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, call_unbound_fd_ebadfd) {
	.via = V_CALL, .bad = B_UNBOUND, .err = EBADFD,
};
FIXTURE_VARIANT_ADD(refused, call_too_many_handles_einval) {
	.via = V_CALL, .nr = HMAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(refused, call_bogus_array_efault) {
	.via = V_CALL, .ptr = P_BOGUS, .err = EFAULT,
};

/*
 * Send @n handles of @h (at @ptr) as @via does, the message "refused";
 * 0 (or the count sent, for SENDV) or -errno.
 */
static int send_via(int via, int mb, uint64_t ptr, unsigned int n,
		    unsigned int pad2)
{
	struct shmbox_mbox_send s;
	struct shmbox_mbox_msgx m;
	struct shmbox_mbox_vec v;
	struct shmbox_mbox_call c;
	char rbuf[8];
	int ret;

	switch (via) {
	case V_SEND:
		s = hsend_arg("refused", 7, SHMBOX_MSG_NONBLOCK, NULL, n);
		s.handles = ptr;
		s.pad2 = pad2;
		return hsend_ioctl(mb, &s);
	case V_SENDV:
		memset(&m, 0, sizeof(m));
		m.buf = (uintptr_t)"refused";
		m.len = 7;
		m.handles = ptr;
		m.nr_handles = n;
		m.pad2 = pad2;
		memset(&v, 0, sizeof(v));
		v.size = sizeof(v);
		v.flags = SHMBOX_MSG_NONBLOCK;
		v.msgs = (uintptr_t)&m;
		v.count = 1;
		v.msg_size = sizeof(m);
		ret = ioctl(mb, SHMBOX_IOC_MBOX_SENDV, &v);
		return ret < 0 ? -errno : ret;
	case V_CALL:
		c = call_arg("refused", 7, rbuf, sizeof(rbuf), after_ns(NS));
		c.flags = SHMBOX_MSG_NONBLOCK;
		c.handles = ptr;
		c.nr_handles = n;
		return call_ioctl(mb, &c);
	}
	return -ENOSYS;
}

TEST_F(refused, nothing_sent_nothing_kept)
{
	struct shmbox_handle h[HMAX + 1], *half;
	unsigned int n = variant->nr ? variant->nr : 2, i;
	struct shmbox_mbox_stat st;
	int pfd[2] = { -1, -1 }, other = -1, nfd;
	uint64_t ptr = (uintptr_t)h;
	char *pages = NULL;

	h[0] = hent(self->rfd, SHMBOX_HANDLE_MOVE);
	for (i = 1; i < n; i++)
		h[i] = hent(self->r2, 0);
	switch (variant->bad) {
	case B_CLOSED:
		other = dup(self->r2);
		ASSERT_LE(0, other);
		close(other);
		h[1].fd = other;
		other = -1;
		break;
	case B_PIPE:
		ASSERT_EQ(0, pipe(pfd));
		h[1].fd = pfd[0];
		break;
	case B_DEVNULL:
		other = open("/dev/null", O_RDWR);
		h[1].fd = other;
		break;
	case B_MAILBOX:
		h[1].fd = self->mb;
		break;
	case B_UNBOUND:
		other = shmbox_dev_open();
		h[1].fd = other;
		break;
	case B_SAME_MOVED:
		h[1] = hent(self->rfd, SHMBOX_HANDLE_MOVE);
		break;
	}
	ASSERT_LE(0, h[1].fd);
	h[1].flags |= variant->bad_flags;
	h[1].bytes = variant->bad_bytes;
	switch (variant->ptr) {
	case P_BOGUS:
		ptr = 16;
		break;
	case P_PARTIAL:
		/* The first entry readable, the second on a page unmapped. */
		pages = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, pages);
		ASSERT_EQ(0, munmap(pages + PG, PG));
		half = (struct shmbox_handle *)(pages + PG) - 1;
		*half = h[0];
		ptr = (uintptr_t)half;
		break;
	}
	nfd = fd_count();
	EXPECT_EQ(-variant->err, send_via(variant->via, self->mb, ptr, n,
					  variant->pad2));
	/* Nothing closed, nothing opened, nothing queued or charged. */
	EXPECT_TRUE(fd_is_open(self->rfd));
	EXPECT_TRUE(fd_is_open(self->r2));
	EXPECT_EQ(nfd, fd_count());
	st = cstat(self->mb);
	EXPECT_EQ(0, st.depth);
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(0, st.sent);
	EXPECT_EQ(0, st.charged);
	EXPECT_EQ(0, st.calls_waiting);
	if (pages)
		munmap(pages, PG);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (other >= 0)
		close(other);
	/* No reference left behind: the region goes with its fd. */
	expect_fixture_region_freed(self);
}

/* SENDV sends the entries before the one refused, and reports that. */
TEST_F(base, sendv_stops_at_entry_with_bad_handle)
{
	struct shmbox_handle good[1] = { hent(self->r2, 0) };
	struct shmbox_handle bad[2] = { hent(self->rfd, SHMBOX_HANDLE_MOVE),
					hent(self->mb, 0) };
	struct shmbox_mbox_msgx m[2];
	struct shmbox_mbox_vec v;

	memset(m, 0, sizeof(m));
	m[0].buf = (uintptr_t)"ok";
	m[0].len = 2;
	m[0].handles = (uintptr_t)good;
	m[0].nr_handles = 1;
	m[1].buf = (uintptr_t)"bad";
	m[1].len = 3;
	m[1].handles = (uintptr_t)bad;
	m[1].nr_handles = 2;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = SHMBOX_MSG_NONBLOCK;
	v.msgs = (uintptr_t)m;
	v.count = 2;
	v.msg_size = sizeof(m[0]);
	EXPECT_EQ(1, ioctl(self->mb, SHMBOX_IOC_MBOX_SENDV, &v));
	EXPECT_TRUE(fd_is_open(self->rfd));
	expect_queued(self->mb, 1, 1);
	EXPECT_EQ(SHMBOX_MSG_COST_H(2, 1), cstat(self->mb).charged);
}

/* ---- a refused receive installs nothing and leaves the message ------------- */

/* The fixture with "hello" queued, carrying [rfd, r2]. */
#define QUEUED_FIXTURE(f)						\
	FIXTURE(f) { HANDLES_FIELDS; };					\
	FIXTURE_SETUP(f)						\
	{								\
		struct shmbox_handle in[2];				\
									\
		HANDLES_SETUP();					\
		in[0] = hent(self->rfd, 0);				\
		in[1] = hent(self->r2, 0);				\
		ASSERT_EQ(0, hsend(self->mb, "hello", 5, 0, in, 2));	\
	}								\
	FIXTURE_TEARDOWN(f) { HANDLES_TEARDOWN(); }

/* The queued message, received whole: "hello", [first, second]. */
#define expect_hello(self) __expect_hello(_metadata, __LINE__, (self)->mb)

static void __expect_hello(struct __test_metadata *_metadata, int line, int mb)
{
	struct shmbox_handle out[2];
	struct shmbox_mbox_recv r;
	char buf[16];
	int nfd = fd_count();

	EXPECT_EQ(5, hrecv(mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK, out, 2,
			   &r)) TH_LOG("line %d", line);
	EXPECT_EQ(0, memcmp(buf, "hello", 5)) TH_LOG("line %d", line);
	ASSERT_EQ(2, r.nr_handles) TH_LOG("line %d", line);
	__expect_region(_metadata, line, &out[0], RB, H_RW, "first");
	__expect_region(_metadata, line, &out[1], RB2, H_RW, "second");
	EXPECT_EQ(nfd + 2, fd_count()) TH_LOG("line %d", line);
	close_handles(out, 2);
	__expect_queued(_metadata, line, mb, 0, 0);
}

QUEUED_FIXTURE(recv_refused)

enum { A_OK, A_NONE, A_RDONLY, A_BOGUS };

FIXTURE_VARIANT(recv_refused) {
	unsigned int cap;	/* entries offered */
	int array;		/* where handles points */
	unsigned int len;	/* the payload buffer; 0: 64 */
	bool buf_ro;		/* on a read-only page */
	unsigned int pad2;
	unsigned int flags;
	int err;
	unsigned int want_nr;	/* nr_handles written back; 0: not checked */
	unsigned int want_len;	/* len written back; 0: not checked */
};

FIXTURE_VARIANT_ADD(recv_refused, array_too_small_emsgsize) {
	.cap = 1, .err = EMSGSIZE, .want_nr = 2,
};
FIXTURE_VARIANT_ADD(recv_refused, no_array_emsgsize) {
	.cap = 0, .array = A_NONE, .err = EMSGSIZE, .want_nr = 2,
};
FIXTURE_VARIANT_ADD(recv_refused, peek_array_too_small_emsgsize) {
	.cap = 1, .flags = SHMBOX_MSG_PEEK, .err = EMSGSIZE, .want_nr = 2,
};
FIXTURE_VARIANT_ADD(recv_refused, array_not_writable_efault) {
	.cap = 2, .array = A_RDONLY, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(recv_refused, array_bogus_efault) {
	.cap = 2, .array = A_BOGUS, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(recv_refused, payload_too_small_emsgsize) {
	.cap = 2, .len = 2, .err = EMSGSIZE, .want_len = 5,
};
FIXTURE_VARIANT_ADD(recv_refused, payload_not_writable_efault) {
	.cap = 2, .buf_ro = true, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(recv_refused, nr_handles_above_max_einval) {
	.cap = HMAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(recv_refused, nonzero_pad2_einval) {
	.cap = 2, .pad2 = 1, .err = EINVAL,
};

TEST_F(recv_refused, message_and_handles_stay)
{
	struct shmbox_handle arr[HMAX + 1];
	struct shmbox_mbox_recv r;
	char buf[64], *ro;
	int nfd;

	ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(arr, PAT, sizeof(arr));
	r = hrecv_arg(variant->buf_ro ? ro : buf,
		      variant->len ? variant->len : sizeof(buf),
		      SHMBOX_MSG_NONBLOCK | variant->flags, arr, variant->cap);
	r.pad2 = variant->pad2;
	if (variant->array == A_NONE)
		r.handles = 0;
	else if (variant->array == A_RDONLY)
		r.handles = (uintptr_t)ro;
	else if (variant->array == A_BOGUS)
		r.handles = 16;
	nfd = fd_count();
	EXPECT_EQ(-variant->err, hrecv_ioctl(self->mb, &r));
	if (variant->want_nr)
		EXPECT_EQ(variant->want_nr, r.nr_handles);
	if (variant->want_len)
		EXPECT_EQ(variant->want_len, r.len);
	EXPECT_EQ(nfd, fd_count());
	expect_queued(self->mb, 1, 2);
	EXPECT_EQ(0, cstat(self->mb).received);
	munmap(ro, PG);
	expect_hello(self);
}

/* RLIMIT_NOFILE leaves too few fds: EMFILE, nothing installed. */
QUEUED_FIXTURE(emfile)

FIXTURE_VARIANT(emfile) {
	int nfree;		/* fds left for the message's two handles */
};

FIXTURE_VARIANT_ADD(emfile, no_fd_free) {
	.nfree = 0,
};
FIXTURE_VARIANT_ADD(emfile, one_fd_free_for_two) {
	.nfree = 1,
};

TEST_F(emfile, receive_keeps_message_until_limit_raised)
{
	struct shmbox_handle out[2];
	struct shmbox_mbox_recv r;
	struct rlimit old;
	char buf[16];
	int nfd = fd_count(), first = nth_free_fd(0), ret;

	ASSERT_EQ(0, limit_free_fds(variant->nfree, &old));
	memset(out, PAT, sizeof(out));
	ret = hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK, out, 2,
		    &r);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	EXPECT_EQ(-EMFILE, ret);
	EXPECT_EQ(nfd, fd_count());
	EXPECT_FALSE(fd_is_open(first));
	expect_queued(self->mb, 1, 2);
	EXPECT_EQ(0, cstat(self->mb).received);
	expect_hello(self);
}

/* ---- peek ---------------------------------------------------------------------- */

QUEUED_FIXTURE(peek)

TEST_F(peek, reports_handles_installs_nothing)
{
	struct shmbox_handle out[4];
	struct shmbox_mbox_recv r;
	char buf[16];
	int nfd = fd_count();

	memset(out, PAT, sizeof(out));
	EXPECT_EQ(5, hrecv(self->mb, buf, sizeof(buf),
			   SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK, out, 4, &r));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(2, r.nr_handles);
	EXPECT_EQ(-1, out[0].fd);
	EXPECT_EQ(-1, out[1].fd);
	EXPECT_EQ(H_RW, out[0].flags);
	EXPECT_EQ(H_RW, out[1].flags);
	EXPECT_EQ(RB, out[0].bytes);
	EXPECT_EQ(RB2, out[1].bytes);
	EXPECT_EQ(nfd, fd_count());
	expect_queued(self->mb, 1, 2);
	EXPECT_EQ(0, cstat(self->mb).received);
	expect_hello(self);
}

/* ---- receives that cannot report handles drop them ------------------------- */

HANDLES_FIXTURE(dropped)

enum { D_READ, D_RECV_V0, D_RECV_V1, D_RECV_V2, D_RECVV_MSG, D_RECVV_MSGX2,
       D_REPLY_RECV_V0 };

FIXTURE_VARIANT(dropped) {
	int via;
	bool rflags;		/* the receive has rflags to say so */
};

FIXTURE_VARIANT_ADD(dropped, read) {
	.via = D_READ,
};
FIXTURE_VARIANT_ADD(dropped, recv_ver0) {
	.via = D_RECV_V0,
};
FIXTURE_VARIANT_ADD(dropped, recv_ver1) {
	.via = D_RECV_V1,
};
FIXTURE_VARIANT_ADD(dropped, recv_ver2_says_dropped) {
	.via = D_RECV_V2, .rflags = true,
};
FIXTURE_VARIANT_ADD(dropped, recvv_msg_ver0) {
	.via = D_RECVV_MSG,
};
FIXTURE_VARIANT_ADD(dropped, recvv_msgx_ver2_says_dropped) {
	.via = D_RECVV_MSGX2, .rflags = true,
};
FIXTURE_VARIANT_ADD(dropped, reply_recv_ver0_says_dropped) {
	.via = D_REPLY_RECV_V0, .rflags = true,
};

TEST_F(dropped, payload_received_handles_dropped)
{
	struct shmbox_handle in[2] = { hent(self->rfd, 0), hent(self->r2, 0) };
	struct {
		struct shmbox_mbox_recv r;
		uint64_t canary;
	} rb;
	struct {
		struct shmbox_mbox_msgx m;
		uint64_t canary;
	} mx;
	struct shmbox_mbox_reply_recv rr;
	struct shmbox_mbox_vec v;
	unsigned int rflags = 0;
	char buf[16];
	int nfd, n = -1;

	ASSERT_EQ(0, hsend(self->mb, "payload", 7, 0, in, 2));
	memset(buf, 0, sizeof(buf));
	memset(&rb, PAT, sizeof(rb));
	memset(&mx, PAT, sizeof(mx));
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = SHMBOX_MSG_NONBLOCK;
	v.msgs = (uintptr_t)&mx.m;
	v.count = 1;
	nfd = fd_count();
	switch (variant->via) {
	case D_READ:
		n = read(self->mb, buf, sizeof(buf));
		break;
	case D_RECV_V0:
	case D_RECV_V1:
	case D_RECV_V2:
		rb.r = hrecv_arg(buf, sizeof(buf), SHMBOX_MSG_NONBLOCK, NULL, 0);
		rb.r.size = variant->via == D_RECV_V0 ? SHMBOX_MBOX_RECV_SIZE_VER0 :
			    variant->via == D_RECV_V1 ? SHMBOX_MBOX_RECV_SIZE_VER1 :
			    SHMBOX_MBOX_RECV_SIZE_VER2;
		/* What the smaller structure does not have is not written. */
		memset((char *)&rb.r + rb.r.size, PAT,
		       sizeof(rb) - rb.r.size);
		n = hrecv_ioctl(self->mb, &rb.r);
		EXPECT_EQ(0xa5a5a5a5U, rb.r.nr_handles);
		if (variant->via == D_RECV_V2)
			rflags = rb.r.rflags;
		break;
	case D_RECVV_MSG:
		memset(&mx.m, 0, SHMBOX_MBOX_MSG_SIZE_VER0);
		mx.m.buf = (uintptr_t)buf;
		mx.m.len = sizeof(buf);
		n = ioctl(self->mb, SHMBOX_IOC_MBOX_RECVV, &v);
		if (n == 1)
			n = mx.m.len;
		EXPECT_EQ(0xa5a5a5a5U, mx.m.rflags);
		break;
	case D_RECVV_MSGX2:
		memset(&mx.m, 0, SHMBOX_MBOX_MSGX_SIZE_VER2);
		mx.m.buf = (uintptr_t)buf;
		mx.m.len = sizeof(buf);
		v.msg_size = SHMBOX_MBOX_MSGX_SIZE_VER2;
		n = ioctl(self->mb, SHMBOX_IOC_MBOX_RECVV, &v);
		if (n == 1)
			n = mx.m.len;
		EXPECT_EQ(0xa5a5a5a5U, mx.m.nr_handles);
		rflags = mx.m.rflags;
		break;
	case D_REPLY_RECV_V0:
		rr = rr_arg(0, NULL, 0, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			    FOREVER);
		rr.size = SHMBOX_MBOX_REPLY_RECV_SIZE_VER0;
		n = rr_ioctl(self->mb, &rr);
		rflags = rr.rflags;
		break;
	}
	EXPECT_EQ(7, n) TH_LOG("receive: %s", n < 0 ? strerror(-n) : "short");
	EXPECT_STREQ("payload", buf);
	EXPECT_EQ(variant->rflags ? SHMBOX_RECV_HANDLES_DROPPED : 0, rflags);
	EXPECT_EQ(nfd, fd_count());
	expect_queued(self->mb, 0, 0);
	EXPECT_EQ(1, cstat(self->mb).received);
	EXPECT_EQ(0, cstat(self->mb).charged);
	/* The dropped references went too: the region goes with its fd. */
	expect_fixture_region_freed(self);
}

/* ---- vectors -------------------------------------------------------------------- */

TEST_F(base, sendv_recvv_handles_per_entry)
{
	struct shmbox_handle h1[1] = { hent(self->r2, 0) };
	struct shmbox_handle h2[2] = { hent(self->rfd, 0), hent(self->r2, 0) };
	struct shmbox_handle out[3][4];
	struct shmbox_mbox_msgx m[3];
	struct shmbox_mbox_vec v;
	char in[3][8];
	int nfd, i;

	memset(m, 0, sizeof(m));
	m[0].buf = (uintptr_t)"zero";
	m[0].len = 4;
	m[1].buf = (uintptr_t)"one";
	m[1].len = 3;
	m[1].handles = (uintptr_t)h1;
	m[1].nr_handles = 1;
	m[2].buf = (uintptr_t)"two";
	m[2].len = 3;
	m[2].handles = (uintptr_t)h2;
	m[2].nr_handles = 2;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.msgs = (uintptr_t)m;
	v.count = 3;
	v.msg_size = sizeof(m[0]);
	v.deadline_ns = FOREVER;
	ASSERT_EQ(3, ioctl(self->mb, SHMBOX_IOC_MBOX_SENDV, &v));
	expect_queued(self->mb, 3, 3);
	EXPECT_EQ(SHMBOX_MSG_COST_H(4, 0) + SHMBOX_MSG_COST_H(3, 1) +
		  SHMBOX_MSG_COST_H(3, 2), cstat(self->mb).charged);

	memset(m, 0, sizeof(m));
	memset(out, PAT, sizeof(out));
	for (i = 0; i < 3; i++) {
		m[i].buf = (uintptr_t)in[i];
		m[i].len = sizeof(in[i]);
		m[i].handles = (uintptr_t)out[i];
		m[i].nr_handles = 4;
	}
	nfd = fd_count();
	v.flags = SHMBOX_MSG_NONBLOCK;
	ASSERT_EQ(3, ioctl(self->mb, SHMBOX_IOC_MBOX_RECVV, &v));
	EXPECT_EQ(nfd + 3, fd_count());
	EXPECT_EQ(0, m[0].nr_handles);
	EXPECT_EQ(0, memcmp(in[0], "zero", 4));
	ASSERT_EQ(1, m[1].nr_handles);
	EXPECT_EQ(0, memcmp(in[1], "one", 3));
	expect_region(&out[1][0], RB2, H_RW, "second");
	ASSERT_EQ(2, m[2].nr_handles);
	EXPECT_EQ(0, memcmp(in[2], "two", 3));
	expect_region(&out[2][0], RB, H_RW, "first");
	expect_region(&out[2][1], RB2, H_RW, "second");
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, m[i].rflags);
		close_handles(out[i], m[i].nr_handles);
	}
	expect_queued(self->mb, 0, 0);
	EXPECT_EQ(0, cstat(self->mb).charged);
}

/* RECVV stops at an entry whose array is too small; that message stays. */
TEST_F(base, recvv_stops_at_entry_too_small_for_handles)
{
	struct shmbox_handle h1[1] = { hent(self->rfd, 0) };
	struct shmbox_handle h2[2] = { hent(self->rfd, 0), hent(self->r2, 0) };
	struct shmbox_handle out[2][1];
	struct shmbox_mbox_msgx m[2];
	struct shmbox_mbox_vec v;
	char in[2][8];
	int nfd, i;

	ASSERT_EQ(0, hsend(self->mb, "a", 1, 0, h1, 1));
	ASSERT_EQ(0, hsend(self->mb, "b", 1, 0, h2, 2));
	memset(m, 0, sizeof(m));
	for (i = 0; i < 2; i++) {
		m[i].buf = (uintptr_t)in[i];
		m[i].len = sizeof(in[i]);
		m[i].handles = (uintptr_t)out[i];
		m[i].nr_handles = 1;
	}
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = SHMBOX_MSG_NONBLOCK;
	v.msgs = (uintptr_t)m;
	v.count = 2;
	v.msg_size = sizeof(m[0]);
	nfd = fd_count();
	EXPECT_EQ(1, ioctl(self->mb, SHMBOX_IOC_MBOX_RECVV, &v));
	EXPECT_EQ(1, m[0].nr_handles);
	EXPECT_EQ(2, m[1].nr_handles);
	EXPECT_EQ(nfd + 1, fd_count());
	expect_region(&out[0][0], RB, H_RW, "first");
	close(out[0][0].fd);
	expect_queued(self->mb, 1, 2);
	/* Alone, the same entry is refused: EMSGSIZE. */
	m[0] = m[1];
	m[0].nr_handles = 1;
	v.count = 1;
	EXPECT_EQ(-1, ioctl(self->mb, SHMBOX_IOC_MBOX_RECVV, &v));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(2, m[0].nr_handles);
	expect_queued(self->mb, 1, 2);
}

/* ---- handles never received go with their message ---------------------------- */

enum { G_UNLINK_NAMED, G_CLOSE_ANON, G_CLOSE_AUTOREMOVE, G_INBOX_EXIT };

FIXTURE(freed) {
	char name[64];
	int mb;
	pid_t child;
	int go;
};

FIXTURE_VARIANT(freed) {
	int how;
};

FIXTURE_VARIANT_ADD(freed, named_mailbox_unlinked) {
	.how = G_UNLINK_NAMED,
};
FIXTURE_VARIANT_ADD(freed, anonymous_mailbox_closed) {
	.how = G_CLOSE_ANON,
};
FIXTURE_VARIANT_ADD(freed, autoremove_mailbox_closed) {
	.how = G_CLOSE_AUTOREMOVE,
};
FIXTURE_VARIANT_ADD(freed, inbox_process_exits) {
	.how = G_INBOX_EXIT,
};

/* A child with an inbox that waits for a byte on @go, then exits. */
static pid_t inbox_child(int *go)
{
	int ready[2], g[2];
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(g))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(g[1]);
		close(ready[0]);
		if (mkinbox(SHMBOX_MBOX_UNBOUNDED, 0600) < 0)
			_exit(1);
		if (sync_send(ready[1]) || sync_wait(g[0]))
			_exit(2);
		_exit(0);
	}
	close(ready[1]);
	close(g[0]);
	*go = g[1];
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	return pid;
}

FIXTURE_SETUP(freed)
{
	unsigned int oflags = SHMBOX_O_CREAT | SHMBOX_O_EXCL;

	self->child = -1;
	self->go = -1;
	self->mb = -1;
	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	mb_name(self->name, sizeof(self->name));
	switch (variant->how) {
	case G_UNLINK_NAMED:
		self->mb = mkmbox(self->name, SHMBOX_MBOX_UNBOUNDED, 0600);
		break;
	case G_CLOSE_ANON:
		self->mb = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600);
		break;
	case G_CLOSE_AUTOREMOVE:
		self->mb = shmbox_mbox_open(self->name,
					    oflags | SHMBOX_O_AUTOREMOVE, NULL,
					    O_RDWR);
		break;
	case G_INBOX_EXIT:
		self->child = inbox_child(&self->go);
		ASSERT_LT(0, self->child);
		self->mb = shmbox_dev_open();
		break;
	}
	ASSERT_LE(0, self->mb);
}

FIXTURE_TEARDOWN(freed)
{
	if (self->mb >= 0)
		close(self->mb);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		reap(self->child);
	}
	if (self->go >= 0)
		close(self->go);
	shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
}

TEST_F(freed, region_freed_with_unreceived_message)
{
	struct shmbox_handle in[2];
	struct shmbox_mbox_send s;
	char *map;
	int rfd, dfd, seen;

	rfd = filled_region(RB_FREED, "in flight", &map);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(1, proc_count_anon("region", getpid(), RB_FREED));
	EXPECT_EQ(0, ns_region_bytes_are(RB_FREED));
	/* Twice in one message: two references, both must go. */
	dfd = dup(rfd);
	ASSERT_LE(0, dfd);
	in[0] = hent(rfd, 0);
	in[1] = hent(dfd, 0);
	s = hsend_arg("f", 1, SHMBOX_MSG_NONBLOCK, in, 2);
	s.pid = variant->how == G_INBOX_EXIT ? self->child : 0;
	ASSERT_EQ(0, hsend_ioctl(self->mb, &s));
	/* The sender lets go: only the message holds the region now. */
	munmap(map, RB_FREED);
	close(rfd);
	close(dfd);
	EXPECT_EQ(1, proc_count_anon("region", getpid(), RB_FREED));
	EXPECT_EQ(0, ns_region_bytes_are(RB_FREED));

	switch (variant->how) {
	case G_UNLINK_NAMED:
		close(self->mb);
		self->mb = -1;
		EXPECT_EQ(1, proc_count_anon("region", getpid(), RB_FREED));
		EXPECT_EQ(0, ns_region_bytes_are(RB_FREED));
		ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
		break;
	case G_CLOSE_ANON:
	case G_CLOSE_AUTOREMOVE:
		close(self->mb);
		self->mb = -1;
		break;
	case G_INBOX_EXIT:
		ASSERT_EQ(0, sync_send(self->go));
		EXPECT_EQ(0, reap(self->child));
		self->child = -1;
		break;
	}
	EXPECT_EQ(0, wait_anon_regions(getpid(), RB_FREED, 0, &seen))
		TH_LOG("%d regions still listed", seen);
	EXPECT_EQ(0, ns_region_bytes_are(0));
}

/* An auto-remove region keeps its name while its handle is in flight. */
TEST_F(base, autoremove_region_named_while_in_flight)
{
	struct shmbox_handle in[1], out[1];
	struct shmbox_mbox_recv r;
	char rname[80], buf[8];
	int fd, again;

	snprintf(rname, sizeof(rname), "%s-auto", self->name);
	fd = region_fd(rname, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
		       SHMBOX_O_AUTOREMOVE, PG, O_RDWR);
	ASSERT_LE(0, fd);
	in[0] = hent(fd, SHMBOX_HANDLE_MOVE);
	ASSERT_EQ(0, hsend(self->mb, "a", 1, 0, in, 1));
	EXPECT_FALSE(fd_is_open(fd));
	/* No fd and no mapping, but a handle: the name stays. */
	EXPECT_EQ(1, proc_find("region", rname, NULL));
	again = region_fd(rname, 0, 0, O_RDWR);
	EXPECT_LE(0, again);
	if (again >= 0)
		close(again);
	EXPECT_EQ(1, proc_find("region", rname, NULL));
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 1, &r));
	ASSERT_EQ(1, r.nr_handles);
	EXPECT_EQ(1, proc_find("region", rname, NULL));
	close(out[0].fd);
	/* Its last user gone: so is the name. */
	EXPECT_EQ(0, proc_find("region", rname, NULL));
	EXPECT_EQ(-ENOENT, region_fd(rname, 0, 0, O_RDWR));
}

/* ---- stat, /proc and the quota ----------------------------------------------- */

/* Messages with 1, 2 and 3 handles and one without, queued: 6 in flight. */
static void queue_six_handles(struct __test_metadata *_metadata, int mb,
			      int rfd, int r2)
{
	int d = dup(rfd);
	struct shmbox_handle in[3] = { hent(rfd, 0), hent(r2, 0), hent(d, 0) };

	ASSERT_LE(0, d);
	ASSERT_EQ(0, hsend(mb, "1", 1, 0, in, 1));
	ASSERT_EQ(0, hsend(mb, "2", 1, 0, in, 2));
	ASSERT_EQ(0, hsend(mb, "3", 1, 0, in, 3));
	ASSERT_EQ(0, hsend(mb, "0", 1, 0, NULL, 0));
	close(d);
}

TEST_F(base, stat_counts_handles_in_flight)
{
	struct shmbox_handle out[HMAX];
	struct shmbox_mbox_recv r;
	char buf[8];

	expect_queued(self->mb, 0, 0);
	queue_six_handles(_metadata, self->mb, self->rfd, self->r2);
	expect_queued(self->mb, 4, 6);
	/* A peek takes nothing; a receive takes its message's. */
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf),
			   SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK, out, HMAX,
			   &r));
	expect_queued(self->mb, 4, 6);
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, HMAX, &r));
	ASSERT_EQ(1, r.nr_handles);
	close_handles(out, r.nr_handles);
	expect_queued(self->mb, 3, 5);
	/* Dropped ones count out too. */
	ASSERT_EQ(1, read(self->mb, buf, sizeof(buf)));
	expect_queued(self->mb, 2, 3);
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, HMAX, &r));
	ASSERT_EQ(3, r.nr_handles);
	close_handles(out, r.nr_handles);
	expect_queued(self->mb, 1, 0);
}

/* /proc/shmbox's handles column: the mailbox's stat; "-" for a region. */
TEST_F(base, proc_handles_column)
{
	struct shmbox_handle out[HMAX];
	struct shmbox_mbox_recv r;
	struct proc_row row;
	char rname[80], buf[8];
	int fd;

	ASSERT_EQ(1, proc_find("mailbox", self->name, &row));
	EXPECT_STREQ("0", row.f[P_HANDLES]);
	queue_six_handles(_metadata, self->mb, self->rfd, self->r2);
	ASSERT_EQ(1, proc_find("mailbox", self->name, &row));
	EXPECT_STREQ("6", row.f[P_HANDLES]);
	EXPECT_STREQ("4", row.f[P_DEPTH]);
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, HMAX, &r));
	close_handles(out, r.nr_handles);
	ASSERT_EQ(1, proc_find("mailbox", self->name, &row));
	EXPECT_STREQ("5", row.f[P_HANDLES]);
	EXPECT_EQ(5, cstat(self->mb).handles);
	/* A region, named, in flight too: no handles column of its own. */
	snprintf(rname, sizeof(rname), "%s-region", self->name);
	fd = region_fd(rname, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
		       SHMBOX_O_AUTOREMOVE, PG, O_RDWR);
	ASSERT_LE(0, fd);
	out[0] = hent(fd, SHMBOX_HANDLE_MOVE);
	ASSERT_EQ(0, hsend(self->mb, "r", 1, 0, out, 1));
	ASSERT_EQ(1, proc_find("region", rname, &row));
	EXPECT_STREQ("-", row.f[P_HANDLES]);
	EXPECT_STREQ("-", row.f[P_CALLS]);
	EXPECT_STREQ("-", row.f[P_SERVING]);
	ASSERT_EQ(1, proc_find("mailbox", self->name, &row));
	EXPECT_STREQ("6", row.f[P_HANDLES]);
}

/*
 * Each handle costs SHMBOX_HANDLE_COST: stat's charged, and the
 * per-user and per-mailbox byte quotas, counted to the byte.
 */
#define CLEN	8

FIXTURE(cost) {
	HANDLES_FIELDS;
	unsigned long old;
	const char *param;
};

enum { L_NONE, L_USER, L_MBOX };

FIXTURE_VARIANT(cost) {
	unsigned int nh;
	int limit;		/* a quota of exactly the message's cost... */
	unsigned int short_by;	/* ...less this */
	int err;
};

FIXTURE_VARIANT_ADD(cost, no_handle) {
	.nh = 0,
};
FIXTURE_VARIANT_ADD(cost, one_handle) {
	.nh = 1,
};
FIXTURE_VARIANT_ADD(cost, three_handles) {
	.nh = 3,
};
FIXTURE_VARIANT_ADD(cost, max_handles) {
	.nh = HMAX,
};
FIXTURE_VARIANT_ADD(cost, user_quota_exact_fits) {
	.nh = 2, .limit = L_USER,
};
FIXTURE_VARIANT_ADD(cost, user_quota_one_byte_short_enospc) {
	.nh = 2, .limit = L_USER, .short_by = 1, .err = ENOSPC,
};
FIXTURE_VARIANT_ADD(cost, mbox_bytes_exact_fits) {
	.nh = 2, .limit = L_MBOX,
};
FIXTURE_VARIANT_ADD(cost, mbox_bytes_one_byte_short_emsgsize) {
	.nh = 2, .limit = L_MBOX, .short_by = 1, .err = EMSGSIZE,
};

FIXTURE_SETUP(cost)
{
	HANDLES_SETUP();
	self->param = NULL;
	if (variant->limit) {
		self->param = variant->limit == L_USER ? "max_user_bytes" :
			      "max_mbox_bytes";
		ASSERT_EQ(0, param_swap(self->param,
					SHMBOX_MSG_COST_H(CLEN, variant->nh) -
					variant->short_by, &self->old));
	}
}

FIXTURE_TEARDOWN(cost)
{
	if (self->param)
		param_set(self->param, self->old);
	HANDLES_TEARDOWN();
}

TEST_F(cost, charged_msg_cost_h)
{
	struct shmbox_handle in[HMAX], out[HMAX];
	struct shmbox_mbox_stat st;
	struct shmbox_mbox_recv r;
	char buf[CLEN];
	unsigned int i;

	/* Distinct fds (dups), one each. */
	for (i = 0; i < variant->nh; i++) {
		in[i] = hent(dup(i & 1 ? self->r2 : self->rfd), 0);
		ASSERT_LE(0, in[i].fd);
	}
	EXPECT_EQ(-variant->err, hsend(self->mb, "12345678", CLEN,
				       SHMBOX_MSG_NONBLOCK, in, variant->nh));
	close_handles(in, variant->nh);
	st = cstat(self->mb);
	if (variant->err) {
		EXPECT_EQ(0, st.depth);
		EXPECT_EQ(0, st.charged);
		EXPECT_EQ(0, st.handles);
		return;
	}
	EXPECT_EQ(1, st.depth);
	EXPECT_EQ(CLEN, st.bytes);
	EXPECT_EQ(variant->nh, st.handles);
	EXPECT_EQ(SHMBOX_MSG_COST_H(CLEN, variant->nh), st.charged);
	EXPECT_EQ(SHMBOX_MSG_COST(CLEN) + variant->nh * SHMBOX_HANDLE_COST,
		  st.charged);
	/* Exactly full: not even an empty message more. */
	if (variant->limit)
		EXPECT_EQ(variant->limit == L_USER ? -ENOSPC : -EAGAIN,
			  hsend(self->mb, "", 0, SHMBOX_MSG_NONBLOCK, NULL, 0));
	ASSERT_EQ(CLEN, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			      out, HMAX, &r));
	EXPECT_EQ(variant->nh, r.nr_handles);
	close_handles(out, r.nr_handles);
	st = cstat(self->mb);
	EXPECT_EQ(0, st.charged);
	EXPECT_EQ(0, st.handles);
}

/* ---- across fork ------------------------------------------------------------ */

/* A child receives the handle, maps it and writes; the parent reads. */
TEST_F(base, child_maps_received_handle_parent_sees_writes)
{
	struct shmbox_handle in[1] = { hent(self->rfd, 0) };
	pid_t pid;

	ASSERT_EQ(0, hsend(self->mb, "c", 1, 0, in, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmbox_handle out[1];
		struct shmbox_mbox_recv r;
		char buf[8], *p;

		/* Only the handle gives the child the region. */
		munmap(self->map, RB);
		close(self->rfd);
		close(self->r2);
		if (hrecv(self->mb, buf, sizeof(buf), 0, out, 1, &r) != 1 ||
		    r.nr_handles != 1 || out[0].bytes != RB)
			_exit(1);
		p = mmap(NULL, RB, PROT_READ | PROT_WRITE, MAP_SHARED,
			 out[0].fd, 0);
		if (p == MAP_FAILED)
			_exit(2);
		if (strcmp(p, "first"))
			_exit(3);
		strcpy(p + PG, "from the child");
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_STREQ("from the child", self->map + PG);
	expect_queued(self->mb, 0, 0);
}

/* A region made by a child that exited lives on in its message. */
TEST_F(base, region_of_exited_child_lives_in_message)
{
	struct shmbox_handle out[1];
	struct shmbox_mbox_recv r;
	char buf[8];
	pid_t pid;
	int seen;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p;
		int fd = filled_region(RB_FREED, "made by the child", &p);
		struct shmbox_handle in[1] = { hent(fd, SHMBOX_HANDLE_MOVE) };

		if (fd < 0)
			_exit(1);
		if (hsend(self->mb, "x", 1, 0, in, 1))
			_exit(2);
		munmap(p, RB_FREED);
		_exit(fd_is_open(fd) ? 3 : 0);
	}
	ASSERT_EQ(0, reap(pid));
	EXPECT_EQ(1, proc_count_anon("region", pid, RB_FREED));
	ASSERT_EQ(1, hrecv(self->mb, buf, sizeof(buf), SHMBOX_MSG_NONBLOCK,
			   out, 1, &r));
	ASSERT_EQ(1, r.nr_handles);
	expect_region(&out[0], RB_FREED, H_RW, "made by the child");
	EXPECT_EQ(0, ns_region_bytes_are(RB + RB2 + RB_FREED));
	close(out[0].fd);
	EXPECT_EQ(0, wait_anon_regions(pid, RB_FREED, 0, &seen))
		TH_LOG("%d still listed", seen);
	EXPECT_EQ(0, ns_region_bytes_are(RB + RB2));
}

/* ---- call and reply --------------------------------------------------------- */

/* What a caller in a child does, and what it reports. */
struct hcall {
	int fd;				/* the mailbox to call */
	const char *req;
	struct shmbox_handle h[HMAX];	/* the request's handles */
	unsigned int nh;
	unsigned int reply_cap;		/* reply_nr_handles */
	unsigned int flags;
	int nfree;			/* > -1: only so many fds free */
	int reply_ptr_bogus;		/* reply_handles points to nothing */
};

struct hreport {
	int ret;
	struct shmbox_mbox_call c;	/* as written back */
	struct shmbox_handle rh[HMAX];
	int cloexec[HMAX];
	char data[HMAX][32];		/* each reply region's first bytes */
	int req_open[HMAX];		/* the request's fds, afterwards */
	int fds_before, fds_after;
	char reply[32];
};

static void hcaller_main(const struct hcall *s, int wr)
{
	static struct hreport o;
	struct rlimit old;
	unsigned int i;

	memset(&o, 0, sizeof(o));
	memset(o.rh, PAT, sizeof(o.rh));
	o.fds_before = fd_count();
	o.c = call_arg(s->req, strlen(s->req), o.reply, sizeof(o.reply) - 1,
		       after_ns(SOON));
	o.c.flags = s->flags;
	o.c.handles = (uintptr_t)s->h;
	o.c.nr_handles = s->nh;
	o.c.reply_nr_handles = s->reply_cap;
	o.c.reply_handles = s->reply_ptr_bogus ? 16 : (uintptr_t)o.rh;
	if (s->nfree >= 0 && limit_free_fds(s->nfree, &old))
		_exit(40);
	o.ret = call_ioctl(s->fd, &o.c);
	if (s->nfree >= 0 && setrlimit(RLIMIT_NOFILE, &old))
		_exit(41);
	o.fds_after = fd_count();
	for (i = 0; i < s->nh; i++)
		o.req_open[i] = fd_is_open(s->h[i].fd);
	for (i = 0; !o.ret && i < o.c.reply_nr_handles && i < HMAX; i++) {
		o.cloexec[i] = fd_cloexec(o.rh[i].fd);
		if (read_region(o.rh[i].fd, o.rh[i].bytes, o.data[i],
				sizeof(o.data[i])))
			o.data[i][0] = 0;
	}
	_exit(write(wr, &o, sizeof(o)) == sizeof(o) ? 0 : 1);
}

struct hcaller {
	pid_t pid;
	int rd;
};

/* Fork a caller doing @s; 0 or -1. */
static int start_hcaller(struct hcaller *k, const struct hcall *s)
{
	int p[2];

	if (pipe(p))
		return -1;
	k->pid = fork();
	if (k->pid < 0)
		return -1;
	if (k->pid == 0) {
		close(p[0]);
		hcaller_main(s, p[1]);
	}
	close(p[1]);
	k->rd = p[0];
	return 0;
}

/* The caller's report once it returned; 0, or -1 (it died). */
static int finish_hcaller(struct hcaller *k, struct hreport *o)
{
	ssize_t n = read(k->rd, o, sizeof(*o));

	close(k->rd);
	k->rd = -1;
	return reap(k->pid) == 0 && n == sizeof(*o) ? 0 : -1;
}

static void kill_hcaller(struct hcaller *k)
{
	if (k->rd < 0)
		return;
	kill(k->pid, SIGKILL);
	reap(k->pid);
	close(k->rd);
	k->rd = -1;
}

/* Take the next call on @mb with room for @cap handles; its handle. */
#define take_hcall(mb, h, cap, r) \
	__take_hcall(_metadata, __LINE__, (mb), (h), (cap), (r))

static uint64_t __take_hcall(struct __test_metadata *_metadata, int line,
			     int mb, struct shmbox_handle *h, unsigned int cap,
			     struct shmbox_mbox_recv *r)
{
	char buf[64];
	int n;

	*r = hrecv_arg(buf, sizeof(buf), 0, h, cap);
	r->deadline_ns = after_ns(SOON);
	n = hrecv_ioctl(mb, r);
	EXPECT_LE(0, n) TH_LOG("line %d: %s", line, strerror(-n));
	EXPECT_EQ(SHMBOX_RECV_CALL, r->rflags) TH_LOG("line %d", line);
	EXPECT_NE(0, r->handle) TH_LOG("line %d", line);
	return n < 0 ? 0 : r->handle;
}

/* Reply @text to @handle with @nh handles of @h: 0 or -errno. */
static int hreply(int mb, uint64_t handle, const char *text,
		  const struct shmbox_handle *h, unsigned int nh)
{
	struct shmbox_mbox_reply a = reply_arg(handle, text, strlen(text));

	a.handles = (uintptr_t)h;
	a.nr_handles = nh;
	return reply_ioctl(mb, &a);
}

/*
 * The fixtures of the calls: the handles fixture and a caller in a child
 * (k); SERVED_SETUP() also starts a caller with room for @cap reply
 * handles and takes its call (handle).
 */
#define CALL_FIELDS		\
	HANDLES_FIELDS;		\
	struct hcaller k;	\
	uint64_t handle

#define SERVED_SETUP(cap, flags_)					\
	do {								\
		struct hcall s = { .req = "give", .nfree = -1 };	\
		struct shmbox_handle none[1];				\
		struct shmbox_mbox_recv r;				\
									\
		HANDLES_SETUP();					\
		self->k.rd = -1;					\
		s.fd = self->mb;					\
		s.reply_cap = (cap);					\
		s.flags = (flags_);					\
		ASSERT_EQ(0, start_hcaller(&self->k, &s));		\
		ASSERT_EQ(0, wait_calls(self->mb, 1, 0));		\
		self->handle = take_hcall(self->mb, none, 1, &r);	\
		ASSERT_NE(0, self->handle);				\
		EXPECT_EQ(0, r.nr_handles);				\
	} while (0)

#define CALL_TEARDOWN()							\
	do {								\
		kill_hcaller(&self->k);					\
		HANDLES_TEARDOWN();					\
	} while (0)

FIXTURE(call) {
	CALL_FIELDS;
};

FIXTURE_VARIANT(call) {
	unsigned int move;	/* the request's first handle's flags */
};

FIXTURE_VARIANT_ADD(call, request_handle_kept) {
	.move = 0,
};
FIXTURE_VARIANT_ADD(call, request_handle_moved) {
	.move = SHMBOX_HANDLE_MOVE,
};

FIXTURE_SETUP(call)
{
	HANDLES_SETUP();
	self->k.rd = -1;
}

FIXTURE_TEARDOWN(call)
{
	CALL_TEARDOWN();
}

TEST_F(call, request_handles_reach_server)
{
	struct hcall s = { .fd = self->mb, .req = "req", .nh = 2, .nfree = -1 };
	struct shmbox_handle out[HMAX];
	struct shmbox_mbox_recv r;
	struct hreport o;
	uint64_t h;

	s.h[0] = hent(self->rfd, variant->move);
	s.h[1] = hent(self->r2, 0);
	ASSERT_EQ(0, start_hcaller(&self->k, &s));
	ASSERT_EQ(0, wait_calls(self->mb, 1, 0));
	expect_queued(self->mb, 1, 2);
	memset(out, PAT, sizeof(out));
	h = take_hcall(self->mb, out, HMAX, &r);
	ASSERT_NE(0, h);
	ASSERT_EQ(2, r.nr_handles);
	expect_region(&out[0], RB, H_RW, "first");
	expect_region(&out[1], RB2, H_RW, "second");
	close_handles(out, 2);
	expect_queued(self->mb, 0, 0);
	ASSERT_EQ(0, hreply(self->mb, h, "done", NULL, 0));
	ASSERT_EQ(0, finish_hcaller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("done", o.reply);
	EXPECT_EQ(0, o.c.reply_nr_handles);
	/* A moved fd is closed once the server took the request. */
	EXPECT_EQ(!variant->move, o.req_open[0]);
	EXPECT_EQ(1, o.req_open[1]);
	EXPECT_EQ(o.fds_before - (variant->move ? 1 : 0), o.fds_after);
}

/* The reply's handles, against the caller's room for them. */
FIXTURE(reply) {
	CALL_FIELDS;
};

FIXTURE_VARIANT(reply) {
	unsigned int cap;	/* the caller's reply_nr_handles */
	unsigned int nh;	/* handles the reply carries */
	unsigned int flags;	/* the call's */
	int err;		/* of the reply */
};

FIXTURE_VARIANT_ADD(reply, two_of_two) {
	.cap = 2, .nh = 2,
};
FIXTURE_VARIANT_ADD(reply, one_of_two) {
	.cap = 2, .nh = 1,
};
FIXTURE_VARIANT_ADD(reply, none_of_two) {
	.cap = 2, .nh = 0,
};
FIXTURE_VARIANT_ADD(reply, two_nocloexec) {
	.cap = 2, .nh = 2, .flags = SHMBOX_MSG_NOCLOEXEC,
};
FIXTURE_VARIANT_ADD(reply, two_for_one_emsgsize) {
	.cap = 1, .nh = 2, .err = EMSGSIZE,
};
FIXTURE_VARIANT_ADD(reply, one_for_none_emsgsize) {
	.cap = 0, .nh = 1, .err = EMSGSIZE,
};

FIXTURE_SETUP(reply)
{
	SERVED_SETUP(variant->cap, variant->flags);
}

FIXTURE_TEARDOWN(reply)
{
	CALL_TEARDOWN();
}

TEST_F(reply, handles_installed_in_caller)
{
	struct shmbox_handle in[2] = { hent(self->r2, 0), hent(self->rfd, 0) };
	const char *want[2] = { "second", "first" };
	uint64_t bytes[2] = { RB2, RB };
	unsigned int i, got = variant->err ? 0 : variant->nh;
	struct hreport o;

	EXPECT_EQ(-variant->err, hreply(self->mb, self->handle, "here", in,
					variant->nh));
	if (variant->err) {
		/* Refused: the call still waits for its answer. */
		EXPECT_EQ(1, cstat(self->mb).calls_serving);
		ASSERT_EQ(0, hreply(self->mb, self->handle, "here", NULL, 0));
	}
	ASSERT_EQ(0, finish_hcaller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("here", o.reply);
	EXPECT_EQ(got, o.c.reply_nr_handles);
	EXPECT_EQ(o.fds_before + got, o.fds_after);
	for (i = 0; i < got; i++) {
		EXPECT_LE(0, o.rh[i].fd);
		EXPECT_EQ(H_RW, o.rh[i].flags);
		EXPECT_EQ(bytes[i], o.rh[i].bytes);
		EXPECT_STREQ(want[i], o.data[i]);
		EXPECT_EQ(variant->flags & SHMBOX_MSG_NOCLOEXEC ? 0 : FD_CLOEXEC,
			  o.cloexec[i]);
	}
	/* The server's fds are its own still. */
	EXPECT_TRUE(fd_is_open(self->rfd));
	EXPECT_TRUE(fd_is_open(self->r2));
	EXPECT_EQ(0, cstat(self->mb).calls_serving);
}

/* A call being served, its caller with room for two reply handles. */
FIXTURE(served) {
	CALL_FIELDS;
};

FIXTURE_SETUP(served)
{
	SERVED_SETUP(2, 0);
}

FIXTURE_TEARDOWN(served)
{
	CALL_TEARDOWN();
}

TEST_F(served, moved_fd_closed_once_replied)
{
	struct shmbox_handle in[1] = { hent(self->r2, SHMBOX_HANDLE_MOVE) };
	struct hreport o;
	int nfd = fd_count();

	ASSERT_EQ(0, hreply(self->mb, self->handle, "mv", in, 1));
	EXPECT_FALSE(fd_is_open(self->r2));
	EXPECT_EQ(nfd - 1, fd_count());
	self->r2 = -1;
	ASSERT_EQ(0, finish_hcaller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	ASSERT_EQ(1, o.c.reply_nr_handles);
	EXPECT_STREQ("second", o.data[0]);
}

/* REPLY_RECV's receive takes the next message's handles. */
TEST_F(served, reply_recv_receives_handles)
{
	struct shmbox_handle in[1] = { hent(self->r2, 0) }, out[2];
	struct shmbox_mbox_reply_recv a;
	struct hreport o;
	char buf[16];

	ASSERT_EQ(0, hsend(self->mb, "next", 4, 0, in, 1));
	memset(out, PAT, sizeof(out));
	a = rr_arg(self->handle, "re", 2, buf, sizeof(buf),
		   SHMBOX_MSG_NONBLOCK, FOREVER);
	a.handles = (uintptr_t)out;
	a.nr_handles = 2;
	ASSERT_EQ(4, rr_ioctl(self->mb, &a));
	EXPECT_EQ(0, a.reply_handle);
	EXPECT_EQ(0, a.rflags);
	ASSERT_EQ(1, a.nr_handles);
	expect_region(&out[0], RB2, H_RW, "second");
	EXPECT_EQ(FD_CLOEXEC, fd_cloexec(out[0].fd));
	close(out[0].fd);
	expect_queued(self->mb, 0, 0);
	ASSERT_EQ(0, finish_hcaller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("re", o.reply);
	EXPECT_EQ(0, o.c.reply_nr_handles);
}

/* A reply refused for one of its handles still answers the call later. */
FIXTURE(reply_refused) {
	CALL_FIELDS;
};

FIXTURE_VARIANT(reply_refused) {
	int bad;		/* the second entry */
	unsigned int bad_flags;
	unsigned int nr;	/* 0: 2 */
	unsigned int pad2;
	bool bogus;		/* handles points to nothing */
	int err;
};

FIXTURE_VARIANT_ADD(reply_refused, closed_fd_ebadf) {
	.bad = B_CLOSED, .err = EBADF,
};
FIXTURE_VARIANT_ADD(reply_refused, pipe_fd_einval) {
	.bad = B_PIPE, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(reply_refused, mailbox_fd_einval) {
	.bad = B_MAILBOX, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(reply_refused, unbound_fd_ebadfd) {
	.bad = B_UNBOUND, .err = EBADFD,
};
FIXTURE_VARIANT_ADD(reply_refused, same_fd_moved_twice_einval) {
	.bad = B_SAME_MOVED, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(reply_refused, unknown_flag_einval) {
	.bad_flags = 1U << 7, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(reply_refused, nonzero_pad2_einval) {
	.pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(reply_refused, bogus_array_efault) {
	.bogus = true, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(reply_refused, more_than_caller_takes_emsgsize) {
	.nr = 3, .err = EMSGSIZE,
};
FIXTURE_VARIANT_ADD(reply_refused, too_many_handles_einval) {
	.nr = HMAX + 1, .err = EINVAL,
};

FIXTURE_SETUP(reply_refused)
{
	SERVED_SETUP(2, 0);
}

FIXTURE_TEARDOWN(reply_refused)
{
	CALL_TEARDOWN();
}

TEST_F(reply_refused, nothing_given_call_still_answerable)
{
	struct shmbox_handle h[HMAX + 1], good[1];
	unsigned int n = variant->nr ? variant->nr : 2, i;
	struct shmbox_mbox_reply a;
	int pfd[2] = { -1, -1 }, other = -1, nfd;
	struct hreport o;

	h[0] = hent(self->rfd, SHMBOX_HANDLE_MOVE);
	for (i = 1; i < n; i++)
		h[i] = hent(self->r2, 0);
	switch (variant->bad) {
	case B_CLOSED:
		other = dup(self->r2);
		ASSERT_LE(0, other);
		close(other);
		h[1].fd = other;
		other = -1;
		break;
	case B_PIPE:
		ASSERT_EQ(0, pipe(pfd));
		h[1].fd = pfd[0];
		break;
	case B_MAILBOX:
		h[1].fd = self->mb;
		break;
	case B_UNBOUND:
		other = shmbox_dev_open();
		h[1].fd = other;
		break;
	case B_SAME_MOVED:
		h[1] = hent(self->rfd, SHMBOX_HANDLE_MOVE);
		break;
	}
	h[1].flags |= variant->bad_flags;
	nfd = fd_count();
	a = reply_arg(self->handle, "no", 2);
	a.handles = variant->bogus ? 16 : (uintptr_t)h;
	a.nr_handles = n;
	a.pad2 = variant->pad2;
	EXPECT_EQ(-variant->err, reply_ioctl(self->mb, &a));
	EXPECT_TRUE(fd_is_open(self->rfd));
	EXPECT_EQ(nfd, fd_count());
	EXPECT_EQ(1, cstat(self->mb).calls_serving);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (other >= 0)
		close(other);
	/* The handle answers it: the caller gets this reply alone. */
	good[0] = hent(self->r2, 0);
	ASSERT_EQ(0, hreply(self->mb, self->handle, "yes", good, 1));
	ASSERT_EQ(0, finish_hcaller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("yes", o.reply);
	ASSERT_EQ(1, o.c.reply_nr_handles);
	EXPECT_STREQ("second", o.data[0]);
	EXPECT_EQ(o.fds_before + 1, o.fds_after);
	/* Nothing of the refused reply kept a reference. */
	expect_fixture_region_freed(self);
}

/* reply_handles not writable: the reply's handles are lost, not leaked. */
TEST_F(base, reply_handles_not_writable_efault_lost)
{
	struct hcall s = { .fd = self->mb, .req = "bad", .reply_cap = 1,
			   .nfree = -1, .reply_ptr_bogus = 1 };
	struct shmbox_handle in[1] = { hent(self->rfd, 0) }, none[1];
	struct shmbox_mbox_recv r;
	struct hcaller k;
	struct hreport o;
	uint64_t h;

	ASSERT_EQ(0, start_hcaller(&k, &s));
	ASSERT_EQ(0, wait_calls(self->mb, 1, 0));
	h = take_hcall(self->mb, none, 1, &r);
	ASSERT_NE(0, h);
	EXPECT_EQ(0, hreply(self->mb, h, "lost", in, 1));
	ASSERT_EQ(0, finish_hcaller(&k, &o));
	EXPECT_EQ(-EFAULT, o.ret);
	EXPECT_EQ(SHMBOX_CALL_DELIVERED, o.c.status);
	EXPECT_EQ(o.fds_before, o.fds_after);
	EXPECT_EQ(0, cstat(self->mb).calls_serving);
	expect_fixture_region_freed(self);
}

/* A reply to a caller that died: ESRCH, nothing moved, nothing kept. */
TEST_F(served, reply_to_dead_caller_esrch_moves_nothing)
{
	struct shmbox_handle in[1] = { hent(self->rfd, SHMBOX_HANDLE_MOVE) };

	kill_hcaller(&self->k);
	EXPECT_EQ(-ESRCH, hreply(self->mb, self->handle, "late", in, 1));
	EXPECT_TRUE(fd_is_open(self->rfd));
	/* Used up by the ESRCH. */
	EXPECT_EQ(-ENOENT, hreply(self->mb, self->handle, "late", NULL, 0));
	EXPECT_EQ(0, cstat(self->mb).calls_serving);
	expect_fixture_region_freed(self);
}

/*
 * A call interrupted after the server took it is parked with its reply's
 * room for handles: the reply's handles wait with it, for a resume with
 * at least as much room (less: EINVAL), or go when the caller does.
 */
static volatile sig_atomic_t parked_sigs;

static void on_park_signal(int sig)
{
	parked_sigs++;
}

struct preport {
	int ret1;		/* the interrupted call */
	uint64_t resume;
	int ret_short;		/* a resume with one handle less room */
	int ret;		/* the resume */
	struct shmbox_mbox_call c;
	struct shmbox_handle rh[2];
	char data[2][32];
	int fds_before, fds_after;
	char reply[32];
};

/*
 * Call mailbox @name through an fd of its own (a parked call lives on
 * its open file description, which a forked copy would share with the
 * test); @resume_room: -1 exits without resuming, else a resume with
 * that much room is tried, then one with 2.
 */
static void parked_main(const char *name, int resume_room, int wr, int go)
{
	static char rbuf[32];
	struct sigaction sa = { .sa_handler = on_park_signal };
	struct preport o;
	int i, fd = shmbox_mbox_open(name, 0, NULL, O_RDWR);

	if (fd < 0)
		_exit(2);
	memset(&o, 0, sizeof(o));
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	o.fds_before = fd_count();
	o.c = call_arg("park", 4, rbuf, sizeof(rbuf) - 1, after_ns(SOON));
	o.c.reply_nr_handles = 2;
	o.c.reply_handles = (uintptr_t)o.rh;
	o.ret1 = call_ioctl(fd, &o.c);
	o.resume = o.c.resume;
	if (write(wr, &o, sizeof(o)) != sizeof(o) || sync_wait(go))
		_exit(1);
	if (resume_room < 0 || o.ret1 != -EINTR)
		_exit(0);
	o.ret_short = -1;
	if (resume_room < 2) {
		struct shmbox_mbox_call c2 = o.c;

		c2.reply_nr_handles = resume_room;
		o.ret_short = call_ioctl(fd, &c2);
	}
	o.c.reply_nr_handles = 2;
	o.ret = call_ioctl(fd, &o.c);
	o.fds_after = fd_count();
	if (!o.ret && o.c.reply_len < sizeof(o.reply))
		memcpy(o.reply, rbuf, o.c.reply_len);
	for (i = 0; !o.ret && i < (int)o.c.reply_nr_handles && i < 2; i++)
		if (read_region(o.rh[i].fd, o.rh[i].bytes, o.data[i],
				sizeof(o.data[i])))
			o.data[i][0] = 0;
	_exit(write(wr, &o, sizeof(o)) == sizeof(o) ? 0 : 1);
}

FIXTURE(parked) {
	HANDLES_FIELDS;
	pid_t pid;
	int rd, go;
};

FIXTURE_VARIANT(parked) {
	int resume_room;
};

FIXTURE_VARIANT_ADD(parked, resumed_gets_handles) {
	.resume_room = 2,
};
FIXTURE_VARIANT_ADD(parked, resume_with_less_room_einval) {
	.resume_room = 1,
};
FIXTURE_VARIANT_ADD(parked, caller_exits_handles_freed) {
	.resume_room = -1,
};

FIXTURE_SETUP(parked)
{
	int p[2], g[2];

	HANDLES_SETUP();
	self->pid = -1;
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(g));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0) {
		close(p[0]);
		close(g[1]);
		parked_main(self->name, variant->resume_room, p[1], g[0]);
	}
	close(p[1]);
	close(g[0]);
	self->rd = p[0];
	self->go = g[1];
}

FIXTURE_TEARDOWN(parked)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		reap(self->pid);
	}
	close(self->rd);
	close(self->go);
	HANDLES_TEARDOWN();
}

TEST_F(parked, reply_handles_wait_with_the_call)
{
	struct shmbox_handle in[2] = { hent(self->rfd, 0), hent(self->r2, 0) };
	struct shmbox_handle none[1];
	struct shmbox_mbox_recv r;
	struct preport o;
	uint64_t h;

	ASSERT_EQ(0, wait_calls(self->mb, 1, 0));
	h = take_hcall(self->mb, none, 1, &r);
	ASSERT_NE(0, h);
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	ASSERT_EQ(sizeof(o), read(self->rd, &o, sizeof(o)));
	ASSERT_EQ(-EINTR, o.ret1);
	EXPECT_EQ(h, o.resume);
	/* The reply goes to the parked call, handles and all. */
	ASSERT_EQ(0, hreply(self->mb, h, "parked", in, 2));
	ASSERT_EQ(0, sync_send(self->go));
	if (variant->resume_room < 0) {
		EXPECT_EQ(0, reap(self->pid));
		self->pid = -1;
		/* Never collected: its handles went with the caller. */
		expect_fixture_region_freed(self);
		return;
	}
	ASSERT_EQ(sizeof(o), read(self->rd, &o, sizeof(o)));
	EXPECT_EQ(0, reap(self->pid));
	self->pid = -1;
	if (variant->resume_room < 2)
		EXPECT_EQ(-EINVAL, o.ret_short);
	EXPECT_EQ(0, o.ret);
	EXPECT_STREQ("parked", o.reply);
	ASSERT_EQ(2, o.c.reply_nr_handles);
	EXPECT_EQ(o.fds_before + 2, o.fds_after);
	EXPECT_STREQ("first", o.data[0]);
	EXPECT_STREQ("second", o.data[1]);
	EXPECT_EQ(RB, o.rh[0].bytes);
	EXPECT_EQ(RB2, o.rh[1].bytes);
}

/* A caller at RLIMIT_NOFILE: its reply's fds are reserved before it sends. */
FIXTURE(call_rlimit) {
	CALL_FIELDS;
};

FIXTURE_VARIANT(call_rlimit) {
	int nfree;
	unsigned int cap;
	int err;
};

FIXTURE_VARIANT_ADD(call_rlimit, no_fd_free_emfile) {
	.nfree = 0, .cap = 1, .err = EMFILE,
};
FIXTURE_VARIANT_ADD(call_rlimit, one_free_for_two_emfile) {
	.nfree = 1, .cap = 2, .err = EMFILE,
};
FIXTURE_VARIANT_ADD(call_rlimit, one_free_for_one_ok) {
	.nfree = 1, .cap = 1,
};
FIXTURE_VARIANT_ADD(call_rlimit, no_fd_free_no_room_asked_ok) {
	.nfree = 0, .cap = 0,
};

FIXTURE_SETUP(call_rlimit)
{
	HANDLES_SETUP();
	self->k.rd = -1;
}

FIXTURE_TEARDOWN(call_rlimit)
{
	CALL_TEARDOWN();
}

TEST_F(call_rlimit, reply_fds_reserved_first)
{
	struct hcall s = { .fd = self->mb, .req = "lim",
			   .nfree = variant->nfree, .reply_cap = variant->cap };
	struct shmbox_handle in[1] = { hent(self->rfd, 0) }, none[1];
	struct shmbox_mbox_recv r;
	struct shmbox_mbox_stat st;
	struct hreport o;
	uint64_t h;

	ASSERT_EQ(0, start_hcaller(&self->k, &s));
	if (variant->err) {
		ASSERT_EQ(0, finish_hcaller(&self->k, &o));
		EXPECT_EQ(-variant->err, o.ret);
		EXPECT_EQ(0, o.c.status);
		EXPECT_EQ(o.fds_before, o.fds_after);
		/* The server sees nothing: it was never sent. */
		st = cstat(self->mb);
		EXPECT_EQ(0, st.depth);
		EXPECT_EQ(0, st.sent);
		EXPECT_EQ(0, st.calls_waiting);
		return;
	}
	ASSERT_EQ(0, wait_calls(self->mb, 1, 0));
	h = take_hcall(self->mb, none, 1, &r);
	ASSERT_NE(0, h);
	ASSERT_EQ(0, hreply(self->mb, h, "ok", in, variant->cap));
	ASSERT_EQ(0, finish_hcaller(&self->k, &o));
	EXPECT_EQ(0, o.ret);
	EXPECT_EQ(variant->cap, o.c.reply_nr_handles);
	EXPECT_EQ(o.fds_before + variant->cap, o.fds_after);
	if (variant->cap)
		EXPECT_STREQ("first", o.data[0]);
}

/* ---- a ring whose consumer gets it by handle ---------------------------------- */

#define NREC	2000

static int ring_producer(int mb, int go)
{
	struct shmbox_ring *ring;
	struct shmbox_handle in[1];
	uint32_t i;

	if (shmbox_ring_open(NULL, SHMBOX_O_CREAT | SHMBOX_RING_PRODUCER,
			     RING_BYTES, 0600, &ring))
		return 1;
	in[0] = hent(shmbox_ring_fd(ring), 0);
	if (hsend(mb, "ring", 4, 0, in, 1))
		return 2;
	if (sync_wait(go))		/* the consumer has claimed its role */
		return 3;
	for (i = 0; i < NREC; i++)
		if (shmbox_ring_write(ring, &i, sizeof(i),
				      shmbox_deadline_in(SOON)))
			return 4;
	shmbox_ring_close(ring);
	return 0;
}

static int ring_consumer(int mb, int go)
{
	struct shmbox_handle out[1];
	struct shmbox_mbox_recv r;
	struct shmbox_region_stat st;
	struct shmbox_ring *ring;
	char buf[8];
	uint32_t i, v;

	if (hrecv(mb, buf, sizeof(buf), 0, out, 1, &r) != 4 ||
	    r.nr_handles != 1)
		return 11;
	if (out[0].flags != (H_RW | SHMBOX_HANDLE_RING) ||
	    out[0].bytes != RING_BYTES)
		return 12;
	st = rstat(out[0].fd);
	if (st.producers != 1 || st.consumers != 0)
		return 13;
	if (ring_claim(out[0].fd, SHMBOX_RING_PRODUCER) != -EBUSY)
		return 14;
	if (ring_claim(out[0].fd, SHMBOX_RING_CONSUMER))
		return 15;
	if (shmbox_ring_from_fd(out[0].fd, SHMBOX_RING_CONSUMER, &ring))
		return 16;
	if (sync_send(go))
		return 17;
	for (i = 0; i < NREC; i++) {
		if (shmbox_ring_read(ring, &v, sizeof(v),
				     shmbox_deadline_in(SOON)) != sizeof(v))
			return 18;
		if (v != i)
			return 19;
	}
	/* The producer is gone and everything read: end of stream. */
	if (shmbox_ring_read(ring, &v, sizeof(v), shmbox_deadline_in(SOON)) !=
	    -EPIPE)
		return 20;
	shmbox_ring_close(ring);
	return 0;
}

TEST(ring_handle_consumer_in_other_process)
{
	int mb = mkmbox(NULL, SHMBOX_MBOX_UNBOUNDED, 0600), sv[2];
	pid_t prod, cons;

	ASSERT_LE(0, mb);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	prod = fork();
	ASSERT_LE(0, prod);
	if (prod == 0)
		_exit(ring_producer(mb, sv[0]));
	cons = fork();
	ASSERT_LE(0, cons);
	if (cons == 0)
		_exit(ring_consumer(mb, sv[1]));
	EXPECT_EQ(0, reap(cons));
	EXPECT_EQ(0, reap(prod));
	expect_queued(mb, 0, 0);
	close(sv[0]);
	close(sv[1]);
	close(mb);
}

TEST_HARNESS_MAIN
