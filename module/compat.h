/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox kernel compatibility: every difference between the kernel series
 * shmbox supports (Debian 12's 6.1 and 6.12 LTS) lives here, behind a
 * LINUX_VERSION_CODE test (SHMBOX_KERNEL_BEFORE()), one shim per
 * difference, each saying which kernel changed what.  The logic files call the newest kernel's
 * interface and never test a version themselves.
 *
 * Owns: shims only, no state, no locking.  Include it after the kernel
 * header whose interface it completes.
 *
 * Differences that need no shim, kept here so that nobody adds one:
 *  - 6.12 removed no_llseek: since 6.0 a NULL ->llseek is what makes
 *    lseek() fail with ESPIPE (FMODE_LSEEK), and 6.1 defines no_llseek
 *    as NULL, so the file operations leave ->llseek unset on both.
 *
 * Adding a series: build it (make module KVER=...), and for each error
 * add one shim below with the kernel version that made the change.
 */
#ifndef _SHMBOX_COMPAT_H
#define _SHMBOX_COMPAT_H

#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/proc_ns.h>
#include <linux/version.h>

/* True on kernels older than @major.@minor: the only version test. */
#define SHMBOX_KERNEL_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

/*
 * 6.3 made vma->vm_flags read-only and added vm_flags_set() and friends
 * (which also take the VMA write lock where the kernel has per-VMA locks).
 */
#if SHMBOX_KERNEL_BEFORE(6, 3)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * 6.10 dropped __assign_str()'s second argument: the source is the one
 * given to __string() in TP_STRUCT__entry.  Tracepoints use
 * shmbox_assign_str(dst, src), which takes both on every kernel (on 6.10
 * and later @src, the same side-effect-free expression as __string()'s,
 * is only type-checked).
 */
#if SHMBOX_KERNEL_BEFORE(6, 10)
#define shmbox_assign_str(dst, src)	__assign_str(dst, src)
#else
#define shmbox_assign_str(dst, src)	do { (void)(src); __assign_str(dst); } while (0)
#endif

/*
 * IPC namespace references.  6.1 does not export put_ipc_ns() (6.12
 * does, GPL): there the namespace's own nsfs operations put it, which
 * is what put_ipc_ns() does on every series.  Without CONFIG_IPC_NS there
 * is only init_ipc_ns, never put and never unused.
 */
#ifdef CONFIG_IPC_NS
#if SHMBOX_KERNEL_BEFORE(6, 12)
static inline void shmbox_put_ipc_ns(struct ipc_namespace *ns)
{
	ns->ns.ops->put(&ns->ns);
}
#else
#define shmbox_put_ipc_ns(ns)	put_ipc_ns(ns)
#endif
/* Nobody but the caller's one reference: no task, nsfs file or mount. */
static inline bool shmbox_ipc_ns_unused(struct ipc_namespace *ns)
{
	return refcount_read(&ns->ns.count) == 1;
}
#else
static inline void shmbox_put_ipc_ns(struct ipc_namespace *ns) { }
static inline bool shmbox_ipc_ns_unused(struct ipc_namespace *ns)
{
	return false;
}
#endif

/* eventfd_signal() takes no count since 6.8: it adds one. */
#if SHMBOX_KERNEL_BEFORE(6, 8)
#define shmbox_eventfd_signal(ctx)	eventfd_signal((ctx), 1)
#else
#define shmbox_eventfd_signal(ctx)	eventfd_signal(ctx)
#endif

#endif /* _SHMBOX_COMPAT_H */
