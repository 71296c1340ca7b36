/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the selftests that read /proc/shmbox (proc, ctl,
 * mbox_call, mbox_handles, chaos): split the file into rows of the 20
 * documented columns.
 *
 * PROC_NCOLS counts the 17 columns up to "received", the ones
 * "shmboxctl ls" mirrors (ctl.c compares them one by one); ABI 1.3 added
 * two at the end of each line, P_CALLS ("calls": calls waiting) and
 * P_SERVING ("serving": calls being served), ABI 1.4 one more,
 * P_HANDLES ("handles": handles in the mailbox's messages); a region
 * prints "-" for all three.  So a line has PROC_NFIELDS fields.
 */
#ifndef SHMBOX_SELFTEST_PROC_UTIL_H
#define SHMBOX_SELFTEST_PROC_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROC_SHMBOX	"/proc/shmbox"
#define PROC_NCOLS	17
#define PROC_NFIELDS	(PROC_NCOLS + 3)
#define PROC_HEADER	"kind name mode uid gid cuid cgid cpid users linked " \
			"size depth capacity bytes nattch sent received " \
			"calls serving handles"

enum { P_KIND, P_NAME, P_MODE, P_UID, P_GID, P_CUID, P_CGID, P_CPID,
       P_USERS, P_LINKED, P_SIZE, P_DEPTH, P_CAP, P_BYTES, P_NATTCH,
       P_SENT, P_RECEIVED, P_CALLS, P_SERVING, P_HANDLES };

struct proc_row {
	char f[PROC_NFIELDS][1100];	/* as printed (a name may be escaped) */
};

/*
 * Read every row from @fd (an open /proc/shmbox, or -1 to open it) into
 * a malloc'ed array.  Returns the number of rows, or -1 if the file is
 * missing or a line does not have exactly PROC_NFIELDS fields or the
 * header is not PROC_HEADER.
 */
static inline int proc_rows_fd(int fd, struct proc_row **rowsp)
{
	char line[4096];
	struct proc_row *rows = NULL;
	int n = 0, c, ok = 1;
	FILE *f;

	f = fd < 0 ? fopen(PROC_SHMBOX, "r") : fdopen(dup(fd), "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || strcmp(line, PROC_HEADER "\n")) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *save, *tok;

		rows = realloc(rows, (n + 1) * sizeof(*rows));
		if (!rows) {
			ok = 0;
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		c = 0;
		for (tok = strtok_r(line, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			if (c < PROC_NFIELDS)
				snprintf(rows[n].f[c], sizeof(rows[n].f[c]), "%s", tok);
			c++;
		}
		if (c != PROC_NFIELDS)
			ok = 0;
		n++;
	}
	fclose(f);
	if (!ok) {
		free(rows);
		return -1;
	}
	*rowsp = rows;
	return n;
}

/* Find the row of @kind whose name field is @field (escaped form). */
static inline int proc_find(const char *kind, const char *field,
			    struct proc_row *out)
{
	struct proc_row *rows = NULL;
	int n, i, found = 0;

	n = proc_rows_fd(-1, &rows);
	for (i = 0; i < n; i++) {
		if ((!kind || !strcmp(rows[i].f[P_KIND], kind)) &&
		    !strcmp(rows[i].f[P_NAME], field)) {
			if (out)
				*out = rows[i];
			found++;
		}
	}
	free(rows);
	return n < 0 ? -1 : found;
}

/*
 * Rows of @kind (NULL: any) with no name ("-") created by process @cpid
 * (0: any) whose size column is @size (0: any): an anonymous object told
 * apart from the others by who made it and how big it is.  -1 if the
 * file cannot be read.
 */
static inline int proc_count_anon(const char *kind, pid_t cpid,
				  unsigned long long size)
{
	struct proc_row *rows = NULL;
	int n, i, found = 0;

	n = proc_rows_fd(-1, &rows);
	for (i = 0; i < n; i++)
		if ((!kind || !strcmp(rows[i].f[P_KIND], kind)) &&
		    !strcmp(rows[i].f[P_NAME], "-") &&
		    (!cpid || atoi(rows[i].f[P_CPID]) == cpid) &&
		    (!size || strtoull(rows[i].f[P_SIZE], NULL, 10) == size))
			found++;
	free(rows);
	return n < 0 ? -1 : found;
}

#endif
