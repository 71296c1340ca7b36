/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shmbox selftests: the unprivileged identities the
 * permission tests switch to, running a function in a child (as one of
 * them, or as we are), and reading and writing the module's parameters
 * (and other numbers in sysfs and procfs files).
 */
#ifndef SHMBOX_SELFTEST_UTIL_H
#define SHMBOX_SELFTEST_UTIL_H

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The "nobody" user and group: no object's owner, in no group of ours. */
#define NOBODY	65534

/* A second unprivileged user, for tests of one user against another. */
#define NOBODY2	65533

/* Become @id (uid and gid) for good: groups, then gid, then uid. 0, or -1. */
static inline int become_user(unsigned int id)
{
	if (setgroups(0, NULL) || setresgid(id, id, id) ||
	    setresuid(id, id, id))
		return -1;
	return 0;
}

static inline int become_nobody(void)
{
	return become_user(NOBODY);
}

/* Wait for child @pid: its exit code, or -1 if it did not exit normally. */
static inline int child_status(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Run @fn(@arg) in a child that became user @id; its exit code (100 if
 * it could not switch), or -1 if the child did not exit normally.
 */
static inline int as_user(unsigned int id, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (become_user(id))
			_exit(100);
		_exit(fn(arg));
	}
	return child_status(pid);
}

static inline int as_nobody(int (*fn)(void *), void *arg)
{
	return as_user(NOBODY, fn, arg);
}

/* Run @fn(@arg) in a child as we are: its exit code, or -1. */
static inline int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	return child_status(pid);
}

/* One byte over a pipe or socket: the two sides' steps in order. 0/-1. */
static inline int sync_send(int fd)
{
	return write(fd, "s", 1) == 1 ? 0 : -1;
}

static inline int sync_wait(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/*
 * Fork a child that runs @fn(its end of a new unix socket pair, @arg) and
 * exits with its value; the parent's end goes in *@sock.  The child's
 * pid, or -1.
 */
static inline pid_t fork_connected(int (*fn)(int sock, void *arg), void *arg,
				   int *sock)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(fn(sv[1], arg));
	}
	close(sv[1]);
	*sock = sv[0];
	return pid;
}

/* Write @map into /proc/@pid/@file (uid_map, gid_map): 0, or -1. */
static inline int write_map(pid_t pid, const char *file, const char *map)
{
	char path[64];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fputs(map, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

struct userns_call {
	int (*fn)(void *);
	void *arg;
};

/* In the child: become NOBODY in a new user namespace, wait to be mapped. */
static inline int userns_trampoline(int sock, void *p)
{
	struct userns_call *c = p;

	if (become_nobody() || prctl(PR_SET_DUMPABLE, 1) ||
	    unshare(CLONE_NEWUSER))
		return 99;
	if (sync_send(sock) || sync_wait(sock))
		return 98;
	return c->fn(c->arg);
}

/*
 * Run @fn(@arg) in a child that, as NOBODY, enters a new user namespace
 * into which root (we) maps @map ("inside outside count", uids and gids),
 * as newuidmap would for subordinate ids.  The child's exit code; 99 if
 * the kernel refuses unprivileged user namespaces; -1 on a local error.
 */
static inline int in_mapped_userns(int (*fn)(void *), void *arg,
				   const char *map)
{
	struct userns_call c = { .fn = fn, .arg = arg };
	int sock, ret = -1;
	pid_t pid;

	pid = fork_connected(userns_trampoline, &c, &sock);
	if (pid < 0)
		return -1;
	if (!sync_wait(sock) && !write_map(pid, "uid_map", map) &&
	    !write_map(pid, "gid_map", map))
		sync_send(sock);
	close(sock);
	ret = child_status(pid);
	return ret;
}

#define PARAM_DIR	"/sys/module/shmbox/parameters/"

/* The number in file @path (sysfs, procfs) into *@val: 0, or -1. */
static inline int read_ulong(const char *path, unsigned long *val)
{
	FILE *f = fopen(path, "r");
	char buf[64], *end;
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	*val = strtoul(buf, &end, 0);
	return end == buf ? -1 : 0;
}

/* Write @v to file @path: 0, or -1 (errno says why) if refused. */
static inline int write_ulong(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%lu\n", v) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* Module parameter @p into *@val: 0, or -1 if it cannot be read. */
static inline int param_read(const char *p, unsigned long *val)
{
	char path[128];

	snprintf(path, sizeof(path), PARAM_DIR "%s", p);
	return read_ulong(path, val);
}

/* Module parameter @p, or 0 if it cannot be read. */
static inline unsigned long param_get(const char *p)
{
	unsigned long v;

	return param_read(p, &v) ? 0 : v;
}

/* Set module parameter @p to @v: 0, or -1 (errno says why) if refused. */
static inline int param_set(const char *p, unsigned long v)
{
	char path[128];

	snprintf(path, sizeof(path), PARAM_DIR "%s", p);
	return write_ulong(path, v);
}

/* Save module parameter @p in *@old, then set it to @v: 0, or -1. */
static inline int param_swap(const char *p, unsigned long v,
			     unsigned long *old)
{
	return param_read(p, old) || param_set(p, v) ? -1 : 0;
}

#endif /* SHMBOX_SELFTEST_UTIL_H */
