/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox internal interfaces shared by the files of module/.
 *
 * Owns: the common object (struct shmbox_obj: name,
 * permissions, lifetime) and the per-file binding (struct shmbox_file).
 *
 * Locking: the name
 * table and the object count are protected by shmbox_names_lock (a mutex,
 * obj.c); the list of every live object (for /proc/shmbox) by
 * shmbox_objs_lock (a mutex, obj.c), so the last shmbox_obj_put() may
 * sleep.  An object's identity fields (kind, owner, mode, name) never
 * change after creation.  A file's binding is published once, under the
 * file's lock with a release store, and never changes afterwards.
 *
 * Lifetime: an object is reference counted (kref).  The name table holds
 * one reference while the object is linked, every bound file holds one,
 * and kind-specific code may hold more (e.g. a mapping through its file).
 * The last put calls ops->free().
 */
#ifndef _SHMBOX_INTERNAL_H
#define _SHMBOX_INTERNAL_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/pid.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include <linux/shmbox.h>

#include "account.h"
#include "limits.h"
#include "ns.h"
#include "uarg.h"
#include "deadline.h"

/* ---- the ioctl command table (ioctl.c) ---------------------------------- */

long shmbox_ioctl_dispatch(struct file *file, unsigned int cmd,
			   void __user *uarg);

/* ---- objects (obj.c) ---------------------------------------------------- */

struct shmbox_obj;
struct shmbox_file;
struct shmbox_calltab;
struct shmbox_callpark;
struct seq_file;

struct shmbox_obj_ops {
	/* Free the object; called once, after the last reference is put. */
	void (*free)(struct shmbox_obj *obj);
	/* The name was removed (optional): wake waiters that must know. */
	void (*unlinked)(struct shmbox_obj *obj);
	/* A bound file is being released (optional), before its put. */
	void (*unbind)(struct shmbox_obj *obj, struct shmbox_file *sf);
	/*
	 * /proc/shmbox (optional): print the kind columns "size depth
	 * capacity bytes nattch sent received calls serving handles",
	 * space separated, "-" for a column that does not apply, no
	 * newline.  Called under
	 * shmbox_objs_lock (a mutex) without a reference: may take the
	 * kind's own locks, must not sleep for long or put the object.
	 */
	void (*show)(struct seq_file *m, struct shmbox_obj *obj);
};

struct shmbox_obj {
	struct kref ref;
	const struct shmbox_obj_ops *ops;
	u32 kind;			/* SHMBOX_KIND_* */
	u32 oflags;			/* SHMBOX_O_AUTOREMOVE, kind flags */
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	umode_t mode;
	struct pid *cpid;
	u64 ctime_ns;
	atomic_t users;			/* bound files and opens under way */
	struct shmbox_ns *ns;		/* its IPC namespace's record */
	struct shmbox_acct *acct;	/* its creator's account: pays for it */
	/* Every live object, for /proc/shmbox; under shmbox_objs_lock. */
	struct list_head all;
	/* Name table linkage, under shmbox_names_lock. */
	struct hlist_node hnode;
	bool linked;
	char *name;			/* NULL when anonymous */
};

/*
 * What one open of /dev/shmbox is bound to: file->private_data.  @lock
 * serialises binding: only the open that binds sets @role, then
 * publishes @obj (release store); a reader that sees @obj sees @role.
 * A bound ring fd without a role may claim one later, once
 * (SHMBOX_IOC_RING_CLAIM, under @lock): readers use READ_ONCE().
 */
struct shmbox_file {
	spinlock_t lock;		/* binding */
	struct shmbox_obj *obj;		/* NULL until bound; set once */
	/* Kind-specific, set when binding or once by a ring claim. */
	u32 role;
	/* A mailbox fd's calls taken and not answered (mbox_call.c). */
	struct shmbox_calltab *calls;
	/* Calls made through this fd, interrupted, to resume (the same). */
	struct shmbox_callpark *parked;
	/* The opener's account, which replies to its calls are charged to. */
	struct shmbox_acct *acct;
};

/*
 * Arguments of shmbox_obj_open(), gathered from an open ioctl.
 * @create:	allocate a new object of the kind (not yet named); called
 *		without locks; returns an ERR_PTR on failure.
 * @match:	optional: may the existing @obj be opened with these
 *		arguments?  0 or a negative errno.  Called with a reference.
 */
struct shmbox_open_args {
	struct shmbox_ns *ns;		/* set by shmbox_obj_open() */
	struct shmbox_acct *acct;	/* the same: the caller's account */
	u32 kind;
	u32 flags;			/* SHMBOX_O_* and kind flags */
	u64 uname;			/* user pointer, 0: anonymous */
	umode_t mode;
	void *priv;
	struct shmbox_obj *(*create)(const struct shmbox_open_args *args);
	int (*match)(struct shmbox_obj *obj,
		     const struct shmbox_open_args *args);
};

