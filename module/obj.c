// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox objects: the name table (names are per IPC namespace: ns.c),
 * permission checks, binding of an open file to an object, unlink and
 * auto-remove, the reaper that drops the names of namespaces that died,
 * and the list of every live object that /proc/shmbox (proc.c) walks.
 *
 * Locking: shmbox_names_lock (mutex) protects shmbox_names, every
 * object's ->hnode and ->linked.  It is never held across a user copy or
 * an allocation of object memory; kind-specific code never calls back in
 * here with its own locks held.  shmbox_objs_lock (mutex) protects
 * shmbox_objs, the list of every live object (named or not) that
 * /proc/shmbox walks, and every object's ->all; it nests inside
 * shmbox_names_lock, and a kind's ->show takes the kind's own lock inside
 * it.  shmbox_obj_put() may sleep: the last put takes shmbox_objs_lock,
 * so it must never be called under a spinlock.
 *
 * Lifetime: see shmbox.h.  The name table's reference is dropped by unlink
 * (by name, by auto-remove, when the namespace dies or at module exit),
 * always after the name is gone from the table, so a lookup under the
 * lock never finds a dying object.  Every object holds its namespace's
 * record (ns.c) until it is freed.  shmbox_nr_objects counts every object
 * from creation to free, each record's ->nr_objects those of its
 * namespace.
 * An object joins shmbox_objs once its kind's create() has fully built it
 * (and, if named, when it is linked) and leaves it in its release, before
 * ->free, so a walker under shmbox_objs_lock never sees a half-built or
 * freed object and needs no reference.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "shmbox.h"

static DEFINE_MUTEX(shmbox_names_lock);
static DEFINE_HASHTABLE(shmbox_names, 8);
static atomic_long_t shmbox_nr_objects = ATOMIC_LONG_INIT(0);
static DEFINE_MUTEX(shmbox_objs_lock);
static LIST_HEAD(shmbox_objs);

#define SHMBOX_REAP_PERIOD	HZ
static void shmbox_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(shmbox_reap_work, shmbox_reap);

/* Names are per namespace: the record salts the hash and is compared. */
static u32 shmbox_name_hash(const struct shmbox_ns *ns, const char *name)
{
	return full_name_hash(ns, name, strlen(name));
}

/*
 * Copy and check a name: NULL for anonymous (@uname == 0).  A native name
 * is 1 to SHMBOX_NAME_MAX bytes without a '/'; a POSIX-style one is a '/'
 * and such a name (the uapi header's "Names").
 */
static char *shmbox_name_from_user(u64 uname)
{
	long len, posix;
	char *name;
	int ret;

	if (!uname)
		return NULL;
	name = kmalloc(SHMBOX_NAME_MAX + 2, GFP_KERNEL);
	if (!name)
		return ERR_PTR(-ENOMEM);
	/* Not terminated if it fills the buffer: too long then anyway. */
	len = strncpy_from_user(name, u64_to_user_ptr(uname),
				SHMBOX_NAME_MAX + 2);
	ret = -EFAULT;
	if (len < 0)
		goto err_free;
	posix = len && name[0] == '/';
	ret = -ENAMETOOLONG;
	if (len - posix > SHMBOX_NAME_MAX)
		goto err_free;
	ret = -EINVAL;
	if (len == posix || strchr(name + posix, '/'))
		goto err_free;
	return name;

err_free:
	kfree(name);
	return ERR_PTR(ret);
}

static struct shmbox_obj *shmbox_lookup_locked(const struct shmbox_ns *ns,
					       const char *name)
{
	struct shmbox_obj *obj;

	lockdep_assert_held(&shmbox_names_lock);
	hash_for_each_possible(shmbox_names, obj, hnode,
			       shmbox_name_hash(ns, name)) {
		if (obj->ns == ns && !strcmp(obj->name, name))
			return obj;
	}
	return NULL;
}

