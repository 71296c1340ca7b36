// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox shared regions and rings.
 *
 * Owns: struct shmbox_region (a region object: its pages, the page layout
 * of a whole mapping, attach statistics and, for a ring, the producer and
 * consumer roles and the two wait queues), the region/ring ioctls, mmap and
 * poll of a region fd.
 *
 * Memory: pages are allocated zeroed at creation, one by one, charged to
 * the creator's memory cgroup (__GFP_ACCOUNT), and inserted into each
 * mapping at mmap time (vm_insert_pages()); nothing is ever faulted in
 * later.  A ring's mapping layout is [control page][data][data again]: the
 * data pages appear twice, so a record that wraps is contiguous.
 *
 * Trust: the control page is shared with userspace and is hostile input.
 * The kernel only ever reads prod_pos and cons_pos from it, with
 * READ_ONCE(), to compare them; it never uses them to index memory and
 * never reads records.
 *
 * Locking: region->lock (spinlock) protects the roles, nattch, lpid and
 * the times.  The wait queues have their own locks.  No lock is held
 * across a user copy; the ioctls copy their arguments first.
 *
 * Lifetime: a region is a struct shmbox_obj (see obj.c).  Each mapping
 * holds the /dev/shmbox file (vma->vm_file), which holds the object, so the
 * pages outlive every mapping; they are freed by ->free after the last
 * reference.  Each namespace's record (ns.h) counts the bytes of its live
 * regions against max_total_bytes.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "compat.h"
#include "shmbox.h"
#include "trace.h"

struct shmbox_region {
	struct shmbox_obj obj;
	u64 bytes;			/* region size; ring: data size */
	bool ring;
	unsigned long npages;		/* pages owned */
	struct page **pages;
	unsigned long map_pages;	/* pages in a whole mapping */
	struct page **map;		/* layout of a whole mapping */
	struct shmbox_ring_ctl *ctl;	/* ring: kernel view of page 0 */

	spinlock_t lock;		/* roles, nattch, lpid, times */
	u32 producers, consumers;
	bool had_producer, had_consumer;
	u32 nattch;
	struct pid *lpid;
	u64 atime_ns, dtime_ns;

	wait_queue_head_t data_wq;	/* consumer: waiting for data */
	wait_queue_head_t space_wq;	/* producer: waiting for space */
};

static struct shmbox_region *to_region(struct shmbox_obj *obj)
{
	return container_of(obj, struct shmbox_region, obj);
}

static u64 shmbox_region_charge(const struct shmbox_region *r)
{
	return (u64)r->npages << PAGE_SHIFT;
}

static void shmbox_region_free_pages(struct shmbox_region *r)
{
	unsigned long i;

	for (i = 0; i < r->npages; i++)
		if (r->pages[i])
			__free_page(r->pages[i]);
	if (r->map != r->pages)
		kvfree(r->map);
	kvfree(r->pages);
}

static void shmbox_region_free(struct shmbox_obj *obj)
{
	struct shmbox_region *r = to_region(obj);

	atomic64_sub(shmbox_region_charge(r), &obj->ns->region_bytes);
	shmbox_acct_uncharge(obj->acct, SHMBOX_RES_REGION_BYTES,
			     shmbox_region_charge(r));
	shmbox_region_free_pages(r);
	put_pid(r->lpid);
	shmbox_obj_uninit(obj);
	kfree(r);
}

/* Give up ring roles: the peer must not sleep on waiting for us. */
static void shmbox_ring_release(struct shmbox_region *r, u32 role)
{
	if (!role)
		return;
	spin_lock(&r->lock);
	if (role & SHMBOX_RING_PRODUCER)
		r->producers--;
	if (role & SHMBOX_RING_CONSUMER)
		r->consumers--;
	spin_unlock(&r->lock);
	if (role & SHMBOX_RING_PRODUCER)
		wake_up_all(&r->data_wq);
	if (role & SHMBOX_RING_CONSUMER)
		wake_up_all(&r->space_wq);
}

