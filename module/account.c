// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox per-user byte accounting: the bytes one effective uid has queued
 * in all mailboxes, checked against the max_user_bytes parameter.
 *
 * Owns: the table of accounts (struct shmbox_user).
 *
 * Locking: shmbox_users_lock (a spinlock) protects the table and the
 * count, and serialises charges (check against the quota, then add).  It
 * is never nested with any other lock.  An uncharge is a lone atomic
 * subtraction without it (the receiving side of a stream then never
 * touches the lock): a concurrent uncharge only makes a quota check
 * conservative.
 *
 * Lifetime: an account that drops to zero stays in the table, so that a
 * steady stream does not allocate and free one per message; idle accounts
 * are swept when the table reaches SHMBOX_USERS_KEEP entries, and at
 * module exit.  An account with bytes charged is never swept, so it
 * outlives the uncharge of every message charged to it.
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "account.h"
#include "limits.h"

#define SHMBOX_USERS_KEEP	64

static DEFINE_SPINLOCK(shmbox_users_lock);	/* the table, count, charges */
static DEFINE_HASHTABLE(shmbox_users, 6);
static unsigned int shmbox_nr_users;

static struct shmbox_user *shmbox_user_lookup(kuid_t uid)
{
	struct shmbox_user *u;

	lockdep_assert_held(&shmbox_users_lock);
	hash_for_each_possible(shmbox_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* Unhash the idle accounts onto @idle, for kfree() after the lock. */
static void shmbox_users_unhash_idle(struct hlist_head *idle)
{
	struct hlist_node *tmp;
	struct shmbox_user *u;
	int bkt;

	lockdep_assert_held(&shmbox_users_lock);
	hash_for_each_safe(shmbox_users, bkt, tmp, u, node) {
		if (atomic64_read(&u->bytes))
			continue;
		hash_del(&u->node);
		hlist_add_head(&u->node, idle);
		shmbox_nr_users--;
	}
}

static void shmbox_users_free(struct hlist_head *idle)
{
	struct hlist_node *tmp;
	struct shmbox_user *u;

	hlist_for_each_entry_safe(u, tmp, idle, node)
		kfree(u);
}

/* Add @fresh as @uid's account (lock held), sweeping if the table is full. */
static struct shmbox_user *shmbox_user_insert(kuid_t uid,
					      struct shmbox_user *fresh,
					      struct hlist_head *idle)
{
	lockdep_assert_held(&shmbox_users_lock);
	if (shmbox_nr_users >= SHMBOX_USERS_KEEP)
		shmbox_users_unhash_idle(idle);
	fresh->uid = uid;
	atomic64_set(&fresh->bytes, 0);
	hash_add(shmbox_users, &fresh->node, __kuid_val(uid));
	shmbox_nr_users++;
	return fresh;
}

struct shmbox_user *shmbox_user_charge(kuid_t uid, u64 cost)
{
	struct shmbox_user *u, *fresh = NULL;
	HLIST_HEAD(idle);

	for (;;) {
		spin_lock(&shmbox_users_lock);
		u = shmbox_user_lookup(uid);
		if (!u && fresh) {
			u = shmbox_user_insert(uid, fresh, &idle);
			fresh = NULL;
		}
		if (u)
			break;
		spin_unlock(&shmbox_users_lock);
		/* Allocated without the lock, then looked up again. */
		fresh = kmalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return ERR_PTR(-ENOMEM);
	}
	if (atomic64_read(&u->bytes) + cost >
	    shmbox_limit(SHMBOX_LIM_USER_BYTES))
		u = ERR_PTR(-ENOSPC);
	else
		atomic64_add(cost, &u->bytes);
	spin_unlock(&shmbox_users_lock);
	kfree(fresh);
	shmbox_users_free(&idle);
	return u;
}

void shmbox_users_sweep(void)
{
	HLIST_HEAD(idle);

	spin_lock(&shmbox_users_lock);
	shmbox_users_unhash_idle(&idle);
	spin_unlock(&shmbox_users_lock);
	shmbox_users_free(&idle);
}

struct shmbox_user *shmbox_user_find(kuid_t uid)
{
	struct shmbox_user *u;

	spin_lock(&shmbox_users_lock);
	u = shmbox_user_lookup(uid);
	spin_unlock(&shmbox_users_lock);
	return u;
}

/* At module exit, when no message is left: is the table empty? */
bool shmbox_users_empty(void)
{
	return hash_empty(shmbox_users);
}
