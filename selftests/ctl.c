// SPDX-License-Identifier: GPL-2.0
/*
 * ctl: the shmboxctl tool (/usr/bin/shmboxctl in the guest) -- create,
 * ls (its rows are the /proc/shmbox rows, --json parses and carries the
 * same values), stat (with the call counters), send/recv (one message,
 * lines, priorities, non-blocking and timed, a reply by inbox id),
 * call/serve (an echo round trip, messages beside calls, timeouts, a
 * server that goes away), rm, watch, --hold with --autoremove, --help of
 * every command, and the exit codes and error messages for bad input,
 * missing objects and a second uid without permission.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"
#include "util.h"
#include "proc_util.h"

#define CTL	"/usr/bin/shmboxctl"
#define MAXARGS	32

struct res {
	int rc;			/* exit code, or -1 if it did not exit */
	char out[65536];
	char err[8192];
};

static void slurp(int fd, char *buf, size_t cap)
{
	ssize_t n, len = 0;

	lseek(fd, 0, SEEK_SET);
	while ((size_t)len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd);
}

/* A shmboxctl started and not yet waited for (start(), finish()). */
struct job {
	pid_t pid;
	int fout, ferr;
};

/*
 * Start shmboxctl with the NULL-terminated arguments, @in on stdin, as
 * @uid (0: ourselves).  0, or -1 with nothing started.
 */
static int vstart(struct job *j, uid_t uid, const char *in, va_list ap)
{
	char *argv[MAXARGS] = { "shmboxctl" };
	int fin, n = 1;

	while (n < MAXARGS - 1 && (argv[n] = va_arg(ap, char *)))
		n++;
	argv[n] = NULL;
	fin = memfd_create("in", 0);
	j->fout = memfd_create("out", 0);
	j->ferr = memfd_create("err", 0);
	if (fin < 0 || j->fout < 0 || j->ferr < 0)
		return -1;
	if (in && write(fin, in, strlen(in)) != (ssize_t)strlen(in))
		return -1;
	lseek(fin, 0, SEEK_SET);
	j->pid = fork();
	if (j->pid == 0) {
		dup2(fin, 0);
		dup2(j->fout, 1);
		dup2(j->ferr, 2);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(100);
		execv(CTL, argv);
		_exit(127);
	}
	close(fin);
	return j->pid < 0 ? -1 : 0;
}

/* Wait for @j and fill @r with what it printed.  Returns @r->rc. */
static int finish(struct job *j, struct res *r)
{
	int status;

	if (waitpid(j->pid, &status, 0) != j->pid)
		return r->rc = -1;
	r->rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	slurp(j->fout, r->out, sizeof(r->out));
	slurp(j->ferr, r->err, sizeof(r->err));
	return r->rc;
}

/*
 * Run shmboxctl with the NULL-terminated arguments, @in on stdin, as
 * @uid (0: ourselves); fills @r.  Returns @r->rc.
 */
static int vrun(struct res *r, uid_t uid, const char *in, va_list ap)
{
	struct job j;

	if (vstart(&j, uid, in, ap))
		return r->rc = -1;
	return finish(&j, r);
}

static int run(struct res *r, const char *in, ...)
{
	va_list ap;
	int rc;

	va_start(ap, in);
	rc = vrun(r, 0, in, ap);
	va_end(ap);
	return rc;
}

static int run_as(struct res *r, uid_t uid, ...)
{
	va_list ap;
	int rc;

	va_start(ap, uid);
	rc = vrun(r, uid, NULL, ap);
	va_end(ap);
	return rc;
}

/* Start shmboxctl in the background, as run() would run it. */
static int start(struct job *j, const char *in, ...)
{
	va_list ap;
	int rc;

	va_start(ap, in);
	rc = vstart(j, 0, in, ap);
	va_end(ap);
	return rc;
}

static void cname(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "ctl-%s-%d", what, getpid());
}

/* Split @line into at most @max blank-separated fields. */
static int split(char *line, char **f, int max)
{
	char *save, *tok;
	int n = 0;

	for (tok = strtok_r(line, " \n", &save); tok && n < max;
	     tok = strtok_r(NULL, " \n", &save))
		f[n++] = tok;
	return n;
}

/* ---- a small JSON checker ------------------------------------------------ */

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_value(const char *p, int depth)
{
	p = js_ws(p);
	if (depth > 16)
		return NULL;
	if (*p == '"')
		return js_string(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = js_string(js_ws(p));
				if (!p)
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = js_value(p, depth + 1);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-' || isdigit((unsigned char)*p)) {
		p++;
		while (isdigit((unsigned char)*p) || strchr(".eE+-", *p))
			p++;
		return p;
	}
	return NULL;
}

