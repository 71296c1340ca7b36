// SPDX-License-Identifier: GPL-2.0
/*
 * ns: shmbox objects belong to the opener's IPC namespace.  Names, opens,
 * unlinks, inboxes and /proc/shmbox do not cross namespaces; an fd passed
 * over a unix socket does, and keeps working; a namespace's names go when
 * its last task does, and its objects once nobody holds them.  In a user
 * namespace (as an unprivileged user) the same holds, and uids are shown
 * translated into the reader's user namespace.
 *
 * Each test runs the other side in a child that unshares; the child's
 * exit code names the step that failed (0: all passed).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

/* ---- helpers -------------------------------------------------------------- */

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Is a line of /proc/shmbox, as this process reads it, about @name? */
static int proc_lists(const char *name)
{
	char line[512], pat[300];
	int found = 0;
	FILE *f = fopen("/proc/shmbox", "r");

	if (!f)
		return -1;
	snprintf(pat, sizeof(pat), " %s ", name);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, pat))
			found = 1;
	fclose(f);
	return found;
}

static int mbox_capacity(int fd)
{
	struct shmbox_mbox_stat st;

	return shmbox_mbox_stat(fd, &st) ? -1 : (int)st.capacity;
}

/*
 * Enter a new user namespace (as the unprivileged user we are) where we
 * are root, mapped to our own ids outside, and a new IPC namespace it
 * owns.  0, or -errno (the caller skips if the kernel does not allow it).
 */
static int enter_userns_ipcns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int fd;

	/* A uid change made us undumpable: /proc/self would be root's. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return -EIO;
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC))
		return -errno;
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		return -EIO;
	close(fd);
	snprintf(map, sizeof(map), "0 %u 1", uid);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		return -EIO;
	close(fd);
	snprintf(map, sizeof(map), "0 %u 1", gid);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		return -EIO;
	close(fd);
	return 0;
}

/* ---- names ---------------------------------------------------------------- */

FIXTURE(host) {
	char name[64];
	int fd;				/* the host's mailbox "name", capacity 3 */
};

FIXTURE_SETUP(host)
{
	umask(0);
	mb_name(self->name, sizeof(self->name));
	self->fd = mkmbox(self->name, 3, 0666);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(host)
{
	shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX);
	close(self->fd);
}

static int open_in_new_ns(void *name)
{
	if (unshare(CLONE_NEWIPC))
		return 10;
	return shmbox_mbox_open(name, 0, NULL, O_RDWR) == -ENOENT ? 0 : 1;
}

TEST_F(host, other_namespace_cannot_open_the_name)
{
	EXPECT_EQ(0, in_child(open_in_new_ns, self->name));
}

static int create_in_new_ns(void *name)
{
	int fd;

	if (unshare(CLONE_NEWIPC))
		return 10;
	fd = mkmbox(name, 5, 0600);
	if (fd < 0)
		return 1;
	if (mbox_capacity(fd) != 5)
		return 2;
	/* Our own name, not the host's: unlinking it leaves the host's. */
	if (shmbox_unlink(name, SHMBOX_KIND_MAILBOX))
		return 3;
	close(fd);
	return 0;
}

TEST_F(host, same_name_is_created_apart_in_other_namespace)
{
	int fd;

	EXPECT_EQ(0, in_child(create_in_new_ns, self->name));
	fd = shmbox_mbox_open(self->name, 0, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, mbox_capacity(fd));
	close(fd);
}

static int unlink_in_new_ns(void *name)
{
	if (unshare(CLONE_NEWIPC))
		return 10;
	return shmbox_unlink(name, SHMBOX_KIND_MAILBOX) == -ENOENT ? 0 : 1;
}

TEST_F(host, other_namespace_cannot_unlink_the_name)
{
	EXPECT_EQ(0, in_child(unlink_in_new_ns, self->name));
	EXPECT_EQ(1, proc_lists(self->name));
}

struct proc_arg {
	const char *host_name;
	char own_name[64];
	int to_parent, from_parent;
};

