/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox per-user byte accounting (account.c): the bytes each effective
 * uid has queued in all mailboxes, against max_user_bytes.  Includes
 * nothing of shmbox but the limits leaf.
 */
#ifndef _SHMBOX_ACCOUNT_H
#define _SHMBOX_ACCOUNT_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/uidgid.h>

/* One account; see account.c for its lifetime. */
struct shmbox_user {
	struct hlist_node node;
	kuid_t uid;
	atomic64_t bytes;
};

/* Charge @cost bytes to @uid: the account, ERR_PTR(-ENOSPC) or -ENOMEM. */
struct shmbox_user *shmbox_user_charge(kuid_t uid, u64 cost);

/* End a charge; no lock.  @u may be swept once nothing is charged to it. */
static inline void shmbox_user_uncharge(struct shmbox_user *u, u64 cost)
{
	atomic64_sub(cost, &u->bytes);
}

/* Free every idle account (at module exit, and for KUnit). */
void shmbox_users_sweep(void);
/* @uid's account if it is in the table, else NULL (KUnit, exit checks). */
struct shmbox_user *shmbox_user_find(kuid_t uid);
/* True if no account is left (module exit). */
bool shmbox_users_empty(void);

#endif /* _SHMBOX_ACCOUNT_H */
