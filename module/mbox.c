// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailboxes: message queues reached through ioctls (and read/write)
 * on /dev/shmbox.
 *
 * Owns: struct shmbox_mbox (a kind of struct shmbox_obj), its messages
 * (struct shmbox_msg), the waiting senders and receivers, the table of
 * per-process inboxes, the per-user byte accounting and the mailbox
 * ioctls (open, stat, send, receive, their vector forms), read, write
 * and poll.
 *
 * Locking:
 *  - mbox->lock (spinlock) protects everything in the mailbox that
 *    changes: the priority queues, the counters, the waiter lists, the
 *    ->dead flag and each message's ->state and ->sw.  It is never held
 *    across an allocation or a user copy that may fault: a send copies
 *    the payload into a kernel message (or, for a small one, onto its
 *    stack, then into a spare header under the lock) before taking it; a
 *    receive of a small message copies it out under the lock with page
 *    faults disabled (shmbox_mbox_take_small()), and otherwise, or if
 *    that copy would fault, detaches ("reserves") the message under it,
 *    copies out without it and then either commits or puts the message
 *    back at the head of its priority.
 *  - shmbox_inbox_lock (spinlock) protects the inbox table and every
 *    inbox's ->inbox_fds.  Never nested with mbox->lock.
 *  - shmbox_users_lock (spinlock) protects the per-user table and
 *    serialises charges (check against the quota, then add).  Never
 *    nested with any other lock.  An uncharge is a lone atomic
 *    subtraction without it: an account with bytes charged is never
 *    swept, so it outlives the uncharge of every message charged to it.
 *  - mbox->poll_wq's own lock nests inside mbox->lock (poll wake-ups are
 *    issued with mbox->lock held).
 *  Wake-ups of blocked tasks are collected (with a task reference) under
 *  mbox->lock and issued after it is dropped (struct shmbox_wakeups; the
 *  kernel's wake_q is not exported to modules).  A waiter that polls
 *  before sleeping (shmbox_mbox_spin()) reads its own entry without the
 *  lock; the barrier pair with shmbox_wake_waiter() keeps that correct.
 *  Vector calls take the lock once per chunk of SHMBOX_VEC_CHUNK.
 *
 * Lifetime: a mailbox is freed by the object layer after its last
 * reference: its name (while linked), every bound fd, and every direct
 * sender between the inbox lookup and the end of its send.  The inbox
 * table holds no reference: an inbox leaves the table when the last fd
 * bound to it is released, before that fd drops its reference.  A message
 * belongs to its sender until queued, to the mailbox while queued and to
 * the receiver that reserved it until committed or put back; ->ref counts
 * that owner plus peekers copying it out, and the last put frees it; or,
 * once received with no peeker left, its header goes to the mailbox's
 * spare list (under mbox->lock) for a later send of a payload that fits
 * inline to reuse, and is freed with the mailbox.  Its
 * quota charge lasts from the send until it is received or withdrawn.
 * Waiter structures (struct shmbox_swait, struct shmbox_rwait) live on the
 * waiting task's stack and are only reached under mbox->lock while they
 * are linked (or, for a synchronous sender, while its message's ->sw
 * points at it).  Whoever takes a receiver's entry off the list stores
 * its ->released flag (release) as its very last access to it; a receiver
 * that sees the flag and a message returns without taking mbox->lock.
 */
#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>

#include "shmbox.h"
#include "trace.h"

/* Payloads up to this size live in the message header's slab object. */
#define SHMBOX_MSG_INLINE	192

enum shmbox_msg_state {
	SHMBOX_MSG_NEW,		/* the sender's, not in the mailbox */
	SHMBOX_MSG_QUEUED,	/* on a priority queue */
	SHMBOX_MSG_RESERVED,	/* detached by a receiver that copies it out */
};

struct shmbox_user;
struct shmbox_swait;

struct shmbox_msg {
	struct list_head node;		/* mbox->queue[prio] while queued */
	refcount_t ref;
	u8 state;			/* enum shmbox_msg_state */
	u8 prio;
	u32 len;
	struct pid *sender;		/* thread group of the sender */
	kuid_t uid;			/* sender's euid, also the one charged */
	struct shmbox_user *user;	/* the charged account */
	struct shmbox_swait *sw;	/* synchronous sender waiting for it */
	void *data;
	u8 inline_data[SHMBOX_MSG_INLINE];
};

enum shmbox_swait_state {
	SHMBOX_SW_ROOM,		/* on mbox->senders, waiting for room */
	SHMBOX_SW_QUEUED,	/* message queued, waiting for a receiver */
	SHMBOX_SW_DONE,		/* sent (taken, for a synchronous send) */
};

/* A sender that waits: for room, then (synchronous) for the take. */
struct shmbox_swait {
	/* On mbox->senders while SHMBOX_SW_ROOM, until served or killed. */
	struct list_head node;
	struct task_struct *task;
	struct shmbox_msg *msg;
	int state;			/* enum shmbox_swait_state */
	bool sync;
	bool spinning;			/* polling, see shmbox_mbox_spin() */
};

/* A receiver that waits for a message. */
struct shmbox_rwait {
	struct list_head node;		/* mbox->receivers; empty once woken */
	struct task_struct *task;
	struct shmbox_msg *msg;		/* handed over, already reserved */
	struct pid_namespace *ns;	/* to match @from */
	pid_t from;			/* 0: any sender */
	u32 buflen;
	bool peek;
	bool spinning;			/* polling, see shmbox_mbox_spin() */
	bool released;			/* served, see shmbox_rwait_serve() */
};

struct shmbox_mbox {
	struct shmbox_obj obj;
	u32 capacity;			/* SHMBOX_MBOX_UNBOUNDED: none */
	u32 max_msg;
	/* Inbox only: owner process, table linkage, bound fds. */
	struct pid *inbox_pid;
	struct hlist_node inbox_node;
	unsigned int inbox_fds;		/* under shmbox_inbox_lock */

	spinlock_t lock;		/* everything below */
	bool dead;			/* removed: EIDRM */
	u32 prio_map;			/* bit p set: queue[p] not empty */
	struct list_head queue[SHMBOX_MSG_PRIO_MAX];
	u32 nr_msgs;			/* queued + reserved */
	u64 bytes;			/* their payload */
	u64 charged;			/* their SHMBOX_MSG_COST() */
	u64 sent, received;
	u32 nr_swait, nr_rwait;		/* blocked senders, receivers */
	u64 offer_steps;		/* receivers shmbox_mbox_offer() examined */
	struct list_head senders;	/* struct shmbox_swait waiting for room */
	struct list_head receivers;	/* struct shmbox_rwait, FIFO */
	/* Spare message headers for senders, see shmbox_msgs_spare(). */
	struct list_head spare;
	u32 nr_spare;
	bool keep_spares;		/* a sender asked for one: keep them */
	wait_queue_head_t poll_wq;
};

/*
 * Vector calls work in chunks of this many messages: one copy of their
 * descriptors each way, one charge, one lock round trip to queue them or
 * to take them and one to commit them.
 */
#define SHMBOX_VEC_CHUNK	16

/* Spare headers a mailbox keeps (once a sender asked for one). */
#define SHMBOX_MBOX_SPARE	32

static struct kmem_cache *shmbox_msg_cache;

/*
 * Tasks to wake once mbox->lock is dropped, so that they do not wake up
 * only to spin on it.  Past SHMBOX_WAKE_BATCH the waker wakes them at
 * once, under the lock, which is correct too: a waiter rechecks its state
 * under the lock.
 */
#define SHMBOX_WAKE_BATCH	8

struct shmbox_wakeups {
	unsigned int n;
	struct task_struct *task[SHMBOX_WAKE_BATCH];
};

static void shmbox_wake_add(struct shmbox_wakeups *wq, struct task_struct *t)
{
	trace_shmbox_mbox_wake(t);
	if (wq->n == SHMBOX_WAKE_BATCH) {
		wake_up_process(t);
		return;
	}
	get_task_struct(t);
	wq->task[wq->n++] = t;
}

static void shmbox_wake_flush(struct shmbox_wakeups *wq)
{
	while (wq->n) {
		struct task_struct *t = wq->task[--wq->n];

		wake_up_process(t);
		put_task_struct(t);
	}
}

/*
 * Wake the task of a wait entry just served (taken off its list, under
 * mb->lock) unless it is polling: then it sees the entry gone by itself.
 * The barrier pairs with the one in shmbox_mbox_spin() after the poller
 * clears ->spinning: either we see the flag clear and wake the task, or
 * it sees its entry gone and does not sleep.  The entry lives on the
 * waiter's stack, but the waiter takes mb->lock before it returns.
 */
static void shmbox_wake_waiter(struct shmbox_wakeups *wq, struct task_struct *t,
			       const bool *spinning)
{
	/* Orders the caller's list_del_init() before the ->spinning load. */
	smp_mb();
	if (READ_ONCE(*spinning))
		return;
	shmbox_wake_add(wq, t);
}

static inline struct shmbox_mbox *to_mbox(struct shmbox_obj *obj)
{
	return container_of(obj, struct shmbox_mbox, obj);
}

/* ---- adaptive spinning ----------------------------------------------------- */

/*
 * shmbox_mbox_spin - poll a queued wait entry before sleeping on it
 * @node:	the entry, on mb->receivers or mb->senders; whoever serves it
 *		(or removes the mailbox) takes it off under mb->lock and then
 *		calls shmbox_wake_waiter()
 * @spinning:	the entry's ->spinning flag
 * @deadline:	the wait's absolute CLOCK_MONOTONIC deadline
 *
 * Called without mb->lock, the task's state already TASK_INTERRUPTIBLE.
 * A peer on another CPU usually answers within microseconds, while a
 * sleep puts a wake-up (an IPI to an idle CPU, the idle exit) on the
 * critical path of every message.  Like KVM's halt polling, the task
 * polls for at most the mbox_spin_ns parameter, and only while nothing
 * else wants its CPU (single_task_running(), need_resched()), no signal is
 * pending and the deadline has not passed.  It polls in TASK_RUNNING with
 * ->spinning set, so a waker has nothing to do: no remote wake-up at all.
 *
 * Return: true if the entry was served (the task is TASK_RUNNING), false
 * if the task must go to sleep (its state is set again, and the entry was
 * checked after that, so no wake-up is lost).
 */
static bool shmbox_mbox_spin(struct list_head *node, bool *spinning,
			     u64 deadline)
{
	u64 spin_ns = shmbox_limit(SHMBOX_LIM_SPIN_NS), now;
	bool served;
	u64 end;

	if (!spin_ns || !single_task_running())
		return false;
	if (deadline != SHMBOX_TIMEOUT_NONE) {
		now = ktime_get_ns();
		if (now >= deadline)
			return false;
		spin_ns = min(spin_ns, deadline - now);
	}
	/* local_clock(): cheap, unlike some clocksources (HPET) */
	end = local_clock() + spin_ns;
	WRITE_ONCE(*spinning, true);
	__set_current_state(TASK_RUNNING);
	do {
		served = list_empty(node);
		if (served)
			break;
		cpu_relax();
	} while (!need_resched() && single_task_running() &&
		 !signal_pending(current) && local_clock() < end);
	WRITE_ONCE(*spinning, false);
	if (served)
		return true;
	/* Implies smp_mb(): pairs with shmbox_wake_waiter(). */
	set_current_state(TASK_INTERRUPTIBLE);
	if (!list_empty(node))
		return false;
	__set_current_state(TASK_RUNNING);
	return true;
}

/* ---- per-user byte accounting ------------------------------------------ */

/*
 * Bytes queued by one effective uid in all mailboxes.  An account that
 * drops to zero stays in the table, so that a steady stream does not
 * allocate and free one per message; idle accounts are swept when the
 * table reaches SHMBOX_USERS_KEEP entries, and at module exit.  A
 * message's charge keeps its account non-zero, hence in the table.
 * ->bytes grows under shmbox_users_lock and shrinks without it (the
 * receiver's side of a stream then never touches the lock): a concurrent
 * uncharge only makes the quota check conservative.
 */
struct shmbox_user {
	struct hlist_node node;
	kuid_t uid;
	atomic64_t bytes;
};

#define SHMBOX_USERS_KEEP	64

static DEFINE_SPINLOCK(shmbox_users_lock);	/* shmbox_users, ->bytes, count */
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
static void shmbox_users_sweep(struct hlist_head *idle)
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

/* Charge @cost bytes to @uid; -ENOSPC over max_user_bytes. */
static struct shmbox_user *shmbox_user_charge(kuid_t uid, u64 cost)
{
	struct shmbox_user *u, *fresh = NULL;
	HLIST_HEAD(idle);

	for (;;) {
		spin_lock(&shmbox_users_lock);
		u = shmbox_user_lookup(uid);
		if (!u && fresh) {
			if (shmbox_nr_users >= SHMBOX_USERS_KEEP)
				shmbox_users_sweep(&idle);
			u = fresh;
			fresh = NULL;
			u->uid = uid;
			atomic64_set(&u->bytes, 0);
			hash_add(shmbox_users, &u->node, __kuid_val(uid));
			shmbox_nr_users++;
		}
		if (u)
			break;
		spin_unlock(&shmbox_users_lock);
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

/* No lock: see struct shmbox_user.  @u may be swept once this is done. */
static void shmbox_user_uncharge(struct shmbox_user *u, u64 cost)
{
	atomic64_sub(cost, &u->bytes);
}

/* ---- messages ------------------------------------------------------------ */

/* The header fields of a new message from current; the payload is set. */
static void shmbox_msg_init(struct shmbox_msg *msg, u32 len, u32 prio)
{
	msg->uid = current_euid();
	msg->user = NULL;
	INIT_LIST_HEAD(&msg->node);
	refcount_set(&msg->ref, 1);
	msg->state = SHMBOX_MSG_NEW;
	msg->prio = prio;
	msg->len = len;
	msg->sender = get_pid(task_tgid(current));
	msg->sw = NULL;
}

/*
 * A new message holding a copy of @len bytes at @ubuf, sent by current;
 * not charged yet (shmbox_msgs_charge()), freed with shmbox_msg_put().
 * @spare: a spare header to use (its payload must fit inline), or NULL.
 */
static struct shmbox_msg *shmbox_msg_new(u64 ubuf, u32 len, u32 prio,
					 struct shmbox_msg *spare)
{
	struct shmbox_msg *msg = spare;
	int ret;

	if (!msg)
		msg = kmem_cache_alloc(shmbox_msg_cache, GFP_KERNEL);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	msg->data = msg->inline_data;
	if (len > SHMBOX_MSG_INLINE) {
		msg->data = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!msg->data) {
			ret = -ENOMEM;
			goto free_msg;
		}
	}
	if (copy_from_user(msg->data, u64_to_user_ptr(ubuf), len)) {
		ret = -EFAULT;
		goto free_data;
	}
	shmbox_msg_init(msg, len, prio);
	return msg;

free_data:
	if (msg->data != msg->inline_data)
		kvfree(msg->data);
free_msg:
	kmem_cache_free(shmbox_msg_cache, msg);
	return ERR_PTR(ret);
}

/*
 * Charge new messages to their sender's euid (all current's): the whole
 * batch under one lock when it fits, else one by one up to the quota.
 * Return: how many were charged, a prefix of @msgs; *@err says why the
 * next one was not.
 */
static u32 shmbox_msgs_charge(struct shmbox_msg **msgs, u32 n, int *err)
{
	kuid_t uid = msgs[0]->uid;
	struct shmbox_user *u;
	u64 total = 0;
	u32 i;

	for (i = 0; i < n; i++)
		total += SHMBOX_MSG_COST(msgs[i]->len);
	u = shmbox_user_charge(uid, total);
	if (!IS_ERR(u)) {
		for (i = 0; i < n; i++)
			msgs[i]->user = u;
		return n;
	}
	*err = PTR_ERR(u);
	if (n == 1 || *err != -ENOSPC)
		return 0;
	for (i = 0; i < n; i++) {
		u = shmbox_user_charge(uid, SHMBOX_MSG_COST(msgs[i]->len));
		if (IS_ERR(u)) {
			*err = PTR_ERR(u);
			break;
		}
		msgs[i]->user = u;
	}
	return i;
}

static void shmbox_msg_put(struct shmbox_msg *msg)
{
	if (!refcount_dec_and_test(&msg->ref))
		return;
	put_pid(msg->sender);
	if (msg->data != msg->inline_data)
		kvfree(msg->data);
	kmem_cache_free(shmbox_msg_cache, msg);
}

/* The message leaves the system (received or withdrawn): end its charge. */
static void shmbox_msg_done(struct shmbox_msg *msg)
{
	shmbox_user_uncharge(msg->user, SHMBOX_MSG_COST(msg->len));
	shmbox_msg_put(msg);
}

/* ---- queue core (mbox->lock held) ---------------------------------------- */

static void shmbox_mbox_poll_wake(struct shmbox_mbox *mb)
{
	lockdep_assert_held(&mb->lock);
	if (wq_has_sleeper(&mb->poll_wq))
		wake_up_interruptible_poll(&mb->poll_wq, EPOLLIN | EPOLLOUT |
					   EPOLLRDNORM | EPOLLWRNORM);
}

static void shmbox_msg_link(struct shmbox_mbox *mb, struct shmbox_msg *msg,
			    bool head)
{
	lockdep_assert_held(&mb->lock);
	if (head)
		list_add(&msg->node, &mb->queue[msg->prio]);
	else
		list_add_tail(&msg->node, &mb->queue[msg->prio]);
	mb->prio_map |= BIT(msg->prio);
	msg->state = SHMBOX_MSG_QUEUED;
}

/* Take a queued message off its queue; it stays counted in the mailbox. */
static void shmbox_msg_reserve(struct shmbox_mbox *mb, struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	list_del_init(&msg->node);
	if (list_empty(&mb->queue[msg->prio]))
		mb->prio_map &= ~BIT(msg->prio);
	msg->state = SHMBOX_MSG_RESERVED;
}

/* Account a new message into the mailbox and queue it at the tail. */
static void shmbox_mbox_add(struct shmbox_mbox *mb, struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	mb->nr_msgs++;
	mb->bytes += msg->len;
	mb->charged += SHMBOX_MSG_COST(msg->len);
	/* A synchronous send counts as sent when it is taken. */
	if (!msg->sw)
		mb->sent++;
	shmbox_msg_link(mb, msg, false);
}

/* Remove a reserved or queued message from the mailbox's accounts. */
static void shmbox_mbox_sub(struct shmbox_mbox *mb, struct shmbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	if (msg->state == SHMBOX_MSG_QUEUED)
		shmbox_msg_reserve(mb, msg);
	mb->nr_msgs--;
	mb->bytes -= msg->len;
	mb->charged -= SHMBOX_MSG_COST(msg->len);
	msg->state = SHMBOX_MSG_NEW;
}

/* A spare header of @mb (see shmbox_msgs_spare()), or NULL if none. */
static struct shmbox_msg *shmbox_mbox_spare_take(struct shmbox_mbox *mb)
{
	struct shmbox_msg *msg;

	lockdep_assert_held(&mb->lock);
	msg = list_first_entry_or_null(&mb->spare, struct shmbox_msg, node);
	if (msg) {
		list_del(&msg->node);
		mb->nr_spare--;
	}
	return msg;
}

/* Would a message of @len bytes fit now (capacity, mailbox byte quota)? */
static bool shmbox_mbox_room_for(struct shmbox_mbox *mb, u32 len)
{
	lockdep_assert_held(&mb->lock);
	if (mb->capacity && mb->capacity != SHMBOX_MBOX_UNBOUNDED &&
	    mb->nr_msgs >= mb->capacity)
		return false;
	return mb->charged + SHMBOX_MSG_COST(len) <=
	       shmbox_limit(SHMBOX_LIM_MBOX_BYTES);
}

static bool shmbox_mbox_room(struct shmbox_mbox *mb, const struct shmbox_msg *msg)
{
	return shmbox_mbox_room_for(mb, msg->len);
}

/* The message a receive would get: highest priority, oldest, from @from. */
static struct shmbox_msg *shmbox_mbox_first(struct shmbox_mbox *mb,
					    struct pid_namespace *ns,
					    pid_t from)
{
	struct shmbox_msg *msg;
	unsigned long map;
	int p;

	lockdep_assert_held(&mb->lock);
	map = mb->prio_map;
	if (!map)
		return NULL;
	if (!from)
		return list_first_entry(&mb->queue[__fls(map)],
					struct shmbox_msg, node);
	for (p = SHMBOX_MSG_PRIO_MAX - 1; p >= 0; p--) {
		if (!(map & BIT(p)))
			continue;
		list_for_each_entry(msg, &mb->queue[p], node)
			if (pid_nr_ns(msg->sender, ns) == from)
				return msg;
	}
	return NULL;
}

/*
 * Take waiting receiver @rw off mb->receivers, handing it @msg (reserved)
 * or nothing, and wake it unless it polls.  The release store of
 * ->released is the last access to @rw, whose task may then return (its
 * wake-up, if any, holds its own task reference): a receiver that sees it
 * set with a message returns without mb->lock (shmbox_mbox_recv_msg()).
 */
static void shmbox_rwait_serve(struct shmbox_mbox *mb, struct shmbox_rwait *rw,
			       struct shmbox_msg *msg, struct shmbox_wakeups *wq)
{
	lockdep_assert_held(&mb->lock);
	list_del_init(&rw->node);
	mb->nr_rwait--;
	rw->msg = msg;
	shmbox_wake_waiter(wq, rw->task, &rw->spinning);
	/* Last access to @rw; pairs with the load in shmbox_mbox_recv_msg(). */
	smp_store_release(&rw->released, true);
}

/*
 * Offer @msg, just queued, to the waiting receivers in their FIFO order:
 * the first whose filter it passes and whose buffer it fits gets it,
 * reserved; a peeker, or a receiver whose buffer is too small, that it
 * passes is woken without it and looks again itself.
 */
static void shmbox_mbox_offer_one(struct shmbox_mbox *mb, struct shmbox_msg *msg,
				  struct shmbox_wakeups *wq)
{
	struct shmbox_rwait *rw, *tmp;

	lockdep_assert_held(&mb->lock);
	list_for_each_entry_safe(rw, tmp, &mb->receivers, node) {
		mb->offer_steps++;
		if (rw->from && pid_nr_ns(msg->sender, rw->ns) != rw->from)
			continue;
		if (rw->peek || msg->len > rw->buflen) {
			shmbox_rwait_serve(mb, rw, NULL, wq);
			continue;
		}
		shmbox_msg_reserve(mb, msg);
		shmbox_rwait_serve(mb, rw, msg, wq);
		return;
	}
}

/*
 * shmbox_mbox_offer - hand messages just queued to waiting receivers
 * @msgs, @n:	the messages this lock hold queued (sent, refilled or put
 *		back), in their queue order; at most SHMBOX_VEC_CHUNK
 *
 * Only new messages need matching: a receiver looks at the queue under
 * mb->lock before it waits, and waits only if nothing queued is for it,
 * so no waiting receiver has a match among the older messages.  The cost
 * is therefore waiters x new messages, whatever the queue's length (a
 * walk of every waiter against the whole queue let receivers filtering
 * on a silent sender make each send quadratic under the spinlock).  The
 * messages are offered in receive order (highest priority first, FIFO
 * within one), so the first waiter gets what a receive would get.
 */
static void shmbox_mbox_offer(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
			      u32 n, struct shmbox_wakeups *wq)
{
	unsigned long left;
	u32 i, best;

	lockdep_assert_held(&mb->lock);
	/* Every caller queues at most one chunk per lock hold. */
	if (WARN_ON_ONCE(n > SHMBOX_VEC_CHUNK))
		n = SHMBOX_VEC_CHUNK;
	left = BIT(n) - 1;
	while (left && !list_empty(&mb->receivers)) {
		best = __ffs(left);
		for_each_set_bit(i, &left, n)
			if (msgs[i]->prio > msgs[best]->prio)
				best = i;
		__clear_bit(best, &left);
		shmbox_mbox_offer_one(mb, msgs[best], wq);
	}
}

/*
 * Pipelined send: move the messages of senders waiting for room into the
 * mailbox while they fit, in the senders' FIFO order, and offer them to
 * waiting receivers.  An asynchronous sender is done and woken; a
 * synchronous one keeps waiting for the take.
 */
static void shmbox_mbox_refill(struct shmbox_mbox *mb, struct shmbox_wakeups *wq)
{
	struct shmbox_msg *added[SHMBOX_VEC_CHUNK];
	struct shmbox_swait *sw;
	u32 n = 0;

	lockdep_assert_held(&mb->lock);
	while (!list_empty(&mb->senders)) {
		sw = list_first_entry(&mb->senders, struct shmbox_swait, node);
		if (!shmbox_mbox_room(mb, sw->msg))
			break;
		list_del_init(&sw->node);
		shmbox_mbox_add(mb, sw->msg);
		added[n++] = sw->msg;
		if (sw->sync) {
			sw->state = SHMBOX_SW_QUEUED;
		} else {
			sw->state = SHMBOX_SW_DONE;
			shmbox_wake_waiter(wq, sw->task, &sw->spinning);
		}
		if (n == ARRAY_SIZE(added)) {
			shmbox_mbox_offer(mb, added, n, wq);
			n = 0;
		}
	}
	shmbox_mbox_offer(mb, added, n, wq);
}

/* Room was made: let waiting senders in, tell pollers. */
static void shmbox_mbox_kick(struct shmbox_mbox *mb, struct shmbox_wakeups *wq)
{
	shmbox_mbox_refill(mb, wq);
	shmbox_mbox_poll_wake(mb);
}

/* Mark the mailbox removed and wake every waiter with EIDRM. */
static void shmbox_mbox_kill(struct shmbox_mbox *mb)
{
	struct shmbox_rwait *rw, *rtmp;
	struct shmbox_swait *sw, *stmp;
	struct shmbox_msg *msg;
	struct shmbox_wakeups wq = {};
	int p;

	spin_lock(&mb->lock);
	WRITE_ONCE(mb->dead, true);
	list_for_each_entry_safe(rw, rtmp, &mb->receivers, node)
		shmbox_rwait_serve(mb, rw, NULL, &wq);
	/* Each finds mb->dead and fails with EIDRM. */
	list_for_each_entry_safe(sw, stmp, &mb->senders, node) {
		list_del_init(&sw->node);
		shmbox_wake_waiter(&wq, sw->task, &sw->spinning);
	}
	for (p = 0; p < SHMBOX_MSG_PRIO_MAX; p++)
		list_for_each_entry(msg, &mb->queue[p], node)
			if (msg->sw)
				shmbox_wake_add(&wq, msg->sw->task);
	/* Ordered against poll_wait() by mb->lock, which poll takes after. */
	if (waitqueue_active(&mb->poll_wq))
		wake_up_interruptible_poll(&mb->poll_wq, EPOLLERR | EPOLLHUP);
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
}

/*
 * The one errno ladder of a mailbox wait, checked under mb->lock each
 * time the waiter looks at its state: removed (EIDRM) before a
 * non-blocking call that would wait (EAGAIN), before a signal
 * (ERESTARTSYS, looked at only once @check_signal: a receive that finds
 * nothing on its first look sleeps once, so that schedule() notices the
 * signal), before the deadline (ETIMEDOUT).  0: wait on.
 */
static int shmbox_wait_verdict(struct shmbox_mbox *mb, bool nonblock,
			       bool check_signal, bool timed_out)
{
	lockdep_assert_held(&mb->lock);
	if (mb->dead)
		return -EIDRM;
	if (nonblock)
		return -EAGAIN;
	if (check_signal && signal_pending(current))
		return -ERESTARTSYS;
	if (timed_out)
		return -ETIMEDOUT;
	return 0;
}

/*
 * shmbox_mbox_send_msg - put one message into @mb, consuming @msg
 * @mb:		the mailbox
 * @msg:	a new message, charged; owned by the mailbox, a receiver or
 *		freed here, whatever happens
 * @sync:	wait until a receiver has taken it
 * @nonblock:	never wait for room or for a receiver to come
 * @deadline:	absolute CLOCK_MONOTONIC ns, or SHMBOX_TIMEOUT_NONE
 *
 * Return: 0 once sent, or a negative errno with the message withdrawn.
 */
static int shmbox_mbox_send_msg(struct shmbox_mbox *mb, struct shmbox_msg *msg,
				bool sync, bool nonblock, u64 deadline)
{
	struct shmbox_swait sw = { .task = current, .msg = msg };
	bool timed_out = false, blocked = false, copying, room;
	struct shmbox_wakeups wq = {};
	int ret = 0;

	sw.sync = sync || mb->capacity == 0;
	INIT_LIST_HEAD(&sw.node);
	msg->sw = sw.sync ? &sw : NULL;

	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = -EIDRM;
		goto unlock_free;
	}
	if (list_empty(&mb->senders) && shmbox_mbox_room(mb, msg)) {
		shmbox_mbox_add(mb, msg);
		sw.state = sw.sync ? SHMBOX_SW_QUEUED : SHMBOX_SW_DONE;
		shmbox_mbox_offer(mb, &msg, 1, &wq);
		shmbox_mbox_poll_wake(mb);
	} else if (nonblock) {
		ret = -EAGAIN;
		goto unlock_free;
	} else {
		list_add_tail(&sw.node, &mb->senders);
		sw.state = SHMBOX_SW_ROOM;
	}

	for (;;) {
		copying = false;
		if (sw.state == SHMBOX_SW_DONE)
			break;
		room = sw.state == SHMBOX_SW_ROOM;
		if (room) {
			/* A non-blocking send never waits for room. */
			ret = shmbox_wait_verdict(mb, false, true, timed_out);
			if (ret) {
				list_del_init(&sw.node);
				/* Leaving the head may let the next one in. */
				shmbox_mbox_kick(mb, &wq);
				break;
			}
			__set_current_state(TASK_INTERRUPTIBLE);
		} else if (msg->state == SHMBOX_MSG_QUEUED) {
			/* Synchronous, nobody took it yet: may withdraw. */
			ret = shmbox_wait_verdict(mb, nonblock, true, timed_out);
			if (ret) {
				msg->sw = NULL;
				shmbox_mbox_sub(mb, msg);
				shmbox_mbox_kick(mb, &wq);
				break;
			}
			__set_current_state(TASK_INTERRUPTIBLE);
		} else {
			/*
			 * A receiver is copying it out: the outcome (taken,
			 * or put back) comes soon.  Only a fatal signal ends
			 * the wait; the message then goes on without us.
			 */
			if (fatal_signal_pending(current)) {
				msg->sw = NULL;
				mb->sent++;
				ret = -EINTR;
				msg = NULL;
				break;
			}
			__set_current_state(TASK_KILLABLE);
			copying = true;
		}
		if (!blocked) {
			blocked = true;
			mb->nr_swait++;
		}
		spin_unlock(&mb->lock);
		shmbox_wake_flush(&wq);
		trace_shmbox_mbox_wait(&mb->obj, true, 0);
		/* No deadline while copied out: the result decides. */
		if (copying)
			schedule();
		else if ((!room ||
			  !shmbox_mbox_spin(&sw.node, &sw.spinning, deadline)) &&
			 shmbox_schedule_deadline(deadline))
			timed_out = true;
		trace_shmbox_mbox_wait_done(&mb->obj, true,
					    timed_out ? -ETIMEDOUT : 0);
		spin_lock(&mb->lock);
	}
	if (blocked)
		mb->nr_swait--;
	if (ret)
		goto unlock_free;
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	return 0;

unlock_free:
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	if (msg)
		shmbox_msg_done(msg);
	return ret;
}

/* What is left to do for a received message once mb->lock is dropped. */
struct shmbox_done {
	struct shmbox_user *user;	/* its charge, to end */
	u64 cost;
	struct pid *sender;
	struct shmbox_msg *msg;		/* to put; NULL: its header is a spare */
};

/*
 * Reserved or queued @msg is received (mb->lock held): out of the
 * mailbox's accounts, its synchronous sender done, and its header a spare
 * for the senders if nobody else (no peeker) holds it.  A sender may reuse
 * a spare header as soon as the lock is dropped, so what the rest of the
 * work needs is taken out into @done, for shmbox_done_finish().
 */
static void shmbox_mbox_received(struct shmbox_mbox *mb, struct shmbox_msg *msg,
				 struct shmbox_done *done,
				 struct shmbox_wakeups *wq)
{
	lockdep_assert_held(&mb->lock);
	shmbox_mbox_sub(mb, msg);
	mb->received++;
	if (msg->sw) {
		msg->sw->state = SHMBOX_SW_DONE;
		shmbox_wake_add(wq, msg->sw->task);
		msg->sw = NULL;
		mb->sent++;
	}
	trace_shmbox_mbox_recv(&mb->obj, msg->len, msg->prio, msg->sender);
	done->user = msg->user;
	done->cost = SHMBOX_MSG_COST(msg->len);
	done->sender = msg->sender;
	done->msg = msg;
	if (mb->keep_spares && mb->nr_spare < SHMBOX_MBOX_SPARE &&
	    msg->data == msg->inline_data && refcount_read(&msg->ref) == 1) {
		list_add(&msg->node, &mb->spare);
		mb->nr_spare++;
		done->msg = NULL;
	}
}

/*
 * After mb->lock: end the charges of @n received messages (one quota
 * operation per run charged to the same user) and drop the references.
 * A user's account lives while any of these is still charged to it.
 */
static void shmbox_done_finish(const struct shmbox_done *done, u32 n)
{
	struct shmbox_user *user = NULL;
	u64 cost = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		if (done[i].user != user) {
			if (user)
				shmbox_user_uncharge(user, cost);
			user = done[i].user;
			cost = 0;
		}
		cost += done[i].cost;
		if (done[i].msg)
			shmbox_msg_put(done[i].msg);
		else
			put_pid(done[i].sender);
	}
	if (user)
		shmbox_user_uncharge(user, cost);
}

