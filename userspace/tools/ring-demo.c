// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ring-demo - a producer or a consumer on a named shmbox ring, for the
 * demo: "ring-demo produce NAME COUNT SIZE" writes COUNT records of SIZE
 * bytes (the first few carry text), "ring-demo consume NAME" creates the
 * ring (64 KiB, removed when both are gone), prints the first records, checks every sequence number and reports when the
 * producer has gone.  Exit codes: 0 success, 1 failure, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libshmbox.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int produce(const char *name, unsigned long count, uint32_t size)
{
	struct shmbox_ring *r;
	unsigned long i;
	int err;

	err = shmbox_ring_open(name, SHMBOX_RING_PRODUCER, 0, 0, &r);
	if (err) {
		fprintf(stderr, "ring-demo: open %s: %s\n", name, strerror(-err));
		return 1;
	}
	for (i = 0; i < count; i++) {
		char *p;

		err = shmbox_ring_reserve(r, size, (void **)&p, SHMBOX_TIMEOUT_NONE);
		if (err) {
			fprintf(stderr, "ring-demo: reserve: %s\n", strerror(-err));
			return 1;
		}
		memset(p, 0, size);
		snprintf(p, size, "record %lu from producer pid %d", i, getpid());
		shmbox_ring_commit(r, (uint32_t)i);
	}
	printf("producer pid %d: wrote %lu records of %u bytes with %llu system calls\n",
	       getpid(), count, size, (unsigned long long)shmbox_ring_syscalls(r));
	shmbox_ring_close(r);
	return 0;
}

static int consume(const char *name)
{
	struct shmbox_ring *r;
	unsigned long n = 0, bytes = 0;
	double t0 = 0;
	int err;

	err = shmbox_ring_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE |
			       SHMBOX_RING_CONSUMER, 64 << 10, 0600, &r);
	if (err) {
		fprintf(stderr, "ring-demo: create %s: %s\n", name, strerror(-err));
		return 1;
	}
	printf("consumer pid %d: created ring '%s', 64 KiB, waiting for data\n",
	       getpid(), name);
	fflush(stdout);
	for (;;) {
		const char *data;
		uint32_t len, tag;

		err = shmbox_ring_peek(r, (const void **)&data, &len, &tag,
				       SHMBOX_TIMEOUT_NONE);
		if (err == -EPIPE)
			break;
		if (err) {
			fprintf(stderr, "ring-demo: read: %s\n", strerror(-err));
			return 1;
		}
		if (!n)
			t0 = now();
		if (tag != (uint32_t)n) {
			fprintf(stderr, "ring-demo: record %lu out of order (%u)\n",
				n, tag);
			return 1;
		}
		if (n < 3)
			printf("consumer pid %d got: %.*s\n", getpid(),
			       (int)strnlen(data, len), data);
		shmbox_ring_release(r);
		n++;
		bytes += len;
	}
	printf("consumer pid %d: %lu records, %lu bytes in order, %.0f MB/s, %llu system calls; producer gone (EPIPE)\n",
	       getpid(), n, bytes, bytes / 1e6 / (now() - t0 + 1e-9),
	       (unsigned long long)shmbox_ring_syscalls(r));
	shmbox_ring_close(r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "produce"))
		return produce(argv[2], strtoul(argv[3], NULL, 0),
			       (uint32_t)strtoul(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "consume"))
		return consume(argv[2]);
	fprintf(stderr, "usage: ring-demo produce NAME COUNT SIZE | consume NAME\n");
	return 2;
}
