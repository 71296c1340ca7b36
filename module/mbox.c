// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailboxes: message queues reached through ioctls (and read,
 * write and poll) on /dev/shmbox.  This file is the mailbox's ABI: each
 * handler checks its argument first, then acts through the mechanism
 * files below it (see mbox.h for the file list):
 *
 *	SHMBOX_IOC_MBOX_OPEN, _STAT	here, and inbox.c
 *	SHMBOX_IOC_MBOX_SEND, _SENDV	shmbox_mbox_send() (mbox_send.c)
 *	SHMBOX_IOC_MBOX_RECV, _RECVV	shmbox_mbox_recv() (mbox_recv.c)
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
 * sender between the inbox lookup and the end of its send.  A handler
 * acts on the fd's bound mailbox (the file holds it) or on an inbox it
 * took a reference to.
 */
#include <linux/err.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mbox.h"

/* ---- the object ---------------------------------------------------------- */

static void shmbox_mbox_free(struct shmbox_obj *obj)
{
	struct shmbox_mbox *mb = to_mbox(obj);
	struct shmbox_msg *msg, *tmp;
	int p;

	for (p = 0; p < SHMBOX_MSG_PRIO_MAX; p++) {
		list_for_each_entry_safe(msg, tmp, &mb->queue[p], node) {
			list_del(&msg->node);
			shmbox_msg_done(msg);
		}
	}
	shmbox_mbox_spares_free(mb);
	put_pid(mb->inbox_pid);
	shmbox_obj_uninit(obj);
	kfree(mb);
}

static void shmbox_mbox_unlinked(struct shmbox_obj *obj)
{
	shmbox_mbox_kill(to_mbox(obj));
}

static void shmbox_mbox_unbind(struct shmbox_obj *obj, struct shmbox_file *sf)
{
	struct shmbox_mbox *mb = to_mbox(obj);

	if (mb->inbox_pid)
		shmbox_inbox_put_fd(mb);
}

/* /proc/shmbox kind columns: msgmax depth capacity bytes - sent received */
static void shmbox_mbox_show(struct seq_file *m, struct shmbox_obj *obj)
{
	struct shmbox_mbox *mb = to_mbox(obj);
	u64 bytes, sent, received;
	u32 depth;

	spin_lock(&mb->lock);
	depth = mb->nr_msgs;
	bytes = mb->bytes;
	sent = mb->sent;
	received = mb->received;
	spin_unlock(&mb->lock);
	seq_printf(m, "%u %u ", mb->max_msg, depth);
	if (mb->capacity == SHMBOX_MBOX_UNBOUNDED)
		seq_puts(m, "inf");
	else
		seq_printf(m, "%u", mb->capacity);
	seq_printf(m, " %llu - %llu %llu", bytes, sent, received);
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
		mb->inbox_pid = get_pid(task_tgid(current));
	INIT_HLIST_NODE(&mb->inbox_node);
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
	st->inbox_pid = mb->inbox_pid ? pid_vnr(mb->inbox_pid) : 0;
	st->max_bytes = shmbox_limit(SHMBOX_LIM_MBOX_BYTES);
	spin_lock(&mb->lock);
	st->depth = mb->nr_msgs;
	st->bytes = mb->bytes;
	st->charged = mb->charged;
	st->sent = mb->sent;
	st->received = mb->received;
	st->blocked_senders = mb->nr_swait;
	st->blocked_receivers = mb->nr_rwait;
	spin_unlock(&mb->lock);
	return shmbox_copy_arg_out(uarg, usize, st, sizeof(*st));
}

/* ---- send ---------------------------------------------------------------- */

#define SHMBOX_SEND_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC)
#define SHMBOX_RECV_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK | \
				 SHMBOX_MSG_FROM)

static bool shmbox_nonblock(struct file *file, u32 flags)
{
	return (flags & SHMBOX_MSG_NONBLOCK) || (file->f_flags & O_NONBLOCK);
}

