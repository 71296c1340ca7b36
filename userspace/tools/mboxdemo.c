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
 */
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
	fprintf(stderr, "usage: mboxdemo send NAME MSG... | recv NAME COUNT | echo | ping PID MSG\n");
	return 2;
}