/* The last close and unmap of a bound file. */
static void shmbox_region_unbind(struct shmbox_obj *obj, struct shmbox_file *sf)
{
	shmbox_ring_release(to_region(obj), sf->role);
}

/* /proc/shmbox kind columns: size - - bytes-used(ring) nattch - - - - - */
static void shmbox_region_show(struct seq_file *m, struct shmbox_obj *obj)
{
	struct shmbox_region *r = to_region(obj);
	u64 used;
	u32 nattch;

	spin_lock(&r->lock);
	nattch = r->nattch;
	spin_unlock(&r->lock);
	seq_printf(m, "%llu - - ", r->bytes);
	if (r->ring) {
		/* Informational; a hostile header only gives a wrong number. */
		used = READ_ONCE(r->ctl->prod_pos) - READ_ONCE(r->ctl->cons_pos);
		seq_printf(m, "%llu", min(used, r->bytes));
	} else {
		seq_putc(m, '-');
	}
	seq_printf(m, " %u - - - - -", nattch);
}

static const struct shmbox_obj_ops shmbox_region_ops = {
	.free = shmbox_region_free,
	.unbind = shmbox_region_unbind,
	.show = shmbox_region_show,
};

/*
 * Validate a creation size; reserve it against its namespace's
 * max_total_bytes (-ENOSPC) and its owner's max_user_region_bytes
 * (-EDQUOT).
 */
static int shmbox_region_reserve(const struct shmbox_open_args *args,
				 u64 bytes, bool ring, u64 *charge)
{
	u64 max_total = shmbox_limit(SHMBOX_LIM_TOTAL_BYTES);
	struct shmbox_ns *ns = args->ns;
	int ret;

	if (!bytes || !PAGE_ALIGNED(bytes))
		return -EINVAL;
	if (ring && !is_power_of_2(bytes))
		return -EINVAL;
	if (bytes > shmbox_limit(SHMBOX_LIM_REGION_BYTES))
		return -EFBIG;
	*charge = bytes + (ring ? PAGE_SIZE : 0);
	if (atomic64_add_return(*charge, &ns->region_bytes) > max_total) {
		atomic64_sub(*charge, &ns->region_bytes);
		return -ENOSPC;
	}
	ret = shmbox_acct_charge(args->acct, SHMBOX_RES_REGION_BYTES, *charge,
				 -EDQUOT, true);
	if (ret)
		atomic64_sub(*charge, &ns->region_bytes);
	return ret;
}

static void shmbox_region_unreserve(const struct shmbox_open_args *args,
				    u64 charge)
{
	shmbox_acct_uncharge(args->acct, SHMBOX_RES_REGION_BYTES, charge);
	atomic64_sub(charge, &args->ns->region_bytes);
}

static int shmbox_region_alloc_pages(struct shmbox_region *r)
{
	unsigned long data_pages = r->bytes >> PAGE_SHIFT;
	unsigned long npages = data_pages + (r->ring ? 1 : 0);
	unsigned long i;

	/* ->npages only once ->pages exists: the error path walks it. */
	r->pages = kvcalloc(npages, sizeof(*r->pages), GFP_KERNEL_ACCOUNT);
	if (!r->pages)
		return -ENOMEM;
	r->npages = npages;
	for (i = 0; i < r->npages; i++) {
		r->pages[i] = alloc_page(GFP_USER | __GFP_ZERO | __GFP_ACCOUNT);
		if (!r->pages[i])
			return -ENOMEM;
		cond_resched();
	}
	if (!r->ring) {
		r->map = r->pages;
		r->map_pages = r->npages;
		return 0;
	}

	/* [control][data 0..n-1][data 0..n-1] */
	r->map_pages = 1 + 2 * data_pages;
	r->map = kvcalloc(r->map_pages, sizeof(*r->map), GFP_KERNEL_ACCOUNT);
	if (!r->map)
		return -ENOMEM;
	r->map[0] = r->pages[0];
	for (i = 0; i < data_pages; i++) {
		r->map[1 + i] = r->pages[1 + i];
		r->map[1 + data_pages + i] = r->pages[1 + i];
	}
	r->ctl = page_address(r->pages[0]);
	r->ctl->magic = SHMBOX_RING_MAGIC;
	r->ctl->version = SHMBOX_RING_VERSION;
	r->ctl->data_size = r->bytes;
	return 0;
}