struct shmbox_recv_req {
	pid_t from;		/* 0: any */
	u32 buflen;
	bool peek;
	bool nonblock;
	u64 deadline;
	u32 needed;		/* out, with -EMSGSIZE */
	/* Vector receive: more messages to take, without waiting. */
	const struct shmbox_mbox_msg *more;	/* their buffers */
	struct shmbox_msg **more_msgs;		/* out: reserved */
	u32 nmore;				/* in: wanted; out: reserved */
	bool more_too_big;	/* out: the next did not fit (->needed) */
	/*
	 * Single receive: a small message is copied to @ubuf (and the
	 * ioctl's result @arg to @uarg) in the lock round trip that finds
	 * it, see shmbox_mbox_take_small(); then @taken is set, @len is the
	 * message's length and @done what is left for after the lock.
	 */
	void __user *ubuf;
	const struct shmbox_mbox_recv *arg;
	void __user *uarg;
	bool taken;
	u32 len;
	struct shmbox_done done;
};

/*
 * Reserve, in order and without waiting, the messages a receive would get
 * for the buffers of req->more (mb->lock held).  Stops when none is left
 * or the next one does not fit its buffer (req->more_too_big, needed).
 */
static void shmbox_mbox_reserve_more(struct shmbox_mbox *mb,
				     struct shmbox_recv_req *req,
				     struct pid_namespace *ns)
{
	struct shmbox_msg *msg;
	u32 i;

