// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox-trinity-bind [SECONDS]: give trinity's /dev/shmbox fds something
 * to work on (make fuzz, scripts/fuzz/1-trinity).
 *
 * Trinity opens its victim files itself and knows nothing of shmbox's
 * ioctls, so on its own every fd it holds stays unbound: mmap fails with
 * ENODEV and poll says EPOLLERR, and only argument checking is reached.
 * This helper waits (at most SECONDS, default 60) for a process holding
 * /dev/shmbox fds -- trinity's main process, which opens them all before
 * it forks its children -- copies each fd with pidfd_getfd() and binds the
 * open file, which the children share: by fd number, a 4 MiB anonymous region, an anonymous
 * ring (producer role), an anonymous mailbox, or nothing (unbound paths
 * stay covered).  Trinity's children then mmap, munmap, mprotect,
 * mremap, madvise, poll and close real shmbox objects with its hostile
 * arguments.  Prints what it bound and exits; exit status 1 if it found
 * nothing to bind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmbox.h>

#define MAX_FDS		64
#define REGION_BYTES	(4u << 20)
#define RING_BYTES	(64u << 10)

static dev_t shmbox_rdev;

/* The /dev/shmbox fds of process @pid, in ascending order; their count. */
static int device_fds(pid_t pid, int *fds)
{
	char path[64];
	struct dirent *d;
	struct stat st;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < MAX_FDS) {
		int fd = atoi(d->d_name);

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
		    st.st_rdev == shmbox_rdev)
			fds[n++] = fd;
	}
	closedir(dir);
	for (int i = 1; i < n; i++)		/* insertion sort */
		for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	return n;
}

/*
 * The first process (lowest pid, not us) holding /dev/shmbox fds, or 0:
 * trinity's main process, whose fd table stays as it opened it, while its
 * children dup and close theirs.
 */
static pid_t find_holder(int *fds, int *nfds)
{
	pid_t holder = 0;
	struct dirent *d;
	DIR *proc;

	*nfds = 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((d = readdir(proc))) {
		pid_t pid = atoi(d->d_name);
		int cand[MAX_FDS], n;

		if (pid <= 0 || pid == getpid() || (holder && pid > holder))
			continue;
		n = device_fds(pid, cand);
		if (n > 0) {
			holder = pid;
			*nfds = n;
			memcpy(fds, cand, n * sizeof(*fds));
		}
	}
	closedir(proc);
	return holder;
}

static int bind_region(int fd, uint32_t flags, uint64_t bytes)
{
	struct shmbox_region_open o = {
		.size = sizeof(o),
		.flags = SHMBOX_O_CREAT | flags,
		.bytes = bytes,
		.mode = 0666,
	};

	return ioctl(fd, SHMBOX_IOC_REGION_OPEN, &o);
}

static int bind_mbox(int fd)
{
	struct shmbox_mbox_open o = {
		.size = sizeof(o),
		.flags = SHMBOX_O_CREAT,
		.capacity = 16,
		.mode = 0666,
	};

	return ioctl(fd, SHMBOX_IOC_MBOX_OPEN, &o);
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	static const char * const kinds[] = { "region", "ring", "mailbox", "unbound" };
	int secs = argc > 1 ? atoi(argv[1]) : 60;
	int fds[MAX_FDS], prev[MAX_FDS], n = 0, nprev = -1;
	int count[4] = { 0 }, busy = 0, failed = 0;
	pid_t pid = 0, prev_pid = 0;
	struct stat st;
	int pidfd;

	if (stat("/dev/shmbox", &st) || !S_ISCHR(st.st_mode)) {
		perror("shmbox-trinity-bind: /dev/shmbox");
		return 1;
	}
	shmbox_rdev = st.st_rdev;

	/* Wait until one process holds fds and has stopped opening more. */
	for (long waited = 0; waited < secs * 1000L; waited += 200) {
		pid = find_holder(fds, &n);
		if (n > 0 && pid == prev_pid && n == nprev &&
		    !memcmp(fds, prev, n * sizeof(*fds)))
			break;
		prev_pid = pid;
		nprev = n;
		memcpy(prev, fds, n * sizeof(*fds));
		n = 0;
		pause_ms(200);
	}
	if (n == 0) {
		fprintf(stderr, "shmbox-trinity-bind: no process opened /dev/shmbox in %d s\n",
			secs);
		return 1;
	}

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("shmbox-trinity-bind: pidfd_open");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int kind = fds[i] % 4, fd, r = 0;

		fd = syscall(SYS_pidfd_getfd, pidfd, fds[i], 0);
		if (fd < 0) {		/* closed meanwhile */
			printf("shmbox-trinity-bind: fd %d: pidfd_getfd: %s\n",
			       fds[i], strerror(errno));
			failed++;
			continue;
		}
		if (kind == 0)
			r = bind_region(fd, 0, REGION_BYTES);
		else if (kind == 1)
			r = bind_region(fd, SHMBOX_REGION_RING | SHMBOX_RING_PRODUCER,
					RING_BYTES);
		else if (kind == 2)
			r = bind_mbox(fd);
		if (r == 0) {
			count[kind]++;
		} else if (errno == EBUSY) {	/* a copy of an fd bound already */
			busy++;
		} else {
			/* Trinity's random open flags: O_PATH, O_WRONLY, ... */
			printf("shmbox-trinity-bind: fd %d (flags %#x): %s: %s\n",
			       fds[i], fcntl(fd, F_GETFL), kinds[kind], strerror(errno));
			failed++;
		}
		close(fd);
	}
	close(pidfd);
	printf("shmbox-trinity-bind: pid %d holds %d /dev/shmbox fds:", (int)pid, n);
	for (int k = 0; k < 4; k++)
		printf(" %d %s%s", count[k], kinds[k], k < 3 ? "," : "");
	printf(" (%d already bound, %d failed)\n", busy, failed);
	return 0;
}
