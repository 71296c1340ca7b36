// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox handles in messages: a message (or a call's reply) may carry up
 * to SHMBOX_MSG_HANDLES_MAX references to regions and rings, given by
 * the sender as fds and received as new fds.
 *
 *	grab	(sender) each fd is looked up once (fget()), checked to be a
 *		/dev/shmbox fd bound to a region, and turned into a
 *		reference to the object plus the fd's access mode; the
 *		file itself is not kept, so a message in flight pins no
 *		file and no module reference, and removing the mailbox or
 *		unloading the module frees what it carries;
 *	reserve	(receiver) fd numbers, before anything is committed;
 *	open	a new file for each handle: an anonymous-inode file with the
 *		device's file operations, bound to the object with the same
 *		access and no ring role, its own reference and user count;
 *	install	fd_install() of each, once the receive has committed; or
 *	discard	the files put and the numbers given back, if it did not.
 *
 * Only region handles are taken: a mailbox in a message could be kept
 * alive by its own queue, and nothing could ever free it.  A region holds
 * no messages, so no reference cycle can form.
 *
 * Owns: struct shmbox_handles (built once, immutable, freed with the
 * message or reply that carries it), the receiver's files until they are
 * installed or discarded.
 *
 * Locking: none of its own; nothing here runs under a spinlock (fget(),
 * allocations and user copies sleep).
 *
 * Lifetime: each handle holds a reference and a user of its object
 * (shmbox_obj_get_user(), as an open under way does): an auto-remove
 * object keeps its name while a handle to it is in flight.  A received
 * handle's file takes its own; the message's are dropped with the
 * message, whatever became of it.
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "handle.h"
#include "shmbox.h"

/* The device's file operations, to tell its files and to make new ones. */
static const struct file_operations *shmbox_handle_fops;

void shmbox_handles_init(const struct file_operations *fops)
{
	shmbox_handle_fops = fops;
}

/*
 * The entries as the sender gave them: known flags, no output, and no
 * fd moved twice (its second close would close another file).
 */
static int shmbox_handles_check(const struct shmbox_handle *ent, u32 n)
{
	u32 i, j;

	for (i = 0; i < n; i++) {
		if ((ent[i].flags & ~SHMBOX_HANDLE_MOVE) || ent[i].bytes)
			return -EINVAL;
		if (!(ent[i].flags & SHMBOX_HANDLE_MOVE))
			continue;
		for (j = 0; j < i; j++)
			if (ent[j].fd == ent[i].fd &&
			    (ent[j].flags & SHMBOX_HANDLE_MOVE))
				return -EINVAL;
	}
	return 0;
}

/*
 * One handle from the sender's @fd: EBADF (not open), EINVAL (not a
 * /dev/shmbox fd, or a mailbox's), EBADFD (not bound).
 */
static int shmbox_hent_get(int fd, struct shmbox_hent *e)
{
	struct shmbox_file *sf;
	struct shmbox_obj *obj;
	struct file *file;
	int ret = 0;

	file = fget(fd);
	if (!file)
		return -EBADF;
	if (file->f_op != shmbox_handle_fops) {
		ret = -EINVAL;
		goto put_file;
	}
	sf = file->private_data;
	/* Pairs with the release store in shmbox_obj_bind(). */
	obj = smp_load_acquire(&sf->obj);
	if (!obj) {
		ret = -EBADFD;
		goto put_file;
	}
	if (obj->kind != SHMBOX_KIND_REGION) {
		ret = -EINVAL;
		goto put_file;
	}
	shmbox_obj_get_user(obj);
	e->obj = obj;
	e->mode = file->f_mode & (FMODE_READ | FMODE_WRITE);
put_file:
	fput(file);
	return ret;
}

/*
 * shmbox_handles_grab - the handles a sender gives with one message
 * @uh, @n:	its array of struct shmbox_handle (checked: @n at most
 *		SHMBOX_MSG_HANDLES_MAX)
 * @hp:		out: the handles, NULL for @n 0
 * @moved:	out: the fds to close once the message is sent
 *
 * All or nothing: on failure nothing is held.
 * Return: 0, or -EFAULT, -EINVAL, -EBADF, -EBADFD, -ENOMEM.
 */
int shmbox_handles_grab(u64 uh, u32 n, struct shmbox_handles **hp,
			struct shmbox_moved *moved)
{
	struct shmbox_handle ent[SHMBOX_MSG_HANDLES_MAX];
	struct shmbox_handles *h;
	u32 i;
	int ret;