static int proc_in_new_ns(void *p)
{
	struct proc_arg *a = p;
	int fd;

	if (unshare(CLONE_NEWIPC))
		return 10;
	fd = mkmbox(a->own_name, 1, 0644);
	if (fd < 0)
		return 1;
	if (proc_lists(a->own_name) != 1)
		return 2;
	if (proc_lists(a->host_name) != 0)
		return 3;
	/* The parent looks now, while our object exists. */
	if (sync_send(a->to_parent) || sync_wait(a->from_parent))
		return 4;
	close(fd);
	return 0;
}

TEST_F(host, proc_lists_only_the_readers_namespace)
{
	struct proc_arg a = { .host_name = self->name };
	int up[2], down[2];
	pid_t pid;

	mb_name(a.own_name, sizeof(a.own_name));
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	a.to_parent = up[1];
	a.from_parent = down[0];
	pid = fork();
	if (pid == 0)
		_exit(proc_in_new_ns(&a));
	close(up[1]);
	close(down[0]);
	ASSERT_EQ(0, sync_wait(up[0]));
	EXPECT_EQ(1, proc_lists(self->name));
	EXPECT_EQ(0, proc_lists(a.own_name));
	ASSERT_EQ(0, sync_send(down[1]));
	EXPECT_EQ(0, child_status(pid));
}

/* ---- inboxes and fds across the boundary ------------------------------------ */

/* Where a child in a new IPC namespace sends: our inbox, by pid or id. */
struct inbox_target {
	pid_t pid;
	uint64_t id;			/* 0: by pid */
};

static int send_from_new_ns(void *p)
{
	const struct inbox_target *t = p;
	int fd;

	if (unshare(CLONE_NEWIPC))
		return 10;
	fd = open(SHMBOX_DEVICE_PATH, O_WRONLY);
	if (fd < 0)
		return 1;
	if (t->id)
		return shmbox_mbox_send_to_id(fd, t->id, "x", 1, 0, 0,
					      SHMBOX_NOWAIT) == -ESRCH ? 0 : 2;
	return shmbox_mbox_send_to(fd, t->pid, "x", 1, 0, 0, SHMBOX_NOWAIT) ==
	       -ENOENT ? 0 : 3;
}

FIXTURE(inbox) {
	int fd;
};

FIXTURE_VARIANT(inbox) {
	int by_id;
};

FIXTURE_VARIANT_ADD(inbox, by_pid_enoent) { .by_id = 0 };
FIXTURE_VARIANT_ADD(inbox, by_id_esrch) { .by_id = 1 };

