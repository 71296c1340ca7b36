/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shmbox - shared-memory rings and mailboxes through one character device.
 *
 * This header is the whole user ABI of /dev/shmbox.  It compiles standalone
 * as C and as C++ and uses only fixed-size types.
 *
 * Conventions shared by every ioctl
 * ---------------------------------
 *  - The argument is a pointer to a structure whose first member is
 *    "__u32 size": the caller sets it to sizeof() of the structure it was
 *    compiled with.  The kernel reads that many bytes the way
 *    copy_struct_from_user() does: a smaller (older) structure is
 *    zero-extended, a larger (newer) one is accepted only if every byte the
 *    kernel does not know is zero (otherwise E2BIG).  A size below the
 *    first published version of the structure (the *_SIZE_VER0 constants)
 *    is EINVAL; a size above 4096 is E2BIG.  Output structures are written
 *    back with min(size, kernel size) bytes.
 *  - The command numbers are frozen at the version-0 size of their
 *    structure: when a structure grows, its command number does not change
 *    (it is then spelt with _IOC() and the *_SIZE_VER0 constant, since
 *    _IOW() would take the new sizeof); the real size travels in ->size.
 *  - Every flag the kernel does not know, every reserved field and every
 *    padding member must be zero, otherwise EINVAL.
 *  - Pointers to user memory are passed as __u64.
 *  - Timeouts are absolute CLOCK_MONOTONIC times in nanoseconds (with
 *    SHMBOX_MSG_REALTIME, since ABI 1.5: absolute CLOCK_REALTIME).
 *  - A command the device does not know fails with ENOTTY.
 *  - Blocking commands are restartable: a signal makes them fail with
 *    EINTR only when the handler was installed without SA_RESTART; with
 *    SA_RESTART they restart transparently (the absolute deadline stays).
 *  - Common errors for every command: EFAULT (the argument or a buffer it
 *    points to is not accessible), EINVAL (bad size, unknown flag, non-zero
 *    reserved or padding field), E2BIG (see above).
 */
#ifndef _UAPI_LINUX_SHMBOX_H
#define _UAPI_LINUX_SHMBOX_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define SHMBOX_DEVICE_PATH	"/dev/shmbox"

/* ABI version: the major changes only on an incompatible change (never so far). */
#define SHMBOX_ABI_MAJOR	1
/* Minor 1: _MBOX_RW, 2: _INBOX_ID, 3: _CALL, 4: _HANDLES, 5: _MQ. */
#define SHMBOX_ABI_MINOR	5

/* Feature bits reported by SHMBOX_IOC_GET_VERSION. */
#define SHMBOX_FEAT_VERSION	_BITULL(0)	/* SHMBOX_IOC_GET_VERSION itself */
#define SHMBOX_FEAT_REGION	_BITULL(1)	/* shared regions, mmap */
#define SHMBOX_FEAT_RING	_BITULL(2)	/* bounded-buffer rings */
#define SHMBOX_FEAT_MAILBOX	_BITULL(3)	/* named and anonymous mailboxes */
#define SHMBOX_FEAT_DIRECT	_BITULL(4)	/* inboxes, send to a pid */
#define SHMBOX_FEAT_MBOX_RW	_BITULL(5)	/* read(2)/write(2) on a mailbox fd */
#define SHMBOX_FEAT_INBOX_ID	_BITULL(6)	/* inbox ids, send by id, exec */
#define SHMBOX_FEAT_CALL	_BITULL(7)	/* call, reply, reply-and-receive */
#define SHMBOX_FEAT_HANDLES	_BITULL(8)	/* region and ring fds in messages */
/*
 * What POSIX message queues need (ABI 1.5): 32768 priorities, POSIX-style
 * names, CLOCK_REALTIME deadlines, whole-buffer receives, notification.
 */
#define SHMBOX_FEAT_MQ		_BITULL(9)

#define SHMBOX_IOC_MAGIC	0xB9

/**
 * struct shmbox_version - argument of SHMBOX_IOC_GET_VERSION
 * @size:	in: sizeof(struct shmbox_version) as compiled by the caller
 * @flags:	in: must be 0
 * @abi_major:	out: SHMBOX_ABI_MAJOR of the running module
 * @abi_minor:	out: SHMBOX_ABI_MINOR of the running module
 * @name_max:	out: longest object name in bytes, without the NUL (a
 *		POSIX-style name has one more, its '/': see "Names")
 * @pad:	must be 0
 * @features:	out: SHMBOX_FEAT_* bits the running module supports
 */
struct shmbox_version {
	__u32 size;
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 name_max;
	__u32 pad;
	__u64 features;
};

#define SHMBOX_VERSION_SIZE_VER0	32

/*
 * SHMBOX_IOC_GET_VERSION - report the ABI version, limits and feature bits.
 *
 * Works on any open /dev/shmbox file, bound or not.
 * Errors: only the common ones.
 */
#define SHMBOX_IOC_GET_VERSION	_IOWR(SHMBOX_IOC_MAGIC, 0x00, struct shmbox_version)

/*
 * Objects, names and binding
 * --------------------------
 * A shmbox object is a shared region (optionally laid out as a ring) or a
 * mailbox.  An open file of /dev/shmbox is bound to at most one object by
 * an open ioctl (SHMBOX_IOC_REGION_OPEN, the mailbox open); all further
 * operations on that fd act on that object.  Binding a second time fails
 * with EBUSY; an operation that needs a bound fd of a given kind fails with
 * EBADFD on an unbound fd or an fd bound to another kind.
 *
 * Names: 1 to SHMBOX_NAME_MAX bytes, NUL-terminated, any byte but '/'
 * (EINVAL for an empty name or a '/', ENAMETOOLONG when longer).  Since
 * ABI 1.5 (SHMBOX_FEAT_MQ) a name may also be a POSIX-style name: a '/'
 * followed by 1 to SHMBOX_NAME_MAX bytes that hold no '/' (so up to
 * SHMBOX_NAME_MAX + 1 bytes in all, as a POSIX message queue's name,
 * whose NAME_MAX does not count the slash).  libshmbox-mq gives a POSIX
 * queue "/q" the mailbox name "/q": since no other name holds a '/', a
 * POSIX name and a native one never meet.  Regions
 * and mailboxes share one name space per IPC namespace: opening a name
 * that exists with the other kind fails with EMEDIUMTYPE ("wrong medium
 * type").  A name pointer of 0 creates an anonymous object (like
 * IPC_PRIVATE), shared only through fork() or fd passing.
 *
 * Namespaces: like SysV IPC and POSIX message queues, every object
 * belongs to the IPC namespace of the process that created it.  Names,
 * SHMBOX_IOC_UNLINK, inboxes (sends by pid) and /proc/shmbox see only the
 * caller's namespace; an fd passed to a process in another namespace
 * (over a unix socket) keeps working.  When the last process of a
 * namespace is gone (and nothing else pins it, such as an open
 * /proc/<pid>/ns/ipc), its names go within a few seconds, without the
 * EIDRM of an unlink, and each object is freed once its last fd and
 * mapping are.  The limits max_objects and max_total_bytes count each
 * namespace apart.  uids and gids are reported in the caller's user
 * namespace (the overflow id if unmapped), pids in its pid namespace (0
 * if not visible); CAP_IPC_OWNER and CAP_SYS_ADMIN count in the user
 * namespace that owns the object's IPC namespace.
 *
 * Per-user limits: the objects a user creates (max_user_objects), the
 * bytes of its regions (max_user_region_bytes) and the bytes queued in
 * the mailboxes it owns (max_user_bytes) are counted per user, in all IPC
 * namespaces together, and in a user namespace also against its owner,
 * and the owner's owner, up to the initial namespace (as the kernel's
 * ucounts are).  So creating user namespaces, or mapping subordinate uids
 * in them, does not multiply a user's limits: everything the namespaces
 * a user created hold counts against that user.  A creation over a
 * per-user limit fails with EDQUOT; CAP_SYS_RESOURCE (in the initial user
 * namespace) is exempt from the object and region limits.
 *
 * Permissions: the object has an owner uid/gid, a creator uid/gid and a
 * mode (the low 9 bits given at creation, minus the caller's umask).  Open
 * checks them like a file: the access asked for is the access mode of the
 * /dev/shmbox fd: O_RDONLY asks read, O_WRONLY write, O_RDWR both.  For a
 * region, read means mapping readable and write mapping writable; for a
 * mailbox, read means receiving and write sending.  CAP_IPC_OWNER
 * overrides the mode.  A denied open fails with EACCES.
 *
 * Lifetime: a name keeps its object alive until it is unlinked
 * (SHMBOX_IOC_UNLINK) by its owner, its creator or a CAP_SYS_ADMIN
 * process.  The object itself lives until its name is gone and the last
 * bound fd and, for regions, the last mapping are gone.  SHMBOX_O_AUTOREMOVE
 * at creation removes the name when the last bound fd (and mapping) goes,
 * so a crashed program leaves nothing behind; an open that is still under
 * way counts as a user too, so one opener's failure never removes an
 * object that another, its creator say, is about to bind.
 */
#define SHMBOX_NAME_MAX		255

#define SHMBOX_KIND_REGION	1
#define SHMBOX_KIND_MAILBOX	2

/* Open flags common to every kind (low byte). */
#define SHMBOX_O_CREAT		_BITUL(0)	/* create if it does not exist */
#define SHMBOX_O_EXCL		_BITUL(1)	/* with CREAT: fail if it exists */
#define SHMBOX_O_AUTOREMOVE	_BITUL(2)	/* create: unlink when unused */

/* Passed as a deadline: wait forever. */
#define SHMBOX_TIMEOUT_NONE	(~0ULL)

/**
 * struct shmbox_obj_info - what every stat ioctl reports about an object
 * @kind:	SHMBOX_KIND_*
 * @oflags:	creation flags kept by the object (SHMBOX_O_AUTOREMOVE,
 *		SHMBOX_REGION_RING)
 * @uid:	owner uid, in the caller's user namespace
 * @gid:	owner gid
 * @cuid:	creator uid
 * @cgid:	creator gid
 * @mode:	permission bits
 * @cpid:	creator's process id in the caller's pid namespace (0 if not
 *		visible there)
 * @ctime_ns:	creation time, CLOCK_REALTIME nanoseconds
 * @users:	fds bound to the object
 * @linked:	1 while the object has a name
 */