	lockdep_assert_held(&mb->lock);
	req->more_too_big = false;
	for (i = 0; i < req->nmore && !mb->dead; i++) {
		msg = shmbox_mbox_first(mb, ns, req->from);
		if (!msg)
			break;
		if (msg->len > req->more[i].len) {
			req->needed = msg->len;
			req->more_too_big = true;
			break;
		}
		shmbox_msg_reserve(mb, msg);
		req->more_msgs[i] = msg;
	}
	req->nmore = i;
}

/* What a receiver learns of @msg, the sender seen from current's namespaces. */
static void shmbox_msg_describe(const struct shmbox_msg *msg,
				struct shmbox_mbox_msg *out)
{
	out->len = msg->len;
	out->prio = msg->prio;
	out->pid = pid_vnr(msg->sender);
	out->uid = from_kuid_munged(current_user_ns(), msg->uid);
}

/* SHMBOX_IOC_MBOX_RECV's result fields from a message's description. */
static void shmbox_recv_result(struct shmbox_mbox_recv *arg,
			       const struct shmbox_mbox_msg *out)
{
	arg->len = out->len;
	arg->prio = out->prio;
	arg->pid = out->pid;
	arg->uid = out->uid;
}

/*
 * shmbox_mbox_take_small - receive @msg in the lock round trip that found it
 *
 * Called with mb->lock held for a single, non-peeking receive whose buffer
 * @msg fits.  A payload of at most SHMBOX_MSG_INLINE bytes is copied out
 * right here, with page faults disabled: the copy cannot sleep or take
 * mmap_lock, so holding the spinlock across it is safe, and it is short.
 * The common case (the receiver's buffer is mapped and writable) then
 * needs no reservation and no second lock round trip to commit.  If the
 * payload or the ioctl's result would fault, nothing was received: the
 * caller reserves the message and copies it out with faults allowed, so
 * a fault still loses nothing.
 *
 * Return: true if @msg was received (req->taken, ->len, ->done set).
 */
