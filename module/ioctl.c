// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox ioctl command table: the one place that knows every command,
 * its handler and the size its argument structure was first published
 * with, and where every ABI size assertion stands.
 *
 * Dispatch copies the sized argument in (shmbox_copy_arg_in(): at least
 * the version-0 size, at most SHMBOX_ARG_MAX, unknown trailing bytes
 * zero) before the handler runs, so a handler starts with the kernel's
 * copy: it checks every field first, then acts, and copies its result
 * back with shmbox_copy_arg_out() and the size the caller gave.
 *
 * Owns: the table, the dispatch, SHMBOX_IOC_GET_VERSION.
 *
 * Locking: none.  The argument lives on the dispatcher's stack for the
 * whole call; handlers take their own locks, never across the copies.
 */
#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/nospec.h>

#include "shmbox.h"

static long shmbox_ioc_get_version(struct file *file, void *karg,
				   void __user *uarg, u32 usize)
{
	struct shmbox_version *v = karg;

	if (v->flags || v->abi_major || v->abi_minor || v->name_max || v->pad ||
	    v->features)
		return -EINVAL;

	v->abi_major = SHMBOX_ABI_MAJOR;
	v->abi_minor = SHMBOX_ABI_MINOR;
	v->name_max = SHMBOX_NAME_MAX;
	v->features = SHMBOX_FEAT_VERSION | SHMBOX_FEAT_REGION | SHMBOX_FEAT_RING |
		     shmbox_mbox_features();
	return shmbox_copy_arg_out(uarg, usize, v, sizeof(*v));
}

/* Every argument structure, for the dispatcher's one copy on its stack. */
union shmbox_ioc_arg {
	struct shmbox_version version;
	struct shmbox_unlink unlink;
	struct shmbox_region_open region_open;
	struct shmbox_region_stat region_stat;
	struct shmbox_ring_wait ring_wait;
	struct shmbox_ring_wake ring_wake;
	struct shmbox_ring_claim ring_claim;
	struct shmbox_mbox_open mbox_open;
	struct shmbox_mbox_stat mbox_stat;
	struct shmbox_mbox_send mbox_send;
	struct shmbox_mbox_recv mbox_recv;
	struct shmbox_mbox_vec mbox_vec;
	struct shmbox_mbox_call mbox_call;
	struct shmbox_mbox_reply mbox_reply;
	struct shmbox_mbox_reply_recv mbox_reply_recv;
	struct shmbox_mbox_notify mbox_notify;
};

struct shmbox_ioc_def {
	unsigned int cmd;
	u32 size_ver0;			/* the size first published */
	u32 ksize;			/* this kernel's structure */
	long (*handler)(struct file *file, void *karg, void __user *uarg,
			u32 usize);
};

/* Indexed by _IOC_NR(); .cmd must match the whole command. */
#define SHMBOX_IOC_ARG(_type, _ver0, _fn)				\
	.size_ver0 = (_ver0), .ksize = sizeof(_type), .handler = (_fn)