struct shmbox_obj_info {
	__u32 kind;
	__u32 oflags;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 mode;
	__s32 cpid;
	__u64 ctime_ns;
	__u32 users;
	__u32 linked;
};

/**
 * struct shmbox_unlink - argument of SHMBOX_IOC_UNLINK
 * @size:	sizeof(struct shmbox_unlink)
 * @kind:	SHMBOX_KIND_* the caller expects, or 0 for any
 * @name:	pointer to the NUL-terminated name
 * @flags:	SHMBOX_UNLINK_KEEP, or 0.  Since ABI 1.5, as is @pad.
 * @pad:	must be 0
 */
struct shmbox_unlink {
	__u32 size;
	__u32 kind;
	__u64 name;
	__u32 flags;
	__u32 pad;
};

#define SHMBOX_UNLINK_SIZE_VER0		16
#define SHMBOX_UNLINK_SIZE_VER1		24	/* @flags, @pad */

/*
 * Remove the name only: a mailbox's bound fds go on sending and receiving
 * and its waiters stay blocked, until the last fd is closed, as after
 * mq_unlink() (and as a region always does).
 */
#define SHMBOX_UNLINK_KEEP	_BITUL(0)

/*
 * SHMBOX_IOC_UNLINK - remove a name.  Objects still in use live on,
 * anonymous, until their last user goes; a mailbox is removed too (blocked
 * waiters are woken with EIDRM, sends and receives on its fds fail with
 * EIDRM), unless SHMBOX_UNLINK_KEEP.  Works on any /dev/shmbox fd.
 * Errors: ENOENT (no such name), EMEDIUMTYPE (the name is of another
 * kind), EPERM (caller is neither owner nor creator nor CAP_SYS_ADMIN),
 * EINVAL/ENAMETOOLONG (bad name; an unknown flag, non-zero @pad), and the
 * common ones.
 */
#define SHMBOX_IOC_UNLINK	_IOC(_IOC_WRITE, SHMBOX_IOC_MAGIC, 0x01, \
				     SHMBOX_UNLINK_SIZE_VER0)

/*
 * Shared regions and rings
 * ------------------------
 * A region is zeroed memory of a whole number of pages, charged to the
 * creator's memory cgroup.  mmap() of the bound fd attaches it: the mapping
 * must be MAP_SHARED, page-aligned and inside the region (EINVAL
 * otherwise); it cannot be grown with mremap().  A read-only fd maps
 * read-only only: PROT_WRITE (and later mprotect to write) fails with
 * EACCES.  fork() keeps sharing.  munmap() detaches.
 *
 * A ring (SHMBOX_REGION_RING) is a region laid out for one producer and
 * one consumer: a control page (struct shmbox_ring_ctl) followed by a data
 * area of shmbox_region_open.bytes bytes (a power of two, at least one
 * page) mapped twice back to back, so that a record that wraps around the
 * end is still contiguous in memory.  A ring must be mapped whole: offset
 * 0, length SHMBOX_RING_MAP_SIZE(bytes) (stat's map_bytes).
 */
#define SHMBOX_REGION_RING	_BITUL(8)	/* create a ring */
#define SHMBOX_RING_PRODUCER	_BITUL(9)	/* bind as the ring's producer */
#define SHMBOX_RING_CONSUMER	_BITUL(10)	/* bind as the ring's consumer */

/**
 * struct shmbox_region_open - argument of SHMBOX_IOC_REGION_OPEN
 * @size:	sizeof(struct shmbox_region_open)
 * @flags:	SHMBOX_O_*, SHMBOX_REGION_RING, SHMBOX_RING_PRODUCER,
 *		SHMBOX_RING_CONSUMER
 * @name:	pointer to the NUL-terminated name, or 0 for anonymous
 * @bytes:	create: size in bytes (a multiple of the page size; for a
 *		ring the data size, a power of two); open of an existing
 *		object: 0 or its size.  Out: the object's size.
 * @mode:	create: permission bits (only 0777 allowed)
 * @pad:	must be 0
 */
struct shmbox_region_open {
	__u32 size;
	__u32 flags;
	__u64 name;
	__u64 bytes;
	__u32 mode;
	__u32 pad;
};

#define SHMBOX_REGION_OPEN_SIZE_VER0	32

/*
 * SHMBOX_IOC_REGION_OPEN - create or open a region and bind this fd to it.
 * SHMBOX_RING_PRODUCER / SHMBOX_RING_CONSUMER claim the ring's single
 * producer or consumer role for this fd until it is closed and unmapped.
 * Errors: ENOENT (no such name and no SHMBOX_O_CREAT), EEXIST (exists and
 * SHMBOX_O_CREAT|SHMBOX_O_EXCL), EMEDIUMTYPE (name of a mailbox, or
 * SHMBOX_REGION_RING on a plain region), EACCES (mode denies the fd's
 * access mode), EBUSY (fd already bound, or the role is taken: shmbox
 * rings are single-producer single-consumer), EINVAL (bad flags, size,
 * mode, name, a role on a plain region, or @bytes not matching an
 * existing region), ENAMETOOLONG, EFBIG (larger than max_region_bytes),
 * ENOSPC (the namespace's max_objects or max_total_bytes reached), EDQUOT
 * (the caller's max_user_objects or max_user_region_bytes reached),
 * ENOMEM, and the common ones.
 */
#define SHMBOX_IOC_REGION_OPEN	_IOWR(SHMBOX_IOC_MAGIC, 0x10, struct shmbox_region_open)

/**
 * struct shmbox_region_stat - argument of SHMBOX_IOC_REGION_STAT
 * @size:	sizeof(struct shmbox_region_stat)
 * @flags:	must be 0
 * @obj:	out: what every object reports
 * @bytes:	out: region size (ring: data area size)
 * @map_bytes:	out: length of a whole mapping
 * @nattch:	out: current mappings (like shm_nattch)
 * @lpid:	out: pid of the last attach or detach (like shm_lpid)
 * @atime_ns:	out: last attach, CLOCK_REALTIME ns (0: never)
 * @dtime_ns:	out: last detach, CLOCK_REALTIME ns (0: never)
 * @producers:	out: fds holding the producer role (0 or 1)
 * @consumers:	out: fds holding the consumer role (0 or 1)
 */
struct shmbox_region_stat {
	__u32 size;
	__u32 flags;
	struct shmbox_obj_info obj;
	__u64 bytes;
	__u64 map_bytes;
	__u32 nattch;
	__s32 lpid;
	__u64 atime_ns;
	__u64 dtime_ns;
	__u32 producers;
	__u32 consumers;
};

#define SHMBOX_REGION_STAT_SIZE_VER0	104

/*
 * SHMBOX_IOC_REGION_STAT - report the bound region's state.
 * Errors: EBADFD (fd not bound to a region), EINVAL (non-zero @flags or
 * output field on input) and the common ones.
 */
#define SHMBOX_IOC_REGION_STAT	_IOWR(SHMBOX_IOC_MAGIC, 0x11, struct shmbox_region_stat)

/*
 * Ring layout.  Positions are free-running byte counters (they never wrap
 * in practice: 2^64 bytes); the data offset of position p is
 * p & (data_size - 1).  used = prod_pos - cons_pos, free = data_size - used:
 * the whole data area is usable.  The producer owns prod_pos and
 * prod_waiting, the consumer cons_pos and cons_waiting.  Each of the four
 * sits on its own cache line (128 bytes apart, against adjacent-line
 * prefetch): a position is written once per record, a flag only around a
 * sleep, so the flag a side checks after every publish stays in its cache
 * while the peer streams.
 *
 * A record is a struct shmbox_ring_rec followed by @len payload bytes,
 * padded to an 8-byte boundary: it takes SHMBOX_RING_REC_SIZE(len) bytes.
 * A record never needs to be split: the double mapping makes the bytes
 * after the end of the data area the bytes at its start.
 *
 * Memory ordering (C11): the producer writes the record, then stores
 * prod_pos with release; the consumer loads prod_pos with acquire, reads
 * records, then stores cons_pos with release; the producer loads cons_pos
 * with acquire before reusing space.
 *
 * Sleeping (futex-style, no lost wake-up): a side that finds nothing to do
 * stores 1 to its *_waiting flag, issues a full fence, re-reads the other
 * side's position and, if it is still the value it saw, calls
 * SHMBOX_IOC_RING_WAIT with that value; the kernel sleeps only while the
 * position still equals it.  The other side, after publishing its
 * position, issues a full fence and calls SHMBOX_IOC_RING_WAKE only if the
 * peer's flag is set.  A busy stream therefore makes no system calls.
 *
 * The kernel never trusts this page: it only compares positions and never
 * reads records, so a corrupt header can confuse the processes that share
 * the ring but never the kernel.
 */
#define SHMBOX_RING_MAGIC	0x53424f58U	/* "SBOX" */
#define SHMBOX_RING_VERSION	2	/* 2: flags on their own cache lines */
#define SHMBOX_RING_CTL_SIZE	4096		/* control area, one page */
#define SHMBOX_RING_MAP_SIZE(data_size)	(SHMBOX_RING_CTL_SIZE + 2 * (__u64)(data_size))

struct shmbox_ring_ctl {
	/* Written by the kernel at creation; informational only. */
	__u32 magic;
	__u32 version;
	__u64 data_size;
	__u8 pad0[128 - 16];
	/* Producer's line: written once per commit. */
	__u64 prod_pos;
	__u8 pad1[128 - 8];
	/* Consumer's line: written once per release. */
	__u64 cons_pos;
	__u8 pad2[128 - 8];
	/* Flag lines: written only around a sleep, read after every publish. */
	__u32 prod_waiting;	/* producer sleeps or is about to: ring full */
	__u32 pad3[32 - 1];
	__u32 cons_waiting;	/* consumer sleeps or is about to: ring empty */
	__u32 pad4[32 - 1];
};

struct shmbox_ring_rec {
	__u32 len;		/* payload bytes */
	__u32 tag;		/* free for the application */
};

#define SHMBOX_RING_REC_SIZE(len) \
	(((__u64)(len) + sizeof(struct shmbox_ring_rec) + 7) & ~7ULL)

