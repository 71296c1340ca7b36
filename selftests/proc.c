// SPDX-License-Identifier: GPL-2.0
/*
 * proc: /proc/shmbox -- the header, one line per object with the values
 * the stat ioctls report (regions, rings, mailboxes, inboxes, anonymous
 * objects), name escaping, unlinked objects still in use, objects
 * leaving with their last user, and the visibility rules with a second
 * uid (own objects always, others only with read permission, all with
 * CAP_IPC_OWNER; decided by the opener's credentials).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"
#include "util.h"
#include "proc_util.h"

#define PG	4096UL

static void pname(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "proc-%s-%d", what, getpid());
}

static unsigned long long ull(const char *s)
{
	return strtoull(s, NULL, 10);
}

/* The common columns must be what the stat ioctl says. */
static void check_obj(struct __test_metadata *_metadata,
		      const struct proc_row *r,
		      const struct shmbox_obj_info *o, unsigned int users)
{
	char mode[8];

	snprintf(mode, sizeof(mode), "%04o", o->mode);
	EXPECT_STREQ(mode, r->f[P_MODE]);
	EXPECT_EQ(o->uid, ull(r->f[P_UID]));
	EXPECT_EQ(o->gid, ull(r->f[P_GID]));
	EXPECT_EQ(o->cuid, ull(r->f[P_CUID]));
	EXPECT_EQ(o->cgid, ull(r->f[P_CGID]));
	EXPECT_EQ(o->cpid, atoi(r->f[P_CPID]));
	EXPECT_EQ(users, ull(r->f[P_USERS]));
	EXPECT_EQ(o->linked, ull(r->f[P_LINKED]));
}

TEST(header_and_mode)
{
	struct proc_row *rows = NULL;
	struct stat st;

	ASSERT_EQ(0, stat(PROC_SHMBOX, &st));
	EXPECT_EQ(0444, st.st_mode & 07777);
	ASSERT_LE(0, proc_rows_fd(-1, &rows));
	free(rows);
}

TEST(region_line_matches_stat)
{
	struct shmbox_region_stat st;
	struct proc_row r;
	char name[64];
	void *p;
	int fd, fd2;

	umask(0);
	pname(name, sizeof(name), "region");
	fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, 4 * PG,
				0640, 1);
	ASSERT_LE(0, fd);
	fd2 = shmbox_region_open(name, 0, 0, 0, 0);
	ASSERT_LE(0, fd2);
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);

	ASSERT_EQ(0, shmbox_region_stat(fd, &st));
	ASSERT_EQ(1, proc_find("region", name, &r));
	check_obj(_metadata, &r, &st.obj, 2);
	EXPECT_EQ(4 * PG, ull(r.f[P_SIZE]));
	EXPECT_EQ(st.bytes, ull(r.f[P_SIZE]));
	EXPECT_EQ(1, ull(r.f[P_NATTCH]));
	EXPECT_EQ(st.nattch, ull(r.f[P_NATTCH]));
	EXPECT_STREQ("-", r.f[P_DEPTH]);
	EXPECT_STREQ("-", r.f[P_CAP]);
	EXPECT_STREQ("-", r.f[P_BYTES]);
	EXPECT_STREQ("-", r.f[P_SENT]);
	EXPECT_STREQ("-", r.f[P_RECEIVED]);
	EXPECT_STREQ("-", r.f[P_CALLS]);
	EXPECT_STREQ("-", r.f[P_SERVING]);
	EXPECT_STREQ("-", r.f[P_HANDLES]);
	EXPECT_EQ(0640, st.obj.mode);
	EXPECT_EQ(getpid(), atoi(r.f[P_CPID]));

	munmap(p, 4 * PG);
	close(fd2);
	ASSERT_EQ(1, proc_find("region", name, &r));
	EXPECT_STREQ("0", r.f[P_NATTCH]);
	EXPECT_STREQ("1", r.f[P_USERS]);
	close(fd);
	ASSERT_EQ(0, shmbox_unlink(name, 0));
	EXPECT_EQ(0, proc_find(NULL, name, NULL));
}