static struct shmbox_obj *shmbox_region_create(const struct shmbox_open_args *args)
{
	const struct shmbox_region_open *uo = args->priv;
	bool ring = uo->flags & SHMBOX_REGION_RING;
	struct shmbox_region *r;
	u64 charge;
	int ret;

	ret = shmbox_region_reserve(args, uo->bytes, ring, &charge);
	if (ret)
		return ERR_PTR(ret);
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r) {
		ret = -ENOMEM;
		goto unreserve;
	}
	r->bytes = uo->bytes;
	r->ring = ring;
	spin_lock_init(&r->lock);
	init_waitqueue_head(&r->data_wq);
	init_waitqueue_head(&r->space_wq);
	ret = shmbox_region_alloc_pages(r);
	if (ret)
		goto free_pages;

	shmbox_obj_init(&r->obj, &shmbox_region_ops, SHMBOX_KIND_REGION,
			args->flags & (SHMBOX_O_AUTOREMOVE | SHMBOX_REGION_RING),
			args->mode);
	return &r->obj;

free_pages:
	shmbox_region_free_pages(r);
	kfree(r);
unreserve:
	shmbox_region_unreserve(args, charge);
	return ERR_PTR(ret);
}

static int shmbox_region_match(struct shmbox_obj *obj,
			       const struct shmbox_open_args *args)
{
	const struct shmbox_region_open *uo = args->priv;
	struct shmbox_region *r = to_region(obj);

	if ((uo->flags & SHMBOX_REGION_RING) && !r->ring)
		return -EMEDIUMTYPE;
	if (uo->bytes && uo->bytes != r->bytes)
		return -EINVAL;
	return 0;
}

/*
 * Claim the ring roles @role asks for; 0 or -EBUSY.  Only counted: the
 * peer learns that the role existed (had_*) once the open has bound,
 * shmbox_ring_claimed(), so an open that fails later leaves no trace.
 */
static int shmbox_ring_claim(struct shmbox_region *r, u32 role)
{
	int ret = 0;

	spin_lock(&r->lock);
	if (((role & SHMBOX_RING_PRODUCER) && r->producers) ||
	    ((role & SHMBOX_RING_CONSUMER) && r->consumers)) {
		ret = -EBUSY;
	} else {
		if (role & SHMBOX_RING_PRODUCER)
			r->producers++;
		if (role & SHMBOX_RING_CONSUMER)
			r->consumers++;
	}
	spin_unlock(&r->lock);
	return ret;
}

/* The open that claimed @role has bound: from now on its going is EPIPE. */
static void shmbox_ring_claimed(struct shmbox_region *r, u32 role)
{
	if (!role)
		return;
	spin_lock(&r->lock);
	if (role & SHMBOX_RING_PRODUCER)
		WRITE_ONCE(r->had_producer, true);
	if (role & SHMBOX_RING_CONSUMER)
		WRITE_ONCE(r->had_consumer, true);
	spin_unlock(&r->lock);
}

#define SHMBOX_REGION_OPEN_FLAGS (SHMBOX_O_CREAT | SHMBOX_O_EXCL |	\
		SHMBOX_O_AUTOREMOVE | SHMBOX_REGION_RING |		\
		SHMBOX_RING_PRODUCER | SHMBOX_RING_CONSUMER)
