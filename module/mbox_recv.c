// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox receive: the one receive path, for SHMBOX_IOC_MBOX_RECV
 * (and its peek), SHMBOX_IOC_MBOX_RECVV and read(2) alike.  A call
 * receives a chunk of up to SHMBOX_VEC_CHUNK messages (a single receive
 * is a chunk of one):
 *
 *	take	under mb->lock, waiting for the first message if the call
 *		may (shmbox_recv_take(), the one sleep loop of a receiver):
 *		reserve the messages in receive order, or, for a peek, hold
 *		a reference; a single small message is copied out right
 *		there instead (shmbox_recv_inlock());
 *	copy	the payloads out without the lock;
 *	publish	the results (length, priority, sender) to the caller's
 *		descriptors, where struct shmbox_recv says;
 *	settle	commit what was published, put the rest back at the heads
 *		of their queues (mbox_queue.c), in one lock round trip; a
 *		message its synchronous sender withdrew meanwhile is
 *		discarded there and ends the commits.  A receive whose
 *		first message was withdrawn starts again, as if that message
 *		had never been sent.
 *
 * Owns: a receiver's wait entry (struct shmbox_rwait, on its stack) and
 * the messages it reserved until they are settled (a withdrawn one too:
 * the settle discards it).
 *
 * Locking: mb->lock for the take and the settle.  The only user copies
 * under it are those of shmbox_recv_inlock(), with page faults disabled.
 * A receiver handed a message while it slept may return without the lock
 * (see shmbox_rwait_serve()).
 *
 * Lifetime: the caller holds the mailbox (its file) for the call.
 * Nothing is lost: a message leaves the mailbox only once its payload
 * and its result reached the receiver.  Nothing is duplicated: a message
 * withdrawn while this receive copied it out is not received, and the
 * bytes of it already copied to the buffer are cleared.
 */
#include <linux/err.h>
#include <linux/pid_namespace.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "mbox.h"
#include "trace.h"

/* What one chunk took, see shmbox_recv_take(). */
struct shmbox_take {
	u32 n;				/* messages in @msgs */
	struct shmbox_msg *msgs[SHMBOX_VEC_CHUNK]; /* reserved, or peeked */
	bool received;			/* the one message copied in-lock */
	struct shmbox_done done;	/* then: what is left to do */
	u32 needed;			/* not 0: the next did not fit */
	u32 needed_h;			/* ... and the handles it carries */
	bool withdrawn;			/* the first one was withdrawn */
};

/* The new fds of a chunk's handles, between the copy and the settle. */
struct shmbox_recv_fds {
	u8 n[SHMBOX_VEC_CHUNK];		/* handles of message i */
	struct shmbox_hinst inst[SHMBOX_VEC_CHUNK][SHMBOX_MSG_HANDLES_MAX];
};

/*
 * What a receiver learns of @msg, the sender seen from its namespaces.
 * A call's request is a call only to a receive that can report its
 * handle; a peek sees it is one, and gets no handle (it takes nothing).
 */
static void shmbox_recv_describe(const struct shmbox_recv *r,
				 const struct shmbox_msg *msg,
				 struct shmbox_mbox_msgx *out)
{
	bool call = msg->handle && r->calls;
	u32 nh = shmbox_handles_nr(msg->handles);

	out->len = msg->len;
	out->prio = msg->prio;
	out->pid = pid_vnr(msg->sender);
	out->uid = from_kuid_munged(current_user_ns(), msg->uid);
	out->id = msg->sender_id;
	out->handle = call && !r->peek ? msg->handle : 0;
	out->reply_max = call ? msg->reply_max : 0;
	out->rflags = call ? SHMBOX_RECV_CALL : 0;
	if (nh && !r->handles)
		out->rflags |= SHMBOX_RECV_HANDLES_DROPPED;
	out->nr_handles = r->handles ? nh : 0;
	out->pad2 = 0;
}

/* Does @msg's handle array fit descriptor @m's (or are they dropped)? */
static bool shmbox_recv_hfits(const struct shmbox_recv *r,
			      const struct shmbox_msg *msg,
			      const struct shmbox_mbox_msgx *m)
{
	return !r->handles || shmbox_handles_nr(msg->handles) <= m->nr_handles;
}

