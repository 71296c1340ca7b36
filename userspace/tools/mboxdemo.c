// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mboxdemo - show shmbox mailboxes at work (used by "make demo").
 *
 *   mboxdemo send NAME MSG...   create mailbox NAME (capacity 2) if needed
 *                               and send each MSG, blocking when it is full
 *   mboxdemo recv NAME COUNT    receive COUNT messages from NAME, then
 *                               remove it
 *   mboxdemo echo               open this process's inbox, answer one
 *                               message by a direct send to its sender's
 *                               inbox id (never its pid, which may be reused)
 *   mboxdemo ping PID MSG       send MSG to PID's inbox, wait for the reply
 *                               in our own inbox
 *   mboxdemo serve NAME COUNT   answer COUNT calls on mailbox NAME (created
 *                               if needed, removed at the end) with their
 *                               request in capitals, each reply and the
 *                               next receive in one system call
 *   mboxdemo call NAME MSG...   call NAME with each MSG: the request and
 *                               the wait for its reply in one system call
 *   mboxdemo bufs-produce NAME ROUNDS [BAD]
 *                               hand ROUNDS 16 MiB buffers to a consumer by
 *                               handle: a pool of 4 regions, each filled
 *                               with a pattern of its sequence number and
 *                               sent (its fd moved) through mailbox
 *                               NAME.full; the consumer sends each back
 *                               through NAME.free for reuse.  Prints the
 *                               throughput, OK or FAIL.  BAD: spoil one
 *                               byte of that round's buffer (to see FAIL)
 *   mboxdemo bufs-consume NAME  the other side: map each buffer read-only,
 *                               check every byte, send the handle back
 * Both bufs commands exit non-zero if any byte was wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libshmbox.h"

#define NS 1000000000ULL

static int fail(const char *what, int err)
{
	fprintf(stderr, "mboxdemo: %s: %s\n", what, strerror(-err));
	return 1;
}

static int cmd_send(const char *name, int argc, char **argv)
{
	struct shmbox_mbox_attr a = { .capacity = 2, .mode = 0600 };
	int fd, i, err;

	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT, &a, O_WRONLY);
	if (fd < 0)
		return fail("open", fd);
	for (i = 0; i < argc; i++) {
		err = shmbox_mbox_send(fd, argv[i], strlen(argv[i]), 0, 0,
				       SHMBOX_TIMEOUT_NONE);
		if (err)
			return fail("send", err);
		printf("[pid %d] sent     \"%s\"\n", getpid(), argv[i]);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int cmd_recv(const char *name, int count)
{
	struct shmbox_mbox_attr a = { .capacity = 2, .mode = 0600 };
	struct shmbox_mbox_stat st;
	struct shmbox_msg_info info;
	char buf[256];
	int fd, i, n;

	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT, &a, O_RDONLY);
	if (fd < 0)
		return fail("open", fd);
	for (i = 0; i < count; i++) {
		/* Slow consumer: the sender has to wait for room. */
		usleep(200000);
		n = shmbox_mbox_recv(fd, buf, sizeof(buf) - 1, 0,
				     shmbox_deadline_in(30 * NS), &info);
		if (n < 0)
			return fail("recv", n);
		buf[n] = 0;
		printf("[pid %d] received \"%s\" (from pid %d, uid %u, prio %u)\n",
		       getpid(), buf, info.pid, info.uid, info.prio);
		fflush(stdout);
	}
	if (!shmbox_mbox_stat(fd, &st))
		printf("[pid %d] mailbox %s: capacity %u, sent %llu, received %llu, depth %u\n",
		       getpid(), name, st.capacity,
		       (unsigned long long)st.sent,
		       (unsigned long long)st.received, st.depth);
	close(fd);
	n = shmbox_unlink(name, SHMBOX_KIND_MAILBOX);
	return n ? fail("unlink", n) : 0;
}

static int cmd_echo(void)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .mode = 0622 };
	struct shmbox_msg_info_id info;
	char buf[256], reply[300];
	int in, n, err;

	in = shmbox_inbox_open(SHMBOX_O_CREAT, &a, O_RDWR);
	if (in < 0)
		return fail("inbox", in);
	printf("[pid %d] echo: inbox open, waiting\n", getpid());
	fflush(stdout);
	n = shmbox_mbox_recv_id(in, 0, buf, sizeof(buf) - 1, 0,
				shmbox_deadline_in(30 * NS), &info);
	if (n < 0)
		return fail("recv", n);
	buf[n] = 0;
	printf("[pid %d] echo: got \"%s\" from pid %d (uid %u, inbox %llu); replying to it\n",
	       getpid(), buf, info.info.pid, info.info.uid,
	       (unsigned long long)info.id);
	fflush(stdout);
	snprintf(reply, sizeof(reply), "echo of '%s'", buf);
	/* To the sender's inbox id: its pid may be someone else's by now. */
	err = shmbox_mbox_reply_to(in, &info, reply, strlen(reply), 0, 0,
				   shmbox_deadline_in(30 * NS));
	close(in);
	return err ? fail("reply", err) : 0;
}

