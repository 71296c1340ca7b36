// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailboxes: message queues reached through ioctls (and read,
 * write and poll) on /dev/shmbox.  This file is the mailbox's ABI: each
 * handler checks its argument first, then acts through the mechanism
 * files below it (see mbox.h for the file list):
 *
 *	SHMBOX_IOC_MBOX_OPEN, _STAT	here, and inbox.c
 *	SHMBOX_IOC_MBOX_SEND		shmbox_mbox_send() (mbox_send.c), to
 *					the bound mailbox or an inbox found
 *					by pid or id (inbox.c)
 *	SHMBOX_IOC_MBOX_RECV		shmbox_mbox_recv() (mbox_recv.c)
 *	SHMBOX_IOC_MBOX_SENDV, _RECVV	mbox_vec.c, with the steps shared
 *					here (shmbox_send_begin(), ...)
 *	SHMBOX_IOC_MBOX_CALL, _REPLY,	mbox_call.c, with the same shared
 *	_REPLY_RECV			steps
 *	write(2), read(2)		the same, with fixed arguments
 *	poll(2)				mb->poll_wq and shmbox_mbox_writable()
 *
 * Owns: struct shmbox_mbox as a kind of struct shmbox_obj (creation, the
 * object operations, /proc/shmbox columns), and module init and exit of
 * the mailbox side.
 *
 * Locking: mb->lock only to read a consistent snapshot of the counters
 * (stat, /proc, poll).  No lock is held across a user copy here.
 *
 * Lifetime: a mailbox is freed by the object layer after its last
 * reference: its name (while linked), every bound fd, and every direct
 * sender between the inbox lookup and the end of its send; its memory
 * after an RCU grace period, since inbox.c's table of owners is read
 * under RCU alone.  A handler acts on the fd's bound mailbox (the file
 * holds it) or on an inbox it took a reference to.
 */
#include <linux/err.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mbox.h"

/* ---- the object ---------------------------------------------------------- */

static void shmbox_mbox_free(struct shmbox_obj *obj)
{
	struct shmbox_mbox *mb = to_mbox(obj);
	struct shmbox_msg *lead, *ltmp, *msg, *tmp;

	/* Nobody else is left: no lock, and the tree is not kept up. */
	rbtree_postorder_for_each_entry_safe(lead, ltmp, &mb->queue.rb_root,
					     prio_node) {
		list_for_each_entry_safe(msg, tmp, &lead->node, node) {
			list_del(&msg->node);
			shmbox_msg_done(msg);
		}
		shmbox_msg_done(lead);
	}
	shmbox_mbox_notify_drop(mb);
	shmbox_mbox_spares_free(mb);
	put_pid(mb->inbox_pid);
	shmbox_obj_uninit(obj);
	kfree_rcu(mb, rcu);
}

static void shmbox_mbox_unlinked(struct shmbox_obj *obj)
{
	shmbox_mbox_kill(to_mbox(obj));
	shmbox_mbox_notify_drop(to_mbox(obj));
}

static void shmbox_mbox_unbind(struct shmbox_obj *obj, struct shmbox_file *sf)
{
	struct shmbox_mbox *mb = to_mbox(obj);

	if (mb->inbox_pid)
		shmbox_inbox_put_fd(mb);
}

/*
 * /proc/shmbox kind columns: msgmax depth capacity bytes - sent received
 * calls serving handles
 */
static void shmbox_mbox_show(struct seq_file *m, struct shmbox_obj *obj)
{
	struct shmbox_mbox *mb = to_mbox(obj);
	u64 bytes, sent, received;
	u32 depth, calls, handles;

	spin_lock(&mb->lock);
	depth = mb->nr_msgs;
	bytes = mb->bytes;
	sent = mb->sent;
	received = mb->received;
	calls = mb->nr_calls;
	handles = mb->nr_handles;
	spin_unlock(&mb->lock);
	seq_printf(m, "%u %u ", mb->max_msg, depth);
	if (mb->capacity == SHMBOX_MBOX_UNBOUNDED)
		seq_puts(m, "inf");
	else
		seq_printf(m, "%u", mb->capacity);
	seq_printf(m, " %llu - %llu %llu %u %d %u", bytes, sent, received,
		   calls, atomic_read(&mb->calls_serving), handles);
}

