// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox notification: SHMBOX_IOC_MBOX_NOTIFY, the one
 * registration a mailbox may hold (what mq_notify() registers on a POSIX
 * queue), its firing when a message arrives in the empty mailbox, and its
 * removal.
 *
 * Owns: struct shmbox_notify, mb->notify.
 *
 * Locking: mb->notify is set, taken and cleared under mb->lock.  Firing
 * happens under mb->lock too, in the send path's lock hold that queued
 * the message (shmbox_mbox_notify_check(), mbox.h): it queues a signal
 * (send_sig_info() takes the task's siglock) or adds to an eventfd (its
 * wait queue's lock); both are taken with interrupts off and never
 * around mb->lock, so the order is mb->lock, then those.  A
 * registration's references (the holder's struct pid, its user
 * namespace, the eventfd context) may all be put in atomic context.
 *
 * Lifetime: a registration is the mailbox's from the ioctl until it
 * fires, its holder removes it (the ioctl, or closing an fd of the
 * mailbox: shmbox_mbox_flush()), or the mailbox dies (shmbox_mbox_kill())
 * or is freed; whoever takes it off mb->notify frees it.
 */
#include <linux/cred.h>
#include <linux/eventfd.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "mbox.h"
#include "trace.h"

struct shmbox_notify {
	struct pid *owner;		/* the holder's thread group */
	u64 exec_id;			/* its exec generation then */
	struct user_namespace *user_ns;	/* its user namespace, for si_uid */
	u32 kind;			/* SHMBOX_NOTIFY_NONE, _SIGNAL, _EVENTFD */
	int signo;
	u64 value;
	struct eventfd_ctx *efd;
};

static void shmbox_notify_free(struct shmbox_notify *n)
{
	if (!n)
		return;
	if (n->efd)
		eventfd_ctx_put(n->efd);
	put_user_ns(n->user_ns);
	put_pid(n->owner);
	kfree(n);
}

/* The argument's checks for its kind: only the fields the kind uses. */
static bool shmbox_notify_arg_ok(const struct shmbox_mbox_notify *arg)
{
	if (arg->flags || arg->pad)
		return false;
	switch (arg->notify) {
	case SHMBOX_NOTIFY_SIGNAL:
		/* Signal 0 registers and sends nothing, as mq_notify(). */
		return arg->signo >= 0 && valid_signal(arg->signo) &&
		       !arg->eventfd;
	case SHMBOX_NOTIFY_EVENTFD:
		return !arg->signo && !arg->value;
	case SHMBOX_NOTIFY_REMOVE:
	case SHMBOX_NOTIFY_NONE:
		return !arg->signo && !arg->value && !arg->eventfd;
	}
	return false;
}

/* A registration for the calling process, as @arg asks. */
static struct shmbox_notify *
shmbox_notify_new(const struct shmbox_mbox_notify *arg)
{
	struct shmbox_notify *n;
	struct eventfd_ctx *efd = NULL;

	if (arg->notify == SHMBOX_NOTIFY_EVENTFD) {
		efd = eventfd_ctx_fdget(arg->eventfd);
		if (IS_ERR(efd))
			return ERR_CAST(efd);
	}
	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n) {
		if (efd)
			eventfd_ctx_put(efd);
		return ERR_PTR(-ENOMEM);
	}
	n->owner = get_pid(task_tgid(current));
	n->exec_id = current->self_exec_id;
	n->user_ns = get_user_ns(current_user_ns());
	n->kind = arg->notify;
	n->signo = arg->signo;
	n->value = arg->value;
	n->efd = efd;
	return n;
}

/* Is the calling process the holder of @n? */
static bool shmbox_notify_mine(const struct shmbox_notify *n)
{
	return n && n->owner == task_tgid(current);
}

long shmbox_ioc_mbox_notify(struct file *file, void *karg,
			    void __user *uarg, u32 usize)
{
	struct shmbox_mbox_notify *arg = karg;
	struct shmbox_notify *n = NULL, *old = NULL;
	struct shmbox_obj *obj;
	struct shmbox_mbox *mb;
	int ret = 0;

	if (!shmbox_notify_arg_ok(arg))
		return -EINVAL;
	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	mb = to_mbox(obj);
	if (arg->notify != SHMBOX_NOTIFY_REMOVE) {
		n = shmbox_notify_new(arg);
		if (IS_ERR(n))
			return PTR_ERR(n);
	}
	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = -EIDRM;
	} else if (!n) {
		if (shmbox_notify_mine(mb->notify))
			swap(old, mb->notify);
	} else if (mb->notify) {
		ret = -EBUSY;
	} else {
		swap(n, mb->notify);
	}
	spin_unlock(&mb->lock);
	shmbox_notify_free(old);
	shmbox_notify_free(n);
	return ret;
}