#define SHMBOX_RING_ROLES (SHMBOX_RING_PRODUCER | SHMBOX_RING_CONSUMER)

long shmbox_ioc_region_open(struct file *file, void *karg,
			    void __user *uarg, u32 usize)
{
	struct shmbox_region_open *uo = karg;
	struct shmbox_open_args args = {
		.kind = SHMBOX_KIND_REGION,
		.create = shmbox_region_create,
		.match = shmbox_region_match,
		.priv = uo,
	};
	struct shmbox_file *sf = file->private_data;
	struct shmbox_region *r;
	struct shmbox_obj *obj;
	u32 role;
	int ret;

	if ((uo->flags & ~SHMBOX_REGION_OPEN_FLAGS) || uo->pad)
		return -EINVAL;
	if (READ_ONCE(sf->obj))
		return -EBUSY;
	args.flags = uo->flags;
	args.uname = uo->name;
	args.mode = uo->mode;
	role = uo->flags & SHMBOX_RING_ROLES;

	ret = shmbox_obj_open(file, &args, &obj);
	if (ret)
		return ret;
	r = to_region(obj);
	if (role && !r->ring) {
		ret = -EINVAL;
		goto put_obj;
	}
	if (role && !(file->f_mode & FMODE_WRITE)) {
		/* Both roles write their position into the control page. */
		ret = -EACCES;
		goto put_obj;
	}
	ret = shmbox_ring_claim(r, role);
	if (ret)
		goto put_obj;

	uo->bytes = r->bytes;
	ret = shmbox_copy_arg_out(uarg, usize, uo, sizeof(*uo));
	if (ret)
		goto release_role;
	/* Like a syscall that created a file: only bind if all went well. */
	ret = shmbox_obj_bind(file, obj, role);
	if (ret)
		goto release_role;
	shmbox_ring_claimed(r, role);
	return 0;

release_role:
	shmbox_ring_release(r, role);
put_obj:
	shmbox_obj_open_failed(obj);
	return ret;
}

static struct shmbox_region *shmbox_file_region(struct file *file)
{
	struct shmbox_obj *obj = shmbox_file_obj(file, SHMBOX_KIND_REGION);

	return IS_ERR(obj) ? ERR_CAST(obj) : to_region(obj);
}

static struct shmbox_region *shmbox_file_ring(struct file *file)
{
	struct shmbox_region *r = shmbox_file_region(file);

	if (!IS_ERR(r) && !r->ring)
		return ERR_PTR(-EBADFD);
	return r;
}

/*
 * Claim ring roles on a bound fd that has none (an fd received as a
 * handle, or opened without a role).  The role is set under the file's
 * lock, once: sf->role goes from 0 to the roles and never changes again.
 */
long shmbox_ioc_ring_claim(struct file *file, void *karg,
			   void __user *uarg, u32 usize)
{
	struct shmbox_ring_claim *c = karg;
	struct shmbox_file *sf = file->private_data;
	u32 role = c->flags & SHMBOX_RING_ROLES;
	struct shmbox_region *r;
	int ret;

	if (!role || (c->flags & ~SHMBOX_RING_ROLES))
		return -EINVAL;
	r = shmbox_file_ring(file);
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (!(file->f_mode & FMODE_WRITE))
		return -EACCES;
	ret = shmbox_ring_claim(r, role);
	if (ret)
		return ret;
	spin_lock(&sf->lock);
	if (sf->role)
		ret = -EBUSY;
	else
		WRITE_ONCE(sf->role, role);
	spin_unlock(&sf->lock);
	if (ret) {
		shmbox_ring_release(r, role);
		return ret;
	}
	shmbox_ring_claimed(r, role);
	return 0;
}

/*
 * What a handle to @obj (a region) tells its receiver: SHMBOX_HANDLE_RING
 * or 0 in *@flags, the size in *@bytes.
 */