static int json_valid(const char *s)
{
	const char *end = js_value(s, 0);

	return end && !*js_ws(end);
}

/* The text of the JSON object that has "name": "@name". */
static char *json_object_of(char *s, const char *name)
{
	char key[128], *p, *start, *end;

	snprintf(key, sizeof(key), "\"name\": \"%s\"", name);
	p = strstr(s, key);
	if (!p)
		return NULL;
	start = p;
	while (start > s && *start != '{')
		start--;
	end = strchr(p, '}');
	if (!end)
		return NULL;
	end[1] = '\0';
	return start;
}

/* ---- tests --------------------------------------------------------------- */

TEST(help_for_every_command)
{
	static const char *const cmds[] = { "ls", "stat", "create", "rm",
		"send", "recv", "call", "serve", "watch", "version" };
	char want[64];
	struct res r;
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(0, run(&r, NULL, cmds[i], "--help", NULL)) TH_LOG("%s", cmds[i]);
		snprintf(want, sizeof(want), "usage: shmboxctl %s", cmds[i]);
		EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) TH_LOG("%s", r.out);
	}
	EXPECT_EQ(0, run(&r, NULL, "--help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "Exit codes"));
}

TEST(usage_errors_exit_2)
{
	struct res r;

	EXPECT_EQ(2, run(&r, NULL, NULL));
	EXPECT_EQ(2, run(&r, NULL, "frobnicate", NULL));
	EXPECT_NE(NULL, strstr(r.err, "unknown command 'frobnicate'"));
	EXPECT_EQ(2, run(&r, NULL, "create", "mailbox", NULL));
	EXPECT_EQ(2, run(&r, NULL, "create", "pipe", "x", NULL));
	EXPECT_NE(NULL, strstr(r.err, "unknown kind 'pipe'"));
	EXPECT_EQ(2, run(&r, NULL, "create", "mailbox", "x", "--capacity", "lots", NULL));
	EXPECT_EQ(2, run(&r, NULL, "create", "mailbox", "x", "--mode", "999", NULL));
	EXPECT_EQ(2, run(&r, NULL, "create", "mailbox", "x", "--size", "4096", NULL));
	EXPECT_EQ(2, run(&r, NULL, "create", "ring", "x", "--capacity", "3", NULL));
	EXPECT_EQ(2, run(&r, NULL, "send", "x", "--prio", "32768", NULL));
	EXPECT_NE(NULL, strstr(r.err, "bad priority '32768'"));
	EXPECT_EQ(2, run(&r, NULL, "send", NULL));
	EXPECT_EQ(2, run(&r, NULL, "recv", "x", "--timeout", "soon", NULL));
	EXPECT_EQ(2, run(&r, NULL, "recv", "x", "--count", "0", NULL));
	EXPECT_EQ(2, run(&r, NULL, "rm", NULL));
	EXPECT_EQ(2, run(&r, NULL, "ls", "--kind", "pipe", NULL));
	EXPECT_EQ(2, run(&r, NULL, "stat", NULL));
	EXPECT_EQ(2, run(&r, NULL, "watch", "--count", "x", NULL));
	EXPECT_EQ(2, run(&r, NULL, "ls", "--bogus", NULL));
	EXPECT_EQ(2, run(&r, NULL, "call", "-m", "x", NULL));
	EXPECT_EQ(2, run(&r, NULL, "call", "x", "--prio", "32768", "-m", "x", NULL));
	EXPECT_NE(NULL, strstr(r.err, "bad priority '32768'"));
	EXPECT_EQ(2, run(&r, NULL, "call", "--to-id", "7", "x", "-m", "x", NULL));
	EXPECT_EQ(2, run(&r, NULL, "serve", NULL));
	EXPECT_EQ(2, run(&r, NULL, "serve", "x", "--calls", "0", NULL));
	EXPECT_EQ(2, run(&r, NULL, "serve", "x", "--timeout", "soon", NULL));
}

TEST(create_ls_matches_proc_then_rm)
{
	char name[64], line[4096], *f[32], *lf[32];
	struct proc_row pr;
	struct res r;
	char *p, *save;
	int n, found = 0, i;

	umask(022);
	cname(name, sizeof(name), "mb");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, "--capacity", "4",
			 "--max-msg", "1K", "--mode", "0660", NULL)) TH_LOG("%s", r.err);
	ASSERT_EQ(1, proc_find("mailbox", name, &pr));
	EXPECT_STREQ("0640", pr.f[P_MODE]);	/* 0660 minus the umask */
	EXPECT_STREQ("4", pr.f[P_CAP]);
	EXPECT_STREQ("1024", pr.f[P_SIZE]);
	EXPECT_STREQ("0", pr.f[P_USERS]);

	ASSERT_EQ(0, run(&r, NULL, "ls", NULL));
	/*
	 * Header, then rows with the /proc columns but cuid and cgid: the 17
	 * up to RECEIVED, then the call columns (ABI 1.3).
	 */
	p = strtok_r(r.out, "\n", &save);
	ASSERT_NE(NULL, p);
	snprintf(line, sizeof(line), "%s", p);
	n = split(line, f, 32);
	ASSERT_EQ(18, n);
	EXPECT_STREQ("KIND", f[0]);
	EXPECT_STREQ("NAME", f[1]);
	EXPECT_STREQ("RECEIVED", f[14]);
	EXPECT_STREQ("CALLS", f[15]);
	EXPECT_STREQ("SERVING", f[16]);
	EXPECT_STREQ("HANDLES", f[17]);
	while ((p = strtok_r(NULL, "\n", &save))) {
		snprintf(line, sizeof(line), "%s", p);
		n = split(line, lf, 32);
		ASSERT_EQ(18, n);
		if (strcmp(lf[1], name))
			continue;
		found++;
		EXPECT_STREQ("0", lf[15]);
		EXPECT_STREQ("0", lf[16]);
		EXPECT_STREQ("0", lf[17]);
		for (i = 0; i < PROC_NCOLS; i++) {
			int k = i < P_CUID ? i : i - 2;

			if (i == P_CUID || i == P_CGID)
				continue;
			EXPECT_STREQ(pr.f[i], lf[k]) TH_LOG("column %d", i);
		}
	}
	EXPECT_EQ(1, found);

	/* NAME filter and --kind filter. */
	ASSERT_EQ(0, run(&r, NULL, "ls", "--kind", "ring", name, NULL));
	EXPECT_EQ(NULL, strstr(r.out, name));
	ASSERT_EQ(0, run(&r, NULL, "ls", "--kind", "mailbox", name, NULL));
	EXPECT_NE(NULL, strstr(r.out, name));

	EXPECT_EQ(6, run(&r, NULL, "create", "mailbox", name, NULL));
	snprintf(line, sizeof(line), "shmboxctl: create %s: already exists\n", name);
	EXPECT_STREQ(line, r.err);
	EXPECT_EQ(0, run(&r, NULL, "create", "mailbox", name, "--exist-ok", NULL));

	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
	EXPECT_EQ(0, proc_find(NULL, name, NULL));
	EXPECT_EQ(3, run(&r, NULL, "rm", name, NULL));
	snprintf(line, sizeof(line), "shmboxctl: rm %s: no such object\n", name);
	EXPECT_STREQ(line, r.err);
	EXPECT_EQ(0, run(&r, NULL, "rm", "--force", name, NULL));
}

