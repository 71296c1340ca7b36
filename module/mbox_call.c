// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox calls: the ABI of call and reply (SHMBOX_IOC_MBOX_CALL,
 * _REPLY and _REPLY_RECV) and each mailbox file's table of the calls it
 * took.  Each handler checks its argument first, then acts:
 *
 *	call		the request is a synchronous send of one message
 *			(shmbox_mbox_send(), mbox_send.c) carrying the call;
 *			once a receive committed it, the caller waits for the
 *			answer (shmbox_call_wait(), call.c);
 *	reply		take the call out of this file's table, build the
 *			reply, complete the call (call.c); on a failure that
 *			leaves the call answerable, put it back;
 *	reply_recv	a reply, then the one receive path (mbox_recv.c).
 *
 * Owns: a file's call table (sf->calls): created by the first receive
 * on the file that can report handles; and its park (sf->parked) of the
 * calls its callers were interrupted in, created by the first of them.
 * Both go when the file is released (shmbox_calls_release(), from the
 * device's release): the calls it took fail, the calls parked on it are
 * abandoned.
 *
 * Locking: none of its own.  sf->calls and sf->parked are published
 * once, by cmpxchg(); each has its own lock (call.c).  No lock is held across a user
 * copy: a reply is copied in with its call out of every table.
 *
 * Lifetime: the table lives as long as its file, which a handler holds
 * for the ioctl; the file's release runs only once no ioctl is left on
 * it, so it never meets a reply under way.  A call's record is its
 * caller's for the whole SHMBOX_IOC_MBOX_CALL.
 */
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "mbox.h"
#include "trace.h"

#define SHMBOX_CALL_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_TO_ID | \
				 SHMBOX_MSG_NOCLOEXEC | SHMBOX_MSG_REALTIME)
#define SHMBOX_REPLY_RECV_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_FROM | \
				 SHMBOX_MSG_NOCLOEXEC | SHMBOX_MSG_REALTIME | \
				 SHMBOX_MSG_WHOLE)

/* ---- a file's table of the calls it took --------------------------------- */

/*
 * Publish @new, initialised, in *@slot of a file unless another thread
 * did first (then @new is freed).  Return: what *@slot holds now.
 */
static void *shmbox_file_publish(void **slot, void *new)
{
	void *old = cmpxchg(slot, NULL, new);

	if (!old)
		return new;
	kfree(new);
	return old;
}

/*
 * The call table of @file (bound to @mb), created on first use: only
 * receives that can report a handle need it.
 * Return: the table, or ERR_PTR(-ENOMEM).
 */
struct shmbox_calltab *shmbox_mbox_calltab(struct file *file,
					   struct shmbox_mbox *mb)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_calltab *tab;

	/* Pairs with the cmpxchg(): the table is seen initialised. */
	tab = smp_load_acquire(&sf->calls);
	if (tab)
		return tab;
	tab = kmalloc(sizeof(*tab), GFP_KERNEL_ACCOUNT);
	if (!tab)
		return ERR_PTR(-ENOMEM);
	shmbox_calltab_init(tab, &mb->calls_serving);
	return shmbox_file_publish((void **)&sf->calls, tab);
}

/*
 * The account replies to calls through @file are charged to: that of the
 * user who opened it (its credentials, as a pipe's buffers are charged
 * to its user), found once per file.  Return: it, or ERR_PTR().
 */
static struct shmbox_acct *shmbox_file_acct(struct file *file)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_acct *acct, *old;

	/* Pairs with the cmpxchg(): a published account is whole. */
	acct = smp_load_acquire(&sf->acct);
	if (acct)
		return acct;
	acct = shmbox_acct_get(file->f_cred->user_ns, file->f_cred->euid);
	if (IS_ERR(acct))
		return acct;
	old = cmpxchg(&sf->acct, NULL, acct);
	if (!old)
		return acct;
	shmbox_acct_put(acct);
	return old;
}

/* The park of @file, created on first use.  NULL: no memory. */
static struct shmbox_callpark *shmbox_file_park(struct file *file)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_callpark *park;

	/* Pairs with the cmpxchg(): the park is seen initialised. */
	park = smp_load_acquire(&sf->parked);
	if (park)
		return park;
	park = kmalloc(sizeof(*park), GFP_KERNEL_ACCOUNT);
	if (!park)
		return NULL;
	shmbox_callpark_init(park);
	return shmbox_file_publish((void **)&sf->parked, park);
}