void shmbox_region_describe(struct shmbox_obj *obj, u32 *flags, u64 *bytes)
{
	struct shmbox_region *r = to_region(obj);

	*flags = r->ring ? SHMBOX_HANDLE_RING : 0;
	*bytes = r->bytes;
}

long shmbox_ioc_region_stat(struct file *file, void *karg,
			    void __user *uarg, u32 usize)
{
	struct shmbox_region_stat *st = karg;
	struct shmbox_region *r;

	if (memchr_inv((char *)st + 4, 0, sizeof(*st) - 4))
		return -EINVAL;
	r = shmbox_file_region(file);
	if (IS_ERR(r))
		return PTR_ERR(r);

	shmbox_obj_fill_info(&r->obj, &st->obj);
	st->bytes = r->bytes;
	st->map_bytes = (u64)r->map_pages << PAGE_SHIFT;
	spin_lock(&r->lock);
	st->nattch = r->nattch;
	st->lpid = r->lpid ? pid_vnr(r->lpid) : 0;
	st->atime_ns = r->atime_ns;
	st->dtime_ns = r->dtime_ns;
	st->producers = r->producers;
	st->consumers = r->consumers;
	spin_unlock(&r->lock);
	return shmbox_copy_arg_out(uarg, usize, st, sizeof(*st));
}

/* Has the side that moves the watched position gone for good? */
static bool shmbox_ring_peer_gone(struct shmbox_region *r, u32 which)
{
	if (which == SHMBOX_RING_DATA)
		return READ_ONCE(r->had_producer) && !READ_ONCE(r->producers);
	return READ_ONCE(r->had_consumer) && !READ_ONCE(r->consumers);
}

/*
 * One look of a ring wait, after prepare_to_wait(): 1 if the watched
 * position moved past @seen, 0 to sleep on, or the errno the wait ends
 * with (the peer gone, non-blocking, a signal, the deadline), in that
 * order.
 */
static int shmbox_ring_look(struct shmbox_region *r, u32 which,
			    const u64 *pos, u64 seen, bool nonblock,
			    bool expired)
{
	if (READ_ONCE(*pos) != seen)
		return 1;
	if (shmbox_ring_peer_gone(r, which))
		return -EPIPE;
	if (nonblock)
		return -EAGAIN;
	if (signal_pending(current))
		return -ERESTARTSYS;
	if (expired)
		return -ETIMEDOUT;
	return 0;
}

long shmbox_ioc_ring_wait(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_ring_wait *w = karg;
	const struct shmbox_deadline deadline = { .ns = w->deadline_ns };
	struct shmbox_region *r;
	wait_queue_head_t *wq;
	DEFINE_WAIT(wait);
	bool nonblock, expired = false;
	u64 *pos;
	u32 which;
	int ret;

	which = w->flags & (SHMBOX_RING_DATA | SHMBOX_RING_SPACE);
	if ((w->flags & ~(which | SHMBOX_RING_NONBLOCK)) ||
	    (which != SHMBOX_RING_DATA && which != SHMBOX_RING_SPACE))
		return -EINVAL;
	r = shmbox_file_ring(file);
	if (IS_ERR(r))
		return PTR_ERR(r);

	nonblock = (w->flags & SHMBOX_RING_NONBLOCK) ||
		   (file->f_flags & O_NONBLOCK);
	if (which == SHMBOX_RING_DATA) {
		wq = &r->data_wq;
		pos = &r->ctl->prod_pos;
	} else {
		wq = &r->space_wq;
		pos = &r->ctl->cons_pos;
	}

	for (;;) {
		/*
		 * Queued (and a full barrier, set_current_state()) before
		 * the position is read: pairs with the peer's fence in
		 * ring_wake() (userspace/lib/ring.c), which publishes its
		 * position before it reads our flag and calls
		 * SHMBOX_IOC_RING_WAKE, so a move we miss here wakes us.
		 */
		prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
		ret = shmbox_ring_look(r, which, pos, w->seen, nonblock,
				       expired);
		if (ret)
			break;
		expired = shmbox_schedule_deadline(&deadline) == -ETIMEDOUT;
	}
	finish_wait(wq, &wait);
	if (ret > 0)
		ret = 0;
	trace_shmbox_ring_wait(&r->obj, which == SHMBOX_RING_DATA, w->seen, ret);
	return ret;
}

