/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox namespaces (ns.c): one record per IPC namespace that uses
 * shmbox, owning what is counted per namespace (objects, region bytes)
 * and the namespace's identity for names, inboxes and /proc/shmbox.
 * Includes nothing of shmbox.
 */
#ifndef _SHMBOX_NS_H
#define _SHMBOX_NS_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

struct ipc_namespace;
struct user_namespace;

/*
 * @ref:	the table's (while live) and one per object of the namespace
 * @ipc:	the IPC namespace, with a reference while live; only compared
 *		once the record is retired (see ns.c)
 * @user_ns:	the user namespace owning @ipc, with a reference: where
 *		capabilities count
 * @live:	in the table; false once the namespace died (never again)
 */
struct shmbox_ns {
	struct kref ref;
	struct ipc_namespace *ipc;
	struct user_namespace *user_ns;
	struct hlist_node node;
	bool live;
	atomic_long_t nr_objects;	/* against max_objects */
	atomic64_t region_bytes;	/* against max_total_bytes */
};

/* The caller's namespace record, with a reference; ERR_PTR(-ENOMEM). */
struct shmbox_ns *shmbox_ns_get(void);
void shmbox_ns_hold(struct shmbox_ns *ns);
void shmbox_ns_put(struct shmbox_ns *ns);
/* Is @ns the caller's IPC namespace (and still alive)? */
bool shmbox_ns_is_current(const struct shmbox_ns *ns);
/*
 * A record taken out of the table, its reference now the caller's (to
 * drop its names, then put it), or NULL: with @dead_only, one whose
 * namespace nobody can reach any more; else any (module exit).
 */
struct shmbox_ns *shmbox_ns_take(bool dead_only);
/* How many records are live (namespaces in use); no lock, a hint. */
unsigned int shmbox_ns_nr_live(void);

#endif /* _SHMBOX_NS_H */
