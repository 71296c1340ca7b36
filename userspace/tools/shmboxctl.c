// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shmboxctl - inspect and drive /dev/shmbox from the command line, like
 * ipcs/ipcrm for System V IPC.
 *
 *   ls      list objects (from /proc/shmbox), a table or --json
 *   stat    everything the stat ioctl says about one named object
 *   create  a mailbox, ring or region with its attributes
 *   rm      unlink names
 *   send    stdin (one message, or one per line) into a mailbox, or to an
 *           inbox by its id (a reply to a sender recv --verbose names)
 *   recv    messages from a mailbox to stdout
 *   call    a request to a mailbox (or inbox id) and its reply to stdout
 *   serve   answer every call on a mailbox with its own request (echo)
 *   watch   live counters, every --interval seconds, --count times
 *
 * Exit codes (also in shmboxctl(1)): 0 success, 1 any other failure,
 * 2 usage error, 3 no such object, 4 permission denied, 5 would block or
 * timed out, 6 already exists, 7 the object was removed meanwhile.
 * Errors go to stderr as "shmboxctl: COMMAND NAME: cause".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libshmbox.h"

#define PROC_PATH	"/proc/shmbox"

enum {
	EX_OK = 0,
	EX_FAIL = 1,
	EX_USAGE = 2,
	EX_NOENT = 3,
	EX_PERM = 4,
	EX_AGAIN = 5,
	EX_EXIST = 6,
	EX_REMOVED = 7,
};

static const char *cmd = "shmboxctl";

static int exit_code(int err)
{
	switch (err) {
	case 0: return EX_OK;
	case -ENOENT: case -ESRCH: return EX_NOENT;
	case -EACCES: case -EPERM: return EX_PERM;
	case -EAGAIN: case -ETIMEDOUT: return EX_AGAIN;
	case -EEXIST: return EX_EXIST;
	case -EIDRM: return EX_REMOVED;
	default: return EX_FAIL;
	}
}

/* What an error means for shmbox objects, in words. */
static const char *cause(int err)
{
	switch (err) {
	case -ENOENT: return "no such object";
	case -ESRCH: return "no such inbox (it is gone)";
	case -EEXIST: return "already exists";
	case -EACCES: return "permission denied";
	case -EPERM: return "not permitted (only its owner, its creator or CAP_SYS_ADMIN may remove it)";
	case -EMEDIUMTYPE: return "is an object of another kind";
	case -EAGAIN: return "would block";
	case -ETIMEDOUT: return "timed out";
	case -EIDRM: return "object was removed";
	case -EMSGSIZE: return "message too long for this mailbox";
	case -ENOSPC: return "limit reached (max_objects, max_total_bytes or max_user_bytes)";
	case -EFBIG: return "larger than max_region_bytes";
	case -EBUSY: return "busy (ring role already taken)";
	case -ENAMETOOLONG: return "name too long";
	case -EINVAL: return "invalid argument";
	case -EINTR: return "interrupted";
	case -EPIPE: return "the server went away without replying";
	case -ENOTTY: return "not supported by this shmbox module";
	default: return strerror(-err);
	}
}

/* "shmboxctl: CMD NAME: cause", returns the exit code for @err. */
static int fail(const char *name, int err)
{
	if (err == -ENODEV || err == -ENXIO ||
	    (err == -ENOENT && access(SHMBOX_DEVICE_PATH, F_OK))) {
		fprintf(stderr, "shmboxctl: %s: %s: %s (is the shmbox module loaded?)\n",
			cmd, SHMBOX_DEVICE_PATH, strerror(-err));
		return EX_FAIL;
	}
	if (name)
		fprintf(stderr, "shmboxctl: %s %s: %s\n", cmd, name, cause(err));
	else
		fprintf(stderr, "shmboxctl: %s: %s\n", cmd, cause(err));
	return exit_code(err);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "shmboxctl: %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'shmboxctl %s --help'.\n", cmd);
	return EX_USAGE;
}

/* ---- argument parsing ---------------------------------------------------- */

/* An unsigned number (any base, not negative): what follows it, or NULL. */
static char *parse_num(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	if (*s == '-')
		return NULL;
	*v = strtoull(s, &end, 0);
	return errno || end == s ? NULL : end;
}

/* A size with an optional K, M or G suffix (powers of 1024). */
static bool parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end = parse_num(s, &v);

	if (!end)
		return false;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'I')		/* KiB, MiB... */
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (*s == '-')
		return false;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_mode(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || end == s || *end || v > 0777)
		return false;
	*out = v;
	return true;
}

static bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e9)
		return false;
	*out = v;
	return true;
}

/* ---- /proc/shmbox -------------------------------------------------------- */

/*
 * The columns this tool knows, in the file's order: every module has the
 * first NCOLS_BASE; ABI 1.3 added calls (calls waiting) and serving (calls
 * being served), ABI 1.4 handles (handles in the messages queued).
 * Columns a newer module adds after these are skipped.
 */
#define NCOLS_BASE 17
#define NCOLS_CALL 19
#define NCOLS 20

static const char *const col_names[NCOLS] = {
	"kind", "name", "mode", "uid", "gid", "cuid", "cgid", "cpid", "users",
	"linked", "size", "depth", "capacity", "bytes", "nattch", "sent",
	"received", "calls", "serving", "handles",
};

enum { C_KIND, C_NAME, C_MODE, C_UID, C_GID, C_CUID, C_CGID, C_CPID,
       C_USERS, C_LINKED, C_SIZE, C_DEPTH, C_CAP, C_BYTES, C_NATTCH,
       C_SENT, C_RECEIVED, C_CALLS, C_SERVING, C_HANDLES };

struct entry {
	char *col[NCOLS];	/* the fields as /proc/shmbox prints them */
	char name[SHMBOX_NAME_MAX + 1];	/* unescaped; "" when anonymous */
	bool anon;
};

struct table {
	char **lines;
	struct entry *e;
	size_t n;
	int ncols;		/* known columns the file has */
	int nfields;		/* fields per line */
};

/*
 * The header: the known columns in order, at least the first NCOLS_BASE.
 * Sets @t->ncols and @t->nfields; false for a format we do not know.
 */