/*
 * A parked call its caller will not resume (evicted, or its file went):
 * abandoned (its late reply fails with ESRCH), its references put.
 */
static void shmbox_call_unpark(struct shmbox_call *call)
{
	struct shmbox_obj *obj = call->obj;

	if (shmbox_call_abandon(call))
		trace_shmbox_mbox_call_abandon(obj, call->handle, 0, -EINTR);
	call->obj = NULL;
	shmbox_call_put(call);
	shmbox_obj_put(obj);
}

/*
 * The file @sf is released: the calls it took and did not answer fail
 * (their callers return EPIPE at once), the calls parked on it are
 * abandoned.
 */
void shmbox_calls_release(struct shmbox_file *sf)
{
	struct shmbox_call *parked[SHMBOX_CALL_PARK_MAX];
	u32 n;

	if (sf->calls) {
		shmbox_calltab_fail_all(sf->calls);
		kfree(sf->calls);
		sf->calls = NULL;
	}
	if (sf->parked) {
		n = shmbox_callpark_drain(sf->parked, parked);
		while (n)
			shmbox_call_unpark(parked[--n]);
		kfree(sf->parked);
		sf->parked = NULL;
	}
	if (sf->acct) {
		shmbox_acct_put(sf->acct);
		sf->acct = NULL;
	}
}

/* ---- SHMBOX_IOC_MBOX_CALL ------------------------------------------------- */

/* A call's own checks; its destination as a send's. */
static int shmbox_call_check(const struct shmbox_mbox_call *arg)
{
	if ((arg->flags & ~SHMBOX_CALL_FLAGS) || arg->pad ||
	    arg->prio >= SHMBOX_MSG_PRIO_MAX ||
	    !shmbox_send_target_ok(arg->flags, arg->pid, arg->id))
		return -EINVAL;
	if (arg->status || arg->reply_pid || arg->reply_uid || arg->reply_id)
		return -EINVAL;
	if (arg->reply_len > shmbox_limit(SHMBOX_LIM_MSG_SIZE))
		return -EINVAL;
	if (arg->nr_handles > SHMBOX_MSG_HANDLES_MAX ||
	    arg->reply_nr_handles > SHMBOX_MSG_HANDLES_MAX)
		return -EINVAL;
	return 0;
}

/*
 * The reply's handles, into the fds @rinst[0..nres) reserved for them
 * before the call waited: opened, reported, installed; the fds they do
 * not use given back.  A failure loses them, as a fault loses the
 * payload.  Return: 0, or -ENFILE, -ENOMEM, -EFAULT.
 */
static int shmbox_call_handles_out(const struct shmbox_call *call,
				   struct shmbox_mbox_call *arg,
				   struct shmbox_hinst *rinst, u32 nres)
{
	const struct shmbox_handles *h = call->reply_handles;
	u32 n = shmbox_handles_nr(h);
	int ret = 0;

	/* The server's reply was checked against ->reply_hmax (= @nres). */
	if (WARN_ON_ONCE(n > nres))
		n = 0;
	if (n) {
		ret = shmbox_handles_open(h, rinst);
		if (!ret)
			ret = shmbox_handles_report(h, rinst,
						    arg->reply_handles);
		if (ret) {
			shmbox_handles_discard(rinst, n);
			n = 0;
		} else {
			shmbox_handles_install(rinst, n);
		}
	}
	arg->reply_nr_handles = n;
	shmbox_handles_discard(rinst + n, nres - n);
	return ret;
}

/* The answer of a replied call, to its caller: the reply, who gave it. */
static int shmbox_call_answer_out(const struct shmbox_call *call,
				  struct shmbox_mbox_call *arg)
{
	arg->reply_len = call->reply_len;
	arg->reply_pid = pid_vnr(call->replier);
	arg->reply_uid = from_kuid_munged(current_user_ns(), call->reply_uid);
	arg->reply_id = call->reply_id;
	if (copy_to_user(u64_to_user_ptr(arg->reply_buf), call->reply,
			 call->reply_len))
		return -EFAULT;
	return 0;
}