static const struct shmbox_ioc_def shmbox_ioc_defs[] = {
	[_IOC_NR(SHMBOX_IOC_GET_VERSION)] = { .cmd = SHMBOX_IOC_GET_VERSION,
		SHMBOX_IOC_ARG(struct shmbox_version, SHMBOX_VERSION_SIZE_VER0,
			       shmbox_ioc_get_version) },
	[_IOC_NR(SHMBOX_IOC_UNLINK)] = { .cmd = SHMBOX_IOC_UNLINK,
		SHMBOX_IOC_ARG(struct shmbox_unlink, SHMBOX_UNLINK_SIZE_VER0,
			       shmbox_ioc_unlink) },
	[_IOC_NR(SHMBOX_IOC_REGION_OPEN)] = { .cmd = SHMBOX_IOC_REGION_OPEN,
		SHMBOX_IOC_ARG(struct shmbox_region_open, SHMBOX_REGION_OPEN_SIZE_VER0,
			       shmbox_ioc_region_open) },
	[_IOC_NR(SHMBOX_IOC_REGION_STAT)] = { .cmd = SHMBOX_IOC_REGION_STAT,
		SHMBOX_IOC_ARG(struct shmbox_region_stat, SHMBOX_REGION_STAT_SIZE_VER0,
			       shmbox_ioc_region_stat) },
	[_IOC_NR(SHMBOX_IOC_RING_WAIT)] = { .cmd = SHMBOX_IOC_RING_WAIT,
		SHMBOX_IOC_ARG(struct shmbox_ring_wait, SHMBOX_RING_WAIT_SIZE_VER0,
			       shmbox_ioc_ring_wait) },
	[_IOC_NR(SHMBOX_IOC_RING_WAKE)] = { .cmd = SHMBOX_IOC_RING_WAKE,
		SHMBOX_IOC_ARG(struct shmbox_ring_wake, SHMBOX_RING_WAKE_SIZE_VER0,
			       shmbox_ioc_ring_wake) },
	[_IOC_NR(SHMBOX_IOC_RING_CLAIM)] = { .cmd = SHMBOX_IOC_RING_CLAIM,
		SHMBOX_IOC_ARG(struct shmbox_ring_claim, SHMBOX_RING_CLAIM_SIZE_VER0,
			       shmbox_ioc_ring_claim) },
	[_IOC_NR(SHMBOX_IOC_MBOX_OPEN)] = { .cmd = SHMBOX_IOC_MBOX_OPEN,
		SHMBOX_IOC_ARG(struct shmbox_mbox_open, SHMBOX_MBOX_OPEN_SIZE_VER0,
			       shmbox_ioc_mbox_open) },
	[_IOC_NR(SHMBOX_IOC_MBOX_STAT)] = { .cmd = SHMBOX_IOC_MBOX_STAT,
		SHMBOX_IOC_ARG(struct shmbox_mbox_stat, SHMBOX_MBOX_STAT_SIZE_VER0,
			       shmbox_ioc_mbox_stat) },
	[_IOC_NR(SHMBOX_IOC_MBOX_SEND)] = { .cmd = SHMBOX_IOC_MBOX_SEND,
		SHMBOX_IOC_ARG(struct shmbox_mbox_send, SHMBOX_MBOX_SEND_SIZE_VER0,
			       shmbox_ioc_mbox_send) },
	[_IOC_NR(SHMBOX_IOC_MBOX_RECV)] = { .cmd = SHMBOX_IOC_MBOX_RECV,
		SHMBOX_IOC_ARG(struct shmbox_mbox_recv, SHMBOX_MBOX_RECV_SIZE_VER0,
			       shmbox_ioc_mbox_recv) },
	[_IOC_NR(SHMBOX_IOC_MBOX_SENDV)] = { .cmd = SHMBOX_IOC_MBOX_SENDV,
		SHMBOX_IOC_ARG(struct shmbox_mbox_vec, SHMBOX_MBOX_VEC_SIZE_VER0,
			       shmbox_ioc_mbox_sendv) },
	[_IOC_NR(SHMBOX_IOC_MBOX_RECVV)] = { .cmd = SHMBOX_IOC_MBOX_RECVV,
		SHMBOX_IOC_ARG(struct shmbox_mbox_vec, SHMBOX_MBOX_VEC_SIZE_VER0,
			       shmbox_ioc_mbox_recvv) },
	[_IOC_NR(SHMBOX_IOC_MBOX_CALL)] = { .cmd = SHMBOX_IOC_MBOX_CALL,
		SHMBOX_IOC_ARG(struct shmbox_mbox_call, SHMBOX_MBOX_CALL_SIZE_VER0,
			       shmbox_ioc_mbox_call) },
	[_IOC_NR(SHMBOX_IOC_MBOX_REPLY)] = { .cmd = SHMBOX_IOC_MBOX_REPLY,
		SHMBOX_IOC_ARG(struct shmbox_mbox_reply, SHMBOX_MBOX_REPLY_SIZE_VER0,
			       shmbox_ioc_mbox_reply) },
	[_IOC_NR(SHMBOX_IOC_MBOX_REPLY_RECV)] = { .cmd = SHMBOX_IOC_MBOX_REPLY_RECV,
		SHMBOX_IOC_ARG(struct shmbox_mbox_reply_recv,
			       SHMBOX_MBOX_REPLY_RECV_SIZE_VER0,
			       shmbox_ioc_mbox_reply_recv) },
	[_IOC_NR(SHMBOX_IOC_MBOX_NOTIFY)] = { .cmd = SHMBOX_IOC_MBOX_NOTIFY,
		SHMBOX_IOC_ARG(struct shmbox_mbox_notify,
			       SHMBOX_MBOX_NOTIFY_SIZE_VER0,
			       shmbox_ioc_mbox_notify) },
};