/* shmbox_ring_wait.flags / shmbox_ring_wake.flags: which side (exactly one). */
#define SHMBOX_RING_DATA	_BITUL(0)	/* consumer: wait for prod_pos to move */
#define SHMBOX_RING_SPACE	_BITUL(1)	/* producer: wait for cons_pos to move */
#define SHMBOX_RING_NONBLOCK	_BITUL(2)	/* wait: EAGAIN instead of sleeping */

/**
 * struct shmbox_ring_wait - argument of SHMBOX_IOC_RING_WAIT
 * @size:	sizeof(struct shmbox_ring_wait)
 * @flags:	SHMBOX_RING_DATA or SHMBOX_RING_SPACE, optionally
 *		SHMBOX_RING_NONBLOCK
 * @seen:	the value of prod_pos (DATA) or cons_pos (SPACE) the caller saw
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, or SHMBOX_TIMEOUT_NONE
 */
struct shmbox_ring_wait {
	__u32 size;
	__u32 flags;
	__u64 seen;
	__u64 deadline_ns;
};

#define SHMBOX_RING_WAIT_SIZE_VER0	24

/*
 * SHMBOX_IOC_RING_WAIT - sleep while the watched position equals @seen.
 * Returns 0 as soon as it differs (at once if it already does).
 * Errors: ETIMEDOUT (deadline passed), EAGAIN (SHMBOX_RING_NONBLOCK or an
 * O_NONBLOCK fd and it would sleep), EINTR (signal, handler without
 * SA_RESTART), EPIPE (the position did not move and the other side is
 * gone: every producer (DATA) or consumer (SPACE) that had the role
 * closed and unmapped), EBADFD (fd not bound to a ring), EINVAL, and the
 * common ones.
 */
#define SHMBOX_IOC_RING_WAIT	_IOW(SHMBOX_IOC_MAGIC, 0x12, struct shmbox_ring_wait)

/**
 * struct shmbox_ring_wake - argument of SHMBOX_IOC_RING_WAKE
 * @size:	sizeof(struct shmbox_ring_wake)
 * @flags:	SHMBOX_RING_DATA (wake the consumer) or SHMBOX_RING_SPACE
 *		(wake the producer)
 */
struct shmbox_ring_wake {
	__u32 size;
	__u32 flags;
};

#define SHMBOX_RING_WAKE_SIZE_VER0	8

/*
 * SHMBOX_IOC_RING_WAKE - wake the sleepers (and poll/epoll waiters) of one
 * side.  Errors: EBADFD (fd not bound to a ring), EINVAL, the common ones.
 *
 * poll/epoll on a ring fd: POLLIN when prod_pos != cons_pos, POLLOUT when
 * at least SHMBOX_RING_REC_SIZE(1) bytes are free, POLLHUP when the peer
 * role was held and is gone.  A poller is woken only by RING_WAKE, so it
 * must raise its *_waiting flag before it sleeps, as for RING_WAIT.
 */
#define SHMBOX_IOC_RING_WAKE	_IOW(SHMBOX_IOC_MAGIC, 0x13, struct shmbox_ring_wake)

/**
 * struct shmbox_ring_claim - argument of SHMBOX_IOC_RING_CLAIM
 * @size:	sizeof(struct shmbox_ring_claim)
 * @flags:	SHMBOX_RING_PRODUCER, SHMBOX_RING_CONSUMER or both
 */
struct shmbox_ring_claim {
	__u32 size;
	__u32 flags;
};

#define SHMBOX_RING_CLAIM_SIZE_VER0	8

/*
 * SHMBOX_IOC_RING_CLAIM - claim ring roles on an fd bound to a ring that
 * has none: what SHMBOX_RING_PRODUCER / SHMBOX_RING_CONSUMER do at open,
 * for an fd that was opened without them or received as a handle (see
 * "Handles in messages"; a handle never carries a role).  Since ABI 1.4
 * (SHMBOX_FEAT_HANDLES).
 * Errors: EBUSY (another fd holds a role asked for, or this fd already
 * has a role), EACCES (fd not open for writing), EBADFD (fd not bound to
 * a ring), EINVAL (no role, or an unknown flag), and the common ones.
 */
#define SHMBOX_IOC_RING_CLAIM	_IOW(SHMBOX_IOC_MAGIC, 0x14, struct shmbox_ring_claim)

/* Commands 0x20 to 0x3f: mailboxes. */

/*
 * Mailboxes
 * ---------
 * A mailbox is a kernel queue of variable-size messages.  Any number of
 * processes send to it and receive from it; each message is received by
 * exactly one receiver.  Messages are ordered by priority (0 to
 * SHMBOX_MSG_PRIO_MAX - 1, higher first) and FIFO within a priority.
 * SHMBOX_MSG_PRIO_MAX is 32768 since ABI 1.5 (SHMBOX_FEAT_MQ), the
 * MQ_PRIO_MAX of Linux; a module of ABI 1.4 or older takes 0 to 31.
 *
 * Capacity, fixed at creation:
 *  - 0: rendezvous.  A send completes only when a receiver has taken the
 *    message (copied it out); until then the message waits in the mailbox
 *    with its sender.
 *  - n (1 to SHMBOX_MBOX_CAPACITY_MAX): bounded, at most n messages.
 *  - SHMBOX_MBOX_UNBOUNDED: no count limit, only the byte quotas.
 * Byte quotas: every message costs SHMBOX_MSG_COST(len) bytes, counted
 * against the mailbox (module parameter max_mbox_bytes, as it is at the
 * time of the send) and against the account of the mailbox's owner (its
 * creator; for an inbox, its process) over all the mailboxes it owns
 * (max_user_bytes), from the send until it is received.  A full mailbox
 * (capacity or max_mbox_bytes) makes senders wait, in FIFO order; an
 * exhausted owner's quota fails at once with ENOSPC.
 * Nobody is held hostage: the owner pays for what is queued in its
 * mailbox, so a receiver that never receives costs a sender nothing but
 * the room in that mailbox (a send there waits, or fails with EAGAIN or
 * ETIMEDOUT as the sender chose; its sends elsewhere are unaffected),
 * and a sender cannot use more of another user's quota than the
 * capacity and max_mbox_bytes of that user's mailboxes allow (an
 * unbounded mailbox lets it use up to the owner's whole max_user_bytes).
 *
 * Direct communication: SHMBOX_MBOX_INBOX binds the fd to the calling
 * process's own inbox, created on first open.  A process has one inbox
 * per program it runs: inboxes are keyed by thread group and exec
 * generation, so after execve() the new program's inbox open finds no
 * inbox and creates a new one (SHMBOX_FEAT_INBOX_ID, ABI 1.2; before, an
 * inbox crossed exec).  Any process may send to it by pid
 * (SHMBOX_IOC_MBOX_SEND with @pid, the pid as seen in the sender's pid
 * namespace), which reaches the inbox of the program the process runs
 * now, or by id (SHMBOX_MSG_TO_ID), if the inbox's mode grants it write
 * access.  An inbox has no name; it goes away when the last fd bound to
 * it is closed (blocked senders then fail with EIDRM).  An inbox left
 * behind by exec (an fd to it kept open, by a child say) keeps working
 * through those fds and by its id, but no pid reaches it any more and no
 * inbox open returns it.
 *
 * Inbox ids: every inbox gets a 64-bit id when it is created, from one
 * counter of the module: never 0, never reused while the module is
 * loaded, unique across namespaces (SHMBOX_IOC_MBOX_STAT reports it).
 * A send by id reaches exactly that inbox while it exists and fails with
 * ESRCH once it is gone, whoever has the pid now; from another IPC
 * namespace than the inbox's it fails with ESRCH too.  Pidfds are not
 * accepted as send targets: neither 6.1 nor 6.12 exports to modules a
 * way to tell a pidfd from another file or to get its struct pid
 * (pidfd_pid(), pidfd_get_pid(), pidfd_fops are all internal), and an id
 * names a program's inbox more precisely than a pidfd would (a pidfd
 * stays the same across exec).
 *
 * Credentials: the kernel stamps every message with its sender's process
 * id (thread group id), effective uid and inbox id: the id of the inbox
 * of the program the sender runs at the time of the send (0 if it has
 * none; an inbox it merely holds an fd to, such as its parent's, does not
 * count).  A receiver gets pid and uid translated into its own pid and
 * user namespaces (pid 0 when the sender is not visible there, the
 * overflow uid when the uid is not mapped).  To reply, send to the id: a
 * pid may have been reused by another process since the message was sent,
 * an id never.
 *
 * Access: sending needs an fd opened for writing, receiving one opened for
 * reading (EBADF otherwise); the mailbox's mode was checked against that
 * access mode when the fd was bound.
 *
 * Blocking: a send blocks while the mailbox is full and, if synchronous
 * (SHMBOX_MSG_SYNC, or any send to a rendezvous mailbox), until a
 * receiver has taken the message; a receive blocks while there is no
 * message for it.  SHMBOX_MSG_NONBLOCK or an O_NONBLOCK fd turn that into
 * EAGAIN (a non-blocking synchronous send succeeds only if a receiver is
 * already waiting, see below); a deadline into ETIMEDOUT once it has
 * passed.  A send that fails left nothing in the mailbox: a synchronous
 * send that times out, is interrupted or meets EIDRM withdraws its
 * message.
 *
 * A synchronous send keeps its deadline, its signals and its
 * non-blocking mode also while a receiver is copying its message out
 * (which takes as long as the receiver's buffer takes to fault in: a
 * buffer on a stalled mapping may never).  Whichever comes first under
 * the mailbox's lock decides, and nothing is lost or duplicated:
 *  - the receiver's copy-out completes: the message is received (counted
 *    as sent and received in SHMBOX_IOC_MBOX_STAT) and the send
 *    succeeds, even if its deadline passes or a signal arrives before it
 *    has returned;
 *  - the sender gives up (ETIMEDOUT, EINTR, a fatal signal, EIDRM, or
 *    EAGAIN as below; with SA_RESTART, the restarted call sends the
 *    message anew): its message is withdrawn, neither sent nor received.  The receiver never
 *    returns it, and goes on as if it had never been sent: a single
 *    receive takes the next message, waiting as its own flags and
 *    deadline allow (EAGAIN or ETIMEDOUT if none comes); a vector receive
 *    returns the messages it got before the withdrawn one and leaves
 *    those after it queued, in their order.  What the receive had already
 *    copied of the withdrawn message (and, in a vector, of those after
 *    it) into its buffers is overwritten with zeroes.  Until the
 *    receiver's copy ends, the withdrawn message still counts in the
 *    mailbox's depth, bytes and charged and against the sender's
 *    max_user_bytes.
 * A non-blocking synchronous send never waits for room or for a receiver
 * to come; if a waiting receiver took its message, it waits for that
 * receiver's copy-out for at most 100 ms, then withdraws the message and
 * fails with EAGAIN.
 *
 * Receivers wait in FIFO order and exclusively: a new message is handed
 * straight to the first waiting receiver it suits and wakes only it.
 * Before sleeping, a waiting receiver (or a sender waiting for room)
 * polls for up to the module parameter mbox_spin_ns (default 50 us, 0
 * turns it off) while nothing else wants its CPU: a peer on another CPU
 * usually answers sooner than a sleep and wake-up take.
 *
 * Nothing is lost: a message leaves the mailbox only once it has been
 * copied out whole, with its metadata.  If that copy faults (EFAULT) it
 * goes back to the head of its priority; if the buffer is too small
 * (EMSGSIZE) the needed size is reported and the message stays.
 *
 * Removal: SHMBOX_IOC_UNLINK of a mailbox (or its auto-removal) wakes
 * every blocked sender and receiver with EIDRM; from then on send and
 * receive on its fds fail with EIDRM (stat still works).
 *
 * poll/epoll on a bound fd: EPOLLIN when a receive would find a message,
 * EPOLLOUT when a send would not wait for room (rendezvous: when a
 * receiver is waiting), EPOLLERR|EPOLLHUP once the mailbox is removed.
 */