/*
 * Interrupted by a signal after a server took its request: park @call on
 * @file, with the caller's reference and one to its mailbox (@mb), for a
 * restarted call to resume; the oldest parked call may be abandoned to
 * make room.  Return: -ERESTARTSYS, or -EINTR if the call could not be
 * parked (no memory: then it is abandoned, and put).
 */
static int shmbox_call_park(struct file *file, struct shmbox_mbox *mb,
			    struct shmbox_call *call,
			    struct shmbox_mbox_call *arg)
{
	struct shmbox_callpark *park = shmbox_file_park(file);
	struct shmbox_call *old;

	if (!park) {
		shmbox_call_abandon(call);
		trace_shmbox_mbox_call_abandon(&mb->obj, call->handle,
					       arg->len, -EINTR);
		shmbox_call_put(call);
		return -EINTR;
	}
	/* @resume says it was delivered; a restart reads its input again. */
	arg->status = 0;
	arg->resume = call->handle;
	shmbox_obj_get(&mb->obj);
	call->obj = &mb->obj;
	old = shmbox_callpark_add(park, call);
	if (old)
		shmbox_call_unpark(old);
	return -ERESTARTSYS;
}

/*
 * Wait for the answer of @call, whose request a server took in @mb;
 * consumes the caller's reference and the fds @rinst[0..call->reply_hmax)
 * reserved for the reply's handles.  Return: 0 with the answer in @arg,
 * or the errno the call fails with.
 */
static int shmbox_call_finish(struct file *file, struct shmbox_mbox *mb,
			      struct shmbox_call *call,
			      struct shmbox_mbox_call *arg,
			      struct shmbox_hinst *rinst)
{
	const struct shmbox_deadline deadline = {
		.ns = arg->deadline_ns,
		.realtime = arg->flags & SHMBOX_MSG_REALTIME,
	};
	int ret;

	arg->status = SHMBOX_CALL_DELIVERED;
	arg->resume = 0;
	ret = shmbox_call_wait(call, &deadline);
	if (ret) {
		shmbox_handles_discard(rinst, call->reply_hmax);
	} else {
		ret = shmbox_call_answer_out(call, arg);
		/* The payload's fault loses the handles too. */
		if (ret)
			shmbox_handles_discard(rinst, call->reply_hmax);
		else
			ret = shmbox_call_handles_out(call, arg, rinst,
						      call->reply_hmax);
		if (!ret && arg->reply_nr_handles)
			trace_shmbox_mbox_handles(&mb->obj,
						  arg->reply_nr_handles, true);
	}
	if (ret == -ERESTARTSYS)
		return shmbox_call_park(file, mb, call, arg);
	if (ret == -ETIMEDOUT || ret == -EINTR)
		trace_shmbox_mbox_call_abandon(&mb->obj, call->handle,
					       arg->len, ret);
	trace_shmbox_mbox_call(&mb->obj, call->handle, arg->len, ret);
	shmbox_call_put(call);
	return ret;
}

/*
 * A new call: send the request, then wait for its answer.  Return: as
 * shmbox_call_finish(); if no server took the request, the send's errno
 * (the request withdrawn: nothing was delivered, the call may restart).
 */
static int shmbox_call_start(struct file *file, struct shmbox_mbox_call *arg)
{
	struct shmbox_mbox_msgx m = {
		.buf = arg->buf, .len = arg->len, .prio = arg->prio,
		.handles = arg->handles, .nr_handles = arg->nr_handles,
	};
	struct shmbox_acct *acct = shmbox_file_acct(file);
	struct shmbox_hinst rinst[SHMBOX_MSG_HANDLES_MAX];
	struct shmbox_call *call;
	struct shmbox_moved moved;
	struct shmbox_send s;
	int ret;

	if (IS_ERR(acct))
		return PTR_ERR(acct);
	ret = shmbox_send_begin(file, arg->flags, arg->pid, arg->id,
				arg->deadline_ns, &s);
	if (ret)
		return ret;
	/* Room for the reply's handles first: EMFILE sends nothing. */
	ret = shmbox_fds_reserve(rinst, arg->reply_nr_handles,
				 !(arg->flags & SHMBOX_MSG_NOCLOEXEC));
	if (ret)
		goto put_mbox;
	call = shmbox_call_new(arg->reply_len, arg->reply_nr_handles, acct);
	if (!call) {
		ret = -ENOMEM;
		goto unreserve;
	}
	s.call = call;
	s.sync = true;
	s.moved = &moved;
	shmbox_mbox_send(&s, &m, 1, &ret);
	if (ret) {
		trace_shmbox_mbox_call(&s.mb->obj, call->handle, arg->len,
				       ret);
		shmbox_call_put(call);
		goto unreserve;
	}
	/* A server took the request: its moved fds are the server's now. */
	shmbox_moved_close(&moved);
	ret = shmbox_call_finish(file, s.mb, call, arg, rinst);
	goto put_mbox;

unreserve:
	shmbox_handles_discard(rinst, arg->reply_nr_handles);
put_mbox:
	shmbox_obj_put(&s.mb->obj);
	return ret;
}