/*
 * Every argument structure is as large as its latest published version
 * (a new field goes at the end, with a new *_SIZE_VER<n>; the table keeps
 * the version-0 size, the smallest a caller may pass), and fits the copy.
 */
static_assert(sizeof(struct shmbox_version) == SHMBOX_VERSION_SIZE_VER0);
static_assert(sizeof(struct shmbox_region_open) == SHMBOX_REGION_OPEN_SIZE_VER0);
static_assert(sizeof(struct shmbox_region_stat) == SHMBOX_REGION_STAT_SIZE_VER0);
static_assert(sizeof(struct shmbox_ring_wait) == SHMBOX_RING_WAIT_SIZE_VER0);
static_assert(sizeof(struct shmbox_ring_wake) == SHMBOX_RING_WAKE_SIZE_VER0);
static_assert(sizeof(struct shmbox_mbox_open) == SHMBOX_MBOX_OPEN_SIZE_VER0);
static_assert(sizeof(struct shmbox_ring_claim) == SHMBOX_RING_CLAIM_SIZE_VER0);
static_assert(sizeof(struct shmbox_mbox_notify) == SHMBOX_MBOX_NOTIFY_SIZE_VER0);
/*
 * A structure that grew (ABI 1.2, 1.3): each version as it was, the new
 * fields from its end on, every __u64 on an 8-byte boundary (the same
 * layout for i386 processes).
 */
#define SHMBOX_GREW(type, first_new, size0, size1)			\
	static_assert(offsetof(type, first_new) == (size0) &&		\
		      sizeof(type) >= (size1))
#define SHMBOX_LAST(type, size)	static_assert(sizeof(type) == (size))

SHMBOX_GREW(struct shmbox_unlink, flags, SHMBOX_UNLINK_SIZE_VER0,
	    SHMBOX_UNLINK_SIZE_VER1);
SHMBOX_LAST(struct shmbox_unlink, SHMBOX_UNLINK_SIZE_VER1);
SHMBOX_GREW(struct shmbox_mbox_stat, inbox_id, SHMBOX_MBOX_STAT_SIZE_VER0,
	    SHMBOX_MBOX_STAT_SIZE_VER1);
SHMBOX_GREW(struct shmbox_mbox_stat, calls_waiting,
	    SHMBOX_MBOX_STAT_SIZE_VER1, SHMBOX_MBOX_STAT_SIZE_VER2);
SHMBOX_GREW(struct shmbox_mbox_stat, handles, SHMBOX_MBOX_STAT_SIZE_VER2,
	    SHMBOX_MBOX_STAT_SIZE_VER3);
SHMBOX_LAST(struct shmbox_mbox_stat, SHMBOX_MBOX_STAT_SIZE_VER3);
SHMBOX_GREW(struct shmbox_mbox_send, id, SHMBOX_MBOX_SEND_SIZE_VER0,
	    SHMBOX_MBOX_SEND_SIZE_VER1);
SHMBOX_GREW(struct shmbox_mbox_send, handles, SHMBOX_MBOX_SEND_SIZE_VER1,
	    SHMBOX_MBOX_SEND_SIZE_VER2);
SHMBOX_LAST(struct shmbox_mbox_send, SHMBOX_MBOX_SEND_SIZE_VER2);
SHMBOX_GREW(struct shmbox_mbox_recv, id, SHMBOX_MBOX_RECV_SIZE_VER0,
	    SHMBOX_MBOX_RECV_SIZE_VER1);
SHMBOX_GREW(struct shmbox_mbox_recv, handle, SHMBOX_MBOX_RECV_SIZE_VER1,
	    SHMBOX_MBOX_RECV_SIZE_VER2);
SHMBOX_GREW(struct shmbox_mbox_recv, handles, SHMBOX_MBOX_RECV_SIZE_VER2,
	    SHMBOX_MBOX_RECV_SIZE_VER3);
SHMBOX_LAST(struct shmbox_mbox_recv, SHMBOX_MBOX_RECV_SIZE_VER3);
SHMBOX_GREW(struct shmbox_mbox_vec, msg_size, SHMBOX_MBOX_VEC_SIZE_VER0,
	    SHMBOX_MBOX_VEC_SIZE_VER1);