static bool shmbox_mbox_take_small(struct shmbox_mbox *mb,
				   struct shmbox_msg *msg,
				   struct shmbox_recv_req *req,
				   struct shmbox_wakeups *wq)
{
	struct shmbox_mbox_recv res;
	struct shmbox_mbox_msg out;

	lockdep_assert_held(&mb->lock);
	if (!req->ubuf || msg->len > SHMBOX_MSG_INLINE ||
	    copy_to_user_nofault(req->ubuf, msg->data, msg->len))
		return false;
	req->len = msg->len;
	/* read(2) returns the length alone; the ioctl writes its result. */
	if (req->uarg) {
		res = *req->arg;
		shmbox_msg_describe(msg, &out);
		shmbox_recv_result(&res, &out);
		if (copy_to_user_nofault(req->uarg, &res, sizeof(res)))
			return false;
	}
	shmbox_mbox_received(mb, msg, &req->done, wq);
	shmbox_mbox_kick(mb, wq);
	req->taken = true;
	return true;
}

/*
 * shmbox_mbox_recv_msg - wait for the message a receive gets
 *
 * Return: the message, reserved (or, for a peek, still queued with an
 * extra reference), or an ERR_PTR.  The caller copies it out without the
 * lock and then calls shmbox_mbox_commit() or shmbox_mbox_putback() (a
 * peek: shmbox_msg_put()).  NULL: received already, req->taken (see
 * shmbox_mbox_take_small()); the caller calls shmbox_done_finish().
 */