long shmbox_ioc_ring_wake(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_ring_wake *k = karg;
	struct shmbox_region *r;

	if (k->flags != SHMBOX_RING_DATA && k->flags != SHMBOX_RING_SPACE)
		return -EINVAL;
	r = shmbox_file_ring(file);
	if (IS_ERR(r))
		return PTR_ERR(r);
	trace_shmbox_ring_wake(&r->obj, k->flags == SHMBOX_RING_DATA);
	wake_up_all(k->flags == SHMBOX_RING_DATA ? &r->data_wq : &r->space_wq);
	return 0;
}

__poll_t shmbox_region_poll(struct file *file, struct poll_table_struct *pt)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_region *r = shmbox_file_ring(file);
	__poll_t mask = 0;
	u64 prod, cons;
	u32 role;

	if (IS_ERR(r))
		return EPOLLERR;
	poll_wait(file, &r->data_wq, pt);
	poll_wait(file, &r->space_wq, pt);

	/* Hostile values only give a wrong answer to their own ring. */
	prod = READ_ONCE(r->ctl->prod_pos);
	cons = READ_ONCE(r->ctl->cons_pos);
	if (prod != cons)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (prod - cons <= r->bytes - SHMBOX_RING_REC_SIZE(1))
		mask |= EPOLLOUT | EPOLLWRNORM;
	role = READ_ONCE(sf->role);	/* set once, see ring_claim */
	if ((role & SHMBOX_RING_CONSUMER) &&
	    shmbox_ring_peer_gone(r, SHMBOX_RING_DATA))
		mask |= EPOLLHUP;
	if ((role & SHMBOX_RING_PRODUCER) &&
	    shmbox_ring_peer_gone(r, SHMBOX_RING_SPACE))
		mask |= EPOLLHUP;
	return mask;
}

/* A mapping appeared (mmap, fork, split) or went (munmap, exit). */
static void shmbox_region_attach(struct shmbox_region *r, bool attach)
{
	struct pid *old;

	spin_lock(&r->lock);
	if (attach) {
		r->nattch++;
		r->atime_ns = ktime_get_real_ns();
	} else {
		r->nattch--;
		r->dtime_ns = ktime_get_real_ns();
	}
	old = r->lpid;
	r->lpid = get_pid(task_tgid(current));
	spin_unlock(&r->lock);
	put_pid(old);
}

static void shmbox_vm_open(struct vm_area_struct *vma)
{
	shmbox_region_attach(vma->vm_private_data, true);
}

static void shmbox_vm_close(struct vm_area_struct *vma)
{
	shmbox_region_attach(vma->vm_private_data, false);
}

static const struct vm_operations_struct shmbox_region_vm_ops = {
	.open = shmbox_vm_open,
	.close = shmbox_vm_close,
};

int shmbox_region_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct shmbox_region *r = shmbox_file_region(file);
	unsigned long pgoff = vma->vm_pgoff, len = vma_pages(vma);
	unsigned long left = len;
	int ret;

	if (IS_ERR(r))
		return -ENODEV;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (pgoff >= r->map_pages || len > r->map_pages - pgoff)
		return -EINVAL;
	if (r->ring && (pgoff || len != r->map_pages))
		return -EINVAL;

	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &shmbox_region_vm_ops;
	vma->vm_private_data = r;
	ret = vm_insert_pages(vma, vma->vm_start, r->map + pgoff, &left);
	if (ret)
		return ret;
	shmbox_region_attach(r, true);
	return 0;
}
