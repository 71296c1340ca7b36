// SPDX-License-Identifier: GPL-2.0
/*
 * quota: per-user limits and who pays for a queued message.
 *
 * max_user_objects and max_user_region_bytes stop one unprivileged user
 * with EDQUOT while other users and root can still create; subordinate
 * uids in a user namespace count against the namespace's owner.  A
 * mailbox's owner pays for what is queued in it, so neither side holds
 * the other hostage: a client that never reads its inbox costs the
 * server nothing but room in that inbox, and a sender flooding another
 * user's mailbox uses up no more of that user's quota than the capacity
 * the owner chose.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

#define PG 4096UL

/* A child holding what it created until told to go. */
struct holder {
	pid_t pid;
	int up, down;			/* the parent's ends */
};

/*
 * Fork a child that becomes @uid, runs @fn(@arg) (whose value it sends
 * up as one byte), then waits for the parent's word before it exits
 * (closing what it made).  Returns @fn's value, or -1.
 */
static int hold_as(struct holder *h, unsigned int uid, int (*fn)(void *),
		   void *arg)
{
	int up[2], down[2];
	unsigned char v;

	if (pipe(up) || pipe(down))
		return -1;
	h->pid = fork();
	if (h->pid == 0) {
		v = become_user(uid) ? 100 : fn(arg);
		if (write(up[1], &v, 1) != 1)
			_exit(1);
		_exit(sync_wait(down[0]) ? 1 : 0);
	}
	close(up[1]);
	close(down[0]);
	h->up = up[0];
	h->down = down[1];
	if (h->pid < 0 || read(h->up, &v, 1) != 1)
		return -1;
	return v;
}

static int release_holder(struct holder *h)
{
	int ret;

	sync_send(h->down);
	ret = child_status(h->pid);
	close(h->up);
	close(h->down);
	return ret;
}

/* Create @n anonymous mailboxes (kept open): 0, or the first errno. */
static int create_mboxes(void *p)
{
	int n = *(int *)p, i, fd;

	for (i = 0; i < n; i++) {
		fd = mkmbox(NULL, 1, 0600);
		if (fd < 0)
			return -fd;
	}
	return 0;
}

/* Create one anonymous region of *@p bytes (kept open): 0 or errno. */
static int create_region(void *p)
{
	int fd = shmbox_region_open(NULL, SHMBOX_O_CREAT, *(uint64_t *)p,
				    0600, 1);

	return fd < 0 ? -fd : 0;
}

/* ---- per-user limits ------------------------------------------------------ */

FIXTURE(lim) {
	unsigned long old_objects, old_region;
	struct holder full;		/* NOBODY, at its limits */
};

FIXTURE_SETUP(lim)
{
	int three = 3;

	umask(0);
	ASSERT_EQ(0, param_swap("max_user_objects", 4, &self->old_objects));
	ASSERT_EQ(0, param_swap("max_user_region_bytes", 4 * PG,
				&self->old_region));
	/* NOBODY holds three mailboxes of its four. */
	ASSERT_EQ(0, hold_as(&self->full, NOBODY, create_mboxes, &three));
}

FIXTURE_TEARDOWN(lim)
{
	release_holder(&self->full);
	param_set("max_user_objects", self->old_objects);
	param_set("max_user_region_bytes", self->old_region);
}

static int create_region_and_mbox(void *p)
{
	uint64_t four_pages = 4 * PG;
	int ret, three = 3;

	/* Four objects, four pages: all of this user's limits. */
	ret = create_region(&four_pages);
	return ret ? ret : create_mboxes(&three);
}

TEST_F(lim, user_object_limit_edquot)
{
	int one = 1, two = 2;
	struct holder h;

	/* A fourth object is within the limit, a fifth is not. */
	EXPECT_EQ(0, as_nobody(create_mboxes, &one));
	EXPECT_EQ(EDQUOT, hold_as(&h, NOBODY, create_mboxes, &two));
	release_holder(&h);
}

TEST_F(lim, user_region_bytes_limit_edquot)
{
	uint64_t one_page = PG, four_pages = 4 * PG;
	struct holder h;

	/* Four pages of regions held: not one page more. */
	ASSERT_EQ(0, hold_as(&h, NOBODY, create_region, &four_pages));
	EXPECT_EQ(EDQUOT, as_nobody(create_region, &one_page));
	release_holder(&h);
}

TEST_F(lim, other_user_can_still_create)
{
	EXPECT_EQ(0, as_user(NOBODY2, create_region_and_mbox, NULL));
}

TEST_F(lim, root_is_exempt_from_user_limits)
{
	int five = 5;
	uint64_t eight_pages = 8 * PG;

	EXPECT_EQ(0, in_child(create_mboxes, &five));
	EXPECT_EQ(0, in_child(create_region, &eight_pages));
}