void shmbox_obj_init(struct shmbox_obj *obj, const struct shmbox_obj_ops *ops,
		     u32 kind, u32 oflags, umode_t mode);
void shmbox_obj_uninit(struct shmbox_obj *obj);
int shmbox_obj_open(struct file *file, struct shmbox_open_args *args,
		    struct shmbox_obj **objp);
int shmbox_obj_bind(struct file *file, struct shmbox_obj *obj, u32 role);
void shmbox_obj_get(struct shmbox_obj *obj);
void shmbox_obj_get_user(struct shmbox_obj *obj);
void shmbox_obj_put(struct shmbox_obj *obj);
void shmbox_obj_put_user(struct shmbox_obj *obj);
void shmbox_obj_open_failed(struct shmbox_obj *obj);
struct shmbox_file *shmbox_file_alloc(void);
void shmbox_obj_fill_info(const struct shmbox_obj *obj,
			  struct shmbox_obj_info *info);
struct shmbox_obj *shmbox_file_obj(struct file *file, u32 kind);
long shmbox_ioc_unlink(struct file *file, void *karg, void __user *uarg,
		       u32 usize);
void shmbox_file_release(struct file *file);
void shmbox_names_cleanup(void);
bool shmbox_obj_may(const struct shmbox_obj *obj, int may);
int shmbox_file_may(const struct file *file);
/* The list of every live object, for /proc/shmbox (proc.c). */
struct list_head *shmbox_objs_lock_all(void);
void shmbox_objs_unlock_all(void);

/* ---- /proc/shmbox (proc.c) ---------------------------------------------- */

int shmbox_proc_init(void);
void shmbox_proc_exit(void);

/* ---- regions and rings (region.c) --------------------------------------- */

/*
 * The ioctl handlers (called by the command table, ioctl.c, with the
 * argument already copied into @karg): check, act, copy the result out.
 */
long shmbox_ioc_region_open(struct file *file, void *karg,
			    void __user *uarg, u32 usize);
long shmbox_ioc_region_stat(struct file *file, void *karg,
			    void __user *uarg, u32 usize);
long shmbox_ioc_ring_wait(struct file *file, void *karg, void __user *uarg,
			  u32 usize);
long shmbox_ioc_ring_wake(struct file *file, void *karg, void __user *uarg,
			  u32 usize);
long shmbox_ioc_ring_claim(struct file *file, void *karg, void __user *uarg,
			   u32 usize);
void shmbox_region_describe(struct shmbox_obj *obj, u32 *flags, u64 *bytes);
int shmbox_region_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t shmbox_region_poll(struct file *file, struct poll_table_struct *pt);

/* ---- mailboxes (mbox.c) ------------------------------------------------- */

/* The ioctl handlers, as for regions above. */
long shmbox_ioc_mbox_open(struct file *file, void *karg, void __user *uarg,
			  u32 usize);
long shmbox_ioc_mbox_stat(struct file *file, void *karg, void __user *uarg,
			  u32 usize);
long shmbox_ioc_mbox_send(struct file *file, void *karg, void __user *uarg,
			  u32 usize);
long shmbox_ioc_mbox_recv(struct file *file, void *karg, void __user *uarg,
			  u32 usize);
long shmbox_ioc_mbox_sendv(struct file *file, void *karg, void __user *uarg,
			   u32 usize);
long shmbox_ioc_mbox_recvv(struct file *file, void *karg, void __user *uarg,
			   u32 usize);
long shmbox_ioc_mbox_call(struct file *file, void *karg, void __user *uarg,
			  u32 usize);
long shmbox_ioc_mbox_reply(struct file *file, void *karg, void __user *uarg,
			   u32 usize);
long shmbox_ioc_mbox_reply_recv(struct file *file, void *karg,
				void __user *uarg, u32 usize);
long shmbox_ioc_mbox_notify(struct file *file, void *karg,
			    void __user *uarg, u32 usize);
void shmbox_mbox_flush_file(struct file *file);	/* file flush (close) */
__poll_t shmbox_mbox_poll(struct file *file, struct poll_table_struct *pt);
void shmbox_calls_release(struct shmbox_file *sf);	/* file release */
ssize_t shmbox_mbox_read(struct file *file, char __user *buf, size_t count);
ssize_t shmbox_mbox_write(struct file *file, const char __user *buf,
			  size_t count);
u64 shmbox_mbox_features(void);		/* SHMBOX_FEAT_* bits it adds */
int shmbox_mbox_init(void);		/* module_init, before the device */
void shmbox_mbox_exit(void);		/* module_exit, after the names */

#endif /* _SHMBOX_INTERNAL_H */