#define SHMBOX_MBOX_INBOX	_BITUL(16)	/* open: the caller's own inbox */

#define SHMBOX_MBOX_UNBOUNDED	0xffffffffU	/* capacity: no count limit */
#define SHMBOX_MBOX_CAPACITY_MAX	65536U	/* largest bounded capacity */
#define SHMBOX_MSG_PRIO_MAX	32768		/* priorities 0 .. 32767 */
#define SHMBOX_MSG_OVERHEAD	64		/* quota bytes per message */
#define SHMBOX_MSG_COST(len)	((__u64)(len) + SHMBOX_MSG_OVERHEAD)
#define SHMBOX_MBOX_VEC_MAX	1024		/* messages per vector call */

/* Send and receive flags. */
#define SHMBOX_MSG_NONBLOCK	_BITUL(0)	/* EAGAIN instead of waiting */
#define SHMBOX_MSG_SYNC		_BITUL(1)	/* send: until a receiver took it */
#define SHMBOX_MSG_PEEK		_BITUL(2)	/* receive: copy, do not remove */
#define SHMBOX_MSG_FROM		_BITUL(3)	/* receive: only from sender @pid */
#define SHMBOX_MSG_TO_ID	_BITUL(4)	/* send: to the inbox @id */
/* Receive: the handles' new fds without O_CLOEXEC (since ABI 1.4). */
#define SHMBOX_MSG_NOCLOEXEC	_BITUL(5)
/*
 * Since ABI 1.5 (SHMBOX_FEAT_MQ):
 * SHMBOX_MSG_REALTIME: @deadline_ns is an absolute CLOCK_REALTIME time
 *	(every mailbox command with a deadline takes it; the ring wait
 *	does not).  The wait follows the
 *	clock: when the realtime clock is set (clock_settime(),
 *	settimeofday(), an NTP step) the wait ends when the clock reads the
 *	deadline, earlier or later than it would have before the jump, as
 *	the kernel's absolute CLOCK_REALTIME timers and mq_timedreceive()
 *	do.  Without it the deadline is CLOCK_MONOTONIC, which no jump moves.
 * SHMBOX_MSG_WHOLE: receive (SHMBOX_IOC_MBOX_RECV and the receive of
 *	SHMBOX_IOC_MBOX_REPLY_RECV; EINVAL elsewhere): fail with EMSGSIZE,
 *	@len set to the mailbox's max_msg_size, when @len is below it,
 *	whatever is queued and before waiting, as mq_receive() does; so a
 *	receive that passes this check never meets EMSGSIZE for the payload.
 */
#define SHMBOX_MSG_REALTIME	_BITUL(6)
#define SHMBOX_MSG_WHOLE	_BITUL(7)

/*
 * Handles in messages (SHMBOX_FEAT_HANDLES, ABI 1.4)
 * -------------------------------------------------
 * A message may carry up to SHMBOX_MSG_HANDLES_MAX handles: fds of
 * /dev/shmbox bound to a region or a ring, given in an array of struct
 * shmbox_handle with the send (SHMBOX_IOC_MBOX_SEND, the entries of
 * SHMBOX_IOC_MBOX_SENDV, the request of SHMBOX_IOC_MBOX_CALL and the reply
 * of SHMBOX_IOC_MBOX_REPLY).  Bulk data then moves by reference: the
 * sender fills a region, sends its handle, the receiver maps it.
 *
 * What a handle is: a reference to the object, not to the sender's open
 * file.  The receiver gets a new fd, of a new open file description of
 * the same region, with the access mode of the sender's fd (a handle
 * from a read-only fd is read-only: it maps PROT_READ only), never more.
 * A handle carries no ring role: the receiver's fd maps, waits and wakes
 * like any fd of the ring, and claims a role with SHMBOX_IOC_RING_CLAIM
 * (EBUSY while the holder of that role lives).  The sender's fd stays
 * open and working, as after dup(), unless its entry has
 * SHMBOX_HANDLE_MOVE: then the fd is closed once the message is sent (an
 * asynchronous send queued it, a synchronous one or a call's request was
 * taken, a reply was given); a send that fails closes nothing.  Mailbox
 * fds are not passable (EINVAL): a mailbox carried in a message could keep
 * itself alive in its own queue.
 *
 * All or nothing, both ways.  A send either queues the message with all
 * its handles or fails and changes nothing.  A receive installs the new
 * fds only when it commits: a receive that fails (EMSGSIZE, also for an
 * array too small for the handles; EFAULT; EMFILE at RLIMIT_NOFILE;
 * ENFILE; a signal; the deadline) leaves the message and all its handles
 * in the mailbox and no new fd in the caller.  The new fds are O_CLOEXEC
 * unless the receive has SHMBOX_MSG_NOCLOEXEC.  A peek reports the
 * handles (@fd -1) and installs nothing.  Only the entries of a
 * message a receive returns count: after a failure (or for a message
 * a vector receive did not return) the array may hold entries of fds
 * that were never installed.
 *
 * Receives that cannot report handles (read(2), SHMBOX_IOC_MBOX_RECV
 * with a struct shorter than SHMBOX_MBOX_RECV_SIZE_VER3, vector entries
 * shorter than SHMBOX_MBOX_MSGX_SIZE_VER3, SHMBOX_IOC_MBOX_REPLY_RECV
 * shorter than SHMBOX_MBOX_REPLY_RECV_SIZE_VER1) receive the payload and
 * drop the handles, as recvmsg(2) drops SCM_RIGHTS fds that do not fit
 * (SHMBOX_RECV_HANDLES_DROPPED in @rflags, where there is one).
 *
 * Handles that are never received go with their message: when the
 * mailbox is removed, the inbox's process goes, or the module is
 * unloaded, their references are dropped, and a region is freed once no
 * fd, mapping or message holds it.  A handle in flight counts as a user
 * of its object (SHMBOX_O_AUTOREMOVE keeps the name meanwhile).
 *
 * Quota: each handle adds SHMBOX_HANDLE_COST bytes to its message's cost
 * (SHMBOX_MSG_COST_H()), against the same quotas as the payload.
 */
#define SHMBOX_MSG_HANDLES_MAX	8	/* handles per message */
#define SHMBOX_HANDLE_COST	128	/* quota bytes per handle */
#define SHMBOX_MSG_COST_H(len, nh) \
	(SHMBOX_MSG_COST(len) + (__u64)(nh) * SHMBOX_HANDLE_COST)

#define SHMBOX_HANDLE_MOVE	_BITUL(0)	/* send: close the fd once sent */
#define SHMBOX_HANDLE_READ	_BITUL(8)	/* out: the fd is readable */
#define SHMBOX_HANDLE_WRITE	_BITUL(9)	/* out: the fd is writable */
#define SHMBOX_HANDLE_RING	_BITUL(10)	/* out: the object is a ring */

#define SHMBOX_RECV_HANDLES_DROPPED _BITUL(1)	/* rflags: see above */

/**
 * struct shmbox_handle - one handle of a message
 * @fd:		send: the fd to pass; receive: out, the new fd (-1 for a
 *		peek)
 * @flags:	send: SHMBOX_HANDLE_MOVE or 0; receive: out,
 *		SHMBOX_HANDLE_READ, _WRITE (the access the fd has) and
 *		_RING
 * @bytes:	send: must be 0; receive: out, the region's size (a ring's:
 *		its data size, as shmbox_region_open.bytes)
 */
struct shmbox_handle {
	__s32 fd;
	__u32 flags;
	__u64 bytes;
};

#define SHMBOX_HANDLE_SIZE	16

/**
 * struct shmbox_mbox_open - argument of SHMBOX_IOC_MBOX_OPEN
 * @size:	sizeof(struct shmbox_mbox_open)
 * @flags:	SHMBOX_O_* and SHMBOX_MBOX_INBOX
 * @name:	pointer to the NUL-terminated name, 0 for an anonymous mailbox
 *		(must be 0 with SHMBOX_MBOX_INBOX)
 * @capacity:	create: 0 (rendezvous), 1 to SHMBOX_MBOX_CAPACITY_MAX, or
 *		SHMBOX_MBOX_UNBOUNDED.  Ignored (but checked) when the mailbox
 *		exists.  Out: the mailbox's capacity.
 * @max_msg_size: create: largest message, 1 to the module parameter
 *		max_msg_size; 0 means that parameter.  Ignored (but checked)
 *		when the mailbox exists.  Out: the mailbox's value.
 * @mode:	create: permission bits (only 0777 allowed)
 * @pad:	must be 0
 */
struct shmbox_mbox_open {
	__u32 size;
	__u32 flags;
	__u64 name;
	__u32 capacity;
	__u32 max_msg_size;
	__u32 mode;
	__u32 pad;
};

#define SHMBOX_MBOX_OPEN_SIZE_VER0	32