static bool header_read(struct table *t, const char *line)
{
	char *copy = strdup(line), *save, *tok;
	int n = 0;
	bool ok = copy != NULL;

	for (tok = copy ? strtok_r(copy, " ", &save) : NULL; tok;
	     tok = strtok_r(NULL, " ", &save), n++)
		if (n < NCOLS && strcmp(tok, col_names[n]))
			ok = false;
	free(copy);
	t->nfields = n;
	t->ncols = n < NCOLS ? n : NCOLS;
	/*
	 * Only the formats there are: ABI 1.0-1.2, 1.3 with both call
	 * columns, 1.4 with the handles column too.
	 */
	return ok && (t->ncols == NCOLS_BASE || t->ncols == NCOLS_CALL ||
		      t->ncols == NCOLS);
}

/* Undo the kernel's octal escapes of a name field. */
static void unescape(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	while (*s && n + 1 < cap) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			out[n++] = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					  (s[3] - '0'));
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* Read and split /proc/shmbox.  0 or -errno (-EPROTO: unknown format). */
static int table_read(struct table *t)
{
	char *line = NULL, *save, *tok;
	size_t cap = 0, alloc = 0;
	FILE *f;
	int err = 0, c;
	ssize_t len;
	bool header = true;

	memset(t, 0, sizeof(*t));
	f = fopen(PROC_PATH, "re");
	if (!f)
		return errno == ENOENT ? -ENODEV : -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct entry *e;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (header) {
			header = false;
			if (!header_read(t, line)) {
				err = -EPROTO;
				break;
			}
			continue;
		}
		if (t->n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			t->lines = realloc(t->lines, alloc * sizeof(*t->lines));
			t->e = realloc(t->e, alloc * sizeof(*t->e));
			if (!t->lines || !t->e) {
				err = -ENOMEM;
				break;
			}
		}
		t->lines[t->n] = strdup(line);
		if (!t->lines[t->n]) {
			err = -ENOMEM;
			break;
		}
		e = &t->e[t->n];
		memset(e, 0, sizeof(*e));
		c = 0;
		for (tok = strtok_r(t->lines[t->n], " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save), c++)
			if (c < t->ncols)
				e->col[c] = tok;
		t->n++;
		if (c != t->nfields) {
			err = -EPROTO;
			break;
		}
		e->anon = !strcmp(e->col[C_NAME], "-");
		if (!e->anon)
			unescape(e->col[C_NAME], e->name, sizeof(e->name));
	}
	free(line);
	fclose(f);
	if (err)
		table_free(t);
	return err;
}

static int table_fail(int err)
{
	if (err == -EPROTO) {
		fprintf(stderr, "shmboxctl: %s: %s: unknown format\n", cmd,
			PROC_PATH);
		return EX_FAIL;
	}
	if (err == -ENODEV) {
		fprintf(stderr, "shmboxctl: %s: %s: missing (is the shmbox module loaded?)\n",
			cmd, PROC_PATH);
		return EX_FAIL;
	}
	fprintf(stderr, "shmboxctl: %s: %s: %s\n", cmd, PROC_PATH,
		strerror(-err));
	return EX_FAIL;
}

static bool entry_wanted(const struct entry *e, const char *kind,
			 char **names, int nnames)
{
	int i;

	if (kind && strcmp(e->col[C_KIND], kind))
		return false;
	if (!nnames)
		return true;
	for (i = 0; i < nnames; i++)
		if (!e->anon && !strcmp(e->name, names[i]))
			return true;
	return false;
}

/* ---- ls ------------------------------------------------------------------ */

static void json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* A numeric column: a JSON number, null for "-", a string otherwise. */
static void json_num(const char *v)
{
	const char *p = v;

	if (!strcmp(v, "-")) {
		fputs("null", stdout);
		return;
	}
	if (*p == '-')
		p++;
	if (*p && strspn(p, "0123456789") == strlen(p))
		fputs(v, stdout);
	else if (!strcmp(v, "inf"))
		json_string("unbounded");
	else
		json_string(v);
}

static void ls_json(const struct table *t, const char *kind, char **names,
		    int nnames)
{
	const struct entry *e;
	bool first = true;
	size_t i;
	int c;

	putchar('[');
	for (i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (!entry_wanted(e, kind, names, nnames))
			continue;
		printf("%s\n  {", first ? "" : ",");
		first = false;
		for (c = 0; c < t->ncols; c++) {
			printf("%s\"%s\": ", c ? ", " : "", col_names[c]);
			if (c == C_KIND || c == C_MODE)
				json_string(e->col[c]);
			else if (c == C_NAME && e->anon)
				fputs("null", stdout);
			else if (c == C_NAME)
				json_string(e->name);
			else if (c == C_LINKED)
				fputs(strcmp(e->col[c], "0") ? "true" : "false", stdout);
			else
				json_num(e->col[c]);
		}
		putchar('}');
	}
	printf("%s]\n", first ? "" : "\n");
}

/* The table: every /proc column but cuid and cgid, names escaped. */
static void ls_table(const struct table *t, const char *kind, char **names,
		     int nnames)
{
	static const int all[] = { C_KIND, C_NAME, C_MODE, C_UID, C_GID,
		C_CPID, C_USERS, C_LINKED, C_SIZE, C_DEPTH, C_CAP, C_BYTES,
		C_NATTCH, C_SENT, C_RECEIVED, C_CALLS, C_SERVING, C_HANDLES };
	int cols[sizeof(all) / sizeof(all[0])];
	int width[NCOLS];
	int ncols = 0;
	size_t i;
	int c, k;

	/* The call and handle columns only where the module has them. */
	for (k = 0; k < (int)(sizeof(all) / sizeof(all[0])); k++)
		if (all[k] < t->ncols)
			cols[ncols++] = all[k];

	for (k = 0; k < ncols; k++)
		width[cols[k]] = strlen(col_names[cols[k]]);
	for (i = 0; i < t->n; i++) {
		if (!entry_wanted(&t->e[i], kind, names, nnames))
			continue;
		for (k = 0; k < ncols; k++) {
			c = cols[k];
			if ((int)strlen(t->e[i].col[c]) > width[c])
				width[c] = strlen(t->e[i].col[c]);
		}
	}
	for (k = 0; k < ncols; k++) {
		char up[16];
		size_t j;

		c = cols[k];
		for (j = 0; col_names[c][j] && j < sizeof(up) - 1; j++)
			up[j] = col_names[c][j] - 'a' + 'A';
		up[j] = '\0';
		if (c == C_KIND || c == C_NAME)
			printf("%-*s ", width[c], up);
		else
			printf("%*s%s", width[c], up, k == ncols - 1 ? "\n" : " ");
	}
	for (i = 0; i < t->n; i++) {
		if (!entry_wanted(&t->e[i], kind, names, nnames))
			continue;
		for (k = 0; k < ncols; k++) {
			c = cols[k];
			if (c == C_KIND || c == C_NAME)
				printf("%-*s ", width[c], t->e[i].col[c]);
			else
				printf("%*s%s", width[c], t->e[i].col[c],
				       k == ncols - 1 ? "\n" : " ");
		}
	}
}

static int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "kind", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kind = NULL;
	bool json = false;
	struct table t;
	int o, err;

	while ((o = getopt_long(argc, argv, "jk:h", opts, NULL)) != -1) {
		switch (o) {
		case 'j': json = true; break;
		case 'k':
			kind = optarg;
			if (strcmp(kind, "mailbox") && strcmp(kind, "inbox") &&
			    strcmp(kind, "ring") && strcmp(kind, "region"))
				return usage_error("unknown kind '%s' (mailbox, inbox, ring, region)", kind);
			break;
		case 'h':
			printf("usage: shmboxctl ls [--json] [--kind KIND] [NAME...]\n"
			       "List the shmbox objects you may see (from %s): your own,\n"
			       "those whose mode lets you read them, or all with CAP_IPC_OWNER.\n"
			       "  -j, --json       a JSON array of objects, one key per %s column\n"
			       "  -k, --kind KIND  only mailbox, inbox, ring or region objects\n"
			       "  NAME...          only these names\n"
			       "Names are shown with blanks, control characters and '\\' as \\ooo.\n",
			       PROC_PATH, PROC_PATH);
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	err = table_read(&t);
	if (err)
		return table_fail(err);
	if (json)
		ls_json(&t, kind, argv + optind, argc - optind);
	else
		ls_table(&t, kind, argv + optind, argc - optind);
	table_free(&t);
	return EX_OK;
}

/* ---- stat ---------------------------------------------------------------- */

static void print_time(const char *what, uint64_t ns)
{
	time_t s = ns / 1000000000ULL;
	char buf[64];
	struct tm tm;

	if (!ns) {
		printf("%-18s never\n", what);
		return;
	}
	gmtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%-18s %s.%09" PRIu64 "Z\n", what, buf, (uint64_t)(ns % 1000000000ULL));
}

static void print_obj(const char *name, const char *kind,
		      const struct shmbox_obj_info *o)
{
	printf("%-18s %s\n", "name:", name);
	printf("%-18s %s\n", "kind:", kind);
	printf("%-18s %04o\n", "mode:", o->mode);
	printf("%-18s uid %u gid %u\n", "owner:", o->uid, o->gid);
	printf("%-18s uid %u gid %u pid %d\n", "creator:", o->cuid, o->cgid,
	       o->cpid);
	print_time("created:", o->ctime_ns);
	/* Not counting the fd this command opened to ask. */
	printf("%-18s %u\n", "users:", o->users ? o->users - 1 : 0);
	printf("%-18s %s\n", "linked:", o->linked ? "yes" : "no");
	printf("%-18s %s\n", "autoremove:",
	       (o->oflags & SHMBOX_O_AUTOREMOVE) ? "yes" : "no");
}

static int cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	int o, fd, err;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o != 'h')
			return EX_USAGE;
		printf("usage: shmboxctl stat NAME\n"
		       "Print everything the stat ioctl reports about the named region,\n"
		       "ring or mailbox (for a mailbox also calls_waiting, the calls whose\n"
		       "request is queued, calls_serving, those a server took and has\n"
		       "not answered yet, and handles, the region and ring fds its queued\n"
		       "messages carry).  Needs read permission (it opens the object\n"
		       "read-only; 'users' does not count that open).\n");
		return EX_OK;
	}
	if (argc - optind != 1)
		return usage_error("%s", "expected one NAME");
	name = argv[optind];

	fd = shmbox_region_open(name, 0, 0, 0, 0);
	if (fd >= 0) {
		struct shmbox_region_stat st;

		err = shmbox_region_stat(fd, &st);
		close(fd);
		if (err)
			return fail(name, err);
		print_obj(name, (st.obj.oflags & SHMBOX_REGION_RING) ? "ring" : "region",
			  &st.obj);
		printf("%-18s %" PRIu64 "\n", "size:", (uint64_t)st.bytes);
		printf("%-18s %" PRIu64 "\n", "map_bytes:", (uint64_t)st.map_bytes);
		printf("%-18s %u\n", "nattch:", st.nattch);
		printf("%-18s %d\n", "lpid:", st.lpid);
		print_time("attached:", st.atime_ns);
		print_time("detached:", st.dtime_ns);
		if (st.obj.oflags & SHMBOX_REGION_RING) {
			printf("%-18s %u\n", "producers:", st.producers);
			printf("%-18s %u\n", "consumers:", st.consumers);
		}
		return EX_OK;
	}
	if (fd != -EMEDIUMTYPE)
		return fail(name, fd);

	fd = shmbox_mbox_open(name, 0, NULL, O_RDONLY);
	if (fd >= 0) {
		struct shmbox_mbox_stat st;

		err = shmbox_mbox_stat(fd, &st);
		close(fd);
		if (err)
			return fail(name, err);
		print_obj(name, "mailbox", &st.obj);
		if (st.capacity == SHMBOX_MBOX_UNBOUNDED)
			printf("%-18s unbounded\n", "capacity:");
		else
			printf("%-18s %u%s\n", "capacity:", st.capacity,
			       st.capacity ? "" : " (rendezvous)");
		printf("%-18s %u\n", "max_msg_size:", st.max_msg_size);
		printf("%-18s %u\n", "depth:", st.depth);
		printf("%-18s %" PRIu64 "\n", "bytes:", (uint64_t)st.bytes);
		printf("%-18s %" PRIu64 "\n", "charged:", (uint64_t)st.charged);
		printf("%-18s %" PRIu64 "\n", "max_bytes:", (uint64_t)st.max_bytes);
		printf("%-18s %" PRIu64 "\n", "sent:", (uint64_t)st.sent);
		printf("%-18s %" PRIu64 "\n", "received:", (uint64_t)st.received);
		printf("%-18s %u\n", "blocked_senders:", st.blocked_senders);
		printf("%-18s %u\n", "blocked_receivers:", st.blocked_receivers);
		printf("%-18s %u\n", "calls_waiting:", st.calls_waiting);
		printf("%-18s %u\n", "calls_serving:", st.calls_serving);
		printf("%-18s %u\n", "handles:", st.handles);
		return EX_OK;
	}
	return fail(name, fd);
}