/* Where descriptor @i's results go. */
static void __user *shmbox_recv_ures(const struct shmbox_recv *r, u32 i)
{
	return r->ures + (size_t)i * r->stride;
}

/* The one result of a receive under mb->lock: page faults disabled. */
static int shmbox_recv_put_nofault(const struct shmbox_recv *r,
				   const struct shmbox_mbox_msgx *m)
{
	if (copy_to_user_nofault(r->ures, &m->len, r->rsize) ||
	    (r->tailp && copy_to_user_nofault(r->tailp, &m->id, r->tailsize)))
		return -EFAULT;
	return 0;
}

/*
 * Write the results of @m[0..n) in order, at the caller's stride, in one
 * user access window; @nofault (one result, under mb->lock): with page
 * faults disabled.  On a fault, as many as could be written in order.
 * Return: how many were written.
 */
static u32 shmbox_recv_publish(const struct shmbox_recv *r,
			       const struct shmbox_mbox_msgx *m, u32 n,
			       bool nofault)
{
	void __user *to = r->ures;
	u32 i = 0;

	if (!r->ures || !n)
		return n;
	if (nofault)
		return shmbox_recv_put_nofault(r, m) ? 0 : 1;
	if (!user_write_access_begin(to, (size_t)(n - 1) * r->stride + r->rsize))
		return 0;
	for (; i < n; i++, to += r->stride)
		unsafe_copy_to_user(to, (const char *)&m[i].len, r->rsize,
				    fault);
fault:
	user_write_access_end();
	/* Only a single receive (n == 1) has its later results apart. */
	if (i == n && r->tailp && copy_to_user(r->tailp, &m->id, r->tailsize))
		return 0;
	return i;
}

/*
 * Descriptor @i's buffer or handle array was too small: tell it the size
 * and the handles the message needs.
 */
static int shmbox_recv_needed(const struct shmbox_recv *r, u32 i, u32 needed,
			      u32 needed_h)
{
	const size_t hoff = offsetof(struct shmbox_mbox_msgx, nr_handles);
	void __user *uent = shmbox_recv_ures(r, i);
	u32 __user *unh;

	if (!r->ures)
		return -EMSGSIZE;
	if (put_user(needed, (u32 __user *)uent))
		return -EFAULT;
	if (!r->handles)
		return -EMSGSIZE;
	/* A single receive's later results are apart, from its id on. */
	if (r->tailp)
		unh = r->tailp + hoff - offsetof(struct shmbox_mbox_msgx, id);
	else
		unh = uent + hoff - offsetof(struct shmbox_mbox_msgx, len);
	if (put_user(needed_h, unh))
		return -EFAULT;
	return -EMSGSIZE;
}

/*
 * shmbox_recv_inlock - receive @msg in the lock round trip that found it
 *
 * For a chunk of one, not a peek, whose buffer @msg fits.  A payload of
 * at most SHMBOX_MSG_INLINE bytes is copied out right here, with page
 * faults disabled: the copy cannot sleep or take mmap_lock, so holding the
 * spinlock across it is safe, and it is short.  The common case (the
 * receiver's buffer is mapped and writable) then needs no reservation and
 * no second lock round trip to commit.  If the payload or the result
 * would fault, nothing was received: the caller reserves the message and
 * copies it out with faults allowed, so a fault still loses nothing.
 *
 * Return: true if @msg was received (@t->received, ->done set).
 */
static bool shmbox_recv_inlock(const struct shmbox_recv *r,
			       struct shmbox_msg *msg, struct shmbox_mbox_msgx *m,
			       struct shmbox_take *t, struct shmbox_wakeups *wq)
{
	struct shmbox_mbox_msgx out = { .buf = m->buf, .handles = m->handles };

	lockdep_assert_held(&r->mb->lock);
	/* New fds cannot be made under a spinlock. */
	if (msg->len > SHMBOX_MSG_INLINE || (msg->handles && r->handles) ||
	    copy_to_user_nofault(u64_to_user_ptr(m->buf), msg->data, msg->len))
		return false;
	shmbox_recv_describe(r, msg, &out);
	if (!shmbox_recv_publish(r, &out, 1, true))
		return false;
	*m = out;
	shmbox_mbox_received(r->mb, msg, r->calls, &t->done, wq);
	shmbox_mbox_kick(r->mb, wq);
	t->received = true;
	return true;
}

