// SPDX-License-Identifier: GPL-2.0
/*
 * pts-run - run one Open POSIX Test Suite binary in the guest for
 * "make posix-conformance" (scripts/guest-init.sh, sbx.mode=posix).
 *
 *   pts-run SECONDS DIR OUTPUT PROGRAM [ARG...]
 *
 * Runs PROGRAM in its own process group with DIR as its working
 * directory, stdin from /dev/null, stdout and stderr to OUTPUT, every
 * signal at its default action and unblocked.  When it has not exited
 * after SECONDS, its whole process group is killed (SIGKILL).  Either way
 * everything it left behind is killed afterwards: its process group, and
 * every descendant that was reparented to pts-run (a child subreaper), so
 * that no straggler keeps a queue or the shmbox module busy for the next
 * test.  Prints one line:
 *
 *   exit:N | signal:N | timeout   MILLISECONDS   STRAGGLERS
 *
 * and exits 0; 2 on a usage error or when PROGRAM cannot be started.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGKILL every process whose parent is pts-run; how many there were. */
static int kill_children(void)
{
	char path[64], buf[512], *p;
	struct dirent *de;
	int n = 0, fd;
	ssize_t len;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		long ppid;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) state ppid ...": comm may hold anything. */
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
			continue;
		if (ppid == (long)getpid()) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	struct timespec tmo;
	long long start, end;
	int secs, status, fd, sig, stragglers = 0, timed_out = 0;
	sigset_t chld, all;
	pid_t pid, w;

	if (argc < 5) {
		fprintf(stderr, "usage: pts-run SECONDS DIR OUTPUT PROGRAM [ARG...]\n");
		return 2;
	}
	secs = atoi(argv[1]);
	if (secs <= 0) {
		fprintf(stderr, "pts-run: bad timeout '%s'\n", argv[1]);
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		perror("pts-run: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	start = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("pts-run: fork");
		return 2;
	}
	if (pid == 0) {
		setpgid(0, 0);
		for (sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);	/* EINVAL for some: fine */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (chdir(argv[2])) {
			fprintf(stderr, "pts-run: %s: %s\n", argv[2], strerror(errno));
			_exit(127);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			fprintf(stderr, "pts-run: %s: %s\n", argv[3], strerror(errno));
			_exit(127);
		}
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		execv(argv[4], argv + 4);
		fprintf(stderr, "pts-run: %s: %s\n", argv[4], strerror(errno));
		_exit(127);
	}
	/* Also here: no window in which the child runs in our group. */
	setpgid(pid, pid);

	for (;;) {
		long long left = start + (long long)secs * 1000 - now_ms();

		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			perror("pts-run: waitpid");
			return 2;
		}
		if (left <= 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		tmo.tv_sec = left / 1000;
		tmo.tv_nsec = (left % 1000) * 1000000;
		sigtimedwait(&chld, NULL, &tmo);
	}
	end = now_ms();

	/*
	 * What it left behind: its group, then whatever was reparented to
	 * us, until no child is left (a killed child's own children come to
	 * us in turn).
	 */
	kill(-pid, SIGKILL);
	for (;;) {
		int n = kill_children();

		stragglers += n;
		w = waitpid(-1, NULL, n ? 0 : WNOHANG);
		if (w < 0 && errno == ECHILD)
			break;
		if (w <= 0 && !n) {
			/* A child that is not yet visible as ours: look again. */
			struct timespec ms10 = { 0, 10 * 1000 * 1000 };

			nanosleep(&ms10, NULL);
		}
	}

	if (timed_out)
		printf("timeout");
	else if (WIFSIGNALED(status))
		printf("signal:%d", WTERMSIG(status));
	else
		printf("exit:%d", WEXITSTATUS(status));
	printf(" %lld %d\n", end - start, stragglers);
	return 0;
}