FIXTURE_SETUP(inbox)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .mode = 0622 };

	self->fd = shmbox_inbox_open(SHMBOX_O_CREAT, &a, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(inbox)
{
	close(self->fd);
}

TEST_F(inbox, not_reachable_from_other_namespace)
{
	struct inbox_target t = { .pid = getpid() };
	struct shmbox_mbox_stat st;
	char buf[8];

	if (variant->by_id) {
		ASSERT_EQ(0, shmbox_mbox_stat(self->fd, &st));
		ASSERT_NE(0, st.inbox_id);
		t.id = st.inbox_id;
	}
	EXPECT_EQ(0, in_child(send_from_new_ns, &t));
	EXPECT_EQ(-EAGAIN, shmbox_mbox_recv(self->fd, buf, sizeof(buf), 0,
					    SHMBOX_NOWAIT, NULL));
}

static int pass_fds_child(int sock, void *p)
{
	int mine, hosts;
	char buf[16];

	if (unshare(CLONE_NEWIPC))
		return 10;
	mine = mkmbox(NULL, 4, 0600);
	if (mine < 0 || send_fd(sock, mine))
		return 1;
	hosts = recv_fd(sock);
	if (hosts < 0)
		return 2;
	/* The host's mailbox, used from here through the passed fd. */
	if (shmbox_mbox_send(hosts, "to-host", 7, 0, 0, SHMBOX_NOWAIT))
		return 3;
	if (sync_wait(sock))
		return 4;
	/* Ours got the parent's message through the fd it was passed. */
	if (shmbox_mbox_recv(mine, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
			     NULL) != 7 || memcmp(buf, "to-ipcn", 7))
		return 5;
	return 0;
}

TEST_F(host, fd_passed_across_namespaces_keeps_working)
{
	int sock, theirs;
	char buf[16];
	pid_t pid;

	pid = fork_connected(pass_fds_child, NULL, &sock);
	ASSERT_LT(0, pid);
	theirs = recv_fd(sock);
	ASSERT_LE(0, theirs);
	ASSERT_EQ(0, send_fd(sock, self->fd));
	EXPECT_EQ(0, shmbox_mbox_send(theirs, "to-ipcn", 7, 0, 0,
				      SHMBOX_NOWAIT));
	ASSERT_EQ(0, sync_send(sock));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(7, shmbox_mbox_recv(self->fd, buf, sizeof(buf), 0,
				      SHMBOX_NOWAIT, NULL));
	EXPECT_EQ(0, memcmp(buf, "to-host", 7));
	close(theirs);
}

/* Fill max_objects (three) in a new namespace; the fourth is refused. */
static int fill_new_ns(void *p)
{
	int i;

	if (unshare(CLONE_NEWIPC))
		return 10;
	for (i = 0; i < 3; i++)
		if (mkmbox(NULL, 1, 0600) < 0)
			return 1 + i;
	return mkmbox(NULL, 1, 0600) == -ENOSPC ? 0 : 5;
}

TEST(namespace_limits_are_counted_apart)
{
	unsigned long old;
	int fd;

	/* A full namespace leaves the host's count alone. */
	ASSERT_EQ(0, param_swap("max_objects", 3, &old));
	EXPECT_EQ(0, in_child(fill_new_ns, NULL));
	fd = mkmbox(NULL, 1, 0600);
	param_set("max_objects", old);
	EXPECT_LE(0, fd);
	close(fd);
}

/* ---- a namespace that dies ------------------------------------------------- */

/* In a new IPC namespace, as NOBODY: two named mailboxes, one fd passed. */
static int dying_child(int sock, void *p)
{
	char name[64];
	int fd, i;

	if (unshare(CLONE_NEWIPC) || become_nobody())
		return 10;
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "dying-%d", i);
		fd = mkmbox(name, 2, 0600);
		if (fd < 0)
			return 1 + i;
		if (i == 0 && send_fd(sock, fd))
			return 3;
		close(fd);
	}
	/* The parent sees our objects counted before we go. */
	if (sync_send(sock) || sync_wait(sock))
		return 4;
	return 0;
}

/* Can NOBODY create @n anonymous mailboxes now?  1 yes, 0 EDQUOT, -1. */
static int nobody_creates(void *p)
{
	int n = *(int *)p, i, fd;

	for (i = 0; i < n; i++) {
		fd = mkmbox(NULL, 1, 0600);
		if (fd == -EDQUOT)
			return 0;
		if (fd < 0)
			return 2;
	}
	return 1;
}

