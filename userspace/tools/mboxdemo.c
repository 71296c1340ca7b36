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
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	fprintf(stderr, "usage: mboxdemo send NAME MSG... | recv NAME COUNT | echo | ping PID MSG\n"
		"       mboxdemo serve NAME COUNT | call NAME MSG...\n");
	return 2;
}