TEST(ring_line_shows_bytes_in_ring)
{
	struct shmbox_ring *prod, *cons;
	struct shmbox_region_stat st;
	struct proc_row r;
	char name[64], buf[64];

	umask(0);
	pname(name, sizeof(name), "ring");
	ASSERT_EQ(0, shmbox_ring_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL |
				      SHMBOX_O_AUTOREMOVE | SHMBOX_RING_CONSUMER,
				      16 * PG, 0600, &cons));
	ASSERT_EQ(0, shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0, &prod));
	ASSERT_EQ(0, shmbox_region_stat(shmbox_ring_fd(cons), &st));
	ASSERT_EQ(1, proc_find("ring", name, &r));
	check_obj(_metadata, &r, &st.obj, 2);
	EXPECT_EQ(16 * PG, ull(r.f[P_SIZE]));
	EXPECT_STREQ("0", r.f[P_BYTES]);
	EXPECT_EQ(2, ull(r.f[P_NATTCH]));
	EXPECT_STREQ("-", r.f[P_HANDLES]);

	ASSERT_EQ(0, shmbox_ring_write(prod, "hello", 5, SHMBOX_NOWAIT));
	ASSERT_EQ(0, shmbox_ring_write(prod, "world!!!!", 9, SHMBOX_NOWAIT));
	ASSERT_EQ(1, proc_find("ring", name, &r));
	EXPECT_EQ(SHMBOX_RING_REC_SIZE(5) + SHMBOX_RING_REC_SIZE(9),
		  ull(r.f[P_BYTES]));
	ASSERT_EQ(5, shmbox_ring_read(cons, buf, sizeof(buf), SHMBOX_NOWAIT));
	ASSERT_EQ(1, proc_find("ring", name, &r));
	EXPECT_EQ(SHMBOX_RING_REC_SIZE(9), ull(r.f[P_BYTES]));

	shmbox_ring_close(prod);
	shmbox_ring_close(cons);
	/* Auto-removed with its last user: gone from the listing too. */
	EXPECT_EQ(0, proc_find(NULL, name, NULL));
}

TEST(mailbox_line_matches_stat)
{
	struct shmbox_mbox_attr a = { .capacity = 8, .max_msg_size = 1000,
				      .mode = 0620 };
	struct shmbox_mbox_stat st;
	struct proc_row r;
	char name[64], buf[100];
	int fd;

	umask(0);
	pname(name, sizeof(name), "mbox");
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, &a, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_mbox_send(fd, "one", 3, 0, 0, SHMBOX_NOWAIT));
	ASSERT_EQ(0, shmbox_mbox_send(fd, "two!", 4, 1, 0, SHMBOX_NOWAIT));
	ASSERT_EQ(0, shmbox_mbox_send(fd, "three", 5, 0, 0, SHMBOX_NOWAIT));
	ASSERT_EQ(4, shmbox_mbox_recv(fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
				      NULL));

	ASSERT_EQ(0, shmbox_mbox_stat(fd, &st));
	ASSERT_EQ(1, proc_find("mailbox", name, &r));
	check_obj(_metadata, &r, &st.obj, 1);
	EXPECT_STREQ("0620", r.f[P_MODE]);
	EXPECT_EQ(st.max_msg_size, ull(r.f[P_SIZE]));
	EXPECT_EQ(1000, ull(r.f[P_SIZE]));
	EXPECT_EQ(st.depth, ull(r.f[P_DEPTH]));
	EXPECT_EQ(2, ull(r.f[P_DEPTH]));
	EXPECT_EQ(st.capacity, ull(r.f[P_CAP]));
	EXPECT_EQ(st.bytes, ull(r.f[P_BYTES]));
	EXPECT_EQ(8, ull(r.f[P_BYTES]));
	EXPECT_STREQ("-", r.f[P_NATTCH]);
	EXPECT_EQ(st.sent, ull(r.f[P_SENT]));
	EXPECT_EQ(3, ull(r.f[P_SENT]));
	EXPECT_EQ(st.received, ull(r.f[P_RECEIVED]));
	EXPECT_EQ(1, ull(r.f[P_RECEIVED]));
	EXPECT_STREQ("0", r.f[P_CALLS]);
	EXPECT_STREQ("0", r.f[P_SERVING]);
	EXPECT_EQ(st.handles, ull(r.f[P_HANDLES]));
	EXPECT_STREQ("0", r.f[P_HANDLES]);

	close(fd);
	ASSERT_EQ(0, shmbox_unlink(name, SHMBOX_KIND_MAILBOX));
	EXPECT_EQ(0, proc_find(NULL, name, NULL));
}

