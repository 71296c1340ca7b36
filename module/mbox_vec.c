// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox vector calls: SHMBOX_IOC_MBOX_SENDV and _RECVV, many
 * messages in one ioctl.  Each handler checks the vector's own fields,
 * then works through the descriptors a chunk (SHMBOX_VEC_CHUNK) at a
 * time: copy them in (any descriptor size from version 0 on, see
 * shmbox_vec_copy()), check them, then one call of the send or receive
 * path (shmbox_mbox_send(), shmbox_mbox_recv()).  The call's set-up is
 * mbox.c's, shared with the single calls (shmbox_send_begin(),
 * shmbox_recv_begin()); nothing here is called from mbox.c.
 *
 * Owns: the vector argument and descriptor checks, the copy-in of a
 * chunk of descriptors, and each call's buffer for them.
 *
 * Locking: none of its own, and none held across a user copy; the send
 * and receive paths take mb->lock.
 *
 * Lifetime: a send holds the reference shmbox_send_begin() took on its
 * mailbox (the bound one or an inbox) until it returns; a receive acts
 * on the bound mailbox, which the file holds.  The descriptor buffer is
 * allocated for one call and freed before it returns; the fds that a
 * chunk's sent messages moved (SHMBOX_HANDLE_MOVE) are closed after it.
 */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mbox.h"

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

/* A descriptor's handle fields: a count in range, the pad zero. */
static bool shmbox_desc_handles_ok(const struct shmbox_mbox_msgx *m)
{
	return m->nr_handles <= SHMBOX_MSG_HANDLES_MAX && !m->pad2;
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