static int cmd_ping(int pid, const char *msg)
{
	struct shmbox_msg_info info;
	char buf[300];
	int in, n, err, tries;

	in = shmbox_inbox_open(SHMBOX_O_CREAT, NULL, O_RDWR);
	if (in < 0)
		return fail("inbox", in);
	/* The peer may still be opening its inbox. */
	for (tries = 0; tries < 100; tries++) {
		err = shmbox_mbox_send_to(in, pid, msg, strlen(msg), 0, 0,
					  shmbox_deadline_in(30 * NS));
		if (err != -ENOENT)
			break;
		usleep(50000);
	}
	if (err)
		return fail("send to pid", err);
	printf("[pid %d] ping: sent \"%s\" to pid %d directly\n", getpid(), msg,
	       pid);
	fflush(stdout);
	n = shmbox_mbox_recv_from(in, pid, buf, sizeof(buf) - 1, 0,
				  shmbox_deadline_in(30 * NS), &info);
	if (n < 0)
		return fail("recv reply", n);
	buf[n] = 0;
	printf("[pid %d] ping: reply \"%s\" from pid %d\n", getpid(), buf,
	       info.pid);
	close(in);
	return 0;
}

/* The mailbox both sides of a call open, whichever comes first. */
static const struct shmbox_mbox_attr call_attr = { .capacity = 4,
						   .mode = 0600 };

static int cmd_serve(const char *name, int count)
{
	struct shmbox_msg_info_call info;
	struct shmbox_mbox_stat st;
	char in[256], out[256];
	uint32_t out_len = 0;
	uint64_t h = 0;
	int fd, n, i, served = 0, err = 0;

	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT, &call_attr, O_RDWR);
	if (fd < 0)
		return fail("open", fd);
	printf("[pid %d] server: answering %d calls on mailbox %s\n", getpid(),
	       count, name);
	fflush(stdout);
	while (served < count) {
		/* Answer the previous call (if any) and take the next one. */
		n = shmbox_mbox_reply_recv(fd, &h, out, out_len, in, sizeof(in),
					   0, shmbox_deadline_in(30 * NS),
					   &info);
		out_len = 0;
		if (n == -ESRCH)	/* that caller gave up: h is 0 */
			continue;
		if (n < 0)
			return fail("reply_recv", n);
		if (!(info.rflags & SHMBOX_RECV_CALL))
			continue;	/* an ordinary message: no reply */
		served++;
		for (i = 0; i < n && (uint32_t)i < info.reply_max; i++)
			out[i] = toupper((unsigned char)in[i]);
		out_len = i;
		h = info.handle;
		printf("[pid %d] server: call \"%.*s\" from pid %d, reply handle %llu\n",
		       getpid(), n, in, info.pid, (unsigned long long)h);
		fflush(stdout);
	}
	/* The last reply alone: nothing more to receive. */
	if (h)
		err = shmbox_mbox_reply(fd, h, out, out_len);
	if (err)
		return fail("reply", err);
	if (!shmbox_mbox_stat(fd, &st))
		printf("[pid %d] server: mailbox %s: sent %llu, received %llu, calls waiting %u, being served %u\n",
		       getpid(), name, (unsigned long long)st.sent,
		       (unsigned long long)st.received, st.calls_waiting,
		       st.calls_serving);
	close(fd);
	n = shmbox_unlink(name, SHMBOX_KIND_MAILBOX);
	return n ? fail("unlink", n) : 0;
}

