// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailboxes: message queues reached through ioctls (and read,
 * write and poll) on /dev/shmbox.  This file is the mailbox's ABI: each
 * handler checks its argument first, then acts through the mechanism
 * files below it (see mbox.h for the file list):
 *
 *	SHMBOX_IOC_MBOX_OPEN, _STAT	here, and inbox.c
 *	SHMBOX_IOC_MBOX_SEND, _SENDV	shmbox_mbox_send() (mbox_send.c), to
 *					the bound mailbox or an inbox found
 *					by pid or id (inbox.c)
 *	SHMBOX_IOC_MBOX_RECV, _RECVV	shmbox_mbox_recv() (mbox_recv.c)
 *	SHMBOX_IOC_MBOX_CALL, _REPLY,	mbox_call.c, with the steps shared
 *	_REPLY_RECV			here (shmbox_send_begin(), ...)
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
#include <linux/uaccess.h>

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

#define SHMBOX_SEND_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC | \
				 SHMBOX_MSG_TO_ID | SHMBOX_MSG_REALTIME)
#define SHMBOX_RECV_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK | \
				 SHMBOX_MSG_FROM | SHMBOX_MSG_NOCLOEXEC | \
				 SHMBOX_MSG_REALTIME | SHMBOX_MSG_WHOLE)

/* A descriptor's handle fields: a count in range, the pad zero. */
static bool shmbox_desc_handles_ok(const struct shmbox_mbox_msgx *m)
{
	return m->nr_handles <= SHMBOX_MSG_HANDLES_MAX && !m->pad2;
}

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

/* ---- vector calls -------------------------------------------------------- */

/*
 * A vector call's own fields: known flags, a count in range, a
 * descriptor size (0: version 0) that is whole 8-byte words in range.
 */
static int shmbox_vec_check(const struct shmbox_mbox_vec *vec, u32 allowed)
{
	u32 ms = vec->msg_size;

	if ((vec->flags & ~allowed) || !vec->count ||
	    vec->count > SHMBOX_MBOX_VEC_MAX || vec->pad)
		return -EINVAL;
	if (ms && (ms % 8 || ms < SHMBOX_MBOX_MSG_SIZE_VER0 ||
		   ms > SHMBOX_MBOX_MSG_SIZE_MAX))
		return -EINVAL;
	return 0;
}

/* The stride of a vector call's descriptors. */
static u32 shmbox_vec_stride(const struct shmbox_mbox_vec *vec)
{
	return vec->msg_size ? vec->msg_size : SHMBOX_MBOX_MSG_SIZE_VER0;
}

/* The result fields of a descriptor after its priority: all zero? */
static bool shmbox_desc_results_zero(const struct shmbox_mbox_msgx *m)
{
	return !m->pid && !m->uid && !m->id && !m->handle && !m->reply_max &&
	       !m->rflags;
}

/* A send descriptor: a priority in range, no results, its handles. */
static bool shmbox_send_desc_ok(const struct shmbox_mbox_msgx *m)
{
	return m->prio < SHMBOX_MSG_PRIO_MAX && shmbox_desc_results_zero(m) &&
	       shmbox_desc_handles_ok(m);
}

/* A receive descriptor: the result fields zero, a handle array in range. */
static bool shmbox_recv_desc_ok(const struct shmbox_mbox_msgx *m)
{
	return !m->prio && shmbox_desc_results_zero(m) &&
	       shmbox_desc_handles_ok(m);
}

/*
 * A vector call's descriptors, and the fds each message of a chunk
 * moves: too big for the stack together (a 32-bit kernel warns at 1 KiB
 * per frame), allocated once per call.
 */
struct shmbox_vec_buf {
	struct shmbox_mbox_msgx m[SHMBOX_VEC_CHUNK];
	struct shmbox_moved moved[SHMBOX_VEC_CHUNK];
};

/*
 * Version-0 entries, copied into @m as they were in user memory: spread
 * them out to their places, from the last (which never overwrites an
 * entry not moved yet), their ids 0.
 */
static void shmbox_vec_spread(struct shmbox_mbox_msgx *m, u32 n)
{
	const struct shmbox_mbox_msg *v0 = (const void *)m;
	struct shmbox_mbox_msg e;

	while (n--) {
		e = v0[n];
		m[n] = (struct shmbox_mbox_msgx){ .buf = e.buf, .len = e.len,
			.prio = e.prio, .pid = e.pid, .uid = e.uid };
	}
}

/*
 * Copy in @n user descriptors of @stride bytes at @um into the kernel's
 * @m, each as copy_struct_from_user() would.  Return: how many, a
 * prefix; past it, *@err says why not the next (EFAULT, E2BIG).
 */