/*
 * A send call: its mailbox (the bound one, or @pid's inbox; with a
 * reference, put by the caller) and its settings.
 */
static int shmbox_send_begin(struct file *file, u32 flags, pid_t pid,
			     u64 deadline, struct shmbox_send *s)
{
	struct shmbox_obj *obj;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (pid) {
		s->mb = shmbox_inbox_get(pid);
		if (IS_ERR(s->mb))
			return PTR_ERR(s->mb);
		if (!shmbox_obj_may(&s->mb->obj, MAY_WRITE)) {
			shmbox_obj_put(&s->mb->obj);
			return -EACCES;
		}
	} else {
		obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
		shmbox_obj_get(obj);
		s->mb = to_mbox(obj);
	}
	s->sync = flags & SHMBOX_MSG_SYNC;
	s->nonblock = shmbox_nonblock(file, flags);
	s->deadline = deadline;
	return 0;
}

long shmbox_ioc_mbox_send(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_send *arg = karg;
	struct shmbox_mbox_msg m = {
		.buf = arg->buf, .len = arg->len, .prio = arg->prio,
	};
	struct shmbox_send s;
	int ret, err = 0;

	if ((arg->flags & ~SHMBOX_SEND_FLAGS) || arg->pad ||
	    arg->prio >= SHMBOX_MSG_PRIO_MAX || arg->pid < 0)
		return -EINVAL;
	ret = shmbox_send_begin(file, arg->flags, arg->pid, arg->deadline_ns,
				&s);
	if (ret)
		return ret;
	shmbox_mbox_send(&s, &m, 1, &err);
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
	struct shmbox_mbox_msg m = { .buf = (u64)(uintptr_t)buf, .len = count };
	struct shmbox_send s = {
		.nonblock = file->f_flags & O_NONBLOCK,
		.deadline = SHMBOX_TIMEOUT_NONE,
	};
	struct shmbox_obj *obj;
	int err = 0;

	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (count > U32_MAX)
		return -EMSGSIZE;
	s.mb = to_mbox(obj);
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
 * filter checked first (EINVAL).
 */
static int shmbox_recv_begin(struct file *file, u32 flags, pid_t pid,
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
	r->deadline = deadline;
	r->ures = NULL;			/* set by a caller with results */
	return 0;
}

long shmbox_ioc_mbox_recv(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_recv *arg = karg;
	struct shmbox_mbox_msg m = { .buf = arg->buf, .len = arg->len };
	struct shmbox_recv r;
	int ret, err = 0;

	if ((arg->flags & ~SHMBOX_RECV_FLAGS) || arg->prio || arg->uid)
		return -EINVAL;
	ret = shmbox_recv_begin(file, arg->flags, arg->pid, arg->deadline_ns,
				&r);
	if (ret)
		return ret;
	/* The result fields are laid out as a descriptor's (ioctl.c). */
	r.ures = &((struct shmbox_mbox_recv __user *)uarg)->len;
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
	struct shmbox_mbox_msg m = {
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

/* ---- vector calls -------------------------------------------------------- */

/* A vector call's own fields: known flags, a count in range. */
static int shmbox_vec_check(const struct shmbox_mbox_vec *vec, u32 allowed)
{
	if ((vec->flags & ~allowed) || !vec->count ||
	    vec->count > SHMBOX_MBOX_VEC_MAX)
		return -EINVAL;
	return 0;
}

/* A send descriptor: a priority in range, no pid or uid. */
static bool shmbox_send_desc_ok(const struct shmbox_mbox_msg *m)
{
	return m->prio < SHMBOX_MSG_PRIO_MAX && !m->pid && !m->uid;
}

/* A receive descriptor: the result fields zero. */
static bool shmbox_recv_desc_ok(const struct shmbox_mbox_msg *m)
{
	return !m->prio && !m->pid && !m->uid;
}

/*
 * Copy in @n descriptors and check them with @ok, in order.
 * Return: how many are good, a prefix; past it, *@err says why the next
 * one is not (EFAULT, EINVAL).
 */
static u32 shmbox_vec_read(struct shmbox_mbox_msg *m,
			   const struct shmbox_mbox_msg __user *um, u32 n,
			   bool (*ok)(const struct shmbox_mbox_msg *m), int *err)
{
	u32 i, got = n;

	if (copy_from_user(m, um, n * sizeof(*m))) {
		for (got = 0; got < n; got++)
			if (copy_from_user(&m[got], &um[got], sizeof(*m)))
				break;
		*err = -EFAULT;
	}
	for (i = 0; i < got; i++) {
		if (!ok(&m[i])) {
			*err = -EINVAL;
			break;
		}
	}
	return i;
}

long shmbox_ioc_mbox_sendv(struct file *file, void *karg,
			   void __user *uarg, u32 usize)
{
	struct shmbox_mbox_vec *vec = karg;
	struct shmbox_mbox_msg __user *umsgs = u64_to_user_ptr(vec->msgs);
	struct shmbox_mbox_msg m[SHMBOX_VEC_CHUNK];
	u32 done = 0, got, sent;
	struct shmbox_send s;
	int ret, err = 0;

	ret = shmbox_vec_check(vec, SHMBOX_SEND_FLAGS);
	if (ret)
		return ret;
	if (vec->pid < 0)
		return -EINVAL;
	ret = shmbox_send_begin(file, vec->flags, vec->pid, vec->deadline_ns,
				&s);
	if (ret)
		return ret;
	/* Each chunk stops at the first failure; err is that message's. */
	while (done < vec->count && !err) {
		got = shmbox_vec_read(m, &umsgs[done],
				      min_t(u32, vec->count - done,
					    SHMBOX_VEC_CHUNK),
				      shmbox_send_desc_ok, &err);
		sent = got ? shmbox_mbox_send(&s, m, got, &ret) : 0;
		done += sent;
		if (sent < got)
			err = ret;
		if (!got)
			break;
	}
	shmbox_obj_put(&s.mb->obj);
	return done ? done : err;
}

long shmbox_ioc_mbox_recvv(struct file *file, void *karg,
			   void __user *uarg, u32 usize)
{
	struct shmbox_mbox_vec *vec = karg;
	struct shmbox_mbox_msg __user *umsgs = u64_to_user_ptr(vec->msgs);
	struct shmbox_mbox_msg m[SHMBOX_VEC_CHUNK];
	u32 done = 0, got, took;
	struct shmbox_recv r;
	int ret, err = 0;

	ret = shmbox_vec_check(vec, SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_FROM);
	if (ret)
		return ret;
	ret = shmbox_recv_begin(file, vec->flags, vec->pid, vec->deadline_ns,
				&r);
	if (ret)
		return ret;
	/* Only the first message is waited for; err is the first failure's. */
	while (done < vec->count && !err) {
		got = shmbox_vec_read(m, &umsgs[done],
				      min_t(u32, vec->count - done,
					    SHMBOX_VEC_CHUNK),
				      shmbox_recv_desc_ok, &err);
		if (!got)
			break;
		r.ures = &umsgs[done].len;
		ret = 0;
		took = shmbox_mbox_recv(&r, m, got, !done, &ret);
		done += took;
		if (ret)
			err = ret;
		if (took < got)
			break;		/* no more messages */
	}
	return done ? done : err;
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
		if (mb->prio_map)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (shmbox_mbox_writable(mb))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	spin_unlock(&mb->lock);
	return mask;
}

u64 shmbox_mbox_features(void)
{
	return SHMBOX_FEAT_MAILBOX | SHMBOX_FEAT_DIRECT | SHMBOX_FEAT_MBOX_RW;
}

int shmbox_mbox_init(void)
{
	return shmbox_msg_cache_init();
}

void shmbox_mbox_exit(void)
{
	WARN_ON(!shmbox_inboxes_empty());
	WARN_ON(!shmbox_accts_empty());
	shmbox_msg_cache_exit();
}