static struct shmbox_msg *shmbox_mbox_recv_msg(struct shmbox_mbox *mb,
					       struct shmbox_recv_req *req)
{
	struct shmbox_rwait rw = {
		.task = current,
		.ns = task_active_pid_ns(current),
		.from = req->from,
		.buflen = req->buflen,
		.peek = req->peek,
	};
	bool timed_out = false, waited = false;
	struct shmbox_wakeups wq = {};
	struct shmbox_msg *msg;
	int ret = 0;

	INIT_LIST_HEAD(&rw.node);
	spin_lock(&mb->lock);
	for (;;) {
		/* Handed over while we slept: ours whatever else happened. */
		msg = rw.msg;
		if (msg)
			break;
		if (mb->dead) {
			ret = -EIDRM;
			break;
		}
		msg = shmbox_mbox_first(mb, rw.ns, rw.from);
		if (msg) {
			if (msg->len > req->buflen) {
				req->needed = msg->len;
				ret = -EMSGSIZE;
			} else if (req->peek) {
				refcount_inc(&msg->ref);
			} else if (shmbox_mbox_take_small(mb, msg, req, &wq)) {
				msg = NULL;
			} else {
				shmbox_msg_reserve(mb, msg);
			}
			break;
		}
		ret = shmbox_wait_verdict(mb, req->nonblock, waited, timed_out);
		if (ret)
			break;

		rw.released = false;
		list_add_tail(&rw.node, &mb->receivers);
		mb->nr_rwait++;
		if (!mb->capacity)
			shmbox_mbox_poll_wake(mb);	/* EPOLLOUT */
		__set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&mb->lock);
		trace_shmbox_mbox_wait(&mb->obj, false, 0);
		if (!shmbox_mbox_spin(&rw.node, &rw.spinning, req->deadline) &&
		    shmbox_schedule_deadline(req->deadline))
			timed_out = true;
		trace_shmbox_mbox_wait_done(&mb->obj, false,
					    timed_out ? -ETIMEDOUT : 0);
		waited = true;
		/*
		 * Handed a message, and its server is done with rw: ours, and
		 * nothing left to do under the lock (unless a vector receive
		 * wants more).  Pairs with shmbox_rwait_serve().
		 */
		if (smp_load_acquire(&rw.released) && rw.msg && !req->nmore)
			return rw.msg;
		spin_lock(&mb->lock);
		if (!list_empty(&rw.node)) {
			list_del_init(&rw.node);
			mb->nr_rwait--;
		}
	}
	if (!ret && msg && !req->peek && req->nmore)
		shmbox_mbox_reserve_more(mb, req, rw.ns);
	else
		req->nmore = 0;
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	return ret ? ERR_PTR(ret) : msg;
}

/* Vector receive past the first message: reserve more, never wait. */
static void shmbox_mbox_take_more(struct shmbox_mbox *mb,
				  struct shmbox_recv_req *req)
{
	spin_lock(&mb->lock);
	shmbox_mbox_reserve_more(mb, req, task_active_pid_ns(current));
	spin_unlock(&mb->lock);
}

/*
 * shmbox_mbox_settle - end the reservations of a receive
 * @msgs:	reserved messages, in the order the receive took them
 * @ncommit:	the first @ncommit were copied out: they are received
 *		(at most SHMBOX_VEC_CHUNK)
 * @nput:	the @nput after them were not: back to the heads of their
 *		queues, in their order
 *
 * One lock round trip for both, put-backs first: no other receiver can
 * take a message queued behind them in between, and the room the commits
 * make lets waiting senders in only behind them.
 */
static void shmbox_mbox_settle(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
			       u32 ncommit, u32 nput)
{
	struct shmbox_done done[SHMBOX_VEC_CHUNK];
	struct shmbox_wakeups wq = {};
	struct shmbox_msg *msg;
	u32 i;

	if (WARN_ON_ONCE(ncommit > SHMBOX_VEC_CHUNK) || !(ncommit + nput))
		return;
	spin_lock(&mb->lock);
	for (i = ncommit + nput; i-- > ncommit;) {
		msg = msgs[i];
		shmbox_msg_link(mb, msg, true);
		if (msg->sw)
			shmbox_wake_add(&wq, msg->sw->task);
	}
	shmbox_mbox_offer(mb, msgs + ncommit, nput, &wq);
	for (i = 0; i < ncommit; i++)
		shmbox_mbox_received(mb, msgs[i], &done[i], &wq);
	shmbox_mbox_kick(mb, &wq);
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	shmbox_done_finish(done, ncommit);
}

static void shmbox_mbox_commit(struct shmbox_mbox *mb, struct shmbox_msg *msg)
{
	shmbox_mbox_settle(mb, &msg, 1, 0);
}

static void shmbox_mbox_putback(struct shmbox_mbox *mb, struct shmbox_msg *msg)
{
	shmbox_mbox_settle(mb, &msg, 0, 1);
}

/* ---- objects and inboxes ------------------------------------------------ */

static DEFINE_SPINLOCK(shmbox_inbox_lock);	/* table, ->inbox_fds */
static DEFINE_HASHTABLE(shmbox_inboxes, 6);

static struct shmbox_mbox *shmbox_inbox_lookup(struct pid *pid)
{
	struct shmbox_mbox *mb;

	lockdep_assert_held(&shmbox_inbox_lock);
	hash_for_each_possible(shmbox_inboxes, mb, inbox_node,
			       (unsigned long)pid)
		if (mb->inbox_pid == pid)
			return mb;
	return NULL;
}

/* One fd bound to (or about to bind to) an inbox goes away. */
static void shmbox_inbox_put_fd(struct shmbox_mbox *mb)
{
	bool gone;

	spin_lock(&shmbox_inbox_lock);
	gone = !--mb->inbox_fds;
	if (gone)
		hash_del(&mb->inbox_node);
	spin_unlock(&shmbox_inbox_lock);
	if (gone)
		shmbox_mbox_kill(mb);
}

static void shmbox_mbox_free(struct shmbox_obj *obj)
{
	struct shmbox_mbox *mb = to_mbox(obj);
	struct shmbox_msg *msg, *tmp;
	int p;

	for (p = 0; p < SHMBOX_MSG_PRIO_MAX; p++) {
		list_for_each_entry_safe(msg, tmp, &mb->queue[p], node) {
			list_del(&msg->node);
			shmbox_msg_done(msg);
		}
	}
	list_for_each_entry_safe(msg, tmp, &mb->spare, node)
		kmem_cache_free(shmbox_msg_cache, msg);
	put_pid(mb->inbox_pid);
	shmbox_obj_uninit(obj);
	kfree(mb);
}

static void shmbox_mbox_unlinked(struct shmbox_obj *obj)
{
	shmbox_mbox_kill(to_mbox(obj));
}

static void shmbox_mbox_unbind(struct shmbox_obj *obj, struct shmbox_file *sf)
{
	struct shmbox_mbox *mb = to_mbox(obj);

	if (mb->inbox_pid)
		shmbox_inbox_put_fd(mb);
}

/* /proc/shmbox kind columns: msgmax depth capacity bytes - sent received */
static void shmbox_mbox_show(struct seq_file *m, struct shmbox_obj *obj)
{
	struct shmbox_mbox *mb = to_mbox(obj);
	u64 bytes, sent, received;
	u32 depth;

	spin_lock(&mb->lock);
	depth = mb->nr_msgs;
	bytes = mb->bytes;
	sent = mb->sent;
	received = mb->received;
	spin_unlock(&mb->lock);
	seq_printf(m, "%u %u ", mb->max_msg, depth);
	if (mb->capacity == SHMBOX_MBOX_UNBOUNDED)
		seq_puts(m, "inf");
	else
		seq_printf(m, "%u", mb->capacity);
	seq_printf(m, " %llu - %llu %llu", bytes, sent, received);
}

static const struct shmbox_obj_ops shmbox_mbox_ops = {
	.free		= shmbox_mbox_free,
	.unlinked	= shmbox_mbox_unlinked,
	.unbind		= shmbox_mbox_unbind,
	.show		= shmbox_mbox_show,
};

/* The lock and everything it protects, empty (also used by KUnit). */
static void shmbox_mbox_init_queues(struct shmbox_mbox *mb)
{
	int p;

	spin_lock_init(&mb->lock);
	for (p = 0; p < SHMBOX_MSG_PRIO_MAX; p++)
		INIT_LIST_HEAD(&mb->queue[p]);
	INIT_LIST_HEAD(&mb->senders);
	INIT_LIST_HEAD(&mb->receivers);
	INIT_LIST_HEAD(&mb->spare);
	init_waitqueue_head(&mb->poll_wq);
}

static struct shmbox_obj *shmbox_mbox_create(const struct shmbox_open_args *args)
{
	const struct shmbox_mbox_open *arg = args->priv;
	struct shmbox_mbox *mb;

	mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
	if (!mb)
		return ERR_PTR(-ENOMEM);
	shmbox_obj_init(&mb->obj, &shmbox_mbox_ops, SHMBOX_KIND_MAILBOX,
			args->flags & (SHMBOX_O_AUTOREMOVE | SHMBOX_MBOX_INBOX),
			args->mode);
	mb->capacity = arg->capacity;
	mb->max_msg = arg->max_msg_size;
	if (args->flags & SHMBOX_MBOX_INBOX)
		mb->inbox_pid = get_pid(task_tgid(current));
	INIT_HLIST_NODE(&mb->inbox_node);
	shmbox_mbox_init_queues(mb);
	return &mb->obj;
}

/* Find or create the caller's inbox; counts one fd on it. */
static int shmbox_inbox_open(struct file *file,
			     const struct shmbox_open_args *args,
			     struct shmbox_obj **objp)
{
	struct pid *tgid = task_tgid(current);
	struct shmbox_mbox *mb, *old;
	struct shmbox_obj *obj;
	int ret;