void shmbox_obj_init(struct shmbox_obj *obj, const struct shmbox_obj_ops *ops,
		     u32 kind, u32 oflags, umode_t mode)
{
	kref_init(&obj->ref);
	obj->ops = ops;
	obj->kind = kind;
	obj->oflags = oflags;
	obj->uid = current_euid();
	obj->cuid = obj->uid;
	obj->gid = current_egid();
	obj->cgid = obj->gid;
	obj->mode = mode & ~current_umask() & 0777;
	obj->cpid = get_pid(task_tgid(current));
	obj->ctime_ns = ktime_get_real_ns();
	atomic_set(&obj->users, 0);
	INIT_LIST_HEAD(&obj->all);
	INIT_HLIST_NODE(&obj->hnode);
	obj->linked = false;
	obj->name = NULL;
}

/* Undo shmbox_obj_init(); called by every kind's ->free. */
void shmbox_obj_uninit(struct shmbox_obj *obj)
{
	put_pid(obj->cpid);
	kfree(obj->name);
	if (obj->acct)
		shmbox_acct_put(obj->acct);
	if (obj->ns)
		shmbox_ns_put(obj->ns);
}

/*
 * One more object in @ns, if max_objects allows (-ENOSPC), owned by @acct
 * if max_user_objects allows (-EDQUOT).
 */
static int shmbox_count_reserve(struct shmbox_ns *ns, struct shmbox_acct *acct)
{
	long max = shmbox_limit(SHMBOX_LIM_OBJECTS);
	int ret;

	if (atomic_long_inc_return(&ns->nr_objects) > max) {
		atomic_long_dec(&ns->nr_objects);
		return -ENOSPC;
	}
	ret = shmbox_acct_charge(acct, SHMBOX_RES_OBJECTS, 1, -EDQUOT, true);
	if (ret) {
		atomic_long_dec(&ns->nr_objects);
		return ret;
	}
	atomic_long_inc(&shmbox_nr_objects);
	return 0;
}

static void shmbox_count_unreserve(struct shmbox_ns *ns,
				   struct shmbox_acct *acct)
{
	atomic_long_dec(&shmbox_nr_objects);
	shmbox_acct_uncharge(acct, SHMBOX_RES_OBJECTS, 1);
	atomic_long_dec(&ns->nr_objects);
}

static void shmbox_obj_release(struct kref *ref)
{
	struct shmbox_obj *obj = container_of(ref, struct shmbox_obj, ref);

	WARN_ON_ONCE(obj->linked);
	/* Never published (lost a creation race) is fine: ->all is empty. */
	mutex_lock(&shmbox_objs_lock);
	list_del_init(&obj->all);
	mutex_unlock(&shmbox_objs_lock);
	shmbox_count_unreserve(obj->ns, obj->acct);
	obj->ops->free(obj);
}

void shmbox_obj_get(struct shmbox_obj *obj)
{
	kref_get(&obj->ref);
}

/*
 * A reference for an open under way: it counts as a user of @obj (so an
 * auto-remove object keeps its name) until it binds a file, which keeps
 * the count, or fails (shmbox_obj_open_failed()).
 */
void shmbox_obj_get_user(struct shmbox_obj *obj)
{
	kref_get(&obj->ref);
	atomic_inc(&obj->users);
}

void shmbox_obj_put(struct shmbox_obj *obj)
{
	might_sleep();
	kref_put(&obj->ref, shmbox_obj_release);
}

/*
 * Drop every name of @ns (retired, so no lookup finds it any more).  Not
 * an unlink: its objects keep working for the files that have them, and
 * go when the last of those does.
 */