/*
 * The thread of @p's group to queue @signo to: the first that does not
 * block it (one in sigwaitinfo() for it has it unblocked meanwhile), else
 * the leader.  Only send_sig_info() (one thread) is exported, not the
 * group-wide send the kernel's mqueue uses.  RCU read lock held.
 */
static struct task_struct *shmbox_notify_thread(struct task_struct *p,
						int signo)
{
	struct task_struct *t;

	for_each_thread(p, t)
		if (!(t->flags & PF_EXITING) &&
		    !sigismember(&t->blocked, signo))
			return t;
	return p;
}

/* Queue @n's signal to its holder, about @msg's sender (mb->lock held). */
static void shmbox_notify_signal(const struct shmbox_notify *n,
				 const struct shmbox_msg *msg)
{
	struct kernel_siginfo info;
	struct task_struct *p;

	clear_siginfo(&info);
	info.si_signo = n->signo;
	info.si_code = SI_MESGQ;
	info.si_pid = pid_nr_ns(msg->sender, ns_of_pid(n->owner));
	info.si_uid = from_kuid_munged(n->user_ns, msg->uid);
	info.si_value.sival_ptr = (void __user *)(uintptr_t)n->value;
	rcu_read_lock();
	p = pid_task(n->owner, PIDTYPE_TGID);
	/* Not a program that exec'd since: it never asked. */
	if (p && READ_ONCE(p->self_exec_id) == n->exec_id)
		send_sig_info(n->signo, &info,
			      shmbox_notify_thread(p, n->signo));
	rcu_read_unlock();
}

/*
 * shmbox_mbox_notify_fire - @msg arrived in the empty mailbox and stayed
 * queued: tell the holder of mb->notify, and remove the registration
 * (mb->lock held; see shmbox_mbox_notify_check()).
 */
void shmbox_mbox_notify_fire(struct shmbox_mbox *mb,
			     const struct shmbox_msg *msg)
{
	struct shmbox_notify *n = mb->notify;

	lockdep_assert_held(&mb->lock);
	mb->notify = NULL;
	if (n->kind == SHMBOX_NOTIFY_SIGNAL && n->signo)
		shmbox_notify_signal(n, msg);
	else if (n->kind == SHMBOX_NOTIFY_EVENTFD)
		shmbox_eventfd_signal(n->efd);
	trace_shmbox_mbox_notify(&mb->obj, n->kind);
	shmbox_notify_free(n);
}

/* Close of an fd of @mb: its holder's registration goes (mq_close()). */
void shmbox_mbox_flush(struct shmbox_mbox *mb)
{
	struct shmbox_notify *old = NULL;

	/*
	 * An unlocked peek, so that closing fds of mailboxes without a
	 * registration (nearly all) takes no lock.  It can only miss a
	 * registration made concurrently with this close, by another
	 * thread: that one is unordered with the close anyway, as in
	 * mq_notify() racing mq_close(), and stays until it fires, is
	 * removed or the mailbox dies.
	 */
	if (!READ_ONCE(mb->notify))
		return;
	spin_lock(&mb->lock);
	if (shmbox_notify_mine(mb->notify))
		swap(old, mb->notify);
	spin_unlock(&mb->lock);
	shmbox_notify_free(old);
}

/* Any close of an fd: if it is bound to a mailbox, shmbox_mbox_flush(). */
void shmbox_mbox_flush_file(struct file *file)
{
	struct shmbox_obj *obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);

	if (!IS_ERR(obj))
		shmbox_mbox_flush(to_mbox(obj));
}

/* The mailbox died or is freed: its registration goes, without notice. */
void shmbox_mbox_notify_drop(struct shmbox_mbox *mb)
{
	struct shmbox_notify *old;

	spin_lock(&mb->lock);
	old = mb->notify;
	mb->notify = NULL;
	spin_unlock(&mb->lock);
	shmbox_notify_free(old);
}