/*
 * SHMBOX_IOC_MBOX_OPEN - create or open a mailbox, or the caller's inbox,
 * and bind this fd to it.  With SHMBOX_MBOX_INBOX, SHMBOX_O_CREAT creates
 * the inbox if the process has none and SHMBOX_O_EXCL fails if it has one.
 * Errors: ENOENT (no such name, or no inbox, and no SHMBOX_O_CREAT),
 * EEXIST (SHMBOX_O_CREAT|SHMBOX_O_EXCL and it exists), EMEDIUMTYPE (the
 * name is a region's), EACCES (mode denies the fd's access mode), EBUSY
 * (fd already bound), EINVAL (unknown flag, non-zero pad, capacity above
 * SHMBOX_MBOX_CAPACITY_MAX but not SHMBOX_MBOX_UNBOUNDED, max_msg_size
 * above the module parameter, mode outside 0777, SHMBOX_O_EXCL without
 * SHMBOX_O_CREAT, SHMBOX_MBOX_INBOX with a name or SHMBOX_O_AUTOREMOVE,
 * bad name), ENAMETOOLONG, ENOSPC (the namespace's max_objects reached),
 * EDQUOT (the caller's max_user_objects reached), ENOMEM, and the common
 * ones.
 */
#define SHMBOX_IOC_MBOX_OPEN	_IOWR(SHMBOX_IOC_MAGIC, 0x20, struct shmbox_mbox_open)

/**
 * struct shmbox_mbox_stat - argument of SHMBOX_IOC_MBOX_STAT
 * @size:	sizeof(struct shmbox_mbox_stat)
 * @flags:	must be 0
 * @obj:	out: what every object reports (@obj.oflags has
 *		SHMBOX_MBOX_INBOX for an inbox)
 * @capacity:	out: as given at creation
 * @max_msg_size: out: largest message
 * @depth:	out: messages in the mailbox, including those a receiver is
 *		copying out and those of synchronous senders
 * @inbox_pid:	out: an inbox's process, in the caller's pid namespace
 *		(0 for a mailbox, if not visible, or once that process has
 *		exited or exec'd: it is not the inbox's program any more)
 * @bytes:	out: payload bytes of those messages
 * @charged:	out: quota bytes of those messages (SHMBOX_MSG_COST each)
 * @max_bytes:	out: the mailbox byte quota now (max_mbox_bytes)
 * @sent:	out: messages sent successfully
 * @received:	out: messages received (peeks not counted)
 * @blocked_senders: out: senders waiting now
 * @blocked_receivers: out: receivers waiting now
 * @inbox_id:	out: an inbox's id (0 for a mailbox); since ABI 1.2
 * @calls_waiting: out: calls whose request is in the mailbox (counted in
 *		@depth too); since ABI 1.3
 * @calls_serving: out: calls received from the mailbox whose reply has not
 *		been given yet (by the fds bound to it); since ABI 1.3
 * @handles:	out: handles in the messages in the mailbox (in flight);
 *		since ABI 1.4
 * @pad:	must be 0
 */
struct shmbox_mbox_stat {
	__u32 size;
	__u32 flags;
	struct shmbox_obj_info obj;
	__u32 capacity;
	__u32 max_msg_size;
	__u32 depth;
	__s32 inbox_pid;
	__u64 bytes;
	__u64 charged;
	__u64 max_bytes;
	__u64 sent;
	__u64 received;
	__u32 blocked_senders;
	__u32 blocked_receivers;
	__u64 inbox_id;
	__u32 calls_waiting;
	__u32 calls_serving;
	__u32 handles;
	__u32 pad;
};

#define SHMBOX_MBOX_STAT_SIZE_VER0	120
#define SHMBOX_MBOX_STAT_SIZE_VER1	128	/* @inbox_id */
#define SHMBOX_MBOX_STAT_SIZE_VER2	136	/* @calls_waiting, _serving */
#define SHMBOX_MBOX_STAT_SIZE_VER3	144	/* @handles, @pad */

/*
 * SHMBOX_IOC_MBOX_STAT - report the bound mailbox's state.
 * Errors: EBADFD (fd not bound to a mailbox), EINVAL (non-zero @flags or
 * output field on input) and the common ones.
 */
#define SHMBOX_IOC_MBOX_STAT	_IOC(_IOC_READ | _IOC_WRITE, SHMBOX_IOC_MAGIC, 0x21, \
				     SHMBOX_MBOX_STAT_SIZE_VER0)

/**
 * struct shmbox_mbox_send - argument of SHMBOX_IOC_MBOX_SEND
 * @size:	sizeof(struct shmbox_mbox_send)
 * @flags:	SHMBOX_MSG_NONBLOCK, SHMBOX_MSG_SYNC, SHMBOX_MSG_TO_ID,
 *		SHMBOX_MSG_REALTIME (since ABI 1.5)
 * @buf:	pointer to the message
 * @len:	its length in bytes (0 allowed)
 * @prio:	priority, below SHMBOX_MSG_PRIO_MAX
 * @pid:	0: send to the bound mailbox (or to @id); > 0: send to the
 *		inbox of the program that process runs (in the caller's pid
 *		namespace); the fd need not be bound then
 * @pad:	must be 0
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, or SHMBOX_TIMEOUT_NONE
 * @id:		with SHMBOX_MSG_TO_ID: the inbox to send to (not 0; @pid
 *		must be 0 then, and the fd need not be bound); else 0.
 *		Since ABI 1.2.
 * @handles:	pointer to @nr_handles struct shmbox_handle (see "Handles in
 *		messages"), or 0.  Since ABI 1.4, as are the two below.
 * @nr_handles:	handles the message carries, 0 to SHMBOX_MSG_HANDLES_MAX
 * @pad2:	must be 0
 */
struct shmbox_mbox_send {
	__u32 size;
	__u32 flags;
	__u64 buf;
	__u32 len;
	__u32 prio;
	__s32 pid;
	__u32 pad;
	__u64 deadline_ns;
	__u64 id;
	__u64 handles;
	__u32 nr_handles;
	__u32 pad2;
};

#define SHMBOX_MBOX_SEND_SIZE_VER0	40
#define SHMBOX_MBOX_SEND_SIZE_VER1	48	/* @id */
#define SHMBOX_MBOX_SEND_SIZE_VER2	64	/* @handles, @nr_handles, @pad2 */

/*
 * SHMBOX_IOC_MBOX_SEND - send one message.  With SHMBOX_MSG_SYNC, or to
 * a rendezvous mailbox, it returns once a receiver has taken the message
 * (copied it out); if it fails, the message was withdrawn, also from a
 * receiver that was still copying it out (see Blocking above).
 * Errors: EAGAIN (non-blocking and it would wait; synchronous and the
 * receiver that took the message did not finish copying it out within
 * 100 ms), ETIMEDOUT (the deadline passed, in any phase), EINTR (signal,
 * handler without SA_RESTART), EIDRM (mailbox removed, or the
 * inbox's process closed it), EMSGSIZE (@len above the mailbox's
 * max_msg_size, or a cost above the mailbox byte quota), ENOSPC (the
 * mailbox's owner has max_user_bytes queued), ENOMEM, EBADF (fd not open
 * for writing), EBADFD (@pid 0 and fd not bound to a mailbox), ESRCH (no
 * process @pid; with SHMBOX_MSG_TO_ID, no inbox with that id in the
 * caller's IPC namespace), ENOENT (process @pid has no inbox in the caller's IPC
 * namespace), EACCES (the inbox's mode denies sending), EINVAL (unknown
 * flag, non-zero pad, @prio too high, negative @pid), and the common
 * ones.  With handles also: EBADF (an fd in @handles is not open),
 * EBADFD (a /dev/shmbox fd in @handles is not bound), EINVAL (an fd in
 * @handles is not of /dev/shmbox or is a mailbox's, @nr_handles above
 * SHMBOX_MSG_HANDLES_MAX, an unknown handle flag, a non-zero @bytes or
 * @pad2, one fd moved twice), EFAULT (@handles not readable); EMSGSIZE
 * and ENOSPC count the handles' cost.
 */
#define SHMBOX_IOC_MBOX_SEND	_IOC(_IOC_WRITE, SHMBOX_IOC_MAGIC, 0x22, \
				     SHMBOX_MBOX_SEND_SIZE_VER0)

/**
 * struct shmbox_mbox_recv - argument of SHMBOX_IOC_MBOX_RECV
 * @size:	sizeof(struct shmbox_mbox_recv)
 * @flags:	SHMBOX_MSG_NONBLOCK, SHMBOX_MSG_PEEK, SHMBOX_MSG_FROM,
 *		SHMBOX_MSG_NOCLOEXEC (since ABI 1.4), SHMBOX_MSG_REALTIME,
 *		SHMBOX_MSG_WHOLE (since ABI 1.5)
 * @buf:	pointer to the buffer
 * @len:	in: buffer size; out: message length (also with EMSGSIZE)
 * @prio:	out: its priority (in: must be 0)
 * @pid:	in: with SHMBOX_MSG_FROM, the sender to receive from (> 0),
 *		else 0; out: the sender's pid in the caller's pid namespace
 * @uid:	out: the sender's effective uid in the caller's user
 *		namespace (in: must be 0)
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, or SHMBOX_TIMEOUT_NONE
 * @id:		out: the sender's inbox id at the time of the send, 0 if it
 *		had none (in: must be 0); since ABI 1.2.  Reply to it with
 *		SHMBOX_MSG_TO_ID.
 * @handle:	out: the reply handle of a call this receive took
 *		(SHMBOX_RECV_CALL in @rflags, not a peek); else 0 (in: must
 *		be 0).  Since ABI 1.3, as are the two below.
 * @reply_max:	out: for a call, the size of its caller's reply buffer:
 *		the longest reply it takes; else 0 (in: must be 0)
 * @rflags:	out: SHMBOX_RECV_CALL for a call, SHMBOX_RECV_HANDLES_DROPPED
 *		(a receive of this size cannot report handles), else 0 (in:
 *		must be 0)
 * @handles:	pointer to an array of @nr_handles struct shmbox_handle for
 *		the message's handles, or 0.  Since ABI 1.4, as are the two
 *		below.
 * @nr_handles:	in: the array's entries; out: the handles the message
 *		carries (also with EMSGSIZE)
 * @pad2:	must be 0
 */