static void shmbox_names_drop(struct shmbox_ns *ns)
{
	struct shmbox_obj *obj;
	struct hlist_node *tmp;
	HLIST_HEAD(gone);
	int bkt;

	mutex_lock(&shmbox_names_lock);
	hash_for_each_safe(shmbox_names, bkt, tmp, obj, hnode) {
		if (obj->ns != ns)
			continue;
		hash_del(&obj->hnode);
		obj->linked = false;
		hlist_add_head(&obj->hnode, &gone);
	}
	mutex_unlock(&shmbox_names_lock);
	hlist_for_each_entry_safe(obj, tmp, &gone, hnode) {
		hlist_del_init(&obj->hnode);
		shmbox_obj_put(obj);
	}
}

/*
 * The reaper: the names of every namespace that died go.  It runs soon
 * after a bound file's release (the last task of a namespace usually
 * closes some on its way out) and every SHMBOX_REAP_PERIOD while more
 * than one namespace is in use.
 */
static void shmbox_reap(struct work_struct *work)
{
	struct shmbox_ns *ns;

	while ((ns = shmbox_ns_take(true))) {
		shmbox_names_drop(ns);
		shmbox_ns_put(ns);
	}
	if (shmbox_ns_nr_live() > 1)
		schedule_delayed_work(to_delayed_work(work), SHMBOX_REAP_PERIOD);
}

/* Run the reaper within @delay (sooner if it already is due sooner). */
static void shmbox_reap_soon(unsigned long delay)
{
	if (shmbox_ns_nr_live() <= 1)
		return;
	if (!delay)
		mod_delayed_work(system_wq, &shmbox_reap_work, 0);
	else
		schedule_delayed_work(&shmbox_reap_work, delay);
}

/* Like ipcperms(): owner or creator, then group, then others. */
bool shmbox_obj_may(const struct shmbox_obj *obj, int may)
{
	kuid_t euid = current_euid();
	int granted = obj->mode;
	int requested = may & (MAY_READ | MAY_WRITE);

	if (uid_eq(euid, obj->cuid) || uid_eq(euid, obj->uid))
		granted >>= 6;
	else if (in_group_p(obj->cgid) || in_group_p(obj->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) &&
	    !ns_capable(obj->ns->user_ns, CAP_IPC_OWNER))
		return false;
	return true;
}

/* The MAY_* access an open of /dev/shmbox asks for: its access mode. */
int shmbox_file_may(const struct file *file)
{
	int may = 0;

	if (file->f_mode & FMODE_READ)
		may |= MAY_READ;
	if (file->f_mode & FMODE_WRITE)
		may |= MAY_WRITE;
	return may;
}

/* May this caller open the existing @obj as @args asks?  Ref held. */
static int shmbox_check_existing(struct file *file, struct shmbox_obj *obj,
				 const struct shmbox_open_args *args)
{
	if ((args->flags & SHMBOX_O_CREAT) && (args->flags & SHMBOX_O_EXCL))
		return -EEXIST;
	if (obj->kind != args->kind)
		return -EMEDIUMTYPE;
	if (!shmbox_obj_may(obj, shmbox_file_may(file)))
		return -EACCES;
	return args->match ? args->match(obj, args) : 0;
}

/* The object named @name in @ns, with a reference and a user, or NULL. */
static struct shmbox_obj *shmbox_obj_find(struct shmbox_ns *ns,
					  const char *name)
{
	struct shmbox_obj *obj;

	mutex_lock(&shmbox_names_lock);
	obj = shmbox_lookup_locked(ns, name);
	if (obj)
		shmbox_obj_get_user(obj);
	mutex_unlock(&shmbox_names_lock);
	return obj;
}

/*
 * A new object as @args asks, counted against max_objects of its
 * namespace, named @name (consumed, NULL: anonymous); not visible to
 * anyone yet.
 */
static struct shmbox_obj *shmbox_obj_create(const struct shmbox_open_args *args,
					    char *name)
{
	struct shmbox_obj *fresh;
	int ret;

	ret = shmbox_count_reserve(args->ns, args->acct);
	if (ret)
		goto free_name;
	fresh = args->create(args);
	if (IS_ERR(fresh)) {
		ret = PTR_ERR(fresh);
		goto unreserve;
	}
	fresh->name = name;
	shmbox_ns_hold(args->ns);
	fresh->ns = args->ns;
	shmbox_acct_hold(args->acct);
	fresh->acct = args->acct;
	return fresh;

unreserve:
	shmbox_count_unreserve(args->ns, args->acct);
free_name:
	kfree(name);
	return ERR_PTR(ret);
}