static int cmd_call(const char *name, int argc, char **argv)
{
	struct shmbox_call_result res;
	char reply[256];
	int fd, i, n;

	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT, &call_attr, O_WRONLY);
	if (fd < 0)
		return fail("open", fd);
	for (i = 0; i < argc; i++) {
		n = shmbox_mbox_call(fd, 0, 0, argv[i], strlen(argv[i]), 0,
				     reply, sizeof(reply), 0,
				     shmbox_deadline_in(30 * NS), &res);
		if (n < 0) {
			fprintf(stderr, "mboxdemo: call: %s (%s)\n", strerror(-n),
				(res.status & SHMBOX_CALL_DELIVERED) ?
				"the server had the request" : "not delivered");
			return 1;
		}
		printf("[pid %d] client: called \"%s\", reply \"%.*s\" from pid %d\n",
		       getpid(), argv[i], n, reply, res.pid);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

/* ---- buffers by handle ---------------------------------------------------- */

#define BUF_BYTES	(16U << 20)	/* one buffer: 16 MiB */
#define POOL		4		/* buffers in the producer's pool */

/* The payload beside each handle, both ways. */
struct buf_msg {
	uint64_t seq;		/* which round filled it */
	uint32_t slot;		/* the producer's pool entry */
	uint32_t end;		/* 1: no buffer, the producer is done */
	uint64_t bad;		/* back from the consumer: wrong bytes found */
};

/* The two mailboxes, created by whichever side comes first. */
static int bufs_open(const char *name, const char *which, int access)
{
	struct shmbox_mbox_attr a = { .capacity = POOL, .mode = 0600 };
	char mb[SHMBOX_NAME_MAX + 1];

	snprintf(mb, sizeof(mb), "%s.%s", name, which);
	return shmbox_mbox_open(mb, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE, &a,
				access);
}

/* The pattern of round @seq: every 8-byte word differs, and every round. */
static uint64_t pattern(uint64_t seq, size_t word)
{
	return (seq + 1) * 0x9e3779b97f4a7c15ULL ^ (word * 0xff51afd7ed558ccdULL);
}

static void fill(void *p, size_t bytes, uint64_t seq)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		w[i] = pattern(seq, i);
}