/*
 * The receive's look at the queue (mb->lock held): take the first
 * message for it, if any.  Return: 1 if one was taken, 0 if none is
 * there, -EMSGSIZE (@t->needed) if it does not fit the first buffer.
 */
static int shmbox_recv_look(const struct shmbox_recv *r,
			    struct shmbox_mbox_msgx *m, u32 n,
			    struct shmbox_take *t, struct shmbox_wakeups *wq)
{
	struct shmbox_msg *msg;

	lockdep_assert_held(&r->mb->lock);
	msg = shmbox_mbox_first(r->mb, r->ns, r->from);
	if (!msg)
		return 0;
	if (msg->len > m[0].len || !shmbox_recv_hfits(r, msg, &m[0])) {
		t->needed = msg->len;
		t->needed_h = shmbox_handles_nr(msg->handles);
		return -EMSGSIZE;
	}
	if (!r->peek && n == 1 && shmbox_recv_inlock(r, msg, m, t, wq))
		return 1;
	if (r->peek)
		refcount_inc(&msg->ref);
	else
		shmbox_msg_reserve(r->mb, msg);
	t->msgs[t->n++] = msg;
	return 1;
}

/*
 * After the first: reserve, in order and without waiting, the messages
 * for the buffers of @m[t->n..n) (mb->lock held).  Stops when none is
 * left or the next does not fit its buffer (@t->needed).
 */
static void shmbox_recv_more(const struct shmbox_recv *r,
			     const struct shmbox_mbox_msgx *m, u32 n,
			     struct shmbox_take *t)
{
	struct shmbox_msg *msg;

	lockdep_assert_held(&r->mb->lock);
	while (t->n < n && !r->mb->dead) {
		msg = shmbox_mbox_first(r->mb, r->ns, r->from);
		if (!msg)
			break;
		if (msg->len > m[t->n].len ||
		    !shmbox_recv_hfits(r, msg, &m[t->n])) {
			t->needed = msg->len;
			t->needed_h = shmbox_handles_nr(msg->handles);
			break;
		}
		shmbox_msg_reserve(r->mb, msg);
		t->msgs[t->n++] = msg;
	}
}

/* Wait on mb->receivers (mb->lock held): link @rw, set the task state. */
static void shmbox_rwait_enter(struct shmbox_mbox *mb, struct shmbox_rwait *rw)
{
	lockdep_assert_held(&mb->lock);
	rw->released = false;
	list_add_tail(&rw->w.node, &mb->receivers);
	mb->nr_rwait++;
	if (!mb->capacity)
		shmbox_mbox_poll_wake(mb);	/* EPOLLOUT */
	__set_current_state(TASK_INTERRUPTIBLE);
}

/*
 * shmbox_recv_take - the take step, and the one sleep loop of a receiver
 * @wait:	may wait for the first message (else: none there, none
 *		taken)
 *
 * Return: 1 if messages were taken into @t, 0 if none were there and the
 * call may not wait, or a negative errno (-EMSGSIZE: @t->needed).
 */
static int shmbox_recv_take(const struct shmbox_recv *r,
			    struct shmbox_mbox_msgx *m, u32 n, bool wait,
			    struct shmbox_take *t)
{
	struct shmbox_mbox *mb = r->mb;
	struct shmbox_rwait rw = { .w.task = current, .ns = r->ns,
				   .from = r->from, .buflen = m[0].len,
				   .hcap = r->handles ? m[0].nr_handles : U32_MAX,
				   .peek = r->peek };
	bool timed_out = false, waited = false;
	struct shmbox_wakeups wq = {};
	int ret;