/*
 * Make @fresh visible: in /proc/shmbox and, if named, in the name table
 * with the table's reference.  Return: NULL, or the object that took the
 * name meanwhile (with a reference; @fresh is then dropped).
 */
static struct shmbox_obj *shmbox_obj_publish(struct shmbox_obj *fresh)
{
	struct shmbox_obj *obj = NULL;

	if (fresh->name) {
		mutex_lock(&shmbox_names_lock);
		obj = shmbox_lookup_locked(fresh->ns, fresh->name);
		if (obj) {
			/* Lost a creation race: open the winner instead. */
			shmbox_obj_get_user(obj);
			mutex_unlock(&shmbox_names_lock);
			shmbox_obj_put(fresh);
			return obj;
		}
		hash_add(shmbox_names, &fresh->hnode,
			 shmbox_name_hash(fresh->ns, fresh->name));
		fresh->linked = true;
		shmbox_obj_get(fresh);		/* the name table's reference */
	}
	atomic_inc(&fresh->users);		/* this open's */
	mutex_lock(&shmbox_objs_lock);
	list_add_tail(&fresh->all, &shmbox_objs);
	mutex_unlock(&shmbox_objs_lock);
	if (fresh->name)
		mutex_unlock(&shmbox_names_lock);
	return NULL;
}

/* The caller's namespace and account, for one open: 0 or -ENOMEM. */
static int shmbox_open_ctx_get(struct shmbox_open_args *args)
{
	args->ns = shmbox_ns_get();
	if (IS_ERR(args->ns))
		return PTR_ERR(args->ns);
	args->acct = shmbox_acct_get_current();
	if (IS_ERR(args->acct)) {
		shmbox_ns_put(args->ns);
		return PTR_ERR(args->acct);
	}
	shmbox_reap_soon(SHMBOX_REAP_PERIOD);
	return 0;
}

static void shmbox_open_ctx_put(struct shmbox_open_args *args)
{
	shmbox_acct_put(args->acct);
	shmbox_ns_put(args->ns);
	args->acct = NULL;
	args->ns = NULL;
}

/*
 * The object @name names in @args->ns, with a reference and a user, or a
 * new one (@name consumed either way).  Return: 0 and *@objp, with
 * *@created if it is new, or a negative errno.
 */
static int shmbox_obj_get_named(const struct shmbox_open_args *args,
				char *name, struct shmbox_obj **objp,
				bool *created)
{
	struct shmbox_obj *obj, *fresh;

	obj = name ? shmbox_obj_find(args->ns, name) : NULL;
	if (obj) {
		kfree(name);
		*objp = obj;
		return 0;
	}
	if (name && !(args->flags & SHMBOX_O_CREAT)) {
		kfree(name);
		return -ENOENT;
	}
	fresh = shmbox_obj_create(args, name);
	if (IS_ERR(fresh))
		return PTR_ERR(fresh);
	obj = shmbox_obj_publish(fresh);
	*created = !obj;
	*objp = obj ? obj : fresh;
	return 0;
}

/**
 * shmbox_obj_open - find or create the object an open ioctl names
 * @file:	the /dev/shmbox file (its access mode is what is checked)
 * @args:	what the ioctl asked for; @args->ns and @args->acct are set
 *		here, to the caller's namespace and account, for create()
 * @objp:	out: the object, with a reference the caller owns and counted
 *		as a user: the caller binds it (shmbox_obj_bind()) or gives
 *		both up with shmbox_obj_open_failed()
 *
 * Names are looked up and created in the caller's IPC namespace.
 * Creation happens outside shmbox_names_lock; if another process created
 * the same name meanwhile, the loser's new object is dropped and the
 * winner's is opened (or EEXIST with SHMBOX_O_EXCL).
 */
