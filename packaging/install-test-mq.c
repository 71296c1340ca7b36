// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Built by "make install-test" against an installed tree with nothing
 * but "pkg-config --cflags --libs libshmbox-mq" (and --static): a plain
 * POSIX message queue program, which must reach libshmbox-mq, not libc.
 * Where /dev/shmbox exists it sends and receives a message; where it does
 * not (the build host) mq_open() must fail with libshmbox-mq's ENOSYS:
 * libc's mq_open() would have used the kernel's mqueue instead.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 32 };
	struct timespec deadline;
	char name[64], buf[32];
	unsigned int prio;
	ssize_t n;
	int err;
	mqd_t q;

	snprintf(name, sizeof(name), "/install-test-%d", (int)getpid());
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	err = errno;
	if (access("/dev/shmbox", F_OK)) {
		if (q != (mqd_t)-1 || err != ENOSYS) {
			fprintf(stderr, "no /dev/shmbox, yet mq_open() did not fail with ENOSYS: not libshmbox-mq's\n");
			return 1;
		}
		printf("no /dev/shmbox: mq_open() fails with ENOSYS (libshmbox-mq)\n");
		return 0;
	}
	if (q == (mqd_t)-1) {
		fprintf(stderr, "mq_open: %s\n", strerror(err));
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	if (mq_send(q, "hello", 5, 3) ||
	    (n = mq_timedreceive(q, buf, sizeof(buf), &prio, &deadline)) != 5 ||
	    memcmp(buf, "hello", 5) || prio != 3) {
		perror("mq_send/mq_timedreceive");
		return 1;
	}
	mq_close(q);
	if (mq_unlink(name)) {
		perror("mq_unlink");
		return 1;
	}
	printf("libshmbox-mq: sent and received through %s\n", name);
	return 0;
}