	spin_lock(&shmbox_inbox_lock);
	mb = shmbox_inbox_lookup(tgid);
	if (mb) {
		shmbox_obj_get(&mb->obj);
		mb->inbox_fds++;
	}
	spin_unlock(&shmbox_inbox_lock);
	if (mb)
		goto existing;
	if (!(args->flags & SHMBOX_O_CREAT))
		return -ENOENT;

	/* An anonymous object: counted against max_objects, never named. */
	ret = shmbox_obj_open(file, args, &obj);
	if (ret)
		return ret;
	mb = to_mbox(obj);
	spin_lock(&shmbox_inbox_lock);
	old = shmbox_inbox_lookup(tgid);
	if (old) {
		/* Another thread of ours created it meanwhile. */
		shmbox_obj_get(&old->obj);
		old->inbox_fds++;
		spin_unlock(&shmbox_inbox_lock);
		shmbox_obj_put(obj);
		mb = old;
		goto existing;
	}
	mb->inbox_fds = 1;
	hash_add(shmbox_inboxes, &mb->inbox_node, (unsigned long)tgid);
	spin_unlock(&shmbox_inbox_lock);
	*objp = obj;
	return 0;

existing:
	ret = 0;
	if ((args->flags & SHMBOX_O_CREAT) && (args->flags & SHMBOX_O_EXCL))
		ret = -EEXIST;
	else if (!shmbox_obj_may(&mb->obj, shmbox_file_may(file)))
		ret = -EACCES;
	if (ret) {
		shmbox_inbox_put_fd(mb);
		shmbox_obj_put(&mb->obj);
		return ret;
	}
	*objp = &mb->obj;
	return 0;
}

#define SHMBOX_MBOX_OPEN_FLAGS	(SHMBOX_O_CREAT | SHMBOX_O_EXCL | \
				 SHMBOX_O_AUTOREMOVE | SHMBOX_MBOX_INBOX)

long shmbox_ioc_mbox_open(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_open *arg = karg;
	struct shmbox_file *sf = file->private_data;
	struct shmbox_open_args args = {};
	unsigned long max_msg = shmbox_limit(SHMBOX_LIM_MSG_SIZE);
	struct shmbox_mbox *mb;
	struct shmbox_obj *obj;
	int ret;

	if ((arg->flags & ~SHMBOX_MBOX_OPEN_FLAGS) || arg->pad)
		return -EINVAL;
	if (arg->capacity > SHMBOX_MBOX_CAPACITY_MAX &&
	    arg->capacity != SHMBOX_MBOX_UNBOUNDED)
		return -EINVAL;
	if (arg->max_msg_size > max_msg)
		return -EINVAL;
	if (!arg->max_msg_size)
		arg->max_msg_size = max_msg;
	if ((arg->flags & SHMBOX_MBOX_INBOX) &&
	    (arg->name || (arg->flags & SHMBOX_O_AUTOREMOVE)))
		return -EINVAL;
	if ((arg->flags & SHMBOX_O_EXCL) && !(arg->flags & SHMBOX_O_CREAT))
		return -EINVAL;
	if (arg->mode & ~0777)
		return -EINVAL;
	/* Pairs with the cmpxchg() in shmbox_obj_bind(). */
	if (smp_load_acquire(&sf->obj))
		return -EBUSY;

	args.kind = SHMBOX_KIND_MAILBOX;
	args.flags = arg->flags;
	args.uname = arg->name;
	args.mode = arg->mode;
	args.priv = arg;
	args.create = shmbox_mbox_create;
	if (arg->flags & SHMBOX_MBOX_INBOX)
		ret = shmbox_inbox_open(file, &args, &obj);
	else
		ret = shmbox_obj_open(file, &args, &obj);
	if (ret)
		return ret;
	mb = to_mbox(obj);

	arg->capacity = mb->capacity;
	arg->max_msg_size = mb->max_msg;
	ret = shmbox_copy_arg_out(uarg, usize, arg, sizeof(*arg));
	if (!ret)
		ret = shmbox_obj_bind(file, obj, 0);
	if (ret) {
		if (mb->inbox_pid)
			shmbox_inbox_put_fd(mb);
		shmbox_obj_open_failed(obj);
	}
	return ret;
}

long shmbox_ioc_mbox_stat(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_stat *st = karg;
	struct shmbox_obj *obj;
	struct shmbox_mbox *mb;

	/* flags and every output field: 0 on input, like the region's. */
	if (memchr_inv((char *)st + 4, 0, sizeof(*st) - 4))
		return -EINVAL;
	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	mb = to_mbox(obj);

	memset(st, 0, sizeof(*st));
	st->size = usize;
	shmbox_obj_fill_info(obj, &st->obj);
	st->capacity = mb->capacity;
	st->max_msg_size = mb->max_msg;
	st->inbox_pid = mb->inbox_pid ? pid_vnr(mb->inbox_pid) : 0;
	st->max_bytes = shmbox_limit(SHMBOX_LIM_MBOX_BYTES);
	spin_lock(&mb->lock);
	st->depth = mb->nr_msgs;
	st->bytes = mb->bytes;
	st->charged = mb->charged;
	st->sent = mb->sent;
	st->received = mb->received;
	st->blocked_senders = mb->nr_swait;
	st->blocked_receivers = mb->nr_rwait;
	spin_unlock(&mb->lock);
	return shmbox_copy_arg_out(uarg, usize, st, sizeof(*st));
}

/* ---- send and receive ioctls -------------------------------------------- */

/* The mailbox a send goes to, with a reference: bound one or @pid's inbox. */
static struct shmbox_mbox *shmbox_send_target(struct file *file, pid_t pid)
{
	struct shmbox_mbox *mb;
	struct shmbox_obj *obj;
	struct pid *p;

	if (!(file->f_mode & FMODE_WRITE))
		return ERR_PTR(-EBADF);
	if (!pid) {
		obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
		if (IS_ERR(obj))
			return ERR_CAST(obj);
		shmbox_obj_get(obj);
		return to_mbox(obj);
	}
	p = find_get_pid(pid);
	if (!p)
		return ERR_PTR(-ESRCH);
	spin_lock(&shmbox_inbox_lock);
	mb = shmbox_inbox_lookup(p);
	if (mb)
		shmbox_obj_get(&mb->obj);
	spin_unlock(&shmbox_inbox_lock);
	put_pid(p);
	if (!mb)
		return ERR_PTR(-ENOENT);
	if (!shmbox_obj_may(&mb->obj, MAY_WRITE)) {
		shmbox_obj_put(&mb->obj);
		return ERR_PTR(-EACCES);
	}
	return mb;
}

static bool shmbox_nonblock(struct file *file, u32 flags)
{
	return (flags & SHMBOX_MSG_NONBLOCK) || (file->f_flags & O_NONBLOCK);
}

/* Can a message of @len bytes ever go into @mb?  0 or -EMSGSIZE. */
static int shmbox_msg_fits(struct shmbox_mbox *mb, u32 len)
{
	if (len > mb->max_msg || len > shmbox_limit(SHMBOX_LIM_MSG_SIZE) ||
	    SHMBOX_MSG_COST(len) > shmbox_limit(SHMBOX_LIM_MBOX_BYTES))
		return -EMSGSIZE;
	return 0;
}

/*
 * Queue as many of @msgs (new, charged, asynchronous) as fit now, in
 * order, under one lock, and hand them to waiting receivers; nothing
 * goes in while senders wait for room (they are first).
 * Return: how many were queued.
 */
static u32 shmbox_mbox_add_many(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
				u32 n)
{
	struct shmbox_wakeups wq = {};
	u32 i = 0;

	spin_lock(&mb->lock);
	if (!mb->dead && list_empty(&mb->senders)) {
		while (i < n && shmbox_mbox_room(mb, msgs[i])) {
			/* Once queued, a receiver may take and free it. */
			trace_shmbox_mbox_send(&mb->obj, msgs[i]->len,
					       msgs[i]->prio, 0);
			shmbox_mbox_add(mb, msgs[i++]);
		}
		if (i) {
			shmbox_mbox_offer(mb, msgs, i, &wq);
			shmbox_mbox_poll_wake(mb);
		}
	}
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	return i;
}

/*
 * shmbox_mbox_send_many - send new, charged messages in order, consuming them
 * @err:	out: why the first one not sent failed
 *
 * A batch that fits goes in under one lock; a message that has to wait
 * (or a synchronous one) goes through shmbox_mbox_send_msg().  Messages
 * after a failure are withdrawn (freed, uncharged).  A message handed to
 * the mailbox is never touched again: a receiver may have freed it.
 * Return: how many were sent.
 */
static u32 shmbox_mbox_send_many(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
				 u32 n, bool sync, bool nonblock, u64 deadline,
				 int *err)
{
	u32 i = 0, k, len, prio;
	int ret;

	sync = sync || mb->capacity == 0;
	while (i < n) {
		if (!sync)
			i += shmbox_mbox_add_many(mb, msgs + i, n - i);
		if (i == n)
			break;
		len = msgs[i]->len;
		prio = msgs[i]->prio;
		ret = shmbox_mbox_send_msg(mb, msgs[i], sync, nonblock,
					   deadline);
		trace_shmbox_mbox_send(&mb->obj, len, prio, ret);
		if (ret) {
			*err = ret;
			for (k = i + 1; k < n; k++)
				shmbox_msg_done(msgs[k]);
			return i;
		}
		i++;
	}
	return n;
}

/*
 * Take up to @n spare headers of @mb (under its lock, once for a chunk
 * or a message) into @spare; from now on the mailbox keeps the headers
 * of received messages for its senders.  Return: how many.
 */
static u32 shmbox_msgs_spare(struct shmbox_mbox *mb, struct shmbox_msg **spare,
			     u32 n)
{
	u32 i;

	spin_lock(&mb->lock);
	mb->keep_spares = true;
	for (i = 0; i < n; i++) {
		spare[i] = shmbox_mbox_spare_take(mb);
		if (!spare[i])
			break;
	}
	spin_unlock(&mb->lock);
	return i;
}