/* Bytes of @p that are not round @seq's pattern. */
static uint64_t check(const void *p, size_t bytes, uint64_t seq)
{
	const uint64_t *w = p;
	uint64_t bad = 0, x;
	size_t i;

	for (i = 0; i < bytes / 8; i++) {
		x = w[i] ^ pattern(seq, i);
		for (; x; x >>= 8)
			bad += (x & 0xff) != 0;
	}
	return bad;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A buffer the consumer sent back: its slot gets the new fd. */
static int bufs_take_back(int free_fd, int *fds, uint64_t *bad)
{
	struct shmbox_msg_info_call info;
	struct shmbox_handle h;
	struct buf_msg m;
	unsigned int nh = 1;
	int n;

	n = shmbox_mbox_recvh(free_fd, 0, &m, sizeof(m), 0,
			      shmbox_deadline_in(30 * NS), &info, &h, &nh);
	if (n < 0)
		return fail("receive a buffer back", n);
	if (n != sizeof(m) || nh != 1 || m.slot >= POOL || fds[m.slot] >= 0 ||
	    h.bytes != BUF_BYTES) {
		fprintf(stderr, "mboxdemo: producer: a return that is not one of ours\n");
		if (nh == 1)
			close(h.fd);
		return 1;
	}
	fds[m.slot] = h.fd;
	*bad += m.bad;
	return 0;
}

static int cmd_bufs_produce(const char *name, unsigned long rounds,
			    long bad_round)
{
	int full, free_fd, fds[POOL], i, err = 0, out = 0;
	void *map[POOL] = { NULL };
	uint64_t seq, bad = 0;
	struct buf_msg m;
	double t0, t;

	full = bufs_open(name, "full", O_WRONLY);
	if (full < 0)
		return fail("open the full mailbox", full);
	free_fd = bufs_open(name, "free", O_RDONLY);
	if (free_fd < 0)
		return fail("open the free mailbox", free_fd);
	for (i = 0; i < POOL; i++) {
		fds[i] = shmbox_region_create_map(BUF_BYTES, &map[i]);
		if (fds[i] < 0)
			return fail("create a buffer", fds[i]);
	}
	printf("[pid %d] producer: %d buffers of %u MiB, %lu rounds through %s.full, back through %s.free\n",
	       getpid(), POOL, BUF_BYTES >> 20, rounds, name, name);
	fflush(stdout);
	t0 = now_s();
	for (seq = 0; seq < rounds; seq++) {
		struct shmbox_handle h = { .flags = SHMBOX_HANDLE_MOVE };

		/* A free slot, or wait for the consumer to give one back. */
		for (i = 0; i < POOL && fds[i] < 0; i++)
			;
		if (i == POOL) {
			if (bufs_take_back(free_fd, fds, &bad))
				return 1;
			out--;
			for (i = 0; fds[i] < 0; i++)
				;
		}
		fill(map[i], BUF_BYTES, seq);
		if ((long)seq == bad_round)
			((unsigned char *)map[i])[BUF_BYTES / 2] ^= 0x40;
		m = (struct buf_msg){ .seq = seq, .slot = i };
		/* The fd moves: ours is closed once the message is queued. */
		h.fd = fds[i];
		err = shmbox_mbox_sendh(full, &m, sizeof(m), 0, 0,
					shmbox_deadline_in(30 * NS), &h, 1);
		if (err)
			return fail("send a buffer", err);
		fds[i] = -1;
		out++;
	}
	while (out > 0) {
		if (bufs_take_back(free_fd, fds, &bad))
			return 1;
		out--;
	}
	t = now_s() - t0;
	m = (struct buf_msg){ .end = 1 };
	err = shmbox_mbox_send(full, &m, sizeof(m), 0, 0,
			       shmbox_deadline_in(30 * NS));
	if (err)
		return fail("send the end", err);
	printf("[pid %d] producer: %lu buffers, %lu MiB handed over in %.2f s: %.0f MiB/s, %.0f buffers/s\n",
	       getpid(), rounds, rounds * (BUF_BYTES >> 20), t,
	       rounds * (BUF_BYTES >> 20) / t, rounds / t);
	printf("[pid %d] producer: %s (%" PRIu64 " wrong bytes reported)\n",
	       getpid(), bad ? "FAIL" : "OK", bad);
	for (i = 0; i < POOL; i++)
		shmbox_region_unmap_close(fds[i], map[i], BUF_BYTES);
	close(full);
	close(free_fd);
	return bad ? 1 : 0;
}

static int cmd_bufs_consume(const char *name)
{
	struct shmbox_msg_info_call info;
	uint64_t count = 0, bad = 0;
	int full, free_fd, n, err;
	struct buf_msg m;

	full = bufs_open(name, "full", O_RDONLY);
	if (full < 0)
		return fail("open the full mailbox", full);
	free_fd = bufs_open(name, "free", O_WRONLY);
	if (free_fd < 0)
		return fail("open the free mailbox", free_fd);
	for (;;) {
		struct shmbox_handle h;
		unsigned int nh = 1;
		void *map;

		n = shmbox_mbox_recvh(full, 0, &m, sizeof(m), 0,
				      shmbox_deadline_in(30 * NS), &info, &h,
				      &nh);
		if (n < 0)
			return fail("receive a buffer", n);
		if (n == sizeof(m) && m.end && !nh)
			break;
		if (n != sizeof(m) || nh != 1 || h.bytes != BUF_BYTES) {
			fprintf(stderr, "mboxdemo: consumer: not a buffer (%d bytes, %u handles)\n",
				n, nh);
			return 1;
		}
		if (!count)
			printf("[pid %d] consumer: first buffer: fd %d, %" PRIu64 " bytes, %s%s\n",
			       getpid(), h.fd, (uint64_t)h.bytes,
			       (h.flags & SHMBOX_HANDLE_READ) ? "r" : "",
			       (h.flags & SHMBOX_HANDLE_WRITE) ? "w" : "");
		/* Read-only: the consumer only looks. */
		err = shmbox_region_map_handle(&h, 0, &map);
		if (err)
			return fail("map a buffer", err);
		m.bad = check(map, BUF_BYTES, m.seq);
		if (m.bad) {
			printf("[pid %d] consumer: buffer %" PRIu64 ": %" PRIu64 " wrong bytes\n",
			       getpid(), m.seq, m.bad);
			bad += m.bad;
		}
		shmbox_region_unmap_close(-1, map, BUF_BYTES);
		/* Back to the producer; our fd goes with it. */
		h.flags = SHMBOX_HANDLE_MOVE;
		h.bytes = 0;
		err = shmbox_mbox_sendh(free_fd, &m, sizeof(m), 0, 0,
					shmbox_deadline_in(30 * NS), &h, 1);
		if (err)
			return fail("send a buffer back", err);
		count++;
	}
	printf("[pid %d] consumer: %" PRIu64 " buffers checked byte by byte: %s\n",
	       getpid(), count, bad ? "FAIL" : "OK");
	close(full);
	close(free_fd);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "send"))
		return cmd_send(argv[2], argc - 3, argv + 3);
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return cmd_recv(argv[2], atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "echo"))
		return cmd_echo();
	if (argc == 4 && !strcmp(argv[1], "ping"))
		return cmd_ping(atoi(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return cmd_serve(argv[2], atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "call"))
		return cmd_call(argv[2], argc - 3, argv + 3);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "bufs-produce") &&
	    atol(argv[3]) > 0)
		return cmd_bufs_produce(argv[2], strtoul(argv[3], NULL, 10),
					argc == 5 ? atol(argv[4]) : -1);
	if (argc == 3 && !strcmp(argv[1], "bufs-consume"))
		return cmd_bufs_consume(argv[2]);
	fprintf(stderr, "usage: mboxdemo send NAME MSG... | recv NAME COUNT | echo | ping PID MSG\n"
		"       mboxdemo serve NAME COUNT | call NAME MSG...\n"
		"       mboxdemo bufs-produce NAME ROUNDS [BAD] | bufs-consume NAME\n");
	return 2;
}