	INIT_LIST_HEAD(&rw.w.node);
	spin_lock(&mb->lock);
	for (;;) {
		/* Handed over while we slept: ours whatever else happened. */
		if (rw.msg) {
			t->msgs[t->n++] = rw.msg;
			ret = 1;
			break;
		}
		ret = mb->dead ? -EIDRM : shmbox_recv_look(r, m, n, t, &wq);
		if (ret || !wait)
			break;
		ret = shmbox_wait_verdict(mb, r->nonblock, waited, timed_out);
		if (ret)
			break;
		shmbox_rwait_enter(mb, &rw);
		timed_out = shmbox_mbox_sleep(mb, &wq, &rw.w, false, true,
					      &r->deadline);
		waited = true;
		/*
		 * Handed a message, and its server is done with rw: ours, and
		 * nothing left to do under the lock unless the chunk wants
		 * more.  Pairs with shmbox_rwait_serve().
		 */
		if (smp_load_acquire(&rw.released) && rw.msg && n == 1) {
			t->msgs[t->n++] = rw.msg;
			return 1;
		}
		spin_lock(&mb->lock);
		if (!list_empty(&rw.w.node)) {
			list_del_init(&rw.w.node);
			mb->nr_rwait--;
		}
	}
	if (ret > 0 && !t->received && !r->peek)
		shmbox_recv_more(r, m, n, t);
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	return ret;
}

/* Copy the payloads out, describe them; return how many were copied. */
static u32 shmbox_recv_copy(const struct shmbox_recv *r,
			    const struct shmbox_take *t,
			    struct shmbox_mbox_msgx *m)
{
	u32 i;

	for (i = 0; i < t->n; i++) {
		if (copy_to_user(u64_to_user_ptr(m[i].buf), t->msgs[i]->data,
				 t->msgs[i]->len))
			break;
		shmbox_recv_describe(r, t->msgs[i], &m[i]);
	}
	return i;
}

/*
 * A withdrawn message ended the commits at @m[first]: clear what this
 * receive wrote to the buffers from there on, so that none keeps bytes of
 * a message it does not return.  @m[..copied) were copied whole (their
 * lengths are those of the messages); the copy into @m[copied] faulted
 * after at most @tail bytes.
 */
static void shmbox_recv_forget(const struct shmbox_mbox_msgx *m, u32 first,
			       u32 copied, u32 tail)
{
	u32 i, end = copied + !!tail;

	for (i = first; i < end; i++)
		if (clear_user(u64_to_user_ptr(m[i].buf),
			       i < copied ? m[i].len : tail))
			break;
}

/*
 * New fds for the handles @h of one message, reserved and opened, and
 * reported in the receiver's array at @uh; none left on failure.
 * Return: 0, or -EMFILE, -ENFILE, -ENOMEM, -EFAULT.
 */
static int shmbox_recv_open(const struct shmbox_recv *r,
			    const struct shmbox_handles *h,
			    struct shmbox_hinst *inst, u64 uh)
{
	int ret;

	ret = shmbox_fds_reserve(inst, h->n, r->cloexec);
	if (ret)
		return ret;
	ret = shmbox_handles_open(h, inst);
	if (!ret)
		ret = shmbox_handles_report(h, inst, uh);
	if (ret)
		shmbox_handles_discard(inst, h->n);
	return ret;
}

/*
 * The handles of the first @copied messages of @t, for a receive that
 * reports them: new fds reserved and opened into *@fdsp (allocated for
 * the first), not installed; for a peek, only reported.  Stops at the
 * first failure (*@err).  Return: how many messages are ready.
 */
static u32 shmbox_recv_handles(const struct shmbox_recv *r,
			       const struct shmbox_take *t,
			       const struct shmbox_mbox_msgx *m, u32 copied,
			       struct shmbox_recv_fds **fdsp, int *err)
{
	const struct shmbox_handles *h;
	u32 i;

	if (!r->handles)
		return copied;
	for (i = 0; i < copied; i++) {
		h = t->msgs[i]->handles;
		if (!h)
			continue;
		if (!r->peek && !*fdsp)
			*fdsp = kzalloc(sizeof(**fdsp), GFP_KERNEL);
		if (r->peek) {
			*err = shmbox_handles_report(h, NULL, m[i].handles);
		} else if (!*fdsp) {
			*err = -ENOMEM;
		} else {
			*err = shmbox_recv_open(r, h, (*fdsp)->inst[i],
						m[i].handles);
			if (!*err)
				(*fdsp)->n[i] = h->n;
		}
		if (*err)
			break;
	}
	return i;
}

/*
 * After the settle: the new fds of the first @committed messages appear
 * in the receiver's table, those of the others up to @ready go.
 */