SHMBOX_LAST(struct shmbox_mbox_vec, SHMBOX_MBOX_VEC_SIZE_VER1);
/* Their commands still carry version 0's size (old binaries send them). */
static_assert(_IOC_SIZE(SHMBOX_IOC_UNLINK) == SHMBOX_UNLINK_SIZE_VER0);
static_assert(_IOC_SIZE(SHMBOX_IOC_MBOX_STAT) == SHMBOX_MBOX_STAT_SIZE_VER0);
static_assert(_IOC_SIZE(SHMBOX_IOC_MBOX_SEND) == SHMBOX_MBOX_SEND_SIZE_VER0);
static_assert(_IOC_SIZE(SHMBOX_IOC_MBOX_RECV) == SHMBOX_MBOX_RECV_SIZE_VER0);
static_assert(_IOC_SIZE(SHMBOX_IOC_MBOX_RECVV) == SHMBOX_MBOX_VEC_SIZE_VER0);
static_assert(_IOC_SIZE(SHMBOX_IOC_MBOX_CALL) == SHMBOX_MBOX_CALL_SIZE_VER0);
static_assert(_IOC_SIZE(SHMBOX_IOC_MBOX_REPLY) == SHMBOX_MBOX_REPLY_SIZE_VER0);
static_assert(_IOC_SIZE(SHMBOX_IOC_MBOX_REPLY_RECV) ==
	      SHMBOX_MBOX_REPLY_RECV_SIZE_VER0);
/*
 * A vector call's descriptors: version 0 frozen, the extensible one the
 * same with the id after it; and the ring's control page.
 */
static_assert(sizeof(struct shmbox_mbox_msg) == SHMBOX_MBOX_MSG_SIZE_VER0);
SHMBOX_GREW(struct shmbox_mbox_msgx, id, SHMBOX_MBOX_MSG_SIZE_VER0,
	    SHMBOX_MBOX_MSGX_SIZE_VER1);
SHMBOX_GREW(struct shmbox_mbox_msgx, handle, SHMBOX_MBOX_MSGX_SIZE_VER1,
	    SHMBOX_MBOX_MSGX_SIZE_VER2);
SHMBOX_GREW(struct shmbox_mbox_msgx, handles, SHMBOX_MBOX_MSGX_SIZE_VER2,
	    SHMBOX_MBOX_MSGX_SIZE_VER3);
SHMBOX_LAST(struct shmbox_mbox_msgx, SHMBOX_MBOX_MSGX_SIZE_VER3);
static_assert(sizeof(struct shmbox_handle) == SHMBOX_HANDLE_SIZE);
SHMBOX_GREW(struct shmbox_mbox_call, handles, SHMBOX_MBOX_CALL_SIZE_VER0,
	    SHMBOX_MBOX_CALL_SIZE_VER1);
SHMBOX_LAST(struct shmbox_mbox_call, SHMBOX_MBOX_CALL_SIZE_VER1);
SHMBOX_GREW(struct shmbox_mbox_reply, handles, SHMBOX_MBOX_REPLY_SIZE_VER0,
	    SHMBOX_MBOX_REPLY_SIZE_VER1);
SHMBOX_LAST(struct shmbox_mbox_reply, SHMBOX_MBOX_REPLY_SIZE_VER1);
SHMBOX_GREW(struct shmbox_mbox_reply_recv, handles,
	    SHMBOX_MBOX_REPLY_RECV_SIZE_VER0, SHMBOX_MBOX_REPLY_RECV_SIZE_VER1);
SHMBOX_LAST(struct shmbox_mbox_reply_recv, SHMBOX_MBOX_REPLY_RECV_SIZE_VER1);
static_assert(offsetof(struct shmbox_mbox_msgx, uid) ==
	      offsetof(struct shmbox_mbox_msg, uid));
/*
 * A receive writes its results (len, prio, pid, uid) to SHMBOX_IOC_MBOX_RECV's
 * argument as to a vector descriptor (mbox_recv.c): the same layout.
 */
#define SHMBOX_RESULT_OFF(type, field) \
	(offsetof(type, field) - offsetof(type, len))
static_assert(SHMBOX_RESULT_OFF(struct shmbox_mbox_recv, prio) ==
	      SHMBOX_RESULT_OFF(struct shmbox_mbox_msg, prio));
static_assert(SHMBOX_RESULT_OFF(struct shmbox_mbox_recv, pid) ==
	      SHMBOX_RESULT_OFF(struct shmbox_mbox_msg, pid));
