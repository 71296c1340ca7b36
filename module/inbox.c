// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox inboxes: the mailbox of a process (SHMBOX_MBOX_INBOX), which
 * any process of the same IPC namespace allowed to write to it reaches by
 * the owner's pid.
 *
 * Owns: the table of inboxes, keyed by the owner's thread group (struct
 * pid), and each inbox's count of bound fds (->inbox_fds).
 *
 * Locking: shmbox_inbox_lock (a spinlock) protects the table and every
 * ->inbox_fds.  Never nested with mb->lock: an inbox whose last fd goes
 * is killed (shmbox_mbox_kill()) after the lock is dropped.
 *
 * Lifetime: the table holds no reference.  An inbox leaves the table when
 * the last fd bound to it (or about to bind) is released, before that fd
 * drops its reference; a lookup takes a reference under the lock.
 */
#include <linux/hashtable.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "mbox.h"

static DEFINE_SPINLOCK(shmbox_inbox_lock);	/* table, ->inbox_fds */
static DEFINE_HASHTABLE(shmbox_inboxes, 6);

static struct shmbox_mbox *shmbox_inbox_lookup(struct pid *pid)
{
	struct shmbox_mbox *mb;

	lockdep_assert_held(&shmbox_inbox_lock);
	hash_for_each_possible(shmbox_inboxes, mb, inbox_node,
			       (unsigned long)pid)
		if (mb->inbox_pid == pid)
			return mb;
	return NULL;
}

/* One fd bound to (or about to bind to) an inbox goes away. */
void shmbox_inbox_put_fd(struct shmbox_mbox *mb)
{
	bool gone;

	spin_lock(&shmbox_inbox_lock);
	gone = !--mb->inbox_fds;
	if (gone)
		hash_del(&mb->inbox_node);
	spin_unlock(&shmbox_inbox_lock);
	if (gone)
		shmbox_mbox_kill(mb);
}

/*
 * @tgid's inbox, with a reference, one more fd counted on it and counted
 * as a user (shmbox_obj_get_user()); or, if
 * it has none and @fresh is given, @fresh becomes it (with one fd).
 * Return: the existing inbox, or NULL.
 */
static struct shmbox_mbox *shmbox_inbox_adopt(struct pid *tgid,
					      struct shmbox_mbox *fresh)
{
	struct shmbox_mbox *mb;

	spin_lock(&shmbox_inbox_lock);
	mb = shmbox_inbox_lookup(tgid);
	if (mb) {
		shmbox_obj_get_user(&mb->obj);
		mb->inbox_fds++;
	} else if (fresh) {
		fresh->inbox_fds = 1;
		hash_add(shmbox_inboxes, &fresh->inbox_node,
			 (unsigned long)tgid);
	}
	spin_unlock(&shmbox_inbox_lock);
	return mb;
}

/* Find or create the caller's inbox; counts one fd on it. */
int shmbox_inbox_open(struct file *file,
		      struct shmbox_open_args *args,
		      struct shmbox_obj **objp)
{
	struct pid *tgid = task_tgid(current);
	struct shmbox_mbox *mb;
	struct shmbox_obj *obj;
	int ret;

	mb = shmbox_inbox_adopt(tgid, NULL);
	if (!mb) {
		if (!(args->flags & SHMBOX_O_CREAT))
			return -ENOENT;
		/* An anonymous object: counted against max_objects, never named. */
		ret = shmbox_obj_open(file, args, &obj);
		if (ret)
			return ret;
		mb = shmbox_inbox_adopt(tgid, to_mbox(obj));
		if (!mb) {
			*objp = obj;
			return 0;
		}
		/* Another thread of ours created it meanwhile. */
		shmbox_obj_open_failed(obj);
	}
	ret = 0;
	if ((args->flags & SHMBOX_O_CREAT) && (args->flags & SHMBOX_O_EXCL))
		ret = -EEXIST;
	else if (!shmbox_obj_may(&mb->obj, shmbox_file_may(file)))
		ret = -EACCES;
	if (ret) {
		shmbox_inbox_put_fd(mb);
		shmbox_obj_open_failed(&mb->obj);
		return ret;
	}
	*objp = &mb->obj;
	return 0;
}

/*
 * The inbox of process @pid (in current's pid namespace), with a
 * reference, if it belongs to current's IPC namespace.
 */
struct shmbox_mbox *shmbox_inbox_get(pid_t pid)
{
	struct shmbox_mbox *mb;
	struct pid *p;

	p = find_get_pid(pid);
	if (!p)
		return ERR_PTR(-ESRCH);
	spin_lock(&shmbox_inbox_lock);
	mb = shmbox_inbox_lookup(p);
	/* Another IPC namespace's inbox is not there for this sender. */
	if (mb && !shmbox_ns_is_current(mb->obj.ns))
		mb = NULL;
	if (mb)
		shmbox_obj_get(&mb->obj);
	spin_unlock(&shmbox_inbox_lock);
	put_pid(p);
	return mb ? mb : ERR_PTR(-ENOENT);
}

/* At module exit, when no file is left: is the table empty? */
bool shmbox_inboxes_empty(void)
{
	return hash_empty(shmbox_inboxes);
}
