/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shmbox selftests: the unprivileged identity the
 * permission tests switch to, and running a function under it in a child.
 */
#ifndef SHMBOX_SELFTEST_UTIL_H
#define SHMBOX_SELFTEST_UTIL_H

#include <grp.h>
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

#endif /* SHMBOX_SELFTEST_UTIL_H */