/* ---- create -------------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "max-msg", required_argument, NULL, 'M' },
		{ "mode", required_argument, NULL, 'm' },
		{ "autoremove", no_argument, NULL, 'a' },
		{ "hold", no_argument, NULL, 'H' },
		{ "exist-ok", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmbox_mbox_attr attr = { SHMBOX_MBOX_UNBOUNDED, 0, 0600 };
	unsigned int flags = SHMBOX_O_CREAT | SHMBOX_O_EXCL;
	bool hold = false, have_size = false, mbox_opt = false;
	uint64_t size = 0;
	unsigned long v;
	const char *kind, *name;
	sigset_t mask, old;
	int o, fd;

	while ((o = getopt_long(argc, argv, "s:c:M:m:aHeh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (!parse_size(optarg, &size))
				return usage_error("bad size '%s'", optarg);
			have_size = true;
			break;
		case 'c':
			mbox_opt = true;
			if (!strcmp(optarg, "unbounded") || !strcmp(optarg, "inf"))
				attr.capacity = SHMBOX_MBOX_UNBOUNDED;
			else if (parse_uint(optarg, SHMBOX_MBOX_CAPACITY_MAX, &v))
				attr.capacity = v;
			else
				return usage_error("bad capacity '%s' (0 to 65536 or unbounded)", optarg);
			break;
		case 'M':
			mbox_opt = true;
			if (!parse_size(optarg, &size) || size > UINT32_MAX)
				return usage_error("bad message size '%s'", optarg);
			attr.max_msg_size = size;
			size = 0;
			break;
		case 'm':
			if (!parse_mode(optarg, &attr.mode))
				return usage_error("bad mode '%s' (octal, at most 0777)", optarg);
			break;
		case 'a': flags |= SHMBOX_O_AUTOREMOVE; break;
		case 'H': hold = true; break;
		case 'e': flags &= ~SHMBOX_O_EXCL; break;
		case 'h':
			printf("usage: shmboxctl create mailbox NAME [--capacity N|unbounded] [--max-msg BYTES]\n"
			       "       shmboxctl create ring NAME [--size BYTES]\n"
			       "       shmboxctl create region NAME [--size BYTES]\n"
			       "  common: [--mode OCTAL] [--exist-ok] [--autoremove] [--hold]\n"
			       "Create a named object (fails with exit code 6 if the name exists).\n"
			       "  -c, --capacity N  mailbox: 0 (rendezvous), 1-65536 messages, or\n"
			       "                    unbounded (default; only the byte quotas)\n"
			       "  -M, --max-msg B   mailbox: largest message (default: max_msg_size)\n"
			       "  -s, --size B      ring: data bytes, a power of two (default 64K);\n"
			       "                    region: bytes, whole pages (default 4K); K/M/G ok\n"
			       "  -m, --mode MODE   permission bits, minus the umask (default 0600)\n"
			       "  -e, --exist-ok    open an existing object of that name instead\n"
			       "  -a, --autoremove  remove the name when its last user goes: with\n"
			       "                    --hold, when this command ends\n"
			       "  -H, --hold        keep the object open until SIGINT, SIGTERM or\n"
			       "                    SIGHUP\n");
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 2)
		return usage_error("%s", "expected KIND NAME");
	kind = argv[optind];
	name = argv[optind + 1];
	if (hold) {
		/* Before the object exists: a signal must not kill us then. */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&mask);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGHUP);
		sigprocmask(SIG_BLOCK, &mask, &old);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}

	if (!strcmp(kind, "mailbox") || !strcmp(kind, "mbox")) {
		if (have_size)
			return usage_error("%s", "--size is for rings and regions (use --max-msg)");
		fd = shmbox_mbox_open(name, flags, &attr, O_RDWR);
	} else if (!strcmp(kind, "ring") || !strcmp(kind, "region")) {
		bool ring = !strcmp(kind, "ring");

		if (mbox_opt)
			return usage_error("%s", "--capacity and --max-msg are for mailboxes");
		if (!have_size)
			size = ring ? 65536 : (uint64_t)sysconf(_SC_PAGESIZE);
		if (ring)
			flags |= SHMBOX_REGION_RING;
		fd = -ENOENT;
		if (!(flags & SHMBOX_O_EXCL))	/* --exist-ok: any size */
			fd = shmbox_region_open(name, flags & ~SHMBOX_O_CREAT,
						have_size ? size : 0, 0, 1);
		if (fd == -ENOENT)
			fd = shmbox_region_open(name, flags, size, attr.mode, 1);
	} else {
		return usage_error("unknown kind '%s' (mailbox, ring or region)", kind);
	}
	if (fd < 0)
		return fail(name, fd);
	if (hold) {
		while (!stop_flag)
			sigsuspend(&old);
	}
	close(fd);
	return EX_OK;
}