static u32 shmbox_vec_copy(struct shmbox_mbox_msgx *m, const void __user *um,
			   u32 stride, u32 n, int *err)
{
	u32 i;
	int ret;

	/* This kernel's size or version 0's: one copy for the chunk. */
	if ((stride == sizeof(*m) || stride == SHMBOX_MBOX_MSG_SIZE_VER0) &&
	    !copy_from_user(m, um, (size_t)n * stride)) {
		if (stride != sizeof(*m))
			shmbox_vec_spread(m, n);
		return n;
	}
	for (i = 0; i < n; i++, um += stride) {
		ret = copy_struct_from_user(&m[i], sizeof(*m), um, stride);
		if (ret) {
			*err = ret;
			break;
		}
	}
	return i;
}

/*
 * Copy in @n descriptors and check them with @ok, in order.
 * Return: how many are good, a prefix; past it, *@err says why the next
 * one is not (EFAULT, E2BIG, EINVAL).
 */
static u32 shmbox_vec_read(struct shmbox_mbox_msgx *m, const void __user *um,
			   u32 stride, u32 n,
			   bool (*ok)(const struct shmbox_mbox_msgx *m), int *err)
{
	u32 i, got = shmbox_vec_copy(m, um, stride, n, err);

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
	const void __user *umsgs = u64_to_user_ptr(vec->msgs);
	u32 done = 0, got, sent, i, stride = shmbox_vec_stride(vec);
	struct shmbox_vec_buf *vb;
	struct shmbox_send s;
	int ret, err = 0;

	ret = shmbox_vec_check(vec, SHMBOX_SEND_FLAGS);
	if (ret)
		return ret;
	if (!shmbox_send_target_ok(vec->flags, vec->pid, vec->id))
		return -EINVAL;
	vb = kmalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	ret = shmbox_send_begin(file, vec->flags, vec->pid, vec->id,
				vec->deadline_ns, &s);
	if (ret)
		goto free_buf;
	s.moved = vb->moved;
	/* Each chunk stops at the first failure; err is that message's. */
	while (done < vec->count && !err) {
		got = shmbox_vec_read(vb->m, umsgs + (size_t)done * stride,
				      stride, min_t(u32, vec->count - done,
						    SHMBOX_VEC_CHUNK),
				      shmbox_send_desc_ok, &err);
		sent = got ? shmbox_mbox_send(&s, vb->m, got, &ret) : 0;
		for (i = 0; i < sent; i++)
			shmbox_moved_close(&vb->moved[i]);
		done += sent;
		if (sent < got)
			err = ret;
		if (!got)
			break;
	}
	shmbox_obj_put(&s.mb->obj);
	ret = done ? done : err;
free_buf:
	kfree(vb);
	return ret;
}

long shmbox_ioc_mbox_recvv(struct file *file, void *karg,
			   void __user *uarg, u32 usize)
{
	struct shmbox_mbox_vec *vec = karg;
	void __user *umsgs = u64_to_user_ptr(vec->msgs);
	u32 done = 0, got, took, stride = shmbox_vec_stride(vec);
	struct shmbox_mbox_msgx *m;
	struct shmbox_recv r;
	int ret, err = 0;

	ret = shmbox_vec_check(vec, SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_FROM |
				    SHMBOX_MSG_NOCLOEXEC | SHMBOX_MSG_REALTIME);
	if (ret)
		return ret;
	if (vec->id)
		return -EINVAL;
	ret = shmbox_recv_begin(file, vec->flags, vec->pid, vec->deadline_ns,
				&r);
	if (ret)
		return ret;
	r.stride = stride;
	r.rsize = min_t(u32, stride, sizeof(*m)) -
		  offsetof(struct shmbox_mbox_msgx, len);
	/* Descriptors with room for a handle take calls. */
	if (stride >= SHMBOX_MBOX_MSGX_SIZE_VER2) {
		r.calls = shmbox_mbox_calltab(file, r.mb);
		if (IS_ERR(r.calls))
			return PTR_ERR(r.calls);
	}
	r.handles = stride >= SHMBOX_MBOX_MSGX_SIZE_VER3;
	m = kmalloc_array(SHMBOX_VEC_CHUNK, sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	/* Only the first message is waited for; err is the first failure's. */
	while (done < vec->count && !err) {
		got = shmbox_vec_read(m, umsgs + (size_t)done * stride, stride,
				      min_t(u32, vec->count - done,
					    SHMBOX_VEC_CHUNK),
				      shmbox_recv_desc_ok, &err);
		if (!got)
			break;
		r.ures = umsgs + (size_t)done * stride +
			 offsetof(struct shmbox_mbox_msgx, len);
		ret = 0;
		took = shmbox_mbox_recv(&r, m, got, !done, &ret);
		done += took;
		if (ret)
			err = ret;
		if (took < got)
			break;		/* no more messages */
	}
	kfree(m);
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