TEST(unbounded_and_rendezvous_capacity)
{
	struct shmbox_mbox_attr a = { .capacity = SHMBOX_MBOX_UNBOUNDED,
				      .mode = 0600 };
	struct proc_row r;
	char n1[64], n2[64];
	int fd1, fd2;

	pname(n1, sizeof(n1), "unb");
	pname(n2, sizeof(n2), "rdv");
	fd1 = shmbox_mbox_open(n1, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE, &a,
			       O_RDWR);
	a.capacity = 0;
	fd2 = shmbox_mbox_open(n2, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE, &a,
			       O_RDWR);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(1, proc_find("mailbox", n1, &r));
	EXPECT_STREQ("inf", r.f[P_CAP]);
	ASSERT_EQ(1, proc_find("mailbox", n2, &r));
	EXPECT_STREQ("0", r.f[P_CAP]);
	close(fd1);
	close(fd2);
	EXPECT_EQ(0, proc_find(NULL, n1, NULL));
	EXPECT_EQ(0, proc_find(NULL, n2, NULL));
}

/* Rows of @kind named "-" created by this process. */
static int anon_rows(const char *kind)
{
	return proc_count_anon(kind, getpid(), 0);
}

TEST(anonymous_objects_and_inbox_are_listed)
{
	struct shmbox_mbox_stat st;
	int r, m, in;

	ASSERT_EQ(0, anon_rows("region"));
	ASSERT_EQ(0, anon_rows("mailbox"));
	ASSERT_EQ(0, anon_rows("inbox"));
	r = shmbox_region_open(NULL, SHMBOX_O_CREAT, PG, 0600, 1);
	m = shmbox_mbox_open(NULL, SHMBOX_O_CREAT, NULL, O_RDWR);
	in = shmbox_inbox_open(SHMBOX_O_CREAT, NULL, O_RDWR);
	ASSERT_LE(0, r);
	ASSERT_LE(0, m);
	ASSERT_LE(0, in);
	EXPECT_EQ(1, anon_rows("region"));
	EXPECT_EQ(1, anon_rows("mailbox"));
	EXPECT_EQ(1, anon_rows("inbox"));
	ASSERT_EQ(0, shmbox_mbox_stat(in, &st));
	EXPECT_EQ(getpid(), st.inbox_pid);
	close(r);
	close(m);
	close(in);
	/* Anonymous objects go with their last user. */
	EXPECT_EQ(0, anon_rows("region"));
	EXPECT_EQ(0, anon_rows("mailbox"));
	EXPECT_EQ(0, anon_rows("inbox"));
}

TEST(names_are_escaped)
{
	char name[64], field[128];
	int fd, dash;

	snprintf(name, sizeof(name), "p %d\\x\ty\nz", getpid());
	snprintf(field, sizeof(field), "p\\040%d\\134x\\011y\\012z", getpid());
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE, NULL,
			      O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, proc_find("mailbox", field, NULL));

	/* A name "-" is told apart from an anonymous object. */
	shmbox_unlink("-", 0);
	dash = shmbox_region_open("-", SHMBOX_O_CREAT | SHMBOX_O_EXCL, PG,
				  0600, 1);
	ASSERT_LE(0, dash);
	EXPECT_EQ(1, proc_find("region", "\\055", NULL));
	close(dash);
	EXPECT_EQ(0, shmbox_unlink("-", 0));
	close(fd);
	EXPECT_EQ(0, proc_find(NULL, field, NULL));
}

TEST(unlinked_in_use_then_gone)
{
	struct proc_row r;
	char name[64];
	int fd;

	pname(name, sizeof(name), "unl");
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, NULL,
			      O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, proc_find("mailbox", name, &r));
	EXPECT_STREQ("1", r.f[P_LINKED]);
	ASSERT_EQ(0, shmbox_unlink(name, 0));
	ASSERT_EQ(1, proc_find("mailbox", name, &r));
	EXPECT_STREQ("0", r.f[P_LINKED]);
	EXPECT_STREQ("1", r.f[P_USERS]);
	close(fd);
	EXPECT_EQ(0, proc_find(NULL, name, NULL));
}