TEST(ring_and_region_create_stat)
{
	char ring[64], reg[64];
	struct proc_row pr;
	struct res r;

	umask(0);
	cname(ring, sizeof(ring), "ring");
	cname(reg, sizeof(reg), "reg");
	ASSERT_EQ(0, run(&r, NULL, "create", "ring", ring, "--size", "64K", NULL))
		TH_LOG("%s", r.err);
	ASSERT_EQ(0, run(&r, NULL, "create", "region", reg, "--size", "8192",
			 "--mode", "644", NULL));
	ASSERT_EQ(1, proc_find("ring", ring, &pr));
	EXPECT_STREQ("65536", pr.f[P_SIZE]);
	EXPECT_STREQ("0600", pr.f[P_MODE]);
	ASSERT_EQ(1, proc_find("region", reg, &pr));
	EXPECT_STREQ("8192", pr.f[P_SIZE]);
	EXPECT_STREQ("0644", pr.f[P_MODE]);

	ASSERT_EQ(0, run(&r, NULL, "stat", reg, NULL));
	EXPECT_NE(NULL, strstr(r.out, "kind:              region\n"));
	EXPECT_NE(NULL, strstr(r.out, "size:              8192\n"));
	EXPECT_NE(NULL, strstr(r.out, "mode:              0644\n"));
	EXPECT_NE(NULL, strstr(r.out, "users:             0\n"));
	ASSERT_EQ(0, run(&r, NULL, "stat", ring, NULL));
	EXPECT_NE(NULL, strstr(r.out, "kind:              ring\n"));
	EXPECT_NE(NULL, strstr(r.out, "producers:         0\n"));

	/* Not a power of two: the kernel's EINVAL, named. */
	EXPECT_EQ(1, run(&r, NULL, "create", "ring", "ctl-bad", "--size", "12K", NULL));
	EXPECT_STREQ("shmboxctl: create ctl-bad: invalid argument\n", r.err);
	EXPECT_EQ(3, run(&r, NULL, "stat", "ctl-no-such-object", NULL));
	EXPECT_STREQ("shmboxctl: stat ctl-no-such-object: no such object\n", r.err);
	/* Wrong kind. */
	EXPECT_EQ(1, run(&r, NULL, "rm", "--kind", "mailbox", ring, NULL));
	EXPECT_NE(NULL, strstr(r.err, "another kind"));
	EXPECT_EQ(0, run(&r, NULL, "rm", ring, reg, NULL));
	EXPECT_EQ(0, proc_find(NULL, ring, NULL));
	EXPECT_EQ(0, proc_find(NULL, reg, NULL));
}

