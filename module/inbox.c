// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox inboxes: the mailbox of a program (SHMBOX_MBOX_INBOX), which
 * any process of the same IPC namespace allowed to write to it reaches by
 * the owner's pid, or by the inbox's id.
 *
 * Owns: the two tables of inboxes: by owner, keyed by the thread group
 * (struct pid) and its exec generation (task->self_exec_id, which
 * begin_new_exec() increments and every thread of a group shares), so a
 * program's inbox is never the next program's; and by id, the 64-bit
 * number each inbox gets at creation from shmbox_inbox_last_id (never 0,
 * never reused while the module is loaded).  Also each inbox's owner
 * fields (->inbox_pid, _gen, _id, immutable once created) and count of
 * bound fds (->inbox_fds).
 *
 * Locking: shmbox_inbox_lock (a spinlock) protects both tables and every
 * ->inbox_fds.  Never nested with mb->lock: an inbox whose last fd goes
 * is killed (shmbox_mbox_kill()) after the lock is dropped.  The owner
 * table is also read under RCU alone (shmbox_inbox_self_id(), on every
 * send): entries are added and removed with the _rcu list operations and
 * a mailbox is freed after a grace period (kfree_rcu(), mbox.c).
 *
 * Lifetime: the tables hold no reference.  An inbox leaves both when the
 * last fd bound to it (or about to bind) is released, before that fd
 * drops its reference; a lookup takes a reference under the lock.  An
 * inbox whose program exec'd stays in both tables while it has fds, but
 * no lookup by pid can match its generation again.
 */
#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "mbox.h"

static DEFINE_SPINLOCK(shmbox_inbox_lock);	/* both tables, ->inbox_fds */
static DEFINE_HASHTABLE(shmbox_inboxes, 6);	/* by owner and generation */
static DEFINE_HASHTABLE(shmbox_inbox_ids, 6);	/* by id */
static atomic64_t shmbox_inbox_last_id = ATOMIC64_INIT(0);

static unsigned long shmbox_inbox_key(struct pid *tgid, u64 gen)
{
	return (unsigned long)tgid ^ (unsigned long)gen;
}

/* The exec generation of @tgid's program; false if it has no task. */
static bool shmbox_inbox_gen_of(struct pid *tgid, u64 *gen)
{
	struct task_struct *t;
	bool live;

	rcu_read_lock();
	t = pid_task(tgid, PIDTYPE_TGID);
	live = !!t;
	if (live)
		*gen = READ_ONCE(t->self_exec_id);
	rcu_read_unlock();
	return live;
}

/* A new inbox of current's program (its mailbox being created). */
void shmbox_inbox_init(struct shmbox_mbox *mb)
{
	mb->inbox_pid = get_pid(task_tgid(current));
	mb->inbox_gen = current->self_exec_id;
	mb->inbox_id = atomic64_inc_return(&shmbox_inbox_last_id);
	INIT_HLIST_NODE(&mb->inbox_node);
	INIT_HLIST_NODE(&mb->inbox_id_node);
}

/* The inbox of (@tgid, @gen): under shmbox_inbox_lock or RCU. */
static struct shmbox_mbox *shmbox_inbox_lookup(struct pid *tgid, u64 gen)
{
	struct shmbox_mbox *mb;

	hash_for_each_possible_rcu(shmbox_inboxes, mb, inbox_node,
				   shmbox_inbox_key(tgid, gen),
				   lockdep_is_held(&shmbox_inbox_lock))
		if (mb->inbox_pid == tgid && mb->inbox_gen == gen)
			return mb;
	return NULL;
}

static struct shmbox_mbox *shmbox_inbox_lookup_id(u64 id)
{
	struct shmbox_mbox *mb;

	lockdep_assert_held(&shmbox_inbox_lock);
	hash_for_each_possible(shmbox_inbox_ids, mb, inbox_id_node, id)
		if (mb->inbox_id == id)
			return mb;
	return NULL;
}

/* One fd bound to (or about to bind to) an inbox goes away. */
void shmbox_inbox_put_fd(struct shmbox_mbox *mb)
{
	bool gone;

	spin_lock(&shmbox_inbox_lock);
	gone = !--mb->inbox_fds;
	if (gone) {
		hash_del_rcu(&mb->inbox_node);
		hash_del(&mb->inbox_id_node);
	}
	spin_unlock(&shmbox_inbox_lock);
	if (gone)
		shmbox_mbox_kill(mb);
}

/*
 * The inbox of current's program, with a reference, one more fd counted
 * on it and counted as a user (shmbox_obj_get_user()); or, if it has
 * none and @fresh is given, @fresh becomes it (with one fd).  Return: the
 * existing inbox, or NULL.
 */