/* A call that was interrupted: go on waiting for its answer. */
static int shmbox_call_resume(struct file *file, struct shmbox_mbox_call *arg)
{
	struct shmbox_file *sf = file->private_data;
	/* Pairs with the cmpxchg() of shmbox_file_park(). */
	struct shmbox_callpark *park = smp_load_acquire(&sf->parked);
	struct shmbox_hinst rinst[SHMBOX_MSG_HANDLES_MAX];
	struct shmbox_call *call;
	struct shmbox_obj *obj;
	int ret;

	call = park ? shmbox_callpark_take(park, arg->resume) : NULL;
	if (!call)
		return -ENOENT;
	/* Its reply may be as long as the interrupted call allowed. */
	ret = -EINVAL;
	if (arg->reply_len >= call->reply_max &&
	    arg->reply_nr_handles >= call->reply_hmax)
		ret = shmbox_fds_reserve(rinst, call->reply_hmax,
					 !(arg->flags & SHMBOX_MSG_NOCLOEXEC));
	if (ret) {
		/* Still parked, for a resume that can take the reply. */
		WARN_ON_ONCE(shmbox_callpark_add(park, call));
		return ret;
	}
	obj = call->obj;
	call->obj = NULL;
	ret = shmbox_call_finish(file, to_mbox(obj), call, arg, rinst);
	shmbox_obj_put(obj);
	return ret;
}

long shmbox_ioc_mbox_call(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_call *arg = karg;
	int ret, err;

	ret = shmbox_call_check(arg);
	if (ret)
		return ret;
	if (arg->resume)
		ret = shmbox_call_resume(file, arg);
	else
		ret = shmbox_call_start(file, arg);
	/*
	 * The outputs, also on failure; @reply_len only with a reply, so
	 * that a restarted call reads its own input again.
	 */
	err = shmbox_copy_arg_out(uarg, usize, arg, sizeof(*arg));
	return ret ? ret : err;
}

/* ---- SHMBOX_IOC_MBOX_REPLY ------------------------------------------------ */

/*
 * shmbox_mbox_answer - answer the call @handle that @file took
 * @mb:		@file's mailbox, for the tracepoint
 * @ubuf, @len:	the reply
 * @hp:		its handles (*@hp NULL: none), or NULL; *@hp is set to NULL
 *		once they went into the reply, else they stay the caller's
 *
 * The call is taken out of the file's table for the reply, so that no
 * other thread can answer it meanwhile, and put back if it can still be
 * answered after a failure.
 * Return: 0, or -ENOENT (no such call in @file's table), -ESRCH (its
 * caller gave up: the handle is used up), -EMSGSIZE, -ENOSPC, -ENOMEM,
 * -EFAULT (the call stays answerable).
 */
static int shmbox_mbox_answer(struct file *file, struct shmbox_mbox *mb,
			      u64 handle, u64 ubuf, u32 len,
			      struct shmbox_handles **hp)
{
	struct shmbox_handles *h = hp ? *hp : NULL;
	struct shmbox_file *sf = file->private_data;
	/* Pairs with the cmpxchg() of shmbox_mbox_calltab(). */
	struct shmbox_calltab *tab = smp_load_acquire(&sf->calls);
	struct shmbox_call *call;
	int ret;