static const struct shmbox_obj_ops shmbox_mbox_ops = {
	.free		= shmbox_mbox_free,
	.unlinked	= shmbox_mbox_unlinked,
	.unbind		= shmbox_mbox_unbind,
	.show		= shmbox_mbox_show,
};

static struct shmbox_obj *shmbox_mbox_create(const struct shmbox_open_args *args)
{
	const struct shmbox_mbox_open *arg = args->priv;
	struct shmbox_mbox *mb;

	mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
	if (!mb)
		return ERR_PTR(-ENOMEM);
	shmbox_obj_init(&mb->obj, &shmbox_mbox_ops, SHMBOX_KIND_MAILBOX,
			args->flags & (SHMBOX_O_AUTOREMOVE | SHMBOX_MBOX_INBOX),
			args->mode);
	mb->capacity = arg->capacity;
	mb->max_msg = arg->max_msg_size;
	if (args->flags & SHMBOX_MBOX_INBOX)
		shmbox_inbox_init(mb);
	shmbox_mbox_init_queues(mb);
	return &mb->obj;
}

#define SHMBOX_MBOX_OPEN_FLAGS	(SHMBOX_O_CREAT | SHMBOX_O_EXCL | \
				 SHMBOX_O_AUTOREMOVE | SHMBOX_MBOX_INBOX)

/* SHMBOX_IOC_MBOX_OPEN's checks; a max_msg_size of 0 becomes the limit. */
static int shmbox_mbox_open_check(struct file *file,
				  struct shmbox_mbox_open *arg)
{
	unsigned long max_msg = shmbox_limit(SHMBOX_LIM_MSG_SIZE);
	struct shmbox_file *sf = file->private_data;

	if ((arg->flags & ~SHMBOX_MBOX_OPEN_FLAGS) || arg->pad)
		return -EINVAL;
	if (arg->capacity > SHMBOX_MBOX_CAPACITY_MAX &&
	    arg->capacity != SHMBOX_MBOX_UNBOUNDED)
		return -EINVAL;
	if (arg->max_msg_size > max_msg)
		return -EINVAL;
	if (!arg->max_msg_size)
		arg->max_msg_size = max_msg;
	if ((arg->flags & SHMBOX_MBOX_INBOX) &&
	    (arg->name || (arg->flags & SHMBOX_O_AUTOREMOVE)))
		return -EINVAL;
	if ((arg->flags & SHMBOX_O_EXCL) && !(arg->flags & SHMBOX_O_CREAT))
		return -EINVAL;
	if (arg->mode & ~0777)
		return -EINVAL;
	/* Pairs with the release store in shmbox_obj_bind(). */
	if (smp_load_acquire(&sf->obj))
		return -EBUSY;
	return 0;
}

long shmbox_ioc_mbox_open(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_open *arg = karg;
	struct shmbox_open_args args = {};
	struct shmbox_mbox *mb;
	struct shmbox_obj *obj;
	int ret;

	ret = shmbox_mbox_open_check(file, arg);
	if (ret)
		return ret;

	args.kind = SHMBOX_KIND_MAILBOX;
	args.flags = arg->flags;
	args.uname = arg->name;
	args.mode = arg->mode;
	args.priv = arg;
	args.create = shmbox_mbox_create;
	if (arg->flags & SHMBOX_MBOX_INBOX)
		ret = shmbox_inbox_open(file, &args, &obj);
	else
		ret = shmbox_obj_open(file, &args, &obj);
	if (ret)
		return ret;
	mb = to_mbox(obj);

	arg->capacity = mb->capacity;
	arg->max_msg_size = mb->max_msg;
	ret = shmbox_copy_arg_out(uarg, usize, arg, sizeof(*arg));
	if (!ret)
		ret = shmbox_obj_bind(file, obj, 0);
	if (ret) {
		if (mb->inbox_pid)
			shmbox_inbox_put_fd(mb);
		shmbox_obj_open_failed(obj);
	}
	return ret;
}