/* Build and charge one message from @m; an ERR_PTR on failure. */
static struct shmbox_msg *shmbox_msg_build(struct shmbox_mbox *mb,
					   const struct shmbox_mbox_msg *m)
{
	struct shmbox_msg *msg, *spare = NULL;
	int ret;

	ret = shmbox_msg_fits(mb, m->len);
	if (ret)
		return ERR_PTR(ret);
	/*
	 * A spare header saves the allocation, its zeroing (init_on_alloc)
	 * and the receiver's free into another CPU's slab, at the price of
	 * a short lock round trip: 64 B send + receive 5.0-5.7 -> 4.4-4.8 us.
	 */
	if (m->len <= SHMBOX_MSG_INLINE &&
	    (READ_ONCE(mb->nr_spare) || !READ_ONCE(mb->keep_spares)))
		shmbox_msgs_spare(mb, &spare, 1);
	msg = shmbox_msg_new(m->buf, m->len, m->prio, spare);
	if (IS_ERR(msg))
		return msg;
	if (!shmbox_msgs_charge(&msg, 1, &ret)) {
		shmbox_msg_put(msg);
		return ERR_PTR(ret);
	}
	return msg;
}

/*
 * The common send, in one lock round trip: a payload that fits inline,
 * asynchronous, into a mailbox with room, no sender waiting and a spare
 * header.  The payload is copied to the stack first (no user copy under
 * the lock), then into the spare under the lock that queues it.
 * Return: 0 if sent, 1 if the caller must take the general path, or a
 * negative errno.
 */
static int shmbox_send_small(struct shmbox_mbox *mb, u64 ubuf, u32 len,
			     u32 prio)
{
	u8 buf[SHMBOX_MSG_INLINE];
	struct shmbox_wakeups wq = {};
	struct shmbox_user *user;
	struct shmbox_msg *msg = NULL;

	if (copy_from_user(buf, u64_to_user_ptr(ubuf), len))
		return -EFAULT;
	user = shmbox_user_charge(current_euid(), SHMBOX_MSG_COST(len));
	if (IS_ERR(user))
		return PTR_ERR(user);
	spin_lock(&mb->lock);
	if (!mb->dead && list_empty(&mb->senders) &&
	    shmbox_mbox_room_for(mb, len))
		msg = shmbox_mbox_spare_take(mb);
	if (msg) {
		memcpy(msg->inline_data, buf, len);
		msg->data = msg->inline_data;
		shmbox_msg_init(msg, len, prio);
		msg->user = user;
		shmbox_mbox_add(mb, msg);
		shmbox_mbox_offer(mb, &msg, 1, &wq);
		shmbox_mbox_poll_wake(mb);
	}
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
	if (!msg) {
		shmbox_user_uncharge(user, SHMBOX_MSG_COST(len));
		return 1;
	}
	return 0;
}

static int shmbox_send_one(struct file *file, struct shmbox_mbox *mb,
			   u64 ubuf, u32 len, u32 prio, u32 flags, u64 deadline)
{
	struct shmbox_mbox_msg m = { .buf = ubuf, .len = len, .prio = prio };
	struct shmbox_msg *msg;
	int ret;

	if (READ_ONCE(mb->dead))
		return -EIDRM;
	if (len <= SHMBOX_MSG_INLINE && !(flags & SHMBOX_MSG_SYNC) &&
	    mb->capacity && READ_ONCE(mb->nr_spare) &&
	    !shmbox_msg_fits(mb, len)) {
		ret = shmbox_send_small(mb, ubuf, len, prio);
		if (ret <= 0) {
			trace_shmbox_mbox_send(&mb->obj, len, prio, ret);
			return ret;
		}
	}
	msg = shmbox_msg_build(mb, &m);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	ret = shmbox_mbox_send_msg(mb, msg, flags & SHMBOX_MSG_SYNC,
				   shmbox_nonblock(file, flags), deadline);
	trace_shmbox_mbox_send(&mb->obj, len, prio, ret);
	return ret;
}

#define SHMBOX_SEND_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_SYNC)
#define SHMBOX_RECV_FLAGS	(SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_PEEK | \
				 SHMBOX_MSG_FROM)

long shmbox_ioc_mbox_send(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_send *arg = karg;
	struct shmbox_mbox *mb;
	int ret;

	if ((arg->flags & ~SHMBOX_SEND_FLAGS) || arg->pad ||
	    arg->prio >= SHMBOX_MSG_PRIO_MAX || arg->pid < 0)
		return -EINVAL;
	mb = shmbox_send_target(file, arg->pid);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	ret = shmbox_send_one(file, mb, arg->buf, arg->len, arg->prio, arg->flags,
			      arg->deadline_ns);
	shmbox_obj_put(&mb->obj);
	return ret;
}

/* The bound mailbox, checked for a receive. */
static struct shmbox_mbox *shmbox_recv_target(struct file *file, u32 flags,
					      pid_t pid)
{
	struct shmbox_obj *obj;

	if ((flags & SHMBOX_MSG_FROM) ? pid <= 0 : pid != 0)
		return ERR_PTR(-EINVAL);
	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	if (!(file->f_mode & FMODE_READ))
		return ERR_PTR(-EBADF);
	return to_mbox(obj);
}

/* Copy @msg's payload and fill @out; 0 or -EFAULT. */
static int shmbox_msg_copy_out(struct shmbox_msg *msg, u64 ubuf,
			       struct shmbox_mbox_msg *out)
{
	if (copy_to_user(u64_to_user_ptr(ubuf), msg->data, msg->len))
		return -EFAULT;
	shmbox_msg_describe(msg, out);
	return 0;
}

long shmbox_ioc_mbox_recv(struct file *file, void *karg,
			  void __user *uarg, u32 usize)
{
	struct shmbox_mbox_recv *arg = karg;
	struct shmbox_recv_req req = {};
	struct shmbox_mbox_msg out;
	struct shmbox_mbox *mb;
	struct shmbox_msg *msg;
	int ret;

	if ((arg->flags & ~SHMBOX_RECV_FLAGS) || arg->prio || arg->uid)
		return -EINVAL;
	mb = shmbox_recv_target(file, arg->flags, arg->pid);
	if (IS_ERR(mb))
		return PTR_ERR(mb);

	req.from = (arg->flags & SHMBOX_MSG_FROM) ? arg->pid : 0;
	req.buflen = arg->len;
	req.peek = arg->flags & SHMBOX_MSG_PEEK;
	req.nonblock = shmbox_nonblock(file, arg->flags);
	req.deadline = arg->deadline_ns;
	if (!req.peek) {
		req.ubuf = u64_to_user_ptr(arg->buf);
		req.arg = arg;
		req.uarg = uarg;
	}
	msg = shmbox_mbox_recv_msg(mb, &req);
	if (IS_ERR(msg)) {
		ret = PTR_ERR(msg);
		if (ret == -EMSGSIZE) {
			arg->len = req.needed;
			if (shmbox_copy_arg_out(uarg, usize, arg, sizeof(*arg)))
				ret = -EFAULT;
		}
		return ret;
	}
	if (req.taken) {
		shmbox_done_finish(&req.done, 1);
		return 0;
	}

	ret = shmbox_msg_copy_out(msg, arg->buf, &out);
	if (!ret) {
		shmbox_recv_result(arg, &out);
		ret = shmbox_copy_arg_out(uarg, usize, arg, sizeof(*arg));
	}
	if (req.peek)
		shmbox_msg_put(msg);
	else if (ret)
		shmbox_mbox_putback(mb, msg);
	else
		shmbox_mbox_commit(mb, msg);
	return ret;
}

/* ---- read(2) and write(2) ------------------------------------------------ */

/*
 * write(2) on a mailbox fd: one message of @count bytes, priority 0,
 * asynchronous, waiting for room unless O_NONBLOCK, no deadline; what
 * SHMBOX_IOC_MBOX_SEND does with those arguments, without an argument
 * structure to copy in and check.  The bound mailbox lives as long as
 * the file, which the caller holds.
 */
ssize_t shmbox_mbox_write(struct file *file, const char __user *buf,
			  size_t count)
{
	struct shmbox_obj *obj;
	int ret;

	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (count > U32_MAX)
		return -EMSGSIZE;
	ret = shmbox_send_one(file, to_mbox(obj), (u64)(uintptr_t)buf, count,
			      0, 0, SHMBOX_TIMEOUT_NONE);
	return ret ? ret : count;
}

/*
 * read(2) on a mailbox fd: receive the next message (highest priority,
 * oldest, any sender) into @buf, waiting unless O_NONBLOCK; return its
 * length.  A message longer than @count stays queued: EMSGSIZE.  A fault
 * copying it out puts it back: EFAULT.
 */
ssize_t shmbox_mbox_read(struct file *file, char __user *buf, size_t count)
{
	struct shmbox_recv_req req = {
		.buflen = min_t(size_t, count, U32_MAX),
		.nonblock = file->f_flags & O_NONBLOCK,
		.deadline = SHMBOX_TIMEOUT_NONE,
		.ubuf = buf,
	};
	struct shmbox_mbox *mb;
	struct shmbox_obj *obj;
	struct shmbox_msg *msg;
	u32 len;

	obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	mb = to_mbox(obj);
	msg = shmbox_mbox_recv_msg(mb, &req);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (req.taken) {
		shmbox_done_finish(&req.done, 1);
		return req.len;
	}
	len = msg->len;
	if (copy_to_user(buf, msg->data, len)) {
		shmbox_mbox_putback(mb, msg);
		return -EFAULT;
	}
	shmbox_mbox_commit(mb, msg);
	return len;
}