static_assert(SHMBOX_RESULT_OFF(struct shmbox_mbox_recv, uid) ==
	      SHMBOX_RESULT_OFF(struct shmbox_mbox_msg, uid));
/*
 * Their later results (id, handle, reply_max, rflags), after the
 * deadline, are laid out as in the extensible descriptor from its id on;
 * SHMBOX_IOC_MBOX_REPLY_RECV's receive half as SHMBOX_IOC_MBOX_RECV's.
 */
#define SHMBOX_TAIL_OFF(type, field) \
	(offsetof(type, field) - offsetof(type, id))
#define SHMBOX_MSGX_TAIL(field)	SHMBOX_TAIL_OFF(struct shmbox_mbox_msgx, field)
static_assert(SHMBOX_TAIL_OFF(struct shmbox_mbox_recv, handle) ==
	      SHMBOX_MSGX_TAIL(handle));
static_assert(SHMBOX_TAIL_OFF(struct shmbox_mbox_recv, reply_max) ==
	      SHMBOX_MSGX_TAIL(reply_max));
static_assert(SHMBOX_TAIL_OFF(struct shmbox_mbox_recv, rflags) ==
	      SHMBOX_MSGX_TAIL(rflags));
static_assert(SHMBOX_TAIL_OFF(struct shmbox_mbox_reply_recv, handle) ==
	      SHMBOX_MSGX_TAIL(handle));
static_assert(SHMBOX_TAIL_OFF(struct shmbox_mbox_reply_recv, reply_max) ==
	      SHMBOX_MSGX_TAIL(reply_max));
static_assert(SHMBOX_TAIL_OFF(struct shmbox_mbox_reply_recv, rflags) ==
	      SHMBOX_MSGX_TAIL(rflags));
static_assert(sizeof(struct shmbox_mbox_recv) -
	      offsetof(struct shmbox_mbox_recv, id) ==
	      sizeof(struct shmbox_mbox_msgx) -
	      offsetof(struct shmbox_mbox_msgx, id));
/* The receive half of REPLY_RECV, from its buf on, is a receive's. */
#define SHMBOX_RECV_FROM_BUF(type, field) \
	(offsetof(type, field) - offsetof(type, buf))
static_assert(SHMBOX_RECV_FROM_BUF(struct shmbox_mbox_reply_recv, id) ==
	      SHMBOX_RECV_FROM_BUF(struct shmbox_mbox_recv, id));
static_assert(SHMBOX_RECV_FROM_BUF(struct shmbox_mbox_reply_recv, uid) ==
	      SHMBOX_RECV_FROM_BUF(struct shmbox_mbox_recv, uid));
static_assert(sizeof(struct shmbox_mbox_reply_recv) -
	      offsetof(struct shmbox_mbox_reply_recv, buf) ==
	      sizeof(struct shmbox_mbox_recv) -
	      offsetof(struct shmbox_mbox_recv, buf));
static_assert(sizeof(struct shmbox_ring_ctl) <= SHMBOX_RING_CTL_SIZE);
static_assert(sizeof(union shmbox_ioc_arg) <= SHMBOX_ARG_MAX);

/**
 * shmbox_ioctl_dispatch - run one ioctl on /dev/shmbox
 * @file:	the open device
 * @cmd:	the command; anything not in the table is -ENOTTY
 * @uarg:	its argument structure in user memory
 *
 * Return: the handler's result, or the copy-in's error (-EFAULT, -EINVAL
 * below the version-0 size, -E2BIG above SHMBOX_ARG_MAX or with unknown
 * non-zero trailing bytes).
 */
long shmbox_ioctl_dispatch(struct file *file, unsigned int cmd,
			   void __user *uarg)
{
	const struct shmbox_ioc_def *def;
	union shmbox_ioc_arg arg;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	int ret;

	if (_IOC_TYPE(cmd) != SHMBOX_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(shmbox_ioc_defs))
		return -ENOTTY;
	def = &shmbox_ioc_defs[array_index_nospec(nr, ARRAY_SIZE(shmbox_ioc_defs))];
	if (!def->handler || def->cmd != cmd)
		return -ENOTTY;
	ret = shmbox_copy_arg_in(&arg, def->ksize, def->size_ver0, uarg,
				 &usize);
	if (ret)
		return ret;
	return def->handler(file, &arg, uarg, usize);
}
