// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/shmbox: one line per live object the reader may see.
 *
 * Owns: the seq_file and its visibility rule (below); each open file
 * holds its opener's namespace record (ns.c) until it is released.
 *
 * Locking: the walk holds shmbox_objs_lock (obj.c, through
 * shmbox_objs_lock_all()) from ->start to ->stop; each kind's ->show takes
 * its own lock inside it.
 *
 * Lifetime: the proc entry exists from shmbox_proc_init() to
 * shmbox_proc_exit(); an object on the list needs no reference while the
 * lock is held (obj.c takes it off before freeing it).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>

#include "shmbox.h"

/*
 * One line per live object the reader may see, after a header line.  The
 * common columns come from here, the kind columns (size depth capacity
 * bytes nattch sent received calls serving, "-" where a column does not
 * apply) from the kind's ->show.  Visibility is decided with the credentials of the
 * opener of the file (like any /proc file that filters, so that passing
 * the fd to a privileged process leaks nothing more): only objects of the
 * opener's IPC namespace are listed; of those, CAP_IPC_OWNER in the user
 * namespace owning it sees everything; the owner or creator always sees
 * its objects (it may unlink them); anyone else needs read permission in
 * the mode, as for an open for reading.  Ids are shown in the reader's
 * user and pid namespaces.
 */
struct shmbox_proc_state {
	struct list_head *objs;		/* every live object, locked */
	struct shmbox_ns *ns;		/* the opener's namespace */
	bool all;			/* the opener has CAP_IPC_OWNER there */
};

static bool shmbox_cred_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *gi = cred->group_info;
	int i;

	if (gid_eq(cred->egid, gid))
		return true;
	for (i = 0; i < gi->ngroups; i++)
		if (gid_eq(gi->gid[i], gid))
			return true;
	return false;
}

static bool shmbox_obj_visible(const struct shmbox_obj *obj,
			       const struct cred *cred)
{
	if (uid_eq(cred->euid, obj->uid) || uid_eq(cred->euid, obj->cuid))
		return true;
	if (shmbox_cred_in_group(cred, obj->gid) ||
	    shmbox_cred_in_group(cred, obj->cgid))
		return obj->mode & 0040;
	return obj->mode & 0004;
}

static const char *shmbox_kind_name(const struct shmbox_obj *obj)
{
	if (obj->kind == SHMBOX_KIND_REGION)
		return (obj->oflags & SHMBOX_REGION_RING) ? "ring" : "region";
	return (obj->oflags & SHMBOX_MBOX_INBOX) ? "inbox" : "mailbox";
}

/* A name as one field: "-" if anonymous; blanks, controls and '\' octal. */
static void shmbox_show_name(struct seq_file *m, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (!name) {
		seq_putc(m, '-');
		return;
	}
	if (!strcmp(name, "-")) {
		seq_puts(m, "\\055");
		return;
	}
	for (; *p; p++) {
		if (*p <= ' ' || *p == '\\' || *p == 0x7f)
			seq_printf(m, "\\%03o", *p);
		else
			seq_putc(m, *p);
	}
}

static void *shmbox_proc_start(struct seq_file *m, loff_t *pos)
{
	struct shmbox_proc_state *st = m->private;

	st->all = file_ns_capable(m->file, st->ns->user_ns, CAP_IPC_OWNER);
	st->objs = shmbox_objs_lock_all();
	return seq_list_start_head(st->objs, *pos);
}

static void *shmbox_proc_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct shmbox_proc_state *st = m->private;

	return seq_list_next(v, st->objs, pos);
}

static void shmbox_proc_stop(struct seq_file *m, void *v)
{
	shmbox_objs_unlock_all();
}

static int shmbox_proc_show(struct seq_file *m, void *v)
{
	struct shmbox_proc_state *st = m->private;
	struct user_namespace *ns = seq_user_ns(m);
	struct shmbox_obj *obj;

	if (v == st->objs) {
		seq_puts(m, "kind name mode uid gid cuid cgid cpid users linked ");
		seq_puts(m, "size depth capacity bytes nattch sent received ");
		seq_puts(m, "calls serving handles\n");
		return 0;
	}
	obj = list_entry(v, struct shmbox_obj, all);
	if (obj->ns != st->ns)
		return 0;
	if (!st->all && !shmbox_obj_visible(obj, m->file->f_cred))
		return 0;
	seq_printf(m, "%s ", shmbox_kind_name(obj));
	shmbox_show_name(m, obj->name);
	seq_printf(m, " %04o %u %u %u %u %d %d %d ", obj->mode,
		   from_kuid_munged(ns, obj->uid), from_kgid_munged(ns, obj->gid),
		   from_kuid_munged(ns, obj->cuid),
		   from_kgid_munged(ns, obj->cgid), pid_vnr(obj->cpid),
		   atomic_read(&obj->users), READ_ONCE(obj->linked));
	if (obj->ops->show)
		obj->ops->show(m, obj);
	else
		seq_puts(m, "- - - - - - - - - -");
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations shmbox_proc_ops = {
	.start	= shmbox_proc_start,
	.next	= shmbox_proc_next,
	.stop	= shmbox_proc_stop,
	.show	= shmbox_proc_show,
};

/* The opener's namespace is the one listed, as for /proc/sysvipc. */
static int shmbox_proc_open(struct inode *inode, struct file *file)
{
	struct shmbox_proc_state *st;
	struct shmbox_ns *ns;

	ns = shmbox_ns_get();
	if (IS_ERR(ns))
		return PTR_ERR(ns);
	st = __seq_open_private(file, &shmbox_proc_ops, sizeof(*st));
	if (!st) {
		shmbox_ns_put(ns);
		return -ENOMEM;
	}
	st->ns = ns;
	return 0;
}

static int shmbox_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct shmbox_proc_state *st = m->private;

	shmbox_ns_put(st->ns);
	return seq_release_private(inode, file);
}

static const struct proc_ops shmbox_proc_fops = {
	.proc_open	= shmbox_proc_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= shmbox_proc_release,
};

int shmbox_proc_init(void)
{
	if (!proc_create("shmbox", 0444, NULL, &shmbox_proc_fops))
		return -ENOMEM;
	return 0;
}

void shmbox_proc_exit(void)
{
	remove_proc_entry("shmbox", NULL);
}