/* A vector call's own fields: known flags, a count in range. */
static int shmbox_vec_check(const struct shmbox_mbox_vec *vec, u32 allowed)
{
	if ((vec->flags & ~allowed) || !vec->count ||
	    vec->count > SHMBOX_MBOX_VEC_MAX)
		return -EINVAL;
	return 0;
}

/*
 * Copy in @n descriptors; on a fault, as many as can be read in order.
 * Return: how many were copied.
 */
static u32 shmbox_vec_read(struct shmbox_mbox_msg *m,
			   const struct shmbox_mbox_msg __user *um, u32 n)
{
	u32 i;

	if (!copy_from_user(m, um, n * sizeof(*m)))
		return n;
	for (i = 0; i < n; i++)
		if (copy_from_user(&m[i], &um[i], sizeof(*m)))
			break;
	return i;
}

/*
 * Copy out @n descriptors; on a fault, as many as can be written in
 * order.  Return: how many were written.
 */
static u32 shmbox_vec_write(struct shmbox_mbox_msg __user *um,
			    const struct shmbox_mbox_msg *m, u32 n)
{
	u32 i;

	if (!copy_to_user(um, m, n * sizeof(*m)))
		return n;
	for (i = 0; i < n; i++)
		if (copy_to_user(&um[i], &m[i], sizeof(*m)))
			break;
	return i;
}

/*
 * Build (copy in) the messages of descriptors @m[0..n) for a send.
 * Return: how many were built, a prefix; *@err says why the next was not.
 */
static u32 shmbox_vec_build(struct shmbox_mbox *mb, const struct shmbox_mbox_msg *m,
			    struct shmbox_msg **msgs, u32 n, int *err)
{
	struct shmbox_msg *spare[SHMBOX_VEC_CHUNK], *msg;
	u32 i, nspare;

	nspare = shmbox_msgs_spare(mb, spare, n);
	for (i = 0; i < n; i++) {
		if (m[i].prio >= SHMBOX_MSG_PRIO_MAX || m[i].pid || m[i].uid) {
			*err = -EINVAL;
			break;
		}
		*err = shmbox_msg_fits(mb, m[i].len);
		if (*err)
			break;
		msg = shmbox_msg_new(m[i].buf, m[i].len, m[i].prio,
				     m[i].len <= SHMBOX_MSG_INLINE && nspare ?
				     spare[--nspare] : NULL);
		if (IS_ERR(msg)) {
			*err = PTR_ERR(msg);
			break;
		}
		msgs[i] = msg;
	}
	while (nspare)
		kmem_cache_free(shmbox_msg_cache, spare[--nspare]);
	return i;
}

long shmbox_ioc_mbox_sendv(struct file *file, void *karg,
			   void __user *uarg, u32 usize)
{
	struct shmbox_mbox_vec *vec = karg;
	struct shmbox_msg *msgs[SHMBOX_VEC_CHUNK];
	struct shmbox_mbox_msg m[SHMBOX_VEC_CHUNK];
	struct shmbox_mbox_msg __user *umsgs;
	u32 done = 0, n, got, built, charged, sent, i;
	struct shmbox_mbox *mb;
	bool sync, nonblock;
	int ret, err = 0;

	ret = shmbox_vec_check(vec, SHMBOX_SEND_FLAGS);
	if (ret)
		return ret;
	if (vec->pid < 0)
		return -EINVAL;
	mb = shmbox_send_target(file, vec->pid);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	umsgs = u64_to_user_ptr(vec->msgs);
	sync = vec->flags & SHMBOX_MSG_SYNC;
	nonblock = shmbox_nonblock(file, vec->flags);
	/* Each step stops at the first failure; err is that message's. */
	while (done < vec->count && !err) {
		n = min_t(u32, vec->count - done, SHMBOX_VEC_CHUNK);
		got = shmbox_vec_read(m, &umsgs[done], n);
		if (got < n)
			err = -EFAULT;
		if (READ_ONCE(mb->dead)) {
			err = -EIDRM;
			break;
		}
		built = shmbox_vec_build(mb, m, msgs, got, &err);
		if (!built)
			break;
		charged = shmbox_msgs_charge(msgs, built, &err);
		for (i = charged; i < built; i++)
			shmbox_msg_put(msgs[i]);
		sent = shmbox_mbox_send_many(mb, msgs, charged, sync, nonblock,
					     vec->deadline_ns, &err);
		done += sent;
	}
	shmbox_obj_put(&mb->obj);
	return done ? done : err;
}

long shmbox_ioc_mbox_recvv(struct file *file, void *karg,
			   void __user *uarg, u32 usize)
{
	struct shmbox_mbox_vec *vec = karg;
	struct shmbox_msg *msgs[SHMBOX_VEC_CHUNK];
	struct shmbox_mbox_msg m[SHMBOX_VEC_CHUNK];
	struct shmbox_mbox_msg __user *umsgs;
	u32 done = 0, n, got, took, copied, written, i;
	struct shmbox_recv_req req = {};
	struct shmbox_mbox *mb;
	struct shmbox_msg *msg;
	int ret, err = 0;

	ret = shmbox_vec_check(vec, SHMBOX_MSG_NONBLOCK | SHMBOX_MSG_FROM);
	if (ret)
		return ret;
	mb = shmbox_recv_target(file, vec->flags, vec->pid);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	umsgs = u64_to_user_ptr(vec->msgs);
	req.from = (vec->flags & SHMBOX_MSG_FROM) ? vec->pid : 0;
	req.nonblock = shmbox_nonblock(file, vec->flags);
	req.deadline = vec->deadline_ns;
	/* Each step stops at the first failure; err is that entry's. */
	while (done < vec->count && !err) {
		n = min_t(u32, vec->count - done, SHMBOX_VEC_CHUNK);
		got = shmbox_vec_read(m, &umsgs[done], n);
		if (got < n)
			err = -EFAULT;
		for (i = 0; i < got; i++) {
			if (m[i].prio || m[i].pid || m[i].uid) {
				err = -EINVAL;
				break;
			}
		}
		got = i;
		if (!got)
			break;
		if (!done) {
			/* Only the first message is waited for. */
			req.buflen = m[0].len;
			req.more = m + 1;
			req.more_msgs = msgs + 1;
			req.nmore = got - 1;
			msg = shmbox_mbox_recv_msg(mb, &req);
			if (IS_ERR(msg)) {
				err = PTR_ERR(msg);
				if (err == -EMSGSIZE &&
				    put_user(req.needed, &umsgs[0].len))
					err = -EFAULT;
				break;
			}
			msgs[0] = msg;
			took = 1 + req.nmore;
		} else {
			req.more = m;
			req.more_msgs = msgs;
			req.nmore = got;
			shmbox_mbox_take_more(mb, &req);
			took = req.nmore;
		}
		/* Payloads without the lock, then the descriptors at once. */
		for (copied = 0; copied < took; copied++) {
			if (shmbox_msg_copy_out(msgs[copied], m[copied].buf,
						&m[copied])) {
				err = -EFAULT;
				break;
			}
		}
		written = shmbox_vec_write(&umsgs[done], m, copied);
		if (written < copied)
			err = -EFAULT;
		shmbox_mbox_settle(mb, msgs, written, took - written);
		done += written;
		if (written < took)
			break;
		if (req.more_too_big) {
			/* The next entry gets the size it needs. */
			err = put_user(req.needed, &umsgs[done].len) ?
			      -EFAULT : -EMSGSIZE;
			break;
		}
		if (took < got)
			break;		/* no more messages */
	}
	return done ? done : err;
}

/* Would a send of a short message complete without waiting? */
static bool shmbox_mbox_writable(struct shmbox_mbox *mb)
{
	lockdep_assert_held(&mb->lock);
	/* Rendezvous: only a waiting receiver takes a send at once. */
	if (!mb->capacity)
		return !list_empty(&mb->receivers);
	/* Waiting senders go first; else the room an empty message needs. */
	return list_empty(&mb->senders) && shmbox_mbox_room_for(mb, 0);
}

__poll_t shmbox_mbox_poll(struct file *file, struct poll_table_struct *pt)
{
	struct shmbox_obj *obj = shmbox_file_obj(file, SHMBOX_KIND_MAILBOX);
	struct shmbox_mbox *mb;
	__poll_t mask = 0;

	if (IS_ERR(obj))
		return EPOLLERR;
	mb = to_mbox(obj);
	poll_wait(file, &mb->poll_wq, pt);
	spin_lock(&mb->lock);
	if (mb->dead) {
		mask = EPOLLERR | EPOLLHUP;
	} else {
		if (mb->prio_map)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (shmbox_mbox_writable(mb))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	spin_unlock(&mb->lock);
	return mask;
}

u64 shmbox_mbox_features(void)
{
	return SHMBOX_FEAT_MAILBOX | SHMBOX_FEAT_DIRECT | SHMBOX_FEAT_MBOX_RW;
}

/* mb->prio_map has a bit per priority. */
static_assert(SHMBOX_MSG_PRIO_MAX <= 32);

int shmbox_mbox_init(void)
{
	size_t off = offsetof(struct shmbox_msg, inline_data);

	/* Only the inline payload is ever copied to or from user space. */
	shmbox_msg_cache = kmem_cache_create_usercopy("shmbox_msg",
						      sizeof(struct shmbox_msg),
						      0, SLAB_ACCOUNT, off,
						      SHMBOX_MSG_INLINE, NULL);
	return shmbox_msg_cache ? 0 : -ENOMEM;
}

void shmbox_mbox_exit(void)
{
	HLIST_HEAD(idle);

	WARN_ON(!hash_empty(shmbox_inboxes));
	spin_lock(&shmbox_users_lock);
	shmbox_users_sweep(&idle);
	spin_unlock(&shmbox_users_lock);
	shmbox_users_free(&idle);
	WARN_ON(!hash_empty(shmbox_users));
	kmem_cache_destroy(shmbox_msg_cache);
}

#ifdef SHMBOX_KUNIT
#include "mbox_kunit.c"
#endif