struct shmbox_mbox_recv {
	__u32 size;
	__u32 flags;
	__u64 buf;
	__u32 len;
	__u32 prio;
	__s32 pid;
	__u32 uid;
	__u64 deadline_ns;
	__u64 id;
	__u64 handle;
	__u32 reply_max;
	__u32 rflags;
	__u64 handles;
	__u32 nr_handles;
	__u32 pad2;
};

#define SHMBOX_MBOX_RECV_SIZE_VER0	40
#define SHMBOX_MBOX_RECV_SIZE_VER1	48	/* @id */
#define SHMBOX_MBOX_RECV_SIZE_VER2	64	/* @handle, @reply_max, @rflags */
#define SHMBOX_MBOX_RECV_SIZE_VER3	80	/* @handles, @nr_handles, @pad2 */

/*
 * SHMBOX_IOC_MBOX_RECV - receive (or peek at) the first message: the
 * oldest of the highest priority, from @pid with SHMBOX_MSG_FROM.
 * Errors: EAGAIN, ETIMEDOUT, EINTR, EIDRM (as for send), EMSGSIZE (the
 * message is longer than @len: @len is set to its length, the message
 * stays; with SHMBOX_MSG_WHOLE, @len below the mailbox's max_msg_size:
 * @len is set to that, nothing is taken), EFAULT (the buffer is not
 * writable: the message stays, at the head), EBADF (fd not open for
 * reading), EBADFD (fd not bound to a mailbox), EINVAL (unknown flag,
 * SHMBOX_MSG_FROM with @pid <= 0, @pid without SHMBOX_MSG_FROM, non-zero
 * @prio, @uid or @id), and the common ones.  With handles (the message
 * stays in each case): EMSGSIZE also for @nr_handles below the message's
 * handle count (@nr_handles is set to it), EMFILE (RLIMIT_NOFILE leaves
 * no fd for a handle), ENFILE (the system's file limit), EFAULT (@handles
 * not writable), ENOMEM; EINVAL also for a non-zero @pad2 or @nr_handles
 * above SHMBOX_MSG_HANDLES_MAX.
 */
#define SHMBOX_IOC_MBOX_RECV	_IOC(_IOC_READ | _IOC_WRITE, SHMBOX_IOC_MAGIC, 0x23, \
				     SHMBOX_MBOX_RECV_SIZE_VER0)

/*
 * write(2) and read(2) on an fd bound to a mailbox (SHMBOX_FEAT_MBOX_RW):
 * the plain case of SHMBOX_IOC_MBOX_SEND and SHMBOX_IOC_MBOX_RECV without
 * an argument structure, for the common one-message-per-call stream.
 *
 * write(fd, buf, count) sends one message of @count bytes (0 allowed) at
 * priority 0 to the bound mailbox as SHMBOX_IOC_MBOX_SEND without
 * SHMBOX_MSG_SYNC does, without deadline, and returns @count: once the
 * message is queued, waiting for room unless the fd is O_NONBLOCK; on a
 * rendezvous mailbox, where every send is synchronous, once a receiver
 * has taken it (O_NONBLOCK: EAGAIN unless a receiver is waiting).
 * read(fd, buf, count) receives the first message as SHMBOX_IOC_MBOX_RECV
 * does (no SHMBOX_MSG_FROM, no peek), waiting unless O_NONBLOCK, and
 * returns its length; a zero-length message reads as 0, like a
 * zero-length datagram, not as end of file.  A message is never split or
 * merged: a short buffer fails with EMSGSIZE and the message stays.  The
 * sender's pid, uid, id and the priority are not reported: use the ioctl.
 * pread/pwrite fail with ESPIPE; poll() works as for the ioctls.
 * write errors: EAGAIN, EINTR, EIDRM, EMSGSIZE, ENOSPC, ENOMEM, EFAULT
 * (nothing is queued), as for SHMBOX_IOC_MBOX_SEND; EBADF (fd not open
 * for writing); EBADFD (fd not bound to a mailbox).
 * read errors: EAGAIN, EINTR, EIDRM, EMSGSIZE (the message stays),
 * EFAULT (the message stays, at the head), as for SHMBOX_IOC_MBOX_RECV;
 * EBADF (fd not open for reading); EBADFD (fd not bound to a mailbox).
 * Neither fails with EINVAL: a module without this feature does, since
 * the device then has no read or write method.
 */

/**
 * struct shmbox_mbox_msg - one message of a vector call, version 0
 * @buf:	pointer to the message (send) or the buffer (receive)
 * @len:	send: message length; receive: in buffer size, out message
 *		length
 * @prio:	send: priority; receive: out
 * @pid:	send: must be 0; receive: out, the sender
 * @uid:	send: must be 0; receive: out, the sender's uid
 *
 * The descriptor a vector call uses when struct shmbox_mbox_vec's
 * @msg_size is 0.  It never grows (programs built against an older
 * header would then pass an array of another stride without saying so);
 * struct shmbox_mbox_msgx is the descriptor that does.
 */
struct shmbox_mbox_msg {
	__u64 buf;
	__u32 len;
	__u32 prio;
	__s32 pid;
	__u32 uid;
};

#define SHMBOX_MBOX_MSG_SIZE_VER0	24

/**
 * struct shmbox_mbox_msgx - one message of a vector call, extensible
 * @buf:	as in struct shmbox_mbox_msg
 * @len:	as in struct shmbox_mbox_msg
 * @prio:	as in struct shmbox_mbox_msg
 * @pid:	as in struct shmbox_mbox_msg
 * @uid:	as in struct shmbox_mbox_msg
 * @id:		send: must be 0; receive: out, the sender's inbox id as in
 *		struct shmbox_mbox_recv
 * @handle:	send: must be 0; receive: out, as in struct shmbox_mbox_recv
 *		(since ABI 1.3, as are the two below)
 * @reply_max:	send: must be 0; receive: out, as in struct shmbox_mbox_recv
 * @rflags:	send: must be 0; receive: out, as in struct shmbox_mbox_recv
 * @handles:	send: as in struct shmbox_mbox_send; receive: as in struct
 *		shmbox_mbox_recv (since ABI 1.4, as are the two below)
 * @nr_handles:	as in struct shmbox_mbox_send and struct shmbox_mbox_recv
 * @pad2:	must be 0
 *
 * Selected by struct shmbox_mbox_vec's @msg_size, which must then be
 * sizeof(struct shmbox_mbox_msgx) as the caller compiled it: the array's
 * stride.  Like an argument structure, it grows only at its end, and the
 * kernel treats each entry as copy_struct_from_user() does (a smaller
 * entry is zero-extended, a larger one must have zeros in the bytes the
 * kernel does not know, else E2BIG; results are written into the first
 * min(@msg_size, its own size) bytes), the way BPF treats a record size
 * such as func_info_rec_size.
 */
struct shmbox_mbox_msgx {
	__u64 buf;
	__u32 len;
	__u32 prio;
	__s32 pid;
	__u32 uid;
	__u64 id;
	__u64 handle;
	__u32 reply_max;
	__u32 rflags;
	__u64 handles;
	__u32 nr_handles;
	__u32 pad2;
};

#define SHMBOX_MBOX_MSGX_SIZE_VER1	32	/* the first, with @id */
#define SHMBOX_MBOX_MSGX_SIZE_VER2	48	/* @handle, @reply_max, @rflags */
#define SHMBOX_MBOX_MSGX_SIZE_VER3	64	/* @handles, @nr_handles, @pad2 */
#define SHMBOX_MBOX_MSG_SIZE_MAX	256	/* largest @msg_size */

/**
 * struct shmbox_mbox_vec - argument of SHMBOX_IOC_MBOX_SENDV and _RECVV
 * @size:	sizeof(struct shmbox_mbox_vec)
 * @flags:	as for the one-message command (no SHMBOX_MSG_PEEK, no
 *		SHMBOX_MSG_WHOLE; SHMBOX_MSG_TO_ID only to send)
 * @msgs:	pointer to an array of struct shmbox_mbox_msg (@msg_size 0)
 *		or struct shmbox_mbox_msgx
 * @count:	entries in it, 1 to SHMBOX_MBOX_VEC_MAX
 * @pid:	send: destination as in struct shmbox_mbox_send; receive:
 *		the sender with SHMBOX_MSG_FROM, else 0
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, or SHMBOX_TIMEOUT_NONE
 * @msg_size:	the size of each entry of @msgs, its stride: 0 for struct
 *		shmbox_mbox_msg (as SHMBOX_MBOX_MSG_SIZE_VER0), else
 *		sizeof(struct shmbox_mbox_msgx); a multiple of 8 from
 *		SHMBOX_MBOX_MSG_SIZE_VER0 to SHMBOX_MBOX_MSG_SIZE_MAX.
 *		Since ABI 1.2.
 * @pad:	must be 0
 * @id:		send with SHMBOX_MSG_TO_ID: the inbox, as in struct
 *		shmbox_mbox_send; else 0.  Since ABI 1.2.
 */
struct shmbox_mbox_vec {
	__u32 size;
	__u32 flags;
	__u64 msgs;
	__u32 count;
	__s32 pid;
	__u64 deadline_ns;
	__u32 msg_size;
	__u32 pad;
	__u64 id;
};

#define SHMBOX_MBOX_VEC_SIZE_VER0	32
#define SHMBOX_MBOX_VEC_SIZE_VER1	48	/* @msg_size, @pad, @id */

/*
 * SHMBOX_IOC_MBOX_SENDV - send @count messages in order, each as
 * SHMBOX_IOC_MBOX_SEND would (each may wait).  Returns how many were
 * sent; stops at the first that fails and reports its error only if it
 * was the first message.
 * Errors: those of SHMBOX_IOC_MBOX_SEND, EINVAL for a bad @count,
 * @msg_size or entry, or a non-zero @pad, E2BIG for an entry larger than
 * the kernel's struct shmbox_mbox_msgx with non-zero bytes it does not
 * know.
 */
#define SHMBOX_IOC_MBOX_SENDV	_IOC(_IOC_WRITE, SHMBOX_IOC_MAGIC, 0x24, \
				     SHMBOX_MBOX_VEC_SIZE_VER0)