int shmbox_obj_open(struct file *file, struct shmbox_open_args *args,
		    struct shmbox_obj **objp)
{
	bool created = false;
	struct shmbox_obj *obj;
	char *name;
	int ret;

	if ((args->flags & SHMBOX_O_EXCL) && !(args->flags & SHMBOX_O_CREAT))
		return -EINVAL;
	if (args->mode & ~0777)
		return -EINVAL;
	name = shmbox_name_from_user(args->uname);
	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = shmbox_open_ctx_get(args);
	if (ret) {
		kfree(name);
		return ret;
	}
	ret = shmbox_obj_get_named(args, name, &obj, &created);
	if (!ret && !created) {
		ret = shmbox_check_existing(file, obj, args);
		if (ret)
			shmbox_obj_open_failed(obj);
	}
	shmbox_open_ctx_put(args);
	if (!ret)
		*objp = obj;
	return ret;
}

/**
 * shmbox_obj_bind - make @obj the object of @file
 * @file:	an open /dev/shmbox file
 * @obj:	the object, with a reference the caller owns
 * @role:	kind-specific role of this file (e.g. ring producer)
 *
 * Consumes the caller's reference and user count (shmbox_obj_open()) on
 * success.  Fails with -EBUSY, both still the caller's, if the file is
 * already bound (a concurrent open on the same file won): the loser
 * changes nothing of the file.
 */
int shmbox_obj_bind(struct file *file, struct shmbox_obj *obj, u32 role)
{
	struct shmbox_file *sf = file->private_data;
	int ret = 0;

	spin_lock(&sf->lock);
	if (sf->obj) {
		ret = -EBUSY;
	} else {
		sf->role = role;
		/* Publishes role and the object's initialisation. */
		smp_store_release(&sf->obj, obj);
	}
	spin_unlock(&sf->lock);
	return ret;
}

/* The object @file is bound to, if it is of @kind; no reference taken. */
struct shmbox_obj *shmbox_file_obj(struct file *file, u32 kind)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_obj *obj;

	/* Pairs with the release store in shmbox_obj_bind(). */
	obj = smp_load_acquire(&sf->obj);
	if (!obj || obj->kind != kind)
		return ERR_PTR(-EBADFD);
	return obj;
}

/* Remove @obj's name if it still has one; drops the table's reference. */
static void shmbox_obj_unlink(struct shmbox_obj *obj)
{
	bool was_linked;

	mutex_lock(&shmbox_names_lock);
	was_linked = obj->linked;
	if (was_linked) {
		hash_del(&obj->hnode);
		obj->linked = false;
	}
	mutex_unlock(&shmbox_names_lock);
	if (!was_linked)
		return;
	if (obj->ops->unlinked)
		obj->ops->unlinked(obj);
	shmbox_obj_put(obj);
}

long shmbox_ioc_unlink(struct file *file, void *karg,
		       void __user *uarg, u32 usize)
{
	struct shmbox_unlink *arg = karg;
	kuid_t euid = current_euid();
	struct shmbox_obj *obj;
	struct shmbox_ns *ns;
	char *name;
	int ret = 0;

	if (arg->kind > SHMBOX_KIND_MAILBOX ||
	    (arg->flags & ~SHMBOX_UNLINK_KEEP) || arg->pad)
		return -EINVAL;
	name = shmbox_name_from_user(arg->name);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (!name)
		return -EINVAL;
	ns = shmbox_ns_get();
	if (IS_ERR(ns)) {
		kfree(name);
		return PTR_ERR(ns);
	}

	mutex_lock(&shmbox_names_lock);
	obj = shmbox_lookup_locked(ns, name);
	if (!obj) {
		ret = -ENOENT;
	} else if (arg->kind && obj->kind != arg->kind) {
		ret = -EMEDIUMTYPE;
	} else if (!uid_eq(euid, obj->uid) && !uid_eq(euid, obj->cuid) &&
		   !ns_capable(ns->user_ns, CAP_SYS_ADMIN)) {
		ret = -EPERM;
	} else {
		hash_del(&obj->hnode);
		obj->linked = false;
	}
	mutex_unlock(&shmbox_names_lock);
	shmbox_ns_put(ns);
	kfree(name);
	if (ret)
		return ret;

	if (obj->ops->unlinked && !(arg->flags & SHMBOX_UNLINK_KEEP))
		obj->ops->unlinked(obj);
	shmbox_obj_put(obj);
	return 0;
}

