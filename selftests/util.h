/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shmbox selftests: the unprivileged identity the
 * permission tests switch to, running a function under it in a child, and
 * reading and writing the module's parameters (and other numbers in
 * sysfs and procfs files).
 */
#ifndef SHMBOX_SELFTEST_UTIL_H
#define SHMBOX_SELFTEST_UTIL_H

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The "nobody" user and group: no object's owner, in no group of ours. */
#define NOBODY	65534

/* Become NOBODY for good: groups, then gid, then uid. 0, or -1. */
static inline int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return 0;
}

/*
 * Run @fn(@arg) in a child that became NOBODY; its exit code (100 if it
 * could not switch), or -1 if the child did not exit normally.
 */
static inline int as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (become_nobody())
			_exit(100);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
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