/*
 * SHMBOX_IOC_MBOX_RECVV - receive up to @count messages: waits (as
 * SHMBOX_IOC_MBOX_RECV would) for the first only, then takes what is
 * there without waiting.  Returns how many were received, filling the
 * entries' @len, @prio, @pid, @uid (and @id, with struct
 * shmbox_mbox_msgx); stops at the first failure and reports its error
 * only if nothing was received (an EMSGSIZE entry gets the needed @len
 * either way).
 * Errors: those of SHMBOX_IOC_MBOX_RECV, EINVAL for a bad @count or
 * @msg_size, SHMBOX_MSG_PEEK, SHMBOX_MSG_TO_ID, a non-zero @pad or @id,
 * E2BIG as for SENDV.
 */
#define SHMBOX_IOC_MBOX_RECVV	_IOC(_IOC_WRITE, SHMBOX_IOC_MAGIC, 0x25, \
				     SHMBOX_MBOX_VEC_SIZE_VER0)

/*
 * Call and reply (SHMBOX_FEAT_CALL, ABI 1.3)
 * -----------------------------------------
 * A call is a request that waits for its answer, in one system call on
 * each side, as QNX's MsgSend/MsgReceive/MsgReply or seL4's
 * Call/ReplyRecv:
 *
 *	client					server
 *	SHMBOX_IOC_MBOX_CALL  ----request--->	SHMBOX_IOC_MBOX_RECV (or
 *	  (waits for the reply)			  _REPLY_RECV): gets @handle
 *	returns the reply    <----reply-----	SHMBOX_IOC_MBOX_REPLY_RECV
 *						  (answers @handle, waits for
 *						  the next request)
 *
 * The request is a message like any other in the mailbox (named,
 * anonymous, or an inbox by pid or id): it counts in the capacity and
 * the quotas, is ordered by its priority among all the messages, passes
 * SHMBOX_MSG_FROM filters (its sender is the caller), makes the fd
 * readable for poll, and ordinary messages and calls share a mailbox.
 * The reply goes to the caller alone: it is never queued anywhere.
 *
 * Reply handles: a receive that takes a call gets SHMBOX_RECV_CALL in
 * @rflags and a reply handle in @handle: a 64-bit value from one counter
 * of the module, never 0 and never reused while the module is loaded,
 * for exactly that caller and that request.  A handle works only on the
 * open file description (the fd, and its dup()s and fork()ed copies)
 * that received the call: another fd cannot answer it, whatever value it
 * guesses, so a handle cannot be forged.  It is one-shot: the first reply
 * uses it up.  Only receives that can report a handle take calls as
 * calls: SHMBOX_IOC_MBOX_RECV with a struct of at least
 * SHMBOX_MBOX_RECV_SIZE_VER2 bytes, SHMBOX_IOC_MBOX_RECVV with
 * descriptors of at least SHMBOX_MBOX_MSGX_SIZE_VER2, and
 * SHMBOX_IOC_MBOX_REPLY_RECV.  Any other receive (read(2), an older
 * structure) gets the request as an ordinary message, and its caller
 * fails at once with EPIPE, since nobody can answer it.  A peek reports
 * SHMBOX_RECV_CALL and @reply_max, with @handle 0: it takes nothing.
 *
 * What happens when one side goes away, and nothing is lost or
 * delivered twice:
 *  - the caller gives up before a server took the request (deadline,
 *    signal, fatal signal, the mailbox removed): the request is withdrawn
 *    as a synchronous send's is (see Blocking above) and no server ever
 *    sees it; a signal then restarts the call with SA_RESTART, EINTR
 *    without.
 *  - a signal comes after a server took the request: the call is not
 *    abandoned but parked on the caller's fd, and @resume is set to its
 *    handle.  A restarted call (SA_RESTART, or a stop and continue, or a
 *    debugger's attach) sees @resume and goes on waiting for the same
 *    reply: the request is never sent twice.  Without SA_RESTART the call
 *    fails with EINTR, @resume set; calling again with the same @resume
 *    (from the same thread, through the same fd) goes on waiting, and
 *    returns the reply if it came meanwhile.  An fd keeps at most
 *    SHMBOX_CALL_PARK_MAX parked calls: one more abandons the oldest.
 *  - the caller gives up after a server took the request (its deadline,
 *    its death, closing the fd with a parked call, a parked call
 *    evicted): the call is abandoned.  The call fails with ETIMEDOUT
 *    (SHMBOX_CALL_DELIVERED in @status, so the caller knows the server
 *    has the request).  The server's reply to it fails with ESRCH and is
 *    discarded; nothing reaches any other caller, since a handle names
 *    one call.
 *  - the server's fd is closed (by close(), or its process's death) with
 *    calls taken and not answered: each of their callers fails at once
 *    with EPIPE (SHMBOX_CALL_DELIVERED set).
 *  - the mailbox is removed: callers whose request is still in it fail
 *    at once with EIDRM; calls a server already took stay that server's
 *    to answer.
 *
 * Quotas: the request costs what a message costs, against the mailbox's
 * owner.  A reply costs SHMBOX_MSG_COST(len) against the caller: the
 * max_user_bytes of the user who opened the caller's fd, from the REPLY
 * until the caller has copied it out (so a caller that keeps replies in
 * parked calls spends only its own quota).
 *
 * Scheduling priority: a server thread working on a call keeps its own
 * priority (no inheritance from the caller); docs/design.md says why.
 */
#define SHMBOX_RECV_CALL	_BITUL(0)	/* rflags: a call; @handle */
#define SHMBOX_CALL_DELIVERED	_BITUL(0)	/* status: a server took it */
#define SHMBOX_CALL_PARK_MAX	16	/* parked calls per fd */

/**
 * struct shmbox_mbox_call - argument of SHMBOX_IOC_MBOX_CALL
 * @size:	sizeof(struct shmbox_mbox_call)
 * @flags:	SHMBOX_MSG_NONBLOCK, SHMBOX_MSG_TO_ID, SHMBOX_MSG_NOCLOEXEC
 *		(for the reply's handles, since ABI 1.4), SHMBOX_MSG_REALTIME
 *		(since ABI 1.5)
 * @buf:	pointer to the request
 * @len:	its length in bytes (0 allowed)
 * @prio:	its priority, below SHMBOX_MSG_PRIO_MAX
 * @pid:	destination as in struct shmbox_mbox_send: 0 for the bound
 *		mailbox (or @id), > 0 for that process's inbox
 * @pad:	must be 0
 * @id:		with SHMBOX_MSG_TO_ID: the inbox to call; else 0
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline of the whole call (the
 *		request's wait and the reply's), or SHMBOX_TIMEOUT_NONE
 * @reply_buf:	pointer to the buffer for the reply
 * @reply_len:	in: its size, the longest reply the server may give (up
 *		to the module parameter max_msg_size); out: the reply's
 *		length
 * @status:	out: SHMBOX_CALL_DELIVERED once a server took the request,
 *		also when the call fails; 0 when it was parked (@resume says
 *		so then) (in: must be 0)
 * @reply_pid:	out: the process that replied, in the caller's pid
 *		namespace (in: must be 0)
 * @reply_uid:	out: its effective uid in the caller's user namespace (in:
 *		must be 0)
 * @reply_id:	out: its inbox id at the time of the reply, 0 if it had
 *		none (in: must be 0)
 * @resume:	in: 0 for a new call; or the value an interrupted call left
 *		here, to go on waiting for that call's reply (the request
 *		fields are then checked but not sent); out: the call's
 *		handle when a signal interrupted it after a server took its
 *		request, else 0
 * @handles:	the request's handles, as in struct shmbox_mbox_send, or 0.
 *		Since ABI 1.4, as are the three below.
 * @nr_handles:	their number, 0 to SHMBOX_MSG_HANDLES_MAX
 * @reply_nr_handles: in: the entries of @reply_handles, the most handles
 *		the reply may carry; out: the handles the reply carried
 * @reply_handles: pointer to an array of @reply_nr_handles struct
 *		shmbox_handle for the reply's handles, or 0
 */
struct shmbox_mbox_call {
	__u32 size;
	__u32 flags;
	__u64 buf;
	__u32 len;
	__u32 prio;
	__s32 pid;
	__u32 pad;
	__u64 id;
	__u64 deadline_ns;
	__u64 reply_buf;
	__u32 reply_len;
	__u32 status;
	__s32 reply_pid;
	__u32 reply_uid;
	__u64 reply_id;
	__u64 resume;
	__u64 handles;
	__u32 nr_handles;
	__u32 reply_nr_handles;
	__u64 reply_handles;
};

#define SHMBOX_MBOX_CALL_SIZE_VER0	88
#define SHMBOX_MBOX_CALL_SIZE_VER1	112	/* the handles */

/*
 * SHMBOX_IOC_MBOX_CALL - send a request and wait for its reply.  Returns
 * 0 with the reply in @reply_buf, its length in @reply_len.  The request
 * is sent as SHMBOX_IOC_MBOX_SEND would send it (the same destinations,
 * access check, quotas and waiting for room), then the call waits until
 * a server answers it, its deadline passes, a signal comes, or its
 * server goes away.  SHMBOX_MSG_NONBLOCK (or an O_NONBLOCK fd) applies to
 * the request alone: EAGAIN at once if it would wait for room, or, on a
 * rendezvous mailbox, if no server is waiting to receive; once a server
 * has the request the call waits for the reply, up to @deadline_ns.
 * Every output field is written back on failure too.
 * Errors: those of SHMBOX_IOC_MBOX_SEND (EAGAIN, ETIMEDOUT, EINTR, EIDRM,
 * EMSGSIZE, ENOSPC, ENOMEM, EBADF, EBADFD, ESRCH, ENOENT, EACCES,
 * EINVAL), for the request: nothing was delivered; and, after a server
 * took it (SHMBOX_CALL_DELIVERED): ETIMEDOUT (the call was abandoned),
 * EINTR (parked, @resume set: see above), EPIPE (the server's fd was
 * closed with the call unanswered, or the receive that took it could not
 * report a handle), EFAULT (the reply could not be copied to @reply_buf:
 * it is lost, the server's reply succeeded); EINVAL also for @reply_len
 * above max_msg_size or non-zero output fields, and for a @resume with a
 * @reply_len below the interrupted call's; ENOENT also for a @resume that
 * names no call parked on this fd by this thread (resumed already,
 * evicted, or never parked).  With handles: the request's are a send's
 * (its errors; moved fds are closed once a server took the request).
 * The reply's are installed in the caller as the new fds of a receive
 * (O_CLOEXEC unless SHMBOX_MSG_NOCLOEXEC), with fds reserved before the
 * request is sent: EMFILE or ENFILE then, before anything is sent;
 * EFAULT (@reply_handles not writable: the reply's handles are lost, as
 * its payload is), and EINVAL for @reply_nr_handles above
 * SHMBOX_MSG_HANDLES_MAX.  A resumed call must give @reply_nr_handles of
 * at least the interrupted call's (else EINVAL).
 */