TEST(send_recv_messages_lines_prio)
{
	char name[64], msg[128];
	struct proc_row pr;
	struct res r;

	cname(name, sizeof(name), "sr");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	/* stdin as one message, newlines included. */
	ASSERT_EQ(0, run(&r, "a whole\nmessage\n", "send", name, NULL)) TH_LOG("%s", r.err);
	ASSERT_EQ(0, run(&r, NULL, "recv", name, NULL));
	EXPECT_STREQ("a whole\nmessage\n", r.out);
	/* One message per line. */
	ASSERT_EQ(0, run(&r, "one\ntwo\n\nfour", "send", "--lines", name, NULL));
	ASSERT_EQ(1, proc_find("mailbox", name, &pr));
	EXPECT_STREQ("4", pr.f[P_DEPTH]);
	EXPECT_STREQ("10", pr.f[P_BYTES]);
	EXPECT_STREQ("5", pr.f[P_SENT]);
	ASSERT_EQ(0, run(&r, NULL, "recv", "--lines", "--count", "2", name, NULL));
	EXPECT_STREQ("one\ntwo\n", r.out);
	ASSERT_EQ(0, run(&r, NULL, "recv", "--lines", "--all", name, NULL));
	EXPECT_STREQ("\nfour\n", r.out);
	/* Priorities: the higher first; -m and --verbose. */
	ASSERT_EQ(0, run(&r, NULL, "send", "-m", "low", name, NULL));
	ASSERT_EQ(0, run(&r, NULL, "send", "-m", "high", "--prio", "7", name, NULL));
	ASSERT_EQ(0, run(&r, NULL, "recv", "--peek", name, NULL));
	EXPECT_STREQ("high", r.out);
	ASSERT_EQ(0, run(&r, NULL, "recv", "-v", "--lines", "--count", "2", name, NULL));
	EXPECT_STREQ("high\nlow\n", r.out);
	snprintf(msg, sizeof(msg), "len 4 prio 7 pid ");
	EXPECT_EQ(0, strncmp(r.err, msg, strlen(msg))) TH_LOG("%s", r.err);
	ASSERT_EQ(1, proc_find("mailbox", name, &pr));
	EXPECT_STREQ("0", pr.f[P_DEPTH]);
	EXPECT_STREQ("7", pr.f[P_SENT]);
	EXPECT_STREQ("7", pr.f[P_RECEIVED]);

	/* Nothing there: non-blocking and timed receives exit 5. */
	EXPECT_EQ(5, run(&r, NULL, "recv", "--nonblock", name, NULL));
	snprintf(msg, sizeof(msg), "shmboxctl: recv %s: no message\n", name);
	EXPECT_STREQ(msg, r.err);
	EXPECT_EQ(5, run(&r, NULL, "recv", "--timeout", "0.05", name, NULL));
	snprintf(msg, sizeof(msg), "shmboxctl: recv %s: timed out\n", name);
	EXPECT_STREQ(msg, r.err);
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
	EXPECT_EQ(3, run(&r, NULL, "send", "-m", "x", name, NULL));
	snprintf(msg, sizeof(msg), "shmboxctl: send %s: no such object\n", name);
	EXPECT_STREQ(msg, r.err);
}