long shmbox_ioc_mbox_stat(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_stat *st = karg;
	struct shmbox_obj *obj;
	struct shmbox_mbox *mb;

	/* flags and every output field: 0 on input, like the region's. */
	if (memchr_inv((char *)st + 4, 0, sizeof(*st) - 4))
		return -EINVAL;
	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	mb = to_mbox(obj);

	memset(st, 0, sizeof(*st));
	st->size = usize;
	shmbox_obj_fill_info(obj, &st->obj);
	st->capacity = mb->capacity;
	st->max_msg_size = mb->max_msg;
	if (mb->inbox_pid) {
		st->inbox_pid = shmbox_inbox_pid_vnr(mb);
		st->inbox_id = mb->inbox_id;
	}
	st->max_bytes = shmbox_limit(SHMBOX_LIM_MBOX_BYTES);
	spin_lock(&mb->lock);
	st->depth = mb->nr_msgs;
	st->bytes = mb->bytes;
	st->charged = mb->charged;
	st->sent = mb->sent;
	st->received = mb->received;
	st->blocked_senders = mb->nr_swait;
	st->blocked_receivers = mb->nr_rwait;
	st->calls_waiting = mb->nr_calls;
	st->handles = mb->nr_handles;
	spin_unlock(&mb->lock);
	st->calls_serving = atomic_read(&mb->calls_serving);
	return shmbox_copy_arg_out(uarg, usize, st, sizeof(*st));
}

/* ---- send ---------------------------------------------------------------- */

#define SHMBOX_RECV_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK | \
				 SHMBOX_MSG_FROM | SHMBOX_MSG_NOCLOEXEC | \
				 SHMBOX_MSG_REALTIME | SHMBOX_MSG_WHOLE)

static bool shmbox_nonblock(struct file *file, u32 flags)
{
	return (flags & SHMBOX_MSG_NONBLOCK) || (file->f_flags & O_NONBLOCK);
}

/*
 * A send's destination fields: a pid that is not negative, and an id
 * exactly when SHMBOX_MSG_TO_ID asks for one, which excludes a pid.
 */
bool shmbox_send_target_ok(u32 flags, pid_t pid, u64 id)
{
	if (pid < 0)
		return false;
	if (flags & SHMBOX_MSG_TO_ID)
		return id && !pid;
	return !id;
}

/* A send's mailbox: inbox @id, @pid's inbox or the bound one; a reference. */
static struct shmbox_mbox *shmbox_send_target(struct file *file, u32 flags,
					      pid_t pid, u64 id)
{
	struct shmbox_obj *obj;

	if (flags & SHMBOX_MSG_TO_ID)
		return shmbox_inbox_get_id(id);
	if (pid)
		return shmbox_inbox_get(pid);
	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	shmbox_obj_get(obj);
	return to_mbox(obj);
}

/*
 * A send call: its mailbox (with a reference, put by the caller) and its
 * settings; its destination fields checked by the caller.
 */
int shmbox_send_begin(struct file *file, u32 flags, pid_t pid, u64 id,
		      u64 deadline, struct shmbox_send *s)
{
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	s->mb = shmbox_send_target(file, flags, pid, id);
	if (IS_ERR(s->mb))
		return PTR_ERR(s->mb);
	/* A direct send: the inbox's mode, checked for each send. */
	if ((pid || id) && !shmbox_obj_may(&s->mb->obj, MAY_WRITE)) {
		shmbox_obj_put(&s->mb->obj);
		return -EACCES;
	}
	s->sender_id = shmbox_inbox_self_id();
	s->call = NULL;
	s->moved = NULL;
	s->sync = flags & SHMBOX_MSG_SYNC;
	s->nonblock = shmbox_nonblock(file, flags);
	s->deadline.ns = deadline;
	s->deadline.realtime = flags & SHMBOX_MSG_REALTIME;
	return 0;
}