	call = tab ? shmbox_calltab_take(tab, handle) : NULL;
	if (!call)
		return -ENOENT;
	if (atomic_read(&call->state) == SHMBOX_CALL_ABANDONED ||
	    shmbox_call_orphaned(call))
		ret = -ESRCH;
	else if (len > call->reply_max ||
		 shmbox_handles_nr(h) > call->reply_hmax)
		ret = -EMSGSIZE;
	else
		ret = shmbox_call_set_reply(call, ubuf, len,
					    shmbox_inbox_self_id(), h);
	/* Set: the handles are the call's now, whatever happens next. */
	if (!ret && hp)
		*hp = NULL;
	/* Built: now the caller's, unless it gave up meanwhile. */
	if (!ret && !shmbox_call_complete(call, SHMBOX_CALL_REPLIED))
		ret = -ESRCH;
	trace_shmbox_mbox_reply(&mb->obj, handle, len, ret);
	if (ret && ret != -ESRCH) {
		shmbox_calltab_add(tab, call);
		return ret;
	}
	shmbox_call_put(call);
	return ret;
}

long shmbox_ioc_mbox_reply(struct file *file, void *karg,
			   void __user *uarg, u32 usize)
{
	struct shmbox_mbox_reply *arg = karg;
	struct shmbox_handles *h;
	struct shmbox_moved moved;
	struct shmbox_obj *obj;
	int ret;

	if (arg->flags || arg->pad || !arg->handle || arg->pad2 ||
	    arg->nr_handles > SHMBOX_MSG_HANDLES_MAX)
		return -EINVAL;
	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = shmbox_handles_grab(arg->handles, arg->nr_handles, &h, &moved);
	if (ret)
		return ret;
	ret = shmbox_mbox_answer(file, to_mbox(obj), arg->handle, arg->buf,
				 arg->len, &h);
	/* Not NULL: they did not go into a reply. */
	shmbox_handles_drop(h);
	if (ret)
		return ret;
	shmbox_moved_close(&moved);
	return 0;
}

/* ---- SHMBOX_IOC_MBOX_REPLY_RECV ------------------------------------------- */

/* Its checks: the receive's, and a reply only with a handle. */
static bool shmbox_reply_recv_ok(const struct shmbox_mbox_reply_recv *arg)
{
	if ((arg->flags & ~SHMBOX_REPLY_RECV_FLAGS) || arg->pad)
		return false;
	if (!arg->reply_handle && (arg->reply_buf || arg->reply_len))
		return false;
	return !arg->prio && !arg->uid && !arg->id && !arg->handle &&
	       !arg->reply_max && !arg->rflags && !arg->pad2 &&
	       arg->nr_handles <= SHMBOX_MSG_HANDLES_MAX;
}

long shmbox_ioc_mbox_reply_recv(struct file *file, void *karg,
				void __user *uarg, u32 usize)
{
	struct shmbox_mbox_reply_recv __user *ures = uarg;
	struct shmbox_mbox_reply_recv *arg = karg;
	struct shmbox_mbox_msgx m = {
		.buf = arg->buf, .len = arg->len,
		.handles = arg->handles, .nr_handles = arg->nr_handles,
	};
	const u32 idoff = offsetof(struct shmbox_mbox_reply_recv, id);
	struct shmbox_recv r;
	int ret, err = 0;

	if (!shmbox_reply_recv_ok(arg))
		return -EINVAL;
	ret = shmbox_recv_begin(file, arg->flags, arg->pid, arg->deadline_ns,
				&r);
	if (ret)
		return ret;
	r.calls = shmbox_mbox_calltab(file, r.mb);
	if (IS_ERR(r.calls))
		return PTR_ERR(r.calls);
	if (arg->reply_handle) {
		ret = shmbox_mbox_answer(file, r.mb, arg->reply_handle,
					 arg->reply_buf, arg->reply_len, NULL);
		/* Used up: a restarted call must not answer it again. */
		if ((!ret || ret == -ESRCH) &&
		    put_user(0ULL, &ures->reply_handle))
			return -EFAULT;
		if (ret)
			return ret;
	}
	/* As many later results as the caller's structure has. */
	shmbox_recv_results(&r, &ures->len, &ures->id,
			    min_t(u32, usize, sizeof(*arg)) - idoff);
	r.handles = usize >= SHMBOX_MBOX_REPLY_RECV_SIZE_VER1;
	shmbox_mbox_recv(&r, &m, 1, true, &err);
	return err;
}