TEST(full_mailbox_and_oversized_message)
{
	char name[64];
	struct res r;

	cname(name, sizeof(name), "full");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, "-c", "1",
			 "-M", "8", NULL));
	ASSERT_EQ(0, run(&r, NULL, "send", "-m", "first", name, NULL));
	EXPECT_EQ(5, run(&r, NULL, "send", "--nonblock", "-m", "second", name, NULL));
	EXPECT_NE(NULL, strstr(r.err, "would block"));
	EXPECT_EQ(5, run(&r, NULL, "send", "--timeout", "0.05", "-m", "second", name, NULL));
	EXPECT_NE(NULL, strstr(r.err, "timed out"));
	EXPECT_EQ(1, run(&r, NULL, "send", "-m", "far too long", name, NULL));
	EXPECT_NE(NULL, strstr(r.err, "message too long"));
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

TEST(second_uid_permissions)
{
	char name[64], msg[128];
	struct res r;

	umask(0);
	cname(name, sizeof(name), "perm");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, "--mode", "0600", NULL));
	EXPECT_EQ(4, run_as(&r, NOBODY, "send", "-m", "hi", name, NULL));
	snprintf(msg, sizeof(msg), "shmboxctl: send %s: permission denied\n", name);
	EXPECT_STREQ(msg, r.err);
	EXPECT_EQ(4, run_as(&r, NOBODY, "rm", name, NULL));
	EXPECT_NE(NULL, strstr(r.err, "not permitted"));
	/* Invisible to nobody, in ls and --json. */
	EXPECT_EQ(0, run_as(&r, NOBODY, "ls", NULL));
	EXPECT_EQ(NULL, strstr(r.out, name));
	EXPECT_EQ(0, run_as(&r, NOBODY, "ls", "--json", NULL));
	EXPECT_EQ(NULL, strstr(r.out, name));
	EXPECT_TRUE(json_valid(r.out)) TH_LOG("%s", r.out);
	EXPECT_EQ(0, run(&r, NULL, "ls", NULL));
	EXPECT_NE(NULL, strstr(r.out, name));
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

TEST(json_parses_and_carries_the_values)
{
	char name[64], want[1200], *obj;
	struct proc_row pr;
	struct res r;

	cname(name, sizeof(name), "json");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, "-c", "4", NULL));
	ASSERT_EQ(0, run(&r, "a\nb\n", "send", "--lines", name, NULL));
	ASSERT_EQ(0, run(&r, NULL, "ls", "--json", NULL));
	ASSERT_TRUE(json_valid(r.out)) TH_LOG("%s", r.out);
	ASSERT_EQ(1, proc_find("mailbox", name, &pr));
	obj = json_object_of(r.out, name);
	ASSERT_NE(NULL, obj) TH_LOG("%s", r.out);
	EXPECT_TRUE(json_valid(obj));
	EXPECT_NE(NULL, strstr(obj, "\"kind\": \"mailbox\""));
	EXPECT_NE(NULL, strstr(obj, "\"capacity\": 4"));
	EXPECT_NE(NULL, strstr(obj, "\"depth\": 2"));
	EXPECT_NE(NULL, strstr(obj, "\"sent\": 2"));
	EXPECT_NE(NULL, strstr(obj, "\"nattch\": null"));
	EXPECT_NE(NULL, strstr(obj, "\"linked\": true"));
	EXPECT_NE(NULL, strstr(obj, "\"calls\": 0, \"serving\": 0, \"handles\": 0}"));
	snprintf(want, sizeof(want), "\"mode\": \"%s\"", pr.f[P_MODE]);
	EXPECT_NE(NULL, strstr(obj, want));
	snprintf(want, sizeof(want), "\"uid\": %s,", pr.f[P_UID]);
	EXPECT_NE(NULL, strstr(obj, want));
	/* An empty selection is still an array. */
	ASSERT_EQ(0, run(&r, NULL, "ls", "--json", "ctl-no-such-name", NULL));
	EXPECT_STREQ("[]\n", r.out);
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

TEST(names_with_blanks)
{
	char name[64], field[96];
	struct res r;

	snprintf(name, sizeof(name), "ctl blank %d", getpid());
	snprintf(field, sizeof(field), "ctl\\040blank\\040%d", getpid());
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	EXPECT_EQ(1, proc_find("mailbox", field, NULL));
	ASSERT_EQ(0, run(&r, NULL, "ls", name, NULL));
	EXPECT_NE(NULL, strstr(r.out, field));
	ASSERT_EQ(0, run(&r, NULL, "ls", "--json", name, NULL));
	EXPECT_NE(NULL, json_object_of(r.out, name));
	ASSERT_EQ(0, run(&r, NULL, "send", "-m", "x", name, NULL));
	ASSERT_EQ(0, run(&r, NULL, "recv", name, NULL));
	EXPECT_STREQ("x", r.out);
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
	EXPECT_EQ(0, proc_find(NULL, field, NULL));
}