#define SHMBOX_IOC_MBOX_CALL	_IOC(_IOC_READ | _IOC_WRITE, SHMBOX_IOC_MAGIC, 0x26, \
				     SHMBOX_MBOX_CALL_SIZE_VER0)

/**
 * struct shmbox_mbox_reply - argument of SHMBOX_IOC_MBOX_REPLY
 * @size:	sizeof(struct shmbox_mbox_reply)
 * @flags:	must be 0
 * @handle:	the call to answer, as a receive on this fd reported it
 * @buf:	pointer to the reply
 * @len:	its length in bytes (0 allowed), at most the call's @reply_max
 * @pad:	must be 0
 * @handles:	the reply's handles, as in struct shmbox_mbox_send, or 0.
 *		Since ABI 1.4, as are the two below.
 * @nr_handles:	their number, at most the caller's @reply_nr_handles
 * @pad2:	must be 0
 */
struct shmbox_mbox_reply {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u64 buf;
	__u32 len;
	__u32 pad;
	__u64 handles;
	__u32 nr_handles;
	__u32 pad2;
};

#define SHMBOX_MBOX_REPLY_SIZE_VER0	32
#define SHMBOX_MBOX_REPLY_SIZE_VER1	48	/* the handles */

/*
 * SHMBOX_IOC_MBOX_REPLY - answer a call: its caller returns with the
 * reply.  Never waits.  The handle is used up when the reply succeeds or
 * fails with ESRCH; after any other error it still answers its call.
 * Errors: ENOENT (no call with this handle is waiting for a reply on
 * this open file description: already answered, taken by another fd, or
 * never issued), ESRCH (the caller gave up or died: the reply is
 * discarded), EMSGSIZE (@len above the call's @reply_max), ENOSPC (the
 * caller's max_user_bytes is used up), ENOMEM, EFAULT (@buf not
 * readable), EBADFD (fd not bound to a mailbox), EINVAL (@handle 0, a
 * non-zero @flags or @pad), and the common ones.  With handles: those of
 * a send's handles, and EMSGSIZE also for @nr_handles above the caller's
 * @reply_nr_handles.  Moved fds are closed once the reply is given.
 */
#define SHMBOX_IOC_MBOX_REPLY	_IOC(_IOC_WRITE, SHMBOX_IOC_MAGIC, 0x27, \
				     SHMBOX_MBOX_REPLY_SIZE_VER0)

/**
 * struct shmbox_mbox_reply_recv - argument of SHMBOX_IOC_MBOX_REPLY_RECV
 * @size:	sizeof(struct shmbox_mbox_reply_recv)
 * @flags:	for the receive: SHMBOX_MSG_NONBLOCK, SHMBOX_MSG_FROM,
 *		SHMBOX_MSG_NOCLOEXEC (since ABI 1.4), SHMBOX_MSG_REALTIME,
 *		SHMBOX_MSG_WHOLE (since ABI 1.5)
 * @reply_handle: in: the call to answer first, 0 for none; out: 0 once
 *		that handle is used up (answered, or ESRCH), else as it was
 * @reply_buf:	pointer to the reply (must be 0 without @reply_handle)
 * @reply_len:	its length (must be 0 without @reply_handle)
 * @pad:	must be 0
 * @buf:	the receive, as the fields of struct shmbox_mbox_recv of the
 *		same names: the buffer for the next message
 * @len:	in: its size; out: the message's length
 * @prio:	out
 * @pid:	in: with SHMBOX_MSG_FROM the sender, else 0; out: the sender
 * @uid:	out
 * @deadline_ns: the receive's deadline, or SHMBOX_TIMEOUT_NONE
 * @id:		out
 * @handle:	out: the next call's reply handle (0 for a message)
 * @reply_max:	out
 * @rflags:	out
 * @handles:	the receive's, as in struct shmbox_mbox_recv (since ABI 1.4,
 *		as are the two below; the reply here carries no handles: use
 *		SHMBOX_IOC_MBOX_REPLY for that)
 * @nr_handles:	in, out
 * @pad2:	must be 0
 */
struct shmbox_mbox_reply_recv {
	__u32 size;
	__u32 flags;
	__u64 reply_handle;
	__u64 reply_buf;
	__u32 reply_len;
	__u32 pad;
	__u64 buf;
	__u32 len;
	__u32 prio;
	__s32 pid;
	__u32 uid;
	__u64 deadline_ns;
	__u64 id;
	__u64 handle;
	__u32 reply_max;
	__u32 rflags;
	__u64 handles;
	__u32 nr_handles;
	__u32 pad2;
};

#define SHMBOX_MBOX_REPLY_RECV_SIZE_VER0	88
#define SHMBOX_MBOX_REPLY_RECV_SIZE_VER1	104	/* the receive's handles */

/*
 * SHMBOX_IOC_MBOX_REPLY_RECV - answer a call, then receive the next
 * message or call, in one system call: a busy server makes one call per
 * round trip.  The reply is SHMBOX_IOC_MBOX_REPLY's, the receive
 * SHMBOX_IOC_MBOX_RECV's (it takes calls).  If the reply fails, nothing
 * is received and the call fails with the reply's error (see
 * @reply_handle for whether the handle is used up).
 * Errors: those of SHMBOX_IOC_MBOX_REPLY and of SHMBOX_IOC_MBOX_RECV.
 */
#define SHMBOX_IOC_MBOX_REPLY_RECV	_IOC(_IOC_READ | _IOC_WRITE, SHMBOX_IOC_MAGIC, \
					     0x28, SHMBOX_MBOX_REPLY_RECV_SIZE_VER0)

/*
 * Notification (SHMBOX_FEAT_MQ, ABI 1.5)
 * --------------------------------------
 * A process may ask to be told when a message arrives in an empty
 * mailbox, as mq_notify() does for a POSIX message queue (libshmbox-mq
 * builds mq_notify() on it).  The rules are POSIX's:
 *  - One registration per mailbox, held by a process (thread group): a
 *    second one fails with EBUSY, also from the holder itself.
 *  - It fires when a message is queued in a mailbox that held none (depth
 *    0 before it) and stays queued because no receiver was waiting for it:
 *    a message handed straight to a blocked receiver fires nothing.  A
 *    call's request counts as a message.
 *  - Firing removes the registration: one notification per registration.
 *  - It is removed, without notice, by SHMBOX_NOTIFY_REMOVE from the
 *    holder, by the holder closing any fd bound to the mailbox (as
 *    close() and mq_close() remove a POSIX registration; exec closes the
 *    close-on-exec ones), and by the mailbox's removal (unlink,
 *    auto-removal).  A holder that has exec'd since it registered is sent
 *    nothing when the registration fires.
 *
 * How it is told (@notify):
 *  - SHMBOX_NOTIFY_NONE: nothing; the registration only holds the place
 *    (SIGEV_NONE).
 *  - SHMBOX_NOTIFY_SIGNAL: signal @signo with a siginfo as the kernel's
 *    mqueue sends it: si_code SI_MESGQ, si_value @value, si_pid and si_uid
 *    the sender's process id (in the holder's pid namespace) and uid (in
 *    the holder's user namespace) as the message carries them (the
 *    effective uid; mqueue gives the real one).  Neither 6.1 nor 6.12 exports to
 *    modules a way to queue a siginfo to a thread group (only
 *    send_sig_info(), to one thread), so it is queued to the first thread
 *    of the holder that does not block @signo (one in sigwaitinfo() for it
 *    counts), or to the thread-group leader if all block it; a thread that
 *    blocks it then does not see it pending.
 *  - SHMBOX_NOTIFY_EVENTFD: add 1 to the eventfd @eventfd (for a thread
 *    to wait on: libshmbox-mq's SIGEV_THREAD).  The registration holds a
 *    reference to the eventfd's context until it is removed.
 */
#define SHMBOX_NOTIFY_REMOVE	0	/* remove the caller's registration */
#define SHMBOX_NOTIFY_NONE	1
#define SHMBOX_NOTIFY_SIGNAL	2
#define SHMBOX_NOTIFY_EVENTFD	3

/**
 * struct shmbox_mbox_notify - argument of SHMBOX_IOC_MBOX_NOTIFY
 * @size:	sizeof(struct shmbox_mbox_notify)
 * @flags:	must be 0
 * @notify:	SHMBOX_NOTIFY_*
 * @signo:	SHMBOX_NOTIFY_SIGNAL: the signal, 1 to 64 (_NSIG); else 0
 * @value:	SHMBOX_NOTIFY_SIGNAL: the signal's si_value (sival_ptr or
 *		sival_int); else 0
 * @eventfd:	SHMBOX_NOTIFY_EVENTFD: an eventfd; else 0
 * @pad:	must be 0
 */
struct shmbox_mbox_notify {
	__u32 size;
	__u32 flags;
	__u32 notify;
	__s32 signo;
	__u64 value;
	__s32 eventfd;
	__u32 pad;
};

#define SHMBOX_MBOX_NOTIFY_SIZE_VER0	32

/*
 * SHMBOX_IOC_MBOX_NOTIFY - register the calling process for notification
 * on the bound mailbox, or remove its registration (SHMBOX_NOTIFY_REMOVE,
 * which succeeds also when the caller holds none, as mq_notify(NULL)).
 * The fd need not be open for reading, as for mq_notify().
 * Errors: EBUSY (a registration exists), EIDRM (the mailbox was removed),
 * EBADFD (fd not bound to a mailbox), EBADF (@eventfd not open), EINVAL
 * (unknown @notify or flag, a bad @signo, @eventfd not an eventfd, a
 * non-zero field the kind does not use, non-zero @pad), ENOMEM, and the
 * common ones.
 */
#define SHMBOX_IOC_MBOX_NOTIFY	_IOW(SHMBOX_IOC_MAGIC, 0x29, struct shmbox_mbox_notify)

#endif /* _UAPI_LINUX_SHMBOX_H */