long shmbox_ioc_mbox_send(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_send *arg = karg;
	struct shmbox_mbox_msgx m = {
		.buf = arg->buf, .len = arg->len, .prio = arg->prio,
		.handles = arg->handles, .nr_handles = arg->nr_handles,
	};
	struct shmbox_moved moved;
	struct shmbox_send s;
	int ret, err = 0;

	if ((arg->flags & ~SHMBOX_SEND_FLAGS) || arg->pad || arg->pad2 ||
	    arg->prio >= SHMBOX_MSG_PRIO_MAX ||
	    arg->nr_handles > SHMBOX_MSG_HANDLES_MAX ||
	    !shmbox_send_target_ok(arg->flags, arg->pid, arg->id))
		return -EINVAL;
	ret = shmbox_send_begin(file, arg->flags, arg->pid, arg->id,
				arg->deadline_ns, &s);
	if (ret)
		return ret;
	s.moved = &moved;
	if (shmbox_mbox_send(&s, &m, 1, &err))
		shmbox_moved_close(&moved);
	shmbox_obj_put(&s.mb->obj);
	return err;
}

/*
 * write(2) on a mailbox fd: one message of @count bytes, priority 0,
 * waiting for room unless O_NONBLOCK, no deadline; what
 * SHMBOX_IOC_MBOX_SEND does with those arguments, without an argument
 * structure to copy in and check.  It is asynchronous, except on a
 * rendezvous mailbox (capacity 0), where every send waits for the
 * receiver.  The bound mailbox lives as long as the file, which the
 * caller holds.
 */
ssize_t shmbox_mbox_write(struct file *file, const char __user *buf,
			  size_t count)
{
	struct shmbox_mbox_msgx m = { .buf = (u64)(uintptr_t)buf, .len = count };
	struct shmbox_send s = {
		.nonblock = file->f_flags & O_NONBLOCK,
		.deadline.ns = SHMBOX_TIMEOUT_NONE,
	};
	struct shmbox_obj *obj;
	int err = 0;

	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (count > U32_MAX)
		return -EMSGSIZE;
	s.mb = to_mbox(obj);
	s.sender_id = shmbox_inbox_self_id();
	shmbox_mbox_send(&s, &m, 1, &err);
	return err ? err : count;
}

/* ---- receive ------------------------------------------------------------- */

/* SHMBOX_MSG_FROM names a sender; without it, the pid must be 0. */
static bool shmbox_recv_pid_ok(u32 flags, pid_t pid)
{
	return (flags & SHMBOX_MSG_FROM) ? pid > 0 : pid == 0;
}

/*
 * A receive call on the bound mailbox, and its settings; its sender
 * filter checked first (EINVAL).  It reports no results and takes no
 * calls until the caller says where they go.
 */
int shmbox_recv_begin(struct file *file, u32 flags, pid_t pid,
		      u64 deadline, struct shmbox_recv *r)
{
	struct shmbox_obj *obj;

	if (!shmbox_recv_pid_ok(flags, pid))
		return -EINVAL;
	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	r->mb = to_mbox(obj);
	r->ns = task_active_pid_ns(current);
	r->from = (flags & SHMBOX_MSG_FROM) ? pid : 0;
	r->peek = flags & SHMBOX_MSG_PEEK;
	r->nonblock = shmbox_nonblock(file, flags);
	r->whole = flags & SHMBOX_MSG_WHOLE;
	r->handles = false;		/* set by a caller that reports them */
	r->cloexec = !(flags & SHMBOX_MSG_NOCLOEXEC);
	r->deadline.ns = deadline;
	r->deadline.realtime = flags & SHMBOX_MSG_REALTIME;
	r->calls = NULL;
	r->ures = NULL;			/* set by a caller with results */
	r->stride = 0;
	r->rsize = 0;
	r->tailp = NULL;
	r->tailsize = 0;
	return 0;
}

/*
 * Where a single receive's results go in a structure laid out as struct
 * shmbox_mbox_recv from its @len on: len, prio, pid and uid at @ulen (as
 * a version-0 descriptor's results, see ioctl.c), then, after the
 * deadline, @tailsize bytes of id, handle, reply_max, rflags, handles,
 * nr_handles, pad2 at @utail: as many as the caller's structure has.
 */
void shmbox_recv_results(struct shmbox_recv *r, void __user *ulen,
			 void __user *utail, u32 tailsize)
{
	r->ures = ulen;
	r->stride = 0;
	r->rsize = SHMBOX_MBOX_MSG_SIZE_VER0 -
		   offsetof(struct shmbox_mbox_msg, len);
	r->tailp = tailsize ? utail : NULL;
	r->tailsize = tailsize;
}