static struct shmbox_mbox *shmbox_inbox_adopt(struct shmbox_mbox *fresh)
{
	struct pid *tgid = task_tgid(current);
	u64 gen = current->self_exec_id;
	struct shmbox_mbox *mb;

	spin_lock(&shmbox_inbox_lock);
	mb = shmbox_inbox_lookup(tgid, gen);
	if (mb) {
		shmbox_obj_get_user(&mb->obj);
		mb->inbox_fds++;
	} else if (fresh) {
		fresh->inbox_fds = 1;
		hash_add_rcu(shmbox_inboxes, &fresh->inbox_node,
			     shmbox_inbox_key(tgid, gen));
		hash_add(shmbox_inbox_ids, &fresh->inbox_id_node,
			 fresh->inbox_id);
	}
	spin_unlock(&shmbox_inbox_lock);
	return mb;
}

/* Find or create the caller's inbox; counts one fd on it. */
int shmbox_inbox_open(struct file *file,
		      struct shmbox_open_args *args,
		      struct shmbox_obj **objp)
{
	struct shmbox_mbox *mb;
	struct shmbox_obj *obj;
	int ret;

	mb = shmbox_inbox_adopt(NULL);
	if (!mb) {
		if (!(args->flags & SHMBOX_O_CREAT))
			return -ENOENT;
		/* An anonymous object: counted against max_objects, never named. */
		ret = shmbox_obj_open(file, args, &obj);
		if (ret)
			return ret;
		mb = shmbox_inbox_adopt(to_mbox(obj));
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
 * The inbox of the program process @pid (in current's pid namespace) runs
 * now, with a reference, if it belongs to current's IPC namespace.  A
 * send racing with that program's exec may still find the inbox it had
 * before; one that starts after execve() returned never does.
 */
struct shmbox_mbox *shmbox_inbox_get(pid_t pid)
{
	struct shmbox_mbox *mb = NULL;
	struct pid *p;
	u64 gen;

	p = find_get_pid(pid);
	if (!p)
		return ERR_PTR(-ESRCH);
	/* Not a thread group (a thread's id): no inbox, as before. */
	if (shmbox_inbox_gen_of(p, &gen)) {
		spin_lock(&shmbox_inbox_lock);
		mb = shmbox_inbox_lookup(p, gen);
		/* Another IPC namespace's inbox is not there for this sender. */
		if (mb && !shmbox_ns_is_current(mb->obj.ns))
			mb = NULL;
		if (mb)
			shmbox_obj_get(&mb->obj);
		spin_unlock(&shmbox_inbox_lock);
	}
	put_pid(p);
	return mb ? mb : ERR_PTR(-ENOENT);
}

/* Inbox @id, with a reference; ESRCH once it is gone (or never was). */
struct shmbox_mbox *shmbox_inbox_get_id(u64 id)
{
	struct shmbox_mbox *mb;

	spin_lock(&shmbox_inbox_lock);
	mb = shmbox_inbox_lookup_id(id);
	/* Ids are global, inboxes per IPC namespace: as if it did not exist. */
	if (mb && !shmbox_ns_is_current(mb->obj.ns))
		mb = NULL;
	if (mb)
		shmbox_obj_get(&mb->obj);
	spin_unlock(&shmbox_inbox_lock);
	return mb ? mb : ERR_PTR(-ESRCH);
}

/*
 * The id of the inbox of current's program, 0 if it has none: what a
 * send stamps on its messages.  Every send asks, so no lock: an RCU walk
 * of one bucket (see the top of this file).
 */
u64 shmbox_inbox_self_id(void)
{
	struct shmbox_mbox *mb;
	u64 id;

	rcu_read_lock();
	mb = shmbox_inbox_lookup(task_tgid(current), current->self_exec_id);
	id = mb ? mb->inbox_id : 0;
	rcu_read_unlock();
	return id;
}

/*
 * The pid of inbox @mb's program in current's namespace; 0 once that
 * process is gone or runs another program (exec'd), or if not visible.
 */
pid_t shmbox_inbox_pid_vnr(struct shmbox_mbox *mb)
{
	u64 gen;

	if (!shmbox_inbox_gen_of(mb->inbox_pid, &gen) || gen != mb->inbox_gen)
		return 0;
	return pid_vnr(mb->inbox_pid);
}

/* At module exit, when no file is left: are the tables empty? */
bool shmbox_inboxes_empty(void)
{
	return hash_empty(shmbox_inboxes) && hash_empty(shmbox_inbox_ids);
}
