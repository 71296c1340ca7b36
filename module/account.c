// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox per-user accounts: the objects, region bytes and queued message
 * bytes each user has, against the module parameters max_user_objects,
 * max_user_region_bytes and max_user_bytes.
 *
 * An account is one (user namespace, kuid).  A charge goes to the
 * account and to every account above it: that of the namespace's owner
 * in the parent namespace, and so on up to the initial namespace, the
 * way the kernel's ucounts are charged.  So a user who creates user
 * namespaces, and maps its subordinate uids in them, still has one set
 * of limits in all of them together; each user inside a namespace has
 * its own limits there too.  The bound: everything the namespaces a user
 * owns hold counts against that user's account, so a namespace created
 * by root (a system container) shares root's account with root's other
 * namespaces; root itself, and anyone with CAP_SYS_RESOURCE in the
 * initial namespace, is exempt from the object and region limits.
 *
 * Owns: the table of accounts.
 *
 * Locking: shmbox_accts_lock (a mutex) protects the table, and is held
 * only to find, add or remove an account (object creation and free); it
 * is never nested with another shmbox lock.  Charges are lock-free
 * atomics on the account chain (check by adding, undo if over).
 *
 * Lifetime: an account is referenced by every object it owns (obj.c) and
 * by the accounts below it; a message charged to an account is charged
 * to its mailbox's, which its mailbox holds until every message is gone.
 * The last put removes it from the table and puts its parent.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/limits.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "account.h"
#include "limits.h"

static DEFINE_MUTEX(shmbox_accts_lock);
static DEFINE_HASHTABLE(shmbox_accts, 6);

static const enum shmbox_limit_id shmbox_res_limit[SHMBOX_RES_NR] = {
	[SHMBOX_RES_MSG_BYTES]		= SHMBOX_LIM_USER_BYTES,
	[SHMBOX_RES_OBJECTS]		= SHMBOX_LIM_USER_OBJECTS,
	[SHMBOX_RES_REGION_BYTES]	= SHMBOX_LIM_USER_REGION_BYTES,
};

static unsigned long shmbox_acct_hash(struct user_namespace *ns, kuid_t uid)
{
	return (unsigned long)ns ^ __kuid_val(uid);
}

static struct shmbox_acct *shmbox_acct_lookup(struct user_namespace *ns,
					      kuid_t uid)
{
	struct shmbox_acct *a;

	lockdep_assert_held(&shmbox_accts_lock);
	hash_for_each_possible(shmbox_accts, a, node, shmbox_acct_hash(ns, uid))
		if (a->ns == ns && uid_eq(a->uid, uid))
			return a;
	return NULL;
}

/* A new account, not in the table; holds @ns and @parent (consumed). */
static struct shmbox_acct *shmbox_acct_new(struct user_namespace *ns,
					   kuid_t uid,
					   struct shmbox_acct *parent)
{
	struct shmbox_acct *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	int i;

	if (!a)
		return NULL;
	kref_init(&a->ref);
	a->ns = get_user_ns(ns);
	a->uid = uid;
	a->parent = parent;
	for (i = 0; i < SHMBOX_RES_NR; i++)
		atomic64_set(&a->used[i], 0);
	return a;
}

static void shmbox_acct_free(struct shmbox_acct *a)
{
	put_user_ns(a->ns);
	kfree(a);
}

/* The account of (@ns, @uid) in the table, referenced; made if missing. */
static struct shmbox_acct *shmbox_acct_find(struct user_namespace *ns,
					    kuid_t uid,
					    struct shmbox_acct *parent)
{
	struct shmbox_acct *a, *fresh;

	mutex_lock(&shmbox_accts_lock);
	a = shmbox_acct_lookup(ns, uid);
	if (a) {
		kref_get(&a->ref);
		mutex_unlock(&shmbox_accts_lock);
		if (parent)
			shmbox_acct_put(parent);
		return a;
	}
	fresh = shmbox_acct_new(ns, uid, parent);
	if (fresh)
		hash_add(shmbox_accts, &fresh->node, shmbox_acct_hash(ns, uid));
	mutex_unlock(&shmbox_accts_lock);
	if (!fresh && parent)
		shmbox_acct_put(parent);
	return fresh ? fresh : ERR_PTR(-ENOMEM);
}

struct shmbox_acct *shmbox_acct_get(struct user_namespace *ns, kuid_t uid)
{
	struct shmbox_acct *parent = NULL;

	if (ns->parent) {
		/* Depth is bounded by the kernel's user namespace nesting. */
		parent = shmbox_acct_get(ns->parent, ns->owner);
		if (IS_ERR(parent))
			return parent;
	}
	return shmbox_acct_find(ns, uid, parent);
}

struct shmbox_acct *shmbox_acct_get_current(void)
{
	return shmbox_acct_get(current_user_ns(), current_euid());
}

void shmbox_acct_hold(struct shmbox_acct *a)
{
	kref_get(&a->ref);
}

static void shmbox_acct_release(struct kref *ref)
{
	struct shmbox_acct *a = container_of(ref, struct shmbox_acct, ref);
	int i;

	hash_del(&a->node);
	for (i = 0; i < SHMBOX_RES_NR; i++)
		WARN_ON_ONCE(atomic64_read(&a->used[i]));
}

void shmbox_acct_put(struct shmbox_acct *a)
{
	struct shmbox_acct *parent;

	while (a) {
		if (!kref_put_mutex(&a->ref, shmbox_acct_release,
				    &shmbox_accts_lock))
			return;
		mutex_unlock(&shmbox_accts_lock);
		parent = a->parent;
		shmbox_acct_free(a);
		a = parent;
	}
}

/* Add @amount up the chain from @a unless one goes over @max: true if done. */
static bool shmbox_acct_add(struct shmbox_acct *a, enum shmbox_res res,
			    u64 amount, u64 max)
{
	struct shmbox_acct *i;

	for (i = a; i; i = i->parent) {
		if (atomic64_add_return(amount, &i->used[res]) > max)
			goto undo;
	}
	return true;

undo:
	atomic64_sub(amount, &i->used[res]);
	for (; a != i; a = a->parent)
		atomic64_sub(amount, &a->used[res]);
	return false;
}

int shmbox_acct_charge(struct shmbox_acct *a, enum shmbox_res res,
		       u64 amount, int err, bool exemptable)
{
	if (shmbox_acct_add(a, res, amount,
			    shmbox_limit(shmbox_res_limit[res])))
		return 0;
	if (exemptable && capable(CAP_SYS_RESOURCE) &&
	    shmbox_acct_add(a, res, amount, U64_MAX))
		return 0;
	return err;
}

void shmbox_acct_uncharge(struct shmbox_acct *a, enum shmbox_res res,
			  u64 amount)
{
	for (; a; a = a->parent)
		atomic64_sub(amount, &a->used[res]);
}

bool shmbox_accts_empty(void)
{
	return hash_empty(shmbox_accts);
}