/*
 * A user namespace owned by NOBODY with a range of subordinate uids
 * (mapped by root, as newuidmap would): whichever of them creates, it
 * counts against NOBODY too.
 */
static int subuid_child(void *p)
{
	int one = 1, i;

	/* Three of NOBODY's four are held outside: one more, by ns uid 0. */
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return 11;
	if (create_mboxes(&one))
		return 1;
	for (i = 1; i < 4; i++) {
		/* Other subordinate uids get no limits of their own. */
		if (setresuid(0, 0, 0) || setresuid(i, i, 0))
			return 12;
		if (create_mboxes(&one) != EDQUOT)
			return 2;
	}
	return 0;
}

TEST_F(lim, subordinate_uids_count_against_the_namespace_owner)
{
	int ret = in_mapped_userns(subuid_child, NULL, "0 200000 16");

	if (ret == 99)
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, ret);
}

/* ---- who pays for a queued message ----------------------------------------- */

FIXTURE(pay) {
	unsigned long old_bytes;
	struct holder b, c;		/* clients NOBODY and NOBODY2 */
	int b_pid, c_pid;
};

/* A client's inbox: four messages, anyone may send to it. */
static int open_client_inbox(void *p)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .mode = 0622 };

	return shmbox_inbox_open(SHMBOX_O_CREAT, &a, O_RDWR) < 0 ? 1 : 0;
}

FIXTURE_SETUP(pay)
{
	umask(0);
	/* Six 100-byte messages' worth per user. */
	ASSERT_EQ(0, param_swap("max_user_bytes", 6 * SHMBOX_MSG_COST(100),
				&self->old_bytes));
	ASSERT_EQ(0, hold_as(&self->b, NOBODY, open_client_inbox, NULL));
	ASSERT_EQ(0, hold_as(&self->c, NOBODY2, open_client_inbox, NULL));
	self->b_pid = self->b.pid;
	self->c_pid = self->c.pid;
}

FIXTURE_TEARDOWN(pay)
{
	release_holder(&self->b);
	release_holder(&self->c);
	param_set("max_user_bytes", self->old_bytes);
}

TEST_F(pay, client_that_never_reads_costs_the_server_only_its_inbox)
{
	char msg[100] = "reply";
	int fd = open(SHMBOX_DEVICE_PATH, O_WRONLY), i;

	ASSERT_LE(0, fd);
	/* B never reads: its inbox fills, and only sends to it wait. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, shmbox_mbox_send_to(fd, self->b_pid, msg, 100, 0,
						 0, SHMBOX_NOWAIT));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_send_to(fd, self->b_pid, msg, 100, 0, 0,
					       SHMBOX_NOWAIT));
	/* Eight queued in all, more than six: none was charged to us. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, shmbox_mbox_send_to(fd, self->c_pid, msg, 100, 0,
						 0, SHMBOX_NOWAIT));
	close(fd);
}

struct flood_arg {
	const char *name;
	int sent;
};

/* As another user: send to @name until it is full. */
static int flood(void *p)
{
	struct flood_arg *a = p;
	char msg[100] = "spam";
	int fd = shmbox_mbox_open(a->name, 0, NULL, O_WRONLY), ret;

	if (fd < 0)
		return 1;
	for (a->sent = 0; a->sent < 100; a->sent++) {
		ret = shmbox_mbox_send(fd, msg, 100, 0, 0, SHMBOX_NOWAIT);
		if (ret)
			return ret == -EAGAIN && a->sent == 4 ? 0 : 2;
	}
	return 3;
}

TEST_F(pay, flooding_sender_uses_only_the_capacity_the_owner_chose)
{
	struct shmbox_mbox_stat st;
	struct flood_arg a;
	char name[64], msg[100] = "own";
	int target, own, i;

	mb_name(name, sizeof(name));
	a.name = name;
	target = mkmbox(name, 4, 0622);
	own = mkmbox(NULL, 4, 0600);
	ASSERT_LE(0, target);
	ASSERT_LE(0, own);
	EXPECT_EQ(0, as_user(NOBODY2, flood, &a));
	ASSERT_EQ(0, shmbox_mbox_stat(target, &st));
	EXPECT_EQ(4, st.depth);
	EXPECT_EQ(4 * SHMBOX_MSG_COST(100), st.charged);
	/* The flood cost us four of our six: two more fit, not three. */
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, shmbox_mbox_send(own, msg, 100, 0, 0,
					      SHMBOX_NOWAIT));
	EXPECT_EQ(-ENOSPC, shmbox_mbox_send(own, msg, 100, 0, 0,
					    SHMBOX_NOWAIT));
	shmbox_unlink(name, SHMBOX_KIND_MAILBOX);
	close(target);
	close(own);
}

TEST_HARNESS_MAIN