/* Wait (bounded) until NOBODY can create @n: 1, or 0 if it never could. */
static int wait_nobody_creates(int n)
{
	struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	int i;

	for (i = 0; i < 300; i++) {
		if (as_nobody(nobody_creates, &n) == 1)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

TEST(names_go_with_their_namespace_objects_with_their_last_user)
{
	int sock, kept, one = 1, two = 2;
	unsigned long old;
	char buf[4];
	pid_t pid;

	ASSERT_EQ(0, param_swap("max_user_objects", 2, &old));
	pid = fork_connected(dying_child, NULL, &sock);
	ASSERT_LT(0, pid);
	kept = recv_fd(sock);
	ASSERT_LE(0, kept);
	ASSERT_EQ(0, sync_wait(sock));
	/* Both of the child's objects count against NOBODY now. */
	EXPECT_EQ(0, as_nobody(nobody_creates, &one));
	ASSERT_EQ(0, sync_send(sock));
	EXPECT_EQ(0, child_status(pid));

	/* The namespace is gone: the unheld object goes, the held one stays. */
	EXPECT_EQ(1, wait_nobody_creates(1));
	EXPECT_EQ(0, as_nobody(nobody_creates, &two));
	EXPECT_EQ(0, shmbox_mbox_send(kept, "k", 1, 0, 0, SHMBOX_NOWAIT));
	EXPECT_EQ(1, shmbox_mbox_recv(kept, buf, sizeof(buf), 0,
				      SHMBOX_NOWAIT, NULL));
	close(kept);
	EXPECT_EQ(1, wait_nobody_creates(2));
	param_set("max_user_objects", old);
}

/* ---- user namespaces ------------------------------------------------------- */

static int userns_child(int sock, void *name)
{
	struct shmbox_msg_info info;
	struct shmbox_mbox_stat st;
	int fd, err, hosts;
	char buf[8];

	err = enter_userns_ipcns();
	if (err)
		return err == -EPERM || err == -EINVAL || err == -ENOSPC ? 99 : 10;
	/* The host's name is free here. */
	fd = mkmbox(name, 4, 0600);
	if (fd < 0)
		return 1;
	/* Our owner as we see it: root of our namespace. */
	if (shmbox_mbox_stat(fd, &st) || st.obj.uid != 0 || st.obj.cuid != 0)
		return 2;
	if (send_fd(sock, fd))
		return 3;
	hosts = recv_fd(sock);
	if (hosts < 0)
		return 4;
	if (shmbox_mbox_send(hosts, "u", 1, 0, 0, SHMBOX_NOWAIT))
		return 5;
	if (sync_wait(sock))
		return 6;
	/* The parent, NOBODY outside, is our root. */
	if (shmbox_mbox_recv(fd, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
			     &info) != 1 || info.uid != 0)
		return 7;
	return 0;
}

static int userns_parent(void *name)
{
	struct shmbox_msg_info info;
	struct shmbox_mbox_stat st;
	int sock, theirs, mine, ret = 0;
	char buf[8];
	pid_t pid;

	mine = mkmbox(NULL, 4, 0666);
	if (mine < 0)
		return 20;
	pid = fork_connected(userns_child, name, &sock);
	if (pid < 0)
		return 20;
	theirs = recv_fd(sock);
	if (theirs < 0) {
		ret = child_status(pid);
		return ret ? ret : 21;
	}
	if (send_fd(sock, mine))
		ret = 22;
	/* Their root is our NOBODY. */
	else if (shmbox_mbox_stat(theirs, &st) || st.obj.uid != NOBODY)
		ret = 23;
	else if (shmbox_mbox_recv(mine, buf, sizeof(buf), 0, FOREVER,
				  &info) != 1 || info.uid != NOBODY)
		ret = 24;
	else if (shmbox_mbox_send(theirs, "h", 1, 0, 0, SHMBOX_NOWAIT))
		ret = 25;
	sync_send(sock);
	if (child_status(pid) && !ret)
		ret = 26;
	return ret;
}

TEST_F(host, user_namespace_as_unprivileged_user)
{
	int ret = as_nobody(userns_parent, self->name);

	if (ret == 99)
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, ret);
	/* The host's object is untouched. */
	EXPECT_EQ(3, mbox_capacity(self->fd));
}

/*
 * In a user namespace owned by NOBODY with two uids (mapped by root), and
 * an IPC namespace it owns: its root has CAP_IPC_OWNER over an object of
 * its uid 1 there, whatever the mode says.
 */
static int caps_child(void *p)
{
	int fd;

	if (unshare(CLONE_NEWIPC) || setresgid(0, 0, 0) ||
	    setresuid(1, 1, 0))
		return 11;
	fd = mkmbox("caps", 1, 0600);
	if (fd < 0)
		return 1;
	close(fd);
	if (setresuid(0, 0, 0))
		return 12;
	fd = shmbox_mbox_open("caps", 0, NULL, O_RDWR);
	return fd >= 0 ? 0 : 2;
}

TEST(cap_ipc_owner_counts_in_the_namespaces_owner)
{
	int ret = in_mapped_userns(caps_child, NULL, "0 200000 2");

	if (ret == 99)
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, ret);
}

TEST_HARNESS_MAIN