static void shmbox_recv_fds_finish(const struct shmbox_recv *r,
				   struct shmbox_recv_fds *fds, u32 committed,
				   u32 ready)
{
	u32 i, got = 0;

	if (!fds)
		return;
	for (i = 0; i < ready; i++) {
		if (i < committed) {
			shmbox_handles_install(fds->inst[i], fds->n[i]);
			got += fds->n[i];
		} else {
			shmbox_handles_discard(fds->inst[i], fds->n[i]);
		}
	}
	if (got)
		trace_shmbox_mbox_handles(&r->mb->obj, got, true);
	kfree(fds);
}

/*
 * The copy, publish and settle steps of what the take step reserved (or
 * peeked at), with the new fds of its handles made before the settle and
 * installed after it, for the messages it committed.  Return: how many
 * were received.  If none was because the first had been withdrawn by its
 * sender, @t->withdrawn is set and *@err is 0: the receive starts again.
 */
static u32 shmbox_recv_deliver(const struct shmbox_recv *r,
			       struct shmbox_mbox_msgx *m,
			       struct shmbox_take *t, int *err)
{
	u32 copied, ready, published, kept, tail = 0;
	struct shmbox_recv_fds *fds = NULL;
	int herr = 0;

	copied = shmbox_recv_copy(r, t, m);
	ready = shmbox_recv_handles(r, t, m, copied, &fds, &herr);
	published = shmbox_recv_publish(r, m, ready, false);
	if (published < t->n)
		*err = published == ready && herr ? herr : -EFAULT;
	else if (t->needed || t->needed_h)
		*err = shmbox_recv_needed(r, t->n, t->needed, t->needed_h);
	if (r->peek) {
		while (t->n)
			shmbox_msg_put(t->msgs[--t->n]);
		return published;
	}
	if (copied < t->n)
		tail = t->msgs[copied]->len;
	kept = shmbox_mbox_settle(r->mb, t->msgs, published, t->n - published,
				  r->calls);
	shmbox_recv_fds_finish(r, fds, min(kept, published), ready);
	if (kept < t->n)
		shmbox_recv_forget(m, kept, copied, tail);
	if (kept >= published && kept)
		return published;
	/* Cut short by a withdrawal: no error for what came after it. */
	*err = 0;
	t->withdrawn = !kept;
	return kept;
}

/*
 * shmbox_mbox_recv - the one receive path
 * @r:		the call
 * @m, @n:	the caller's buffers (->buf, ->len), checked; the results
 *		are written back to them and published (at most
 *		SHMBOX_VEC_CHUNK)
 * @wait:	may wait for the first message
 * @err:	out: why the first message not received was not (0: none
 *		was there)
 *
 * Return: how many were received, in order.
 */
u32 shmbox_mbox_recv(const struct shmbox_recv *r, struct shmbox_mbox_msgx *m,
		     u32 n, bool wait, int *err)
{
	u32 buflen[SHMBOX_VEC_CHUNK], hcap[SHMBOX_VEC_CHUNK], got, i;
	struct shmbox_take t;
	int ret;

	if (WARN_ON_ONCE(!n || n > SHMBOX_VEC_CHUNK))
		return 0;
	for (i = 0; i < n; i++) {
		buflen[i] = m[i].len;
		hcap[i] = m[i].nr_handles;
	}
	/* SHMBOX_MSG_WHOLE: a buffer for the largest message, or nothing. */
	if (r->whole && m[0].len < r->mb->max_msg) {
		*err = shmbox_recv_needed(r, 0, r->mb->max_msg, hcap[0]);
		return 0;
	}
	for (;;) {
		memset(&t, 0, sizeof(t));
		ret = shmbox_recv_take(r, m, n, wait, &t);
		if (ret <= 0) {
			*err = ret == -EMSGSIZE ?
			       shmbox_recv_needed(r, 0, t.needed, t.needed_h) :
			       ret;
			return 0;
		}
		if (t.received) {
			shmbox_done_finish(&t.done, 1);
			return 1;
		}
		got = shmbox_recv_deliver(r, m, &t, err);
		if (!t.withdrawn)
			return got;
		/* As if the withdrawn message had never been sent: again. */
		for (i = 0; i < n; i++) {
			m[i].len = buflen[i];
			m[i].nr_handles = hcap[i];
		}
	}
}