long shmbox_ioc_mbox_recv(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_recv __user *ures = uarg;
	struct shmbox_mbox_recv *arg = karg;
	struct shmbox_mbox_msgx m = {
		.buf = arg->buf, .len = arg->len,
		.handles = arg->handles, .nr_handles = arg->nr_handles,
	};
	const u32 idoff = offsetof(struct shmbox_mbox_recv, id);
	u32 tail = 0;
	struct shmbox_recv r;
	int ret, err = 0;

	if ((arg->flags & ~SHMBOX_RECV_FLAGS) || arg->prio || arg->uid ||
	    arg->id || arg->handle || arg->reply_max || arg->rflags ||
	    arg->pad2 || arg->nr_handles > SHMBOX_MSG_HANDLES_MAX)
		return -EINVAL;
	ret = shmbox_recv_begin(file, arg->flags, arg->pid, arg->deadline_ns,
				&r);
	if (ret)
		return ret;
	/* The later results only in a caller's structure that has them. */
	if (usize > idoff)
		tail = min_t(u32, usize, sizeof(*arg)) - idoff;
	if (usize >= SHMBOX_MBOX_RECV_SIZE_VER2) {
		r.calls = shmbox_mbox_calltab(file, r.mb);
		if (IS_ERR(r.calls))
			return PTR_ERR(r.calls);
	}
	r.handles = usize >= SHMBOX_MBOX_RECV_SIZE_VER3;
	shmbox_recv_results(&r, &ures->len, &ures->id, tail);
	shmbox_mbox_recv(&r, &m, 1, true, &err);
	return err;
}

/*
 * read(2) on a mailbox fd: receive the next message (highest priority,
 * oldest, any sender) into @buf, waiting unless O_NONBLOCK; return its
 * length.  A message longer than @count stays queued: EMSGSIZE.  A fault
 * copying it out puts it back: EFAULT.
 */
ssize_t shmbox_mbox_read(struct file *file, char __user *buf, size_t count)
{
	struct shmbox_mbox_msgx m = {
		.buf = (u64)(uintptr_t)buf, .len = min_t(size_t, count, U32_MAX),
	};
	struct shmbox_recv r;
	int ret, err = 0;

	ret = shmbox_recv_begin(file, 0, 0, SHMBOX_TIMEOUT_NONE, &r);
	if (ret)
		return ret;
	if (!shmbox_mbox_recv(&r, &m, 1, true, &err))
		return err;
	return m.len;
}

/* ---- poll and module init ------------------------------------------------ */

__poll_t shmbox_mbox_poll(struct file *file, struct poll_table_struct *pt)
{
	struct shmbox_obj *obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	struct shmbox_mbox *mb;
	__poll_t mask = 0;

	if (IS_ERR(obj))
		return EPOLLERR;
	mb = to_mbox(obj);
	poll_wait(file, &mb->poll_wq, pt);
	spin_lock(&mb->lock);
	if (mb->dead) {
		mask = EPOLLERR | EPOLLHUP;
	} else {
		if (shmbox_mbox_queued(mb))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (shmbox_mbox_writable(mb))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	spin_unlock(&mb->lock);
	return mask;
}

u64 shmbox_mbox_features(void)
{
	return SHMBOX_FEAT_MAILBOX | SHMBOX_FEAT_DIRECT | SHMBOX_FEAT_MBOX_RW |
	       SHMBOX_FEAT_INBOX_ID | SHMBOX_FEAT_CALL | SHMBOX_FEAT_HANDLES |
	       SHMBOX_FEAT_MQ;
}

int shmbox_mbox_init(void)
{
	int ret;

	ret = shmbox_msg_cache_init();
	if (ret)
		return ret;
	ret = shmbox_call_cache_init();
	if (ret)
		goto exit_msg_cache;
	return 0;

exit_msg_cache:
	shmbox_msg_cache_exit();
	return ret;
}

void shmbox_mbox_exit(void)
{
	WARN_ON(!shmbox_inboxes_empty());
	WARN_ON(!shmbox_accts_empty());
	shmbox_call_cache_exit();
	shmbox_msg_cache_exit();
}