	*hp = NULL;
	moved->n = 0;
	if (!n)
		return 0;
	if (WARN_ON_ONCE(n > SHMBOX_MSG_HANDLES_MAX))
		return -EINVAL;
	if (copy_from_user(ent, u64_to_user_ptr(uh), n * sizeof(ent[0])))
		return -EFAULT;
	ret = shmbox_handles_check(ent, n);
	if (ret)
		return ret;
	h = kmalloc(struct_size(h, h, n), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	for (h->n = 0; h->n < n; h->n++) {
		ret = shmbox_hent_get(ent[h->n].fd, &h->h[h->n]);
		if (ret)
			goto drop_handles;
	}
	for (i = 0; i < n; i++)
		if (ent[i].flags & SHMBOX_HANDLE_MOVE)
			moved->fd[moved->n++] = ent[i].fd;
	*hp = h;
	return 0;

drop_handles:
	shmbox_handles_drop(h);
	return ret;
}

/* Drop the references of handles never received (or received: copied). */
void shmbox_handles_drop(struct shmbox_handles *h)
{
	u32 i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		shmbox_obj_put_user(h->h[i].obj);
	kfree(h);
}

/* The message carrying them was sent: close the fds the sender moved. */
void shmbox_moved_close(const struct shmbox_moved *moved)
{
	u32 i;

	for (i = 0; i < moved->n; i++)
		close_fd(moved->fd[i]);
}

/*
 * Reserve @n fd numbers of current for new files (O_CLOEXEC if
 * @cloexec), each entry's file NULL.  All or nothing.
 * Return: 0, or -EMFILE (RLIMIT_NOFILE).
 */
int shmbox_fds_reserve(struct shmbox_hinst *inst, u32 n, bool cloexec)
{
	u32 i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = get_unused_fd_flags(cloexec ? O_CLOEXEC : 0);
		if (fd < 0) {
			shmbox_handles_discard(inst, i);
			return fd;
		}
		inst[i].fd = fd;
		inst[i].file = NULL;
	}
	return 0;
}

/* A new file of @e's object: its access, no role, its own reference. */
static struct file *shmbox_hent_file(const struct shmbox_hent *e)
{
	int flags = O_WRONLY;
	struct shmbox_file *sf;
	struct file *file;

	if (e->mode & FMODE_READ)
		flags = (e->mode & FMODE_WRITE) ? O_RDWR : O_RDONLY;
	sf = shmbox_file_alloc();
	if (!sf)
		return ERR_PTR(-ENOMEM);
	/* Bound before the file exists: nobody sees it unbound. */
	shmbox_obj_get_user(e->obj);
	sf->obj = e->obj;
	file = anon_inode_getfile("[shmbox]", shmbox_handle_fops, sf, flags);
	if (IS_ERR(file)) {
		shmbox_obj_put_user(e->obj);
		kfree(sf);
		return file;
	}
	nonseekable_open(file_inode(file), file);
	return file;
}

/*
 * Open a new file for each of @h's handles into @inst, whose fds are
 * reserved.  On failure the files opened are put again (the fds stay
 * reserved: shmbox_handles_discard()).
 * Return: 0, or -ENFILE, -ENOMEM.
 */
int shmbox_handles_open(const struct shmbox_handles *h,
			struct shmbox_hinst *inst)
{
	struct file *file;
	u32 i;

	for (i = 0; i < h->n; i++) {
		file = shmbox_hent_file(&h->h[i]);
		if (IS_ERR(file)) {
			while (i--) {
				fput(inst[i].file);
				inst[i].file = NULL;
			}
			return PTR_ERR(file);
		}
		inst[i].file = file;
	}
	return 0;
}

/*
 * Tell the receiver what @h holds, in its array at @uh: each handle's
 * new fd (from @inst; -1 with @inst NULL, for a peek), access and size.
 * Return: 0 or -EFAULT.
 */
int shmbox_handles_report(const struct shmbox_handles *h,
			  const struct shmbox_hinst *inst, u64 uh)
{
	struct shmbox_handle ent[SHMBOX_MSG_HANDLES_MAX] = {};
	u32 i;

	for (i = 0; i < h->n; i++) {
		ent[i].fd = inst ? inst[i].fd : -1;
		shmbox_region_describe(h->h[i].obj, &ent[i].flags,
				       &ent[i].bytes);
		if (h->h[i].mode & FMODE_READ)
			ent[i].flags |= SHMBOX_HANDLE_READ;
		if (h->h[i].mode & FMODE_WRITE)
			ent[i].flags |= SHMBOX_HANDLE_WRITE;
	}
	if (copy_to_user(u64_to_user_ptr(uh), ent, h->n * sizeof(ent[0])))
		return -EFAULT;
	return 0;
}

/* The receive committed: the new fds appear in the receiver's table. */
void shmbox_handles_install(struct shmbox_hinst *inst, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		fd_install(inst[i].fd, inst[i].file);
}

/* It did not: the new files go, their fd numbers are free again. */
void shmbox_handles_discard(struct shmbox_hinst *inst, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (inst[i].file)
			fput(inst[i].file);
		put_unused_fd(inst[i].fd);
	}
}