/* ---- rm ------------------------------------------------------------------ */

static int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int kind = 0;
	bool force = false;
	int o, i, err, rc = EX_OK, r;

	while ((o = getopt_long(argc, argv, "k:fh", opts, NULL)) != -1) {
		switch (o) {
		case 'k':
			if (!strcmp(optarg, "mailbox") || !strcmp(optarg, "mbox"))
				kind = SHMBOX_KIND_MAILBOX;
			else if (!strcmp(optarg, "region") || !strcmp(optarg, "ring"))
				kind = SHMBOX_KIND_REGION;
			else
				return usage_error("unknown kind '%s' (mailbox or region)", optarg);
			break;
		case 'f': force = true; break;
		case 'h':
			printf("usage: shmboxctl rm [--kind mailbox|region] [--force] NAME...\n"
			       "Remove names, like ipcrm.  Objects in use live on, anonymous,\n"
			       "until their last user goes; blocked mailbox waiters get EIDRM.\n"
			       "Only the owner, the creator or CAP_SYS_ADMIN may remove a name.\n"
			       "  -k, --kind K   fail (exit 1) unless the name is of that kind\n"
			       "  -f, --force    a missing name is not an error\n");
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	if (optind == argc)
		return usage_error("%s", "expected NAME...");
	for (i = optind; i < argc; i++) {
		err = shmbox_unlink(argv[i], kind);
		if (!err || (force && err == -ENOENT))
			continue;
		r = fail(argv[i], err);
		if (rc == EX_OK)
			rc = r;
	}
	return rc;
}

/* ---- send and recv ------------------------------------------------------- */

struct wait_opts {
	bool nonblock;
	bool timed;
	double timeout;
};

static uint64_t deadline(const struct wait_opts *w)
{
	if (w->nonblock)
		return SHMBOX_NOWAIT;
	if (!w->timed)
		return SHMBOX_TIMEOUT_NONE;
	if (w->timeout == 0)
		return SHMBOX_NOWAIT;
	return shmbox_deadline_in((uint64_t)(w->timeout * 1e9));
}

/* An inbox id: any 64-bit number but 0. */
static bool parse_id(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end = parse_num(s, &v);

	if (!end || *end || !v)
		return false;
	*out = v;
	return true;
}

/* Where a send goes: mailbox @name, or (@to_id not 0) that inbox. */
struct send_to {
	const char *name;
	uint64_t to_id;
	unsigned long prio;
	unsigned int flags;
	struct wait_opts w;
};

static int send_one(int fd, const struct send_to *t, const void *buf,
		    size_t len)
{
	if (t->to_id)
		return shmbox_mbox_send_to_id(fd, t->to_id, buf, len, t->prio,
					      t->flags, deadline(&t->w));
	return shmbox_mbox_send(fd, buf, len, t->prio, t->flags,
				deadline(&t->w));
}

/* All of stdin into a malloc'ed *@bufp (of *@lenp bytes).  0 or -errno. */
static int read_stdin(char **bufp, size_t *lenp)
{
	size_t cap = 0, len = 0;
	char *buf = NULL, *nbuf;
	ssize_t n;
	int err = 0;

	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				err = -ENOMEM;
				break;
			}
			buf = nbuf;
		}
		n = read(0, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n ? -errno : 0;
			break;
		}
		len += n;
		if (len > UINT32_MAX) {
			err = -EMSGSIZE;
			break;
		}
	}
	if (err) {
		free(buf);
		return err;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* All of stdin as one message. */
static int send_stdin(int fd, const struct send_to *t)
{
	size_t len = 0;
	char *buf = NULL;
	int err = read_stdin(&buf, &len);

	if (!err)
		err = send_one(fd, t, buf, len);
	free(buf);
	return err;
}

/* One message per line of stdin, without the newline. */
static int send_lines(int fd, const struct send_to *t)
{
	size_t cap = 0;
	char *buf = NULL;
	ssize_t n;
	int err = 0;

	while (!err && (n = getline(&buf, &cap, stdin)) >= 0) {
		if (n && buf[n - 1] == '\n')
			n--;
		err = send_one(fd, t, buf, n);
	}
	free(buf);
	return err;
}

static int send_usage(void)
{
	printf("usage: shmboxctl send [OPTIONS] NAME\n"
	       "       shmboxctl send [OPTIONS] --to-id ID\n"
	       "Send to mailbox NAME, or to the inbox with id ID (as recv --verbose\n"
	       "reports a sender's: a reply that can reach no other process), stdin\n"
	       "as one message (default), one message per line of stdin (--lines,\n"
	       "without the newline), or TEXT (-m).\n"
	       "  -m, --message TEXT  send TEXT, ignore stdin\n"
	       "  -l, --lines         one message per input line\n"
	       "  -p, --prio N        priority 0-32767 (higher is received first)\n"
	       "  -i, --to-id ID      to inbox ID instead of a mailbox (exit 3 once it\n"
	       "                      is gone)\n"
	       "  -s, --sync          return once a receiver has taken each message\n"
	       "  -n, --nonblock      fail (exit 5) instead of waiting for room\n"
	       "  -t, --timeout SEC   wait at most SEC seconds per message (exit 5)\n");
	return EX_OK;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "lines", no_argument, NULL, 'l' },
		{ "prio", required_argument, NULL, 'p' },
		{ "to-id", required_argument, NULL, 'i' },
		{ "sync", no_argument, NULL, 's' },
		{ "nonblock", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct send_to t = { 0 };
	const char *text = NULL;
	char idname[32];
	bool lines = false;
	int o, fd, err;

	while ((o = getopt_long(argc, argv, "m:lp:i:snt:h", opts, NULL)) != -1) {
		switch (o) {
		case 'm': text = optarg; break;
		case 'l': lines = true; break;
		case 'p':
			if (!parse_uint(optarg, SHMBOX_MSG_PRIO_MAX - 1, &t.prio))
				return usage_error("bad priority '%s' (0 to 32767)", optarg);
			break;
		case 'i':
			if (!parse_id(optarg, &t.to_id))
				return usage_error("bad inbox id '%s'", optarg);
			break;
		case 's': t.flags |= SHMBOX_MSG_SYNC; break;
		case 'n': t.w.nonblock = true; break;
		case 't':
			if (!parse_seconds(optarg, &t.w.timeout))
				return usage_error("bad timeout '%s' (seconds)", optarg);
			t.w.timed = true;
			break;
		case 'h': return send_usage();
		default: return EX_USAGE;
		}
	}
	if (argc - optind != (t.to_id ? 0 : 1))
		return usage_error("%s", t.to_id ? "no NAME with --to-id" : "expected one NAME");
	if (text && lines)
		return usage_error("%s", "--message and --lines exclude each other");
	snprintf(idname, sizeof(idname), "inbox %" PRIu64, t.to_id);
	t.name = t.to_id ? idname : argv[optind];

	fd = t.to_id ? shmbox_dev_open() : shmbox_mbox_open(t.name, 0, NULL, O_WRONLY);
	if (fd < 0)
		return fail(t.name, fd);
	if (text)
		err = send_one(fd, &t, text, strlen(text));
	else
		err = lines ? send_lines(fd, &t) : send_stdin(fd, &t);
	close(fd);
	return err ? fail(t.name, err) : EX_OK;
}

static bool write_all(const void *buf, size_t len)
{
	return fwrite(buf, 1, len, stdout) == len;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "all", no_argument, NULL, 'a' },
		{ "lines", no_argument, NULL, 'l' },
		{ "peek", no_argument, NULL, 'P' },
		{ "from", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "nonblock", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct wait_opts w = { 0 };
	struct shmbox_mbox_stat st;
	struct shmbox_msg_info_id info;
	unsigned long count = 1, from = 0, got = 0;
	bool all = false, lines = false, verbose = false;
	unsigned int flags = 0;
	const char *name;
	char *buf;
	int o, fd, n, err = 0;

	while ((o = getopt_long(argc, argv, "c:alPf:vnt:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			if (!parse_uint(optarg, ULONG_MAX, &count) || !count)
				return usage_error("bad count '%s'", optarg);
			break;
		case 'a': all = true; break;
		case 'l': lines = true; break;
		case 'P': flags |= SHMBOX_MSG_PEEK; break;
		case 'f':
			if (!parse_uint(optarg, INT32_MAX, &from) || !from)
				return usage_error("bad pid '%s'", optarg);
			break;
		case 'v': verbose = true; break;
		case 'n': w.nonblock = true; break;
		case 't':
			if (!parse_seconds(optarg, &w.timeout))
				return usage_error("bad timeout '%s' (seconds)", optarg);
			w.timed = true;
			break;
		case 'h':
			printf("usage: shmboxctl recv [OPTIONS] NAME\n"
			       "Receive from mailbox NAME and write the payload to stdout, as is\n"
			       "(--lines: each followed by a newline).  Waits for a message unless\n"
			       "--nonblock or --timeout; exit 5 if none came.\n"
			       "  -c, --count N       receive N messages (default 1)\n"
			       "  -a, --all           then everything queued, without waiting\n"
			       "  -l, --lines         end each message with a newline\n"
			       "  -P, --peek          copy the first message, leave it queued\n"
			       "  -f, --from PID      only messages sent by process PID\n"
			       "  -v, --verbose       'len L prio P pid P uid U id I' on stderr per\n"
			       "                      message (I: the sender's inbox id, 0 if none;\n"
			       "                      reply with send --to-id I)\n"
			       "  -n, --nonblock      fail (exit 5) if there is no message\n"
			       "  -t, --timeout SEC   wait at most SEC seconds per message (exit 5)\n");
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 1)
		return usage_error("%s", "expected one NAME");
	if ((flags & SHMBOX_MSG_PEEK) && (all || count != 1))
		return usage_error("%s", "--peek looks at one message only");
	name = argv[optind];

	fd = shmbox_mbox_open(name, 0, NULL, O_RDONLY);
	if (fd < 0)
		return fail(name, fd);
	err = shmbox_mbox_stat(fd, &st);
	if (err) {
		close(fd);
		return fail(name, err);
	}
	buf = malloc(st.max_msg_size ? st.max_msg_size : 1);
	if (!buf) {
		close(fd);
		return fail(name, -ENOMEM);
	}
	for (;;) {
		bool more = got < count;
		uint64_t dl = more ? deadline(&w) : SHMBOX_NOWAIT;

		if (!more && !all)
			break;
		n = shmbox_mbox_recv_id(fd, from, buf, st.max_msg_size, flags,
					dl, &info);
		if (n < 0) {
			if (!more && n == -EAGAIN)
				break;		/* --all: drained */
			err = n;
			break;
		}
		got++;
		if (verbose)
			fprintf(stderr, "len %u prio %u pid %d uid %u id %" PRIu64 "\n",
				info.info.len, info.info.prio, info.info.pid,
				info.info.uid, (uint64_t)info.id);
		if (!write_all(buf, n) || (lines && putchar('\n') == EOF)) {
			err = -EIO;
			break;
		}
		fflush(stdout);
	}
	free(buf);
	close(fd);
	if (fflush(stdout) && !err)
		err = -EIO;
	if (err == -EAGAIN && !w.nonblock)
		err = -ETIMEDOUT;
	if (err == -EAGAIN) {
		fprintf(stderr, "shmboxctl: recv %s: no message\n", name);
		return EX_AGAIN;
	}
	return err ? fail(name, err) : EX_OK;
}

/* ---- call and serve ------------------------------------------------------- */

/*
 * The longest reply a call can take: the module's max_msg_size (a call's
 * reply buffer may be no larger), else its default.
 */
static uint32_t reply_cap(void)
{
	unsigned long long v = 0;
	FILE *f = fopen("/sys/module/shmbox/parameters/max_msg_size", "re");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v && v <= UINT32_MAX ? v : 65536;
}

static int call_usage(void)
{
	printf("usage: shmboxctl call [OPTIONS] NAME\n"
	       "       shmboxctl call [OPTIONS] --to-id ID\n"
	       "Call mailbox NAME (or the inbox with id ID): send stdin as one request,\n"
	       "or TEXT (-m), wait for a server's reply (serve, or any program that\n"
	       "receives calls) and write it to stdout as is.  Exit 5 on a timeout,\n"
	       "1 if the server went away without replying.\n"
	       "  -m, --message TEXT  the request is TEXT, ignore stdin\n"
	       "  -l, --lines         end the reply with a newline\n"
	       "  -p, --prio N        priority 0-32767 of the request among the messages\n"
	       "  -i, --to-id ID      call inbox ID instead of a mailbox\n"
	       "  -v, --verbose       'len L pid P uid U id I' of the reply on stderr\n"
	       "                      (P, U, I: the server's pid, uid and inbox id)\n"
	       "  -n, --nonblock      fail (exit 5) if the request would wait: no room,\n"
	       "                      or at capacity 0 no server waiting; the reply is\n"
	       "                      still waited for\n"
	       "  -t, --timeout SEC   give up after SEC seconds, request and reply\n"
	       "                      together (exit 5)\n");
	return EX_OK;
}

static int cmd_call(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "lines", no_argument, NULL, 'l' },
		{ "prio", required_argument, NULL, 'p' },
		{ "to-id", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "nonblock", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct send_to t = { 0 };
	struct shmbox_call_result res;
	const char *text = NULL;
	bool lines = false, verbose = false;
	char idname[32], *req = NULL, *reply;
	size_t len = 0;
	uint32_t cap;
	int o, fd, n, err;

	while ((o = getopt_long(argc, argv, "m:lp:i:vnt:h", opts, NULL)) != -1) {
		switch (o) {
		case 'm': text = optarg; break;
		case 'l': lines = true; break;
		case 'p':
			if (!parse_uint(optarg, SHMBOX_MSG_PRIO_MAX - 1, &t.prio))
				return usage_error("bad priority '%s' (0 to 32767)", optarg);
			break;
		case 'i':
			if (!parse_id(optarg, &t.to_id))
				return usage_error("bad inbox id '%s'", optarg);
			break;
		case 'v': verbose = true; break;
		case 'n': t.w.nonblock = true; break;
		case 't':
			if (!parse_seconds(optarg, &t.w.timeout))
				return usage_error("bad timeout '%s' (seconds)", optarg);
			t.w.timed = true;
			break;
		case 'h': return call_usage();
		default: return EX_USAGE;
		}
	}
	if (argc - optind != (t.to_id ? 0 : 1))
		return usage_error("%s", t.to_id ? "no NAME with --to-id" : "expected one NAME");
	snprintf(idname, sizeof(idname), "inbox %" PRIu64, t.to_id);
	t.name = t.to_id ? idname : argv[optind];

	cap = reply_cap();
	reply = malloc(cap);
	if (!reply)
		return fail(t.name, -ENOMEM);
	if (text) {
		len = strlen(text);
	} else {
		err = read_stdin(&req, &len);
		if (err) {
			free(reply);
			return fail(t.name, err);
		}
	}
	fd = t.to_id ? shmbox_dev_open() : shmbox_mbox_open(t.name, 0, NULL, O_WRONLY);
	if (fd < 0) {
		free(req);
		free(reply);
		return fail(t.name, fd);
	}
	/* A --timeout of 0 is a non-blocking request with no reply deadline. */
	memset(&res, 0, sizeof(res));
	n = shmbox_mbox_call(fd, 0, t.to_id, text ? text : req, len, t.prio,
			     reply, cap, t.flags, deadline(&t.w), &res);
	close(fd);
	free(req);
	err = n < 0 ? n : 0;
	if (!err) {
		if (verbose)
			fprintf(stderr, "len %u pid %d uid %u id %" PRIu64 "\n",
				res.len, res.pid, res.uid, (uint64_t)res.id);
		if (!write_all(reply, n) || (lines && putchar('\n') == EOF) ||
		    fflush(stdout))
			err = -EIO;
	}
	free(reply);
	if (err && (res.status & SHMBOX_CALL_DELIVERED) &&
	    (err == -ETIMEDOUT || err == -EINTR)) {
		fprintf(stderr, "shmboxctl: call %s: %s waiting for the reply (the server has the request)\n",
			t.name, cause(err));
		return exit_code(err);
	}
	return err ? fail(t.name, err) : EX_OK;
}

/* @buf as one line: printable ASCII as is, '\\' and the rest as \ooo. */
static void print_escaped(const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '\\')
			putchar(buf[i]);
		else
			printf("\\%03o", buf[i]);
	}
}

static void serve_line(const char *what, const struct shmbox_msg_info_call *info,
		       const void *buf, uint32_t len)
{
	printf("%s pid %d uid %u id %" PRIu64 " prio %u len %u: ", what,
	       info->pid, info->uid, (uint64_t)info->id, info->prio, len);
	print_escaped(buf, len);
	putchar('\n');
	fflush(stdout);
}

static int serve_usage(void)
{
	printf("usage: shmboxctl serve [OPTIONS] NAME\n"
	       "Serve mailbox NAME as an echo server: answer every call with its own\n"
	       "request (cut to the caller's reply buffer), print ordinary messages,\n"
	       "one line each on stdout:\n"
	       "  call pid P uid U id I prio N len L: TEXT\n"
	       "  message pid P uid U id I prio N len L: TEXT\n"
	       "(P, U, I: the sender's pid, uid and inbox id; TEXT with non-printable\n"
	       "bytes and '\\' as \\ooo).  Each reply and the next receive are one\n"
	       "system call.  Runs until killed, or:\n"
	       "  -n, --calls N       stop after answering N calls\n"
	       "  -t, --timeout SEC   stop (exit 5) when nothing came for SEC seconds\n");
	return EX_OK;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct wait_opts w = { 0 };
	struct shmbox_mbox_stat st;
	struct shmbox_msg_info_call info;
	unsigned long calls = 0, served = 0;
	uint64_t handle = 0;
	uint32_t cap, out_len = 0;
	char *bufs[2], *in, *out;
	const char *name;
	int o, fd, n, err = 0;

	while ((o = getopt_long(argc, argv, "n:t:h", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (!parse_uint(optarg, ULONG_MAX, &calls) || !calls)
				return usage_error("bad number of calls '%s'", optarg);
			break;
		case 't':
			if (!parse_seconds(optarg, &w.timeout))
				return usage_error("bad timeout '%s' (seconds)", optarg);
			w.timed = true;
			break;
		case 'h': return serve_usage();
		default: return EX_USAGE;
		}
	}
	if (argc - optind != 1)
		return usage_error("%s", "expected one NAME");
	name = argv[optind];

	fd = shmbox_mbox_open(name, 0, NULL, O_RDONLY);
	if (fd < 0)
		return fail(name, fd);
	err = shmbox_mbox_stat(fd, &st);
	if (err) {
		close(fd);
		return fail(name, err);
	}
	cap = st.max_msg_size ? st.max_msg_size : 1;
	bufs[0] = malloc(cap);
	bufs[1] = malloc(cap);
	if (!bufs[0] || !bufs[1]) {
		err = -ENOMEM;
		goto out;
	}
	in = bufs[0];
	out = bufs[1];
	for (;;) {
		char *tmp;

		/* The last call: answer it and receive nothing more. */
		if (calls && served == calls) {
			if (handle)
				err = shmbox_mbox_reply(fd, handle, out, out_len);
			break;
		}
		n = shmbox_mbox_reply_recv(fd, &handle, out, out_len, in, cap, 0,
					   deadline(&w), &info);
		if (n == -ESRCH && !handle) {
			/* That caller gave up or died: nobody to answer. */
			fprintf(stderr, "shmboxctl: serve %s: caller gone, reply dropped\n",
				name);
			out_len = 0;
			continue;
		}
		if (n < 0) {
			err = n;
			break;
		}
		if (!(info.rflags & SHMBOX_RECV_CALL)) {
			serve_line("message", &info, in, n);
			out_len = 0;
			continue;
		}
		serve_line("call", &info, in, n);
		served++;
		/* Echo: the request is the reply (as much as the caller takes). */
		handle = info.handle;
		out_len = (uint32_t)n < info.reply_max ? (uint32_t)n : info.reply_max;
		tmp = in;
		in = out;
		out = tmp;
	}
out:
	free(bufs[0]);
	free(bufs[1]);
	close(fd);
	if (err == -ESRCH) {
		fprintf(stderr, "shmboxctl: serve %s: caller gone, reply dropped\n",
			name);
		return EX_OK;
	}
	if (err == -EAGAIN || err == -ETIMEDOUT) {
		fprintf(stderr, "shmboxctl: serve %s: nothing came\n", name);
		return EX_AGAIN;
	}
	return err ? fail(name, err) : EX_OK;
}

/* ---- watch --------------------------------------------------------------- */

struct sample {
	char key[SHMBOX_NAME_MAX + 64];
	uint64_t sent, received;
};

static uint64_t num(const char *s)
{
	return strtoull(s, NULL, 10);
}

static int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sample *prev = NULL, *cur;
	size_t nprev = 0, i, j;
	unsigned long count = 0, round;
	double interval = 1.0;
	bool tty = isatty(1);
	struct table t;
	int o, err;

	while ((o = getopt_long(argc, argv, "i:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'i':
			if (!parse_seconds(optarg, &interval) || interval < 0.01)
				return usage_error("bad interval '%s' (seconds, >= 0.01)", optarg);
			break;
		case 'c':
			if (!parse_uint(optarg, ULONG_MAX, &count) || !count)
				return usage_error("bad count '%s'", optarg);
			break;
		case 'h':
			printf("usage: shmboxctl watch [--interval SEC] [--count N] [NAME...]\n"
			       "Show depth, bytes and message counters of the objects you may\n"
			       "see every SEC seconds (default 1), with rates since the previous\n"
			       "round, and the handles in flight where the module reports them;\n"
			       "--count N stops after N rounds (for scripts).  The screen\n"
			       "is cleared between rounds only when stdout is a terminal.\n");
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	for (round = 0; !count || round < count; round++) {
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
		};
		time_t now = time(NULL);
		char stamp[32];
		struct tm tm;

		if (round)
			nanosleep(&ts, NULL);
		err = table_read(&t);
		if (err)
			return table_fail(err);
		cur = calloc(t.n ? t.n : 1, sizeof(*cur));
		if (!cur)
			return fail(NULL, -ENOMEM);
		if (tty)
			fputs("\033[H\033[2J", stdout);
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		printf("%s  %zu objects\n", stamp, t.n);
		printf("%-7s %-20s %6s %5s %8s %10s %10s %8s %8s", "KIND",
		       "NAME", "USERS", "DEPTH", "BYTES", "SENT", "RECEIVED",
		       "SENT/s", "RECV/s");
		/* Handles in flight (ABI 1.4), where the module has the column. */
		if (t.ncols > C_HANDLES)
			printf(" %7s", "HANDLES");
		putchar('\n');
		for (i = 0; i < t.n; i++) {
			struct entry *e = &t.e[i];
			double ds = 0, dr = 0;

			snprintf(cur[i].key, sizeof(cur[i].key), "%s %s %s",
				 e->col[C_KIND], e->col[C_NAME], e->col[C_CPID]);
			cur[i].sent = num(e->col[C_SENT]);
			cur[i].received = num(e->col[C_RECEIVED]);
			if (!entry_wanted(e, NULL, argv + optind, argc - optind))
				continue;
			for (j = 0; j < nprev; j++) {
				if (strcmp(prev[j].key, cur[i].key))
					continue;
				ds = (cur[i].sent - prev[j].sent) / interval;
				dr = (cur[i].received - prev[j].received) / interval;
				break;
			}
			printf("%-7s %-20s %6s %5s %8s %10s %10s %8.0f %8.0f",
			       e->col[C_KIND], e->col[C_NAME], e->col[C_USERS],
			       e->col[C_DEPTH], e->col[C_BYTES], e->col[C_SENT],
			       e->col[C_RECEIVED], ds, dr);
			if (t.ncols > C_HANDLES)
				printf(" %7s", e->col[C_HANDLES]);
			putchar('\n');
		}
		fflush(stdout);
		free(prev);
		prev = cur;
		nprev = t.n;
		table_free(&t);
	}
	free(prev);
	return EX_OK;
}

/* ---- version and main ---------------------------------------------------- */

static int cmd_version(int argc, char **argv)
{
	struct shmbox_version v;
	int fd, err;

	if (argc > 1 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
		return usage_error("unexpected argument '%s'", argv[1]);
	if (argc > 1) {
		printf("usage: shmboxctl version\n"
		       "Print the module's ABI version, name length limit, feature bits\n"
		       "and the library version.\n");
		return EX_OK;
	}
	fd = shmbox_dev_open();
	if (fd < 0)
		return fail(NULL, fd == -ENOENT ? -ENODEV : fd);
	err = shmbox_get_version(fd, &v);
	close(fd);
	if (err)
		return fail(NULL, err);
	printf("abi %u.%u features 0x%llx name_max %u library %s\n",
	       v.abi_major, v.abi_minor, (unsigned long long)v.features,
	       v.name_max, shmbox_lib_version());
	return EX_OK;
}

static int usage(FILE *f)
{
	fprintf(f,
		"usage: shmboxctl COMMAND [OPTIONS] [ARGS]\n"
		"commands:\n"
		"  ls       list the objects you may see (--json)\n"
		"  stat     show one named object in detail\n"
		"  create   create a mailbox, ring or region\n"
		"  rm       remove names\n"
		"  send     send stdin or lines of it to a mailbox or an inbox id\n"
		"  recv     receive messages from a mailbox to stdout\n"
		"  call     send a request to a mailbox and print the reply\n"
		"  serve    answer every call on a mailbox with its request (echo)\n"
		"  watch    live counters\n"
		"  version  module ABI version and features\n"
		"'shmboxctl COMMAND --help' describes each.  Exit codes: 0 success,\n"
		"1 failure, 2 usage, 3 no such object, 4 permission denied,\n"
		"5 would block or timed out, 6 already exists, 7 object removed.\n");
	return f == stderr ? EX_USAGE : EX_OK;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "ls", cmd_ls }, { "stat", cmd_stat }, { "create", cmd_create },
		{ "rm", cmd_rm }, { "send", cmd_send }, { "recv", cmd_recv },
		{ "call", cmd_call }, { "serve", cmd_serve },
		{ "watch", cmd_watch }, { "version", cmd_version },
	};
	static char prog[32];
	size_t i;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return usage(stdout);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		cmd = cmds[i].name;
		/* getopt's own messages then say "shmboxctl ls: ...". */
		snprintf(prog, sizeof(prog), "shmboxctl %s", cmd);
		argv[1] = prog;
		return cmds[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "shmboxctl: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
