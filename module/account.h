/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox per-user accounts (account.c): what each user has, counted per
 * user namespace and charged up the chain of namespace owners, against
 * the max_user_* limits.  Includes nothing of shmbox but the limits leaf.
 */
#ifndef _SHMBOX_ACCOUNT_H
#define _SHMBOX_ACCOUNT_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct user_namespace;

enum shmbox_res {
	SHMBOX_RES_MSG_BYTES,		/* max_user_bytes */
	SHMBOX_RES_OBJECTS,		/* max_user_objects */
	SHMBOX_RES_REGION_BYTES,	/* max_user_region_bytes */
	SHMBOX_RES_NR
};

/*
 * The account of @uid in user namespace @ns; @parent is the account of
 * @ns's owner in the parent namespace (NULL in the initial one), so that
 * what a user's namespaces hold is charged to that user too.
 */
struct shmbox_acct {
	struct kref ref;
	struct hlist_node node;
	struct user_namespace *ns;
	kuid_t uid;
	struct shmbox_acct *parent;
	atomic64_t used[SHMBOX_RES_NR];
};

/* The caller's account (euid in its user namespace), referenced. */
struct shmbox_acct *shmbox_acct_get_current(void);
struct shmbox_acct *shmbox_acct_get(struct user_namespace *ns, kuid_t uid);
void shmbox_acct_hold(struct shmbox_acct *a);
void shmbox_acct_put(struct shmbox_acct *a);

/*
 * Charge @amount of @res to @a and every account above it: 0, or @err
 * (nothing charged) if one of them would exceed the limit, unless
 * @exemptable and the caller has CAP_SYS_RESOURCE (asked only then).
 * Lock-free: concurrent charges near a limit may both fail.
 */
int shmbox_acct_charge(struct shmbox_acct *a, enum shmbox_res res,
		       u64 amount, int err, bool exemptable);
void shmbox_acct_uncharge(struct shmbox_acct *a, enum shmbox_res res,
			  u64 amount);

/* True if no account is left (module exit). */
bool shmbox_accts_empty(void);

#endif /* _SHMBOX_ACCOUNT_H */
