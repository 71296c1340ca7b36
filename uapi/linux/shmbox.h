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
 *    structure: when a structure grows, its command number does not change;
 *    the real size travels in ->size.
 *  - Every flag the kernel does not know, every reserved field and every
 *    padding member must be zero, otherwise EINVAL.
 *  - Pointers to user memory are passed as __u64.
 *  - Timeouts are absolute CLOCK_MONOTONIC times in nanoseconds.
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
#define SHMBOX_ABI_MINOR	0

/* Feature bits reported by SHMBOX_IOC_GET_VERSION. */
#define SHMBOX_FEAT_VERSION	_BITULL(0)	/* SHMBOX_IOC_GET_VERSION itself */
#define SHMBOX_FEAT_REGION	_BITULL(1)	/* shared regions, mmap */
#define SHMBOX_FEAT_RING	_BITULL(2)	/* bounded-buffer rings */

#define SHMBOX_IOC_MAGIC	0xB9

/**
 * struct shmbox_version - argument of SHMBOX_IOC_GET_VERSION
 * @size:	in: sizeof(struct shmbox_version) as compiled by the caller
 * @flags:	in: must be 0
 * @abi_major:	out: SHMBOX_ABI_MAJOR of the running module
 * @abi_minor:	out: SHMBOX_ABI_MINOR of the running module
 * @name_max:	out: longest object name in bytes, without the NUL
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
 * (EINVAL for an empty name or a '/', ENAMETOOLONG when longer).  Regions
 * and mailboxes share one system-wide name space: opening a name that
 * exists with the other kind fails with EMEDIUMTYPE ("wrong medium
 * type").  A name pointer of 0 creates an anonymous object (like
 * IPC_PRIVATE), shared only through fork() or fd passing.
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
 * so a crashed program leaves nothing behind.
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
 */
struct shmbox_unlink {
	__u32 size;
	__u32 kind;
	__u64 name;
};

#define SHMBOX_UNLINK_SIZE_VER0		16

/*
 * SHMBOX_IOC_UNLINK - remove a name.  Objects still in use live on,
 * anonymous, until their last user goes; blocked mailbox waiters are woken
 * with EIDRM.  Works on any /dev/shmbox fd.
 * Errors: ENOENT (no such name), EMEDIUMTYPE (the name is of another
 * kind), EPERM (caller is neither owner nor creator nor CAP_SYS_ADMIN),
 * EINVAL/ENAMETOOLONG (bad name), and the common ones.
 */
#define SHMBOX_IOC_UNLINK	_IOW(SHMBOX_IOC_MAGIC, 0x01, struct shmbox_unlink)

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
 * ENOSPC (max_objects or max_total_bytes reached), ENOMEM, and the common
 * ones.
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
 * Errors: EBADFD (fd not bound to a region) and the common ones.
 */
#define SHMBOX_IOC_REGION_STAT	_IOWR(SHMBOX_IOC_MAGIC, 0x11, struct shmbox_region_stat)

/*
 * Ring layout.  Positions are free-running byte counters (they never wrap
 * in practice: 2^64 bytes); the data offset of position p is
 * p & (data_size - 1).  used = prod_pos - cons_pos, free = data_size - used:
 * the whole data area is usable.  The producer owns prod_pos and
 * prod_waiting, the consumer cons_pos and cons_waiting; each pair sits on
 * its own cache line (128 bytes apart, against adjacent-line prefetch).
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
#define SHMBOX_RING_VERSION	1
#define SHMBOX_RING_CTL_SIZE	4096		/* control area, one page */
#define SHMBOX_RING_MAP_SIZE(data_size)	(SHMBOX_RING_CTL_SIZE + 2 * (__u64)(data_size))

struct shmbox_ring_ctl {
	/* Written by the kernel at creation; informational only. */
	__u32 magic;
	__u32 version;
	__u64 data_size;
	__u8 pad0[128 - 16];
	/* Producer's cache line. */
	__u64 prod_pos;
	__u32 prod_waiting;	/* producer sleeps or is about to: ring full */
	__u32 pad1;
	__u8 pad2[128 - 16];
	/* Consumer's cache line. */
	__u64 cons_pos;
	__u32 cons_waiting;	/* consumer sleeps or is about to: ring empty */
	__u32 pad3;
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

/* Commands 0x20 to 0x3f: mailboxes. */

#endif /* _UAPI_LINUX_SHMBOX_H */