TEST(watch_is_bounded)
{
	char name[64], *p;
	struct res r;
	int rounds = 0;

	cname(name, sizeof(name), "watch");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	ASSERT_EQ(0, run(&r, NULL, "watch", "--count", "3", "--interval", "0.02",
			 name, NULL));
	for (p = r.out; (p = strstr(p, "SENT/s")); p++)
		rounds++;
	EXPECT_EQ(3, rounds);
	EXPECT_NE(NULL, strstr(r.out, name));
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

/* A reply by inbox id: recv -v names the sender's, send --to-id uses it. */
TEST(reply_by_inbox_id)
{
	struct shmbox_mbox_attr a = { .capacity = 4, .mode = 0600 };
	char name[64], want[128], id[32], buf[8];
	struct shmbox_mbox_stat st;
	struct res r;
	int in, fd;

	cname(name, sizeof(name), "id");
	in = shmbox_inbox_open(SHMBOX_O_CREAT, &a, O_RDWR);
	ASSERT_LE(0, in);
	ASSERT_EQ(0, shmbox_mbox_stat(in, &st));
	snprintf(id, sizeof(id), "%llu", (unsigned long long)st.inbox_id);
	fd = shmbox_mbox_open(name, SHMBOX_O_CREAT, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_mbox_send(fd, "q", 1, 0, 0, SHMBOX_TIMEOUT_NONE));
	ASSERT_EQ(0, run(&r, NULL, "recv", "-v", name, NULL));
	snprintf(want, sizeof(want), " uid 0 id %s\n", id);
	EXPECT_NE(NULL, strstr(r.err, want)) TH_LOG("%s", r.err);
	ASSERT_EQ(0, run(&r, NULL, "send", "--to-id", id, "-m", "ok", NULL))
		TH_LOG("%s", r.err);
	EXPECT_EQ(2, shmbox_mbox_recv(in, buf, sizeof(buf), 0, SHMBOX_NOWAIT,
				      NULL));
	close(in);
	/* That inbox is gone: exit 3, whoever has our pid later. */
	EXPECT_EQ(3, run(&r, NULL, "send", "--to-id", id, "-m", "late", NULL));
	snprintf(want, sizeof(want),
		 "shmboxctl: send inbox %s: no such inbox (it is gone)\n", id);
	EXPECT_STREQ(want, r.err);
	EXPECT_EQ(2, run(&r, NULL, "send", "--to-id", id, name, NULL));
	EXPECT_EQ(2, run(&r, NULL, "send", "--to-id", "0", "-m", "x", NULL));
	close(fd);
	shmbox_unlink(name, SHMBOX_KIND_MAILBOX);
}

/* ---- call and serve -------------------------------------------------------- */

/* Wait (bounded) until mailbox @fd's stat has @waiting and @serving calls. */
static int wait_calls(int fd, unsigned int waiting, unsigned int serving)
{
	struct shmbox_mbox_stat st;
	int tries;

	for (tries = 0; tries < 5000; tries++) {
		if (shmbox_mbox_stat(fd, &st))
			return -1;
		if (st.calls_waiting == waiting && st.calls_serving == serving)
			return 0;
		usleep(2000);
	}
	return -1;
}

/*
 * serve echoes each call through reply-and-receive and prints it; an
 * ordinary message in between is printed, not answered; call prints the
 * reply as is (--lines: with a newline) and -v who gave it.
 */
TEST(call_and_serve_echo)
{
	char name[64], want[128];
	struct res r, sr;
	struct job srv;
	int fd;

	cname(name, sizeof(name), "call");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	fd = shmbox_mbox_open(name, 0, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start(&srv, NULL, "serve", "--calls", "2", name, NULL));

	ASSERT_EQ(0, run(&r, NULL, "call", "-m", "hello", name, NULL)) TH_LOG("%s", r.err);
	EXPECT_STREQ("hello", r.out);
	/* An ordinary message between two calls, printed with its bytes escaped. */
	ASSERT_EQ(0, shmbox_mbox_send(fd, "tab\there", 8, 3, 0, SHMBOX_TIMEOUT_NONE));
	ASSERT_EQ(0, run(&r, "a whole\nrequest", "call", "-v", "--lines", name, NULL))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("a whole\nrequest\n", r.out);
	snprintf(want, sizeof(want), "len 15 pid %d uid 0 id 0\n", srv.pid);
	EXPECT_STREQ(want, r.err);

	ASSERT_EQ(0, finish(&srv, &sr)) TH_LOG("%s", sr.err);
	EXPECT_STREQ("", sr.err);
	EXPECT_EQ(0, strncmp(sr.out, "call pid ", 9)) TH_LOG("%s", sr.out);
	EXPECT_NE(NULL, strstr(sr.out, " uid 0 id 0 prio 0 len 5: hello\n"))
		TH_LOG("%s", sr.out);
	snprintf(want, sizeof(want),
		 "\nmessage pid %d uid 0 id 0 prio 3 len 8: tab\\011here\ncall pid ",
		 getpid());
	EXPECT_NE(NULL, strstr(sr.out, want)) TH_LOG("%s", sr.out);
	EXPECT_NE(NULL, strstr(sr.out, " len 15: a whole\\012request\n"))
		TH_LOG("%s", sr.out);
	/* Two calls answered, the message taken, nothing left over. */
	EXPECT_EQ(0, wait_calls(fd, 0, 0));
	ASSERT_EQ(0, run(&r, NULL, "stat", name, NULL));
	EXPECT_NE(NULL, strstr(r.out, "depth:             0\n"));
	EXPECT_NE(NULL, strstr(r.out, "sent:              3\n"));
	EXPECT_NE(NULL, strstr(r.out, "received:          3\n"));
	close(fd);
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

/* A call kept waiting, then being served: stat counts it in each state. */
TEST(stat_shows_calls_waiting_and_serving)
{
	struct shmbox_msg_info_call info;
	char name[64], buf[16];
	struct res r;
	pid_t caller;
	int fd, n;

	cname(name, sizeof(name), "cstat");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	fd = shmbox_mbox_open(name, 0, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	caller = fork();
	ASSERT_LE(0, caller);
	if (caller == 0) {
		char reply[16];
		int c = shmbox_mbox_open(name, 0, NULL, O_WRONLY);

		n = c < 0 ? c : shmbox_mbox_call(c, 0, 0, "q", 1, 0, reply,
						 sizeof(reply), 0,
						 shmbox_deadline_in(20000000000ULL),
						 NULL);
		_exit(n == 2 && !memcmp(reply, "ok", 2) ? 0 : 1);
	}
	ASSERT_EQ(0, wait_calls(fd, 1, 0));
	ASSERT_EQ(0, run(&r, NULL, "stat", name, NULL));
	EXPECT_NE(NULL, strstr(r.out, "depth:             1\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "calls_waiting:     1\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "calls_serving:     0\n")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, run(&r, NULL, "ls", "--json", name, NULL));
	EXPECT_NE(NULL, strstr(r.out, "\"depth\": 1,")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"calls\": 1, \"serving\": 0, \"handles\": 0}")) TH_LOG("%s", r.out);

	n = shmbox_mbox_recv_call(fd, 0, buf, sizeof(buf), 0, SHMBOX_NOWAIT, &info);
	ASSERT_EQ(1, n);
	ASSERT_NE(0, info.rflags & SHMBOX_RECV_CALL);
	ASSERT_NE(0, info.handle);
	ASSERT_EQ(0, run(&r, NULL, "stat", name, NULL));
	EXPECT_NE(NULL, strstr(r.out, "depth:             0\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "calls_waiting:     0\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "calls_serving:     1\n")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, run(&r, NULL, "ls", "--json", name, NULL));
	EXPECT_NE(NULL, strstr(r.out, "\"calls\": 0, \"serving\": 1, \"handles\": 0}")) TH_LOG("%s", r.out);

	EXPECT_EQ(0, shmbox_mbox_reply(fd, info.handle, "ok", 2));
	EXPECT_EQ(0, child_status(caller));
	EXPECT_EQ(0, wait_calls(fd, 0, 0));
	close(fd);
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

/*
 * No server: a timed call gives up (exit 5) and its request is withdrawn;
 * a non-blocking call to a rendezvous mailbox fails at once; a missing
 * mailbox is exit 3.
 */
TEST(call_timeout_nonblock_and_missing)
{
	char name[64], rdv[64], want[160];
	struct shmbox_mbox_stat st;
	struct res r;
	int fd;

	cname(name, sizeof(name), "ctime");
	cname(rdv, sizeof(rdv), "crdv");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", rdv, "-c", "0", NULL));
	EXPECT_EQ(5, run(&r, NULL, "call", "--timeout", "0.05", "-m", "x", name, NULL));
	snprintf(want, sizeof(want), "shmboxctl: call %s: timed out\n", name);
	EXPECT_STREQ(want, r.err);
	EXPECT_STREQ("", r.out);
	fd = shmbox_mbox_open(name, 0, NULL, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_mbox_stat(fd, &st));
	EXPECT_EQ(0, st.depth);
	EXPECT_EQ(0, st.calls_waiting);
	close(fd);

	EXPECT_EQ(5, run(&r, NULL, "call", "--nonblock", "-m", "x", rdv, NULL));
	snprintf(want, sizeof(want), "shmboxctl: call %s: would block\n", rdv);
	EXPECT_STREQ(want, r.err);

	EXPECT_EQ(0, run(&r, NULL, "rm", name, rdv, NULL));
	EXPECT_EQ(3, run(&r, NULL, "call", "-m", "x", name, NULL));
	snprintf(want, sizeof(want), "shmboxctl: call %s: no such object\n", name);
	EXPECT_STREQ(want, r.err);
	/* serve with nothing coming: --timeout ends it with exit 5. */
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	EXPECT_EQ(5, run(&r, NULL, "serve", "--timeout", "0.05", name, NULL));
	snprintf(want, sizeof(want), "shmboxctl: serve %s: nothing came\n", name);
	EXPECT_STREQ(want, r.err);
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

/*
 * The server takes the call and goes away without replying: call fails
 * at once (exit 1, not at its deadline); a server that outlives its
 * caller's timeout makes call say the server has the request.
 */
TEST(call_server_gone_or_too_slow)
{
	struct shmbox_msg_info_call info;
	char name[64], want[192], buf[16];
	struct res r;
	struct job cl;
	int fd;

	cname(name, sizeof(name), "cgone");
	ASSERT_EQ(0, run(&r, NULL, "create", "mailbox", name, NULL));
	fd = shmbox_mbox_open(name, 0, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start(&cl, NULL, "call", "--timeout", "60", "-m", "x", name, NULL));
	ASSERT_EQ(1, shmbox_mbox_recv_call(fd, 0, buf, sizeof(buf), 0,
					   shmbox_deadline_in(20000000000ULL),
					   &info));
	ASSERT_NE(0, info.handle);
	close(fd);
	EXPECT_EQ(1, finish(&cl, &r));
	snprintf(want, sizeof(want),
		 "shmboxctl: call %s: the server went away without replying\n", name);
	EXPECT_STREQ(want, r.err);

	fd = shmbox_mbox_open(name, 0, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start(&cl, NULL, "call", "--timeout", "0.2", "-m", "x", name, NULL));
	ASSERT_EQ(1, shmbox_mbox_recv_call(fd, 0, buf, sizeof(buf), 0,
					   shmbox_deadline_in(20000000000ULL),
					   &info));
	EXPECT_EQ(5, finish(&cl, &r));
	snprintf(want, sizeof(want),
		 "shmboxctl: call %s: timed out waiting for the reply (the server has the request)\n",
		 name);
	EXPECT_STREQ(want, r.err);
	/* Abandoned: the late reply goes nowhere. */
	EXPECT_EQ(-ESRCH, shmbox_mbox_reply(fd, info.handle, "late", 4));
	close(fd);
	EXPECT_EQ(0, run(&r, NULL, "rm", name, NULL));
}

TEST(hold_with_autoremove)
{
	char name[64];
	int status, tries;
	pid_t pid;

	cname(name, sizeof(name), "hold");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(CTL, "shmboxctl", "create", "mailbox", name, "--autoremove",
		      "--hold", NULL);
		_exit(127);
	}
	/* Wait (bounded) until it exists: no timing assumption. */
	for (tries = 0; tries < 5000 && proc_find("mailbox", name, NULL) != 1; tries++)
		usleep(2000);
	ASSERT_EQ(1, proc_find("mailbox", name, NULL));
	kill(pid, SIGTERM);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, proc_find(NULL, name, NULL));
}

TEST(version)
{
	struct res r;

	ASSERT_EQ(0, run(&r, NULL, "version", NULL));
	EXPECT_EQ(0, strncmp(r.out, "abi 1.", 6));
	EXPECT_EQ(2, run(&r, NULL, "version", "extra", NULL));
}

TEST_HARNESS_MAIN
