// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox namespaces: a record (struct shmbox_ns) for each IPC namespace
 * in which shmbox was used.  Names, inboxes and the /proc/shmbox listing
 * belong to the opener's namespace, and the limits max_objects and
 * max_total_bytes are counted per namespace (obj.c, region.c), as SysV
 * IPC and POSIX mqueue count theirs.
 *
 * Owns: the table of live records and the IPC namespace reference each
 * holds.  A leaf: includes nothing of shmbox but its header and compat.h.
 *
 * Locking: shmbox_ns_lock (a mutex) protects the table, its count and
 * each record's ->live (read without it by shmbox_ns_is_current()).
 * Never held across anything that takes another shmbox lock.
 *
 * Lifetime: a record is created on its namespace's first use and is live
 * (in the table, holding a reference to the IPC namespace) until the
 * namespace is unreachable: the kernel tells a module nothing when a
 * namespace dies, so the record's reference is the namespace's last once
 * no task is in it and no nsfs file or mount pins it, and nobody can
 * enter it again (setns() needs one of those).  shmbox_ns_take()
 * finds such a record under the lock, takes it out of the table and
 * hands over its reference; the caller (obj.c's reaper) drops the names
 * and puts the IPC namespace.  Objects keep their record (not the IPC
 * namespace) until they are freed; the record, which holds its user
 * namespace for capability checks to its end, is freed with the last.
 * While a record is live its @ipc cannot be freed or reused, so two live
 * records never share one; a retired record matches no caller.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "ns.h"

static DEFINE_MUTEX(shmbox_ns_lock);
static DEFINE_HASHTABLE(shmbox_nss, 5);
static unsigned int shmbox_nr_live;

static struct ipc_namespace *shmbox_current_ipc(void)
{
	return current->nsproxy->ipc_ns;
}

static struct shmbox_ns *shmbox_ns_lookup(struct ipc_namespace *ipc)
{
	struct shmbox_ns *ns;

	lockdep_assert_held(&shmbox_ns_lock);
	hash_for_each_possible(shmbox_nss, ns, node, (unsigned long)ipc)
		if (ns->ipc == ipc)
			return ns;
	return NULL;
}

struct shmbox_ns *shmbox_ns_get(void)
{
	struct ipc_namespace *ipc = shmbox_current_ipc();
	struct shmbox_ns *ns, *fresh;

	mutex_lock(&shmbox_ns_lock);
	ns = shmbox_ns_lookup(ipc);
	if (ns) {
		kref_get(&ns->ref);
		mutex_unlock(&shmbox_ns_lock);
		return ns;
	}
	mutex_unlock(&shmbox_ns_lock);

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return ERR_PTR(-ENOMEM);
	kref_init(&fresh->ref);			/* the table's */
	kref_get(&fresh->ref);			/* the caller's */
	atomic_long_set(&fresh->nr_objects, 0);
	atomic64_set(&fresh->region_bytes, 0);

	mutex_lock(&shmbox_ns_lock);
	ns = shmbox_ns_lookup(ipc);
	if (ns) {
		/* Another task of the namespace was first. */
		kref_get(&ns->ref);
		mutex_unlock(&shmbox_ns_lock);
		kfree(fresh);
		return ns;
	}
	/* The caller is in @ipc: it is alive, and ours pins it from now. */
	fresh->ipc = get_ipc_ns(ipc);
	fresh->user_ns = get_user_ns(ipc->user_ns);
	fresh->live = true;
	hash_add(shmbox_nss, &fresh->node, (unsigned long)ipc);
	WRITE_ONCE(shmbox_nr_live, shmbox_nr_live + 1);
	mutex_unlock(&shmbox_ns_lock);
	return fresh;
}

void shmbox_ns_hold(struct shmbox_ns *ns)
{
	kref_get(&ns->ref);
}

static void shmbox_ns_release(struct kref *ref)
{
	struct shmbox_ns *ns = container_of(ref, struct shmbox_ns, ref);

	/* Retired first: the table's reference goes last but for objects'. */
	WARN_ON_ONCE(ns->live);
	WARN_ON_ONCE(atomic_long_read(&ns->nr_objects));
	WARN_ON_ONCE(atomic64_read(&ns->region_bytes));
	put_user_ns(ns->user_ns);
	kfree(ns);
}

void shmbox_ns_put(struct shmbox_ns *ns)
{
	kref_put(&ns->ref, shmbox_ns_release);
}

bool shmbox_ns_is_current(const struct shmbox_ns *ns)
{
	/* A live record's @ipc is pinned, so equal means the same one. */
	return READ_ONCE(ns->live) && ns->ipc == shmbox_current_ipc();
}

/* Take @ns out of the table (lock held): its namespace is gone for us. */
static struct shmbox_ns *shmbox_ns_retire(struct shmbox_ns *ns)
{
	struct ipc_namespace *ipc = ns->ipc;

	lockdep_assert_held(&shmbox_ns_lock);
	hash_del(&ns->node);
	WRITE_ONCE(shmbox_nr_live, shmbox_nr_live - 1);
	WRITE_ONCE(ns->live, false);
	shmbox_put_ipc_ns(ipc);
	return ns;
}

struct shmbox_ns *shmbox_ns_take(bool dead_only)
{
	struct shmbox_ns *ns, *taken = NULL;
	int bkt;

	mutex_lock(&shmbox_ns_lock);
	hash_for_each(shmbox_nss, bkt, ns, node) {
		if (!dead_only || shmbox_ipc_ns_unused(ns->ipc)) {
			taken = shmbox_ns_retire(ns);
			break;
		}
	}
	mutex_unlock(&shmbox_ns_lock);
	return taken;
}

unsigned int shmbox_ns_nr_live(void)
{
	return READ_ONCE(shmbox_nr_live);
}