/*
 * Put a reference taken with shmbox_obj_get_user(): the last user of an
 * auto-remove object removes its name.
 */
void shmbox_obj_put_user(struct shmbox_obj *obj)
{
	if (atomic_dec_and_test(&obj->users) &&
	    (obj->oflags & SHMBOX_O_AUTOREMOVE))
		shmbox_obj_unlink(obj);
	shmbox_obj_put(obj);
}

/**
 * shmbox_obj_open_failed - give up an open that never bound
 * @obj:	the object shmbox_obj_open() returned
 *
 * An open ioctl that fails after shmbox_obj_open() (copy-out, role, bind)
 * drops its user count and reference.  If it was the last user of an
 * auto-remove object, the name goes now, as on the last close; an open
 * still under way elsewhere (its creator's, say) is a user too, so one
 * opener's failure never removes an object another is about to bind.
 */
void shmbox_obj_open_failed(struct shmbox_obj *obj)
{
	shmbox_obj_put_user(obj);
}

/* The binding of a new /dev/shmbox file (an open, or a handle received). */
struct shmbox_file *shmbox_file_alloc(void)
{
	struct shmbox_file *sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);

	if (sf)
		spin_lock_init(&sf->lock);
	return sf;
}

/* The last close (and, for regions, unmap) of a bound /dev/shmbox file. */
void shmbox_file_release(struct file *file)
{
	struct shmbox_file *sf = file->private_data;
	struct shmbox_obj *obj = sf->obj;

	if (obj) {
		if (obj->ops->unbind)
			obj->ops->unbind(obj, sf);
		shmbox_obj_put_user(obj);
		/* At exit this runs after the task left its namespaces. */
		shmbox_reap_soon(0);
	}
	kfree(sf);
}

void shmbox_obj_fill_info(const struct shmbox_obj *obj,
			  struct shmbox_obj_info *info)
{
	struct user_namespace *ns = current_user_ns();

	info->kind = obj->kind;
	info->oflags = obj->oflags;
	info->uid = from_kuid_munged(ns, obj->uid);
	info->gid = from_kgid_munged(ns, obj->gid);
	info->cuid = from_kuid_munged(ns, obj->cuid);
	info->cgid = from_kgid_munged(ns, obj->cgid);
	info->mode = obj->mode;
	info->cpid = pid_vnr(obj->cpid);
	info->ctime_ns = obj->ctime_ns;
	info->users = atomic_read(&obj->users);
	info->linked = READ_ONCE(obj->linked);
}

/* Module exit: no file is open, so only linked objects are left. */
void shmbox_names_cleanup(void)
{
	struct shmbox_ns *ns;

	cancel_delayed_work_sync(&shmbox_reap_work);
	while ((ns = shmbox_ns_take(false))) {
		shmbox_names_drop(ns);
		shmbox_ns_put(ns);
	}
	WARN_ON(atomic_long_read(&shmbox_nr_objects));
}

/* For /proc/shmbox: every live object, until shmbox_objs_unlock_all(). */
struct list_head *shmbox_objs_lock_all(void)
{
	mutex_lock(&shmbox_objs_lock);
	return &shmbox_objs;
}

void shmbox_objs_unlock_all(void)
{
	mutex_unlock(&shmbox_objs_lock);
}