/* ---- visibility -------------------------------------------------------- */

struct vis {
	char priv[64];		/* root's, 0600: hidden from nobody */
	char world[64];		/* root's, 0604: visible */
	char group[64];		/* root's, 0640, group 0: hidden */
	char wonly[64];		/* root's, 0602 (others may only write): hidden */
	char own[64];		/* nobody's own, 0200: visible to nobody */
	int rootfd;		/* /proc/shmbox opened by root */
};

static int nobody_view(void *arg)
{
	struct vis *v = arg;
	struct proc_row r;
	int fd, rc = 0;

	if (proc_find(NULL, v->priv, NULL) != 0)
		rc |= 1;
	if (proc_find(NULL, v->world, &r) != 1)
		rc |= 2;
	if (proc_find(NULL, v->group, NULL) != 0)
		rc |= 4;
	if (proc_find(NULL, v->wonly, NULL) != 0)
		rc |= 8;
	umask(0);
	fd = shmbox_mbox_open(v->own, SHMBOX_O_CREAT | SHMBOX_O_EXCL,
			      &(struct shmbox_mbox_attr){ .mode = 0200 },
			      O_WRONLY);
	if (fd < 0)
		return 64;
	/* Our own object, even without read permission on it. */
	if (proc_find("mailbox", v->own, &r) != 1 ||
	    atoi(r.f[P_UID]) != NOBODY || strcmp(r.f[P_MODE], "0200"))
		rc |= 16;
	close(fd);
	return rc;
}

/* A file opened by root keeps root's view, whoever reads it. */
static int nobody_reads_roots_fd(void *arg)
{
	struct vis *v = arg;
	struct proc_row *rows = NULL;
	int n, i, found = 0;

	n = proc_rows_fd(v->rootfd, &rows);
	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].f[P_NAME], v->priv))
			found++;
	free(rows);
	return found == 1 ? 0 : 1;
}

TEST(visibility_for_a_second_uid)
{
	struct vis v;
	int fds[4], i;

	umask(0);
	pname(v.priv, sizeof(v.priv), "priv");
	pname(v.world, sizeof(v.world), "world");
	pname(v.group, sizeof(v.group), "group");
	pname(v.wonly, sizeof(v.wonly), "wonly");
	pname(v.own, sizeof(v.own), "own");
	shmbox_unlink(v.own, 0);
	fds[0] = shmbox_mbox_open(v.priv, SHMBOX_O_CREAT,
				  &(struct shmbox_mbox_attr){ .mode = 0600 },
				  O_RDWR);
	fds[1] = shmbox_region_open(v.world, SHMBOX_O_CREAT, PG, 0604, 1);
	fds[2] = shmbox_region_open(v.group, SHMBOX_O_CREAT, PG, 0640, 1);
	fds[3] = shmbox_mbox_open(v.wonly, SHMBOX_O_CREAT,
				  &(struct shmbox_mbox_attr){ .mode = 0602 },
				  O_RDWR);
	for (i = 0; i < 4; i++)
		ASSERT_LE(0, fds[i]);

	EXPECT_EQ(0, as_nobody(nobody_view, &v));
	/* Root (CAP_IPC_OWNER) sees everything, nobody's 0200 object too. */
	EXPECT_EQ(1, proc_find("mailbox", v.priv, NULL));
	EXPECT_EQ(1, proc_find("region", v.group, NULL));
	EXPECT_EQ(1, proc_find("mailbox", v.wonly, NULL));
	EXPECT_EQ(1, proc_find("mailbox", v.own, NULL));

	v.rootfd = open(PROC_SHMBOX, O_RDONLY);
	ASSERT_LE(0, v.rootfd);
	EXPECT_EQ(0, as_nobody(nobody_reads_roots_fd, &v));
	close(v.rootfd);

	for (i = 0; i < 4; i++)
		close(fds[i]);
	EXPECT_EQ(0, shmbox_unlink(v.priv, 0));
	EXPECT_EQ(0, shmbox_unlink(v.world, 0));
	EXPECT_EQ(0, shmbox_unlink(v.group, 0));
	EXPECT_EQ(0, shmbox_unlink(v.wonly, 0));
	EXPECT_EQ(0, shmbox_unlink(v.own, 0));
}

TEST_HARNESS_MAIN
