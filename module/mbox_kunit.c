// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the mailbox internals: priority queues, receive order,
 * sender filters, capacity and byte quotas, per-user accounting, the
 * hand-over to waiting receivers and senders, and the settle of a
 * receive (put-backs, withdrawn messages).
 *
 * Owns: nothing at run time.  Built as its own object of shmbox.ko only
 * when the kernel has KUnit built in (see Kbuild), it reaches the queue
 * core, the messages and the accounts only through mbox.h and account.h,
 * as the other mailbox files do.  KUnit runs the suite while the
 * module is being loaded, before shmbox_init(): the tests use no device,
 * no slab cache and no object layer, only mailboxes and messages they
 * build themselves (kunit_kzalloc(), freed by KUnit after each case).
 *
 * Locking: each case takes mb->lock around the queue-core calls, as the
 * ioctls do, so lockdep checks the same rules.  The per-user table is
 * shared with real users, but none exist while the module is loading; the
 * cases use a uid no real task has.
 *
 * Lifetime: a case's mailbox and messages live until the case ends.  The
 * struct pid of another process (init) is held from ->init to ->exit.
 */
#include <kunit/test.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/user_namespace.h>

#include "mbox.h"

struct shmbox_kunit_ctx {
	struct shmbox_mbox *mb;
	struct pid *self;		/* the test thread's process */
	struct pid *init_pid;		/* another process: init */
};

static int shmbox_kunit_init(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx;
	struct shmbox_mbox *mb;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	mb = kunit_kzalloc(test, sizeof(*mb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mb);
	mb->capacity = SHMBOX_MBOX_UNBOUNDED;
	mb->max_msg = 4096;
	shmbox_mbox_init_queues(mb);
	ctx->mb = mb;
	ctx->self = task_tgid(current);
	ctx->init_pid = find_get_pid(1);
	KUNIT_ASSERT_NOT_NULL(test, ctx->init_pid);
	test->priv = ctx;
	return 0;
}

static void shmbox_kunit_exit(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;

	put_pid(ctx->init_pid);
}

/* A message of @len bytes at @prio from @sender; @tag goes in the payload. */
static struct shmbox_msg *kmsg(struct kunit *test, struct pid *sender,
			       u32 prio, u32 len, u8 tag)
{
	struct shmbox_msg *msg;

	msg = kunit_kzalloc(test, sizeof(*msg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, msg);
	INIT_LIST_HEAD(&msg->node);
	refcount_set(&msg->ref, 1);
	msg->state = SHMBOX_MSG_NEW;
	msg->prio = prio;
	msg->len = len;
	msg->sender = sender;
	msg->data = msg->inline_data;
	msg->inline_data[0] = tag;
	return msg;
}

/* Priorities queued: the leaders in the tree (mb->lock held). */
static unsigned int kleaders(struct shmbox_mbox *mb)
{
	unsigned int n = 0;
	struct rb_node *rb;

	for (rb = rb_first_cached(&mb->queue); rb; rb = rb_next(rb))
		n++;
	return n;
}

/* @n idle receivers of this namespace, buffers of @buflen, filter @from. */
static void krwaits(struct shmbox_rwait *rw, int n, pid_t from, u32 buflen)
{
	int i;

	for (i = 0; i < n; i++) {
		rw[i].w.task = current;
		rw[i].ns = task_active_pid_ns(current);
		rw[i].from = from;
		rw[i].buflen = buflen;
		INIT_LIST_HEAD(&rw[i].w.node);
	}
}

/* Receive order: highest priority first, FIFO within a priority. */
static void shmbox_kunit_prio_order(struct kunit *test)
{
	static const u16 prios[] = { 3, 0, 32767, 3, 32767, 0, 17, 5000, 31 };
	static const u8 order[] = { 2, 4, 7, 8, 6, 0, 3, 1, 5 };
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_msg *msgs[ARRAY_SIZE(prios)];
	struct shmbox_mbox *mb = ctx->mb;
	struct shmbox_msg *msg;
	unsigned int i;

	/* Allocated first: nothing may sleep under mb->lock. */
	for (i = 0; i < ARRAY_SIZE(prios); i++)
		msgs[i] = kmsg(test, ctx->self, prios[i], 8, i);
	spin_lock(&mb->lock);
	for (i = 0; i < ARRAY_SIZE(prios); i++)
		shmbox_mbox_add(mb, msgs[i]);
	KUNIT_EXPECT_EQ(test, kleaders(mb), 6U);
	KUNIT_EXPECT_EQ(test, shmbox_mbox_top(mb)->prio, 32767);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, (u32)ARRAY_SIZE(prios));
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		msg = shmbox_mbox_first(mb, task_active_pid_ns(current), 0);
		KUNIT_ASSERT_NOT_NULL(test, msg);
		KUNIT_EXPECT_EQ(test, msg->inline_data[0], order[i]);
		KUNIT_EXPECT_EQ(test, msg->state, (u8)SHMBOX_MSG_QUEUED);
		shmbox_mbox_sub(mb, msg);
		KUNIT_EXPECT_EQ(test, msg->state, (u8)SHMBOX_MSG_NEW);
		KUNIT_EXPECT_TRUE(test, list_empty(&msg->node));
	}
	KUNIT_EXPECT_NULL(test, shmbox_mbox_first(mb, task_active_pid_ns(current), 0));
	KUNIT_EXPECT_FALSE(test, shmbox_mbox_queued(mb));
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 0U);
	spin_unlock(&mb->lock);
}

/* A message put back after a failed copy-out is received first again. */
static void shmbox_kunit_putback_head(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct shmbox_msg *a, *b, *m;

	a = kmsg(test, ctx->self, 5, 8, 'a');
	b = kmsg(test, ctx->self, 5, 8, 'b');
	spin_lock(&mb->lock);
	shmbox_mbox_add(mb, a);
	shmbox_mbox_add(mb, b);
	m = shmbox_mbox_first(mb, ns, 0);
	KUNIT_EXPECT_PTR_EQ(test, m, a);
	shmbox_msg_reserve(mb, a);
	KUNIT_EXPECT_EQ(test, a->state, (u8)SHMBOX_MSG_RESERVED);
	/* Reserved: off the queue but still counted in the mailbox. */
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 2U);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), b);
	shmbox_msg_link(mb, a, true);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), a);
	shmbox_mbox_sub(mb, a);
	shmbox_mbox_sub(mb, b);
	KUNIT_EXPECT_FALSE(test, shmbox_mbox_queued(mb));
	spin_unlock(&mb->lock);
}

/*
 * The same below the highest priority: the put-back message leads its
 * priority again (found in the tree), ahead of the one that led meanwhile.
 */
static void shmbox_kunit_putback_head_low(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct shmbox_msg *a, *b, *c;

	c = kmsg(test, ctx->self, 9000, 8, 'c');
	a = kmsg(test, ctx->self, 5, 8, 'a');
	b = kmsg(test, ctx->self, 5, 8, 'b');
	spin_lock(&mb->lock);
	shmbox_mbox_add(mb, c);
	shmbox_mbox_add(mb, a);
	shmbox_mbox_add(mb, b);
	KUNIT_EXPECT_EQ(test, kleaders(mb), 2U);
	shmbox_msg_reserve(mb, a);
	KUNIT_EXPECT_EQ(test, kleaders(mb), 2U);
	shmbox_msg_link(mb, a, true);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), c);
	shmbox_mbox_sub(mb, c);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), a);
	shmbox_mbox_sub(mb, a);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), b);
	shmbox_mbox_sub(mb, b);
	KUNIT_EXPECT_FALSE(test, shmbox_mbox_queued(mb));
	spin_unlock(&mb->lock);
}

/* A receive from one sender skips the others' messages, even higher ones. */
static void shmbox_kunit_from_filter(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct pid_namespace *ns = task_active_pid_ns(current);
	pid_t me = pid_nr_ns(ctx->self, ns);
	struct shmbox_msg *mine_lo, *mine_hi, *other;

	KUNIT_ASSERT_NE(test, me, 1);
	mine_lo = kmsg(test, ctx->self, 1, 8, 'l');
	other = kmsg(test, ctx->init_pid, 30, 8, 'o');
	mine_hi = kmsg(test, ctx->self, 9, 8, 'h');
	spin_lock(&mb->lock);
	shmbox_mbox_add(mb, mine_lo);
	shmbox_mbox_add(mb, other);
	shmbox_mbox_add(mb, mine_hi);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), other);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, me), mine_hi);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 1), other);
	shmbox_mbox_sub(mb, mine_hi);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, me), mine_lo);
	shmbox_mbox_sub(mb, mine_lo);
	KUNIT_EXPECT_NULL(test, shmbox_mbox_first(mb, ns, me));
	KUNIT_EXPECT_NULL(test, shmbox_mbox_first(mb, ns, 424242));
	shmbox_mbox_sub(mb, other);
	spin_unlock(&mb->lock);
}

/* Counters and quota charge follow every add and removal exactly. */
static void shmbox_kunit_accounting(struct kunit *test)
{
	static const u32 lens[] = { 0, 1, 192, 193, 4096 };
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct shmbox_msg *msgs[ARRAY_SIZE(lens)];
	u64 bytes = 0, charged = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		msgs[i] = kmsg(test, ctx->self, i, lens[i], i);
	spin_lock(&mb->lock);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		shmbox_mbox_add(mb, msgs[i]);
		bytes += lens[i];
		charged += SHMBOX_MSG_COST(lens[i]);
		KUNIT_EXPECT_EQ(test, mb->nr_msgs, i + 1);
		KUNIT_EXPECT_EQ(test, mb->bytes, bytes);
		KUNIT_EXPECT_EQ(test, mb->charged, charged);
		KUNIT_EXPECT_EQ(test, mb->sent, (u64)i + 1);
	}
	/* Reserve then remove, as a receive does: charge goes only once. */
	shmbox_msg_reserve(mb, msgs[2]);
	KUNIT_EXPECT_EQ(test, mb->charged, charged);
	shmbox_mbox_sub(mb, msgs[2]);
	charged -= SHMBOX_MSG_COST(lens[2]);
	bytes -= lens[2];
	KUNIT_EXPECT_EQ(test, mb->charged, charged);
	KUNIT_EXPECT_EQ(test, mb->bytes, bytes);
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		if (i != 2)
			shmbox_mbox_sub(mb, msgs[i]);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 0U);
	KUNIT_EXPECT_EQ(test, mb->bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, mb->charged, 0ULL);
	/* A synchronous message counts as sent only when it is taken. */
	msgs[0]->sw = (struct shmbox_swait *)test;	/* any non-NULL */
	shmbox_mbox_add(mb, msgs[0]);
	KUNIT_EXPECT_EQ(test, mb->sent, (u64)ARRAY_SIZE(lens));
	msgs[0]->sw = NULL;
	shmbox_mbox_sub(mb, msgs[0]);
	spin_unlock(&mb->lock);
}

/* Room: capacity counts messages, the mailbox quota counts bytes. */
static void shmbox_kunit_room(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	u64 quota = shmbox_limit(SHMBOX_LIM_MBOX_BYTES);
	struct shmbox_msg *a, *b, *big, *rest;

	a = kmsg(test, ctx->self, 0, 8, 'a');
	b = kmsg(test, ctx->self, 0, 8, 'b');
	spin_lock(&mb->lock);
	mb->capacity = 1;
	KUNIT_EXPECT_TRUE(test, shmbox_mbox_room_for(mb, shmbox_msg_cost(a)));
	shmbox_mbox_add(mb, a);
	KUNIT_EXPECT_FALSE(test, shmbox_mbox_room_for(mb, shmbox_msg_cost(b)));
	mb->capacity = SHMBOX_MBOX_UNBOUNDED;
	KUNIT_EXPECT_TRUE(test, shmbox_mbox_room_for(mb, shmbox_msg_cost(b)));
	/* Rendezvous (capacity 0): no count limit here, only bytes. */
	mb->capacity = 0;
	KUNIT_EXPECT_TRUE(test, shmbox_mbox_room_for(mb, shmbox_msg_cost(b)));
	shmbox_mbox_sub(mb, a);
	spin_unlock(&mb->lock);

	/* Exactly the quota fits; one byte more does not. */
	KUNIT_ASSERT_GT(test, quota, (u64)SHMBOX_MSG_COST(8) + SHMBOX_MSG_OVERHEAD);
	big = kmsg(test, ctx->self, 0, 0, 'B');
	rest = kmsg(test, ctx->self, 0, 8, 'r');
	big->len = quota - SHMBOX_MSG_COST(8) - SHMBOX_MSG_OVERHEAD;
	spin_lock(&mb->lock);
	mb->capacity = SHMBOX_MBOX_UNBOUNDED;
	shmbox_mbox_add(mb, big);
	KUNIT_EXPECT_TRUE(test, shmbox_mbox_room_for(mb, shmbox_msg_cost(rest)));
	rest->len = 9;
	KUNIT_EXPECT_FALSE(test, shmbox_mbox_room_for(mb, shmbox_msg_cost(rest)));
	shmbox_mbox_sub(mb, big);
	spin_unlock(&mb->lock);
}

/* Per-user accounts: charged up to the limit, all or nothing, freed at last put. */
static void shmbox_kunit_user_quota(struct kunit *test)
{
	u64 limit = shmbox_limit(SHMBOX_LIM_USER_BYTES);
	kuid_t uid = KUIDT_INIT(4000000123U);	/* no real task has it */
	struct shmbox_acct *a, *again;
	int ret;

	KUNIT_ASSERT_GT(test, limit, 100ULL);
	a = shmbox_acct_get(&init_user_ns, uid);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_EXPECT_PTR_EQ(test, a->parent, (struct shmbox_acct *)NULL);
	ret = shmbox_acct_charge(a, SHMBOX_RES_MSG_BYTES, 100, -ENOSPC, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	ret = shmbox_acct_charge(a, SHMBOX_RES_MSG_BYTES, limit - 100, -ENOSPC,
				 false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&a->used[SHMBOX_RES_MSG_BYTES]),
			(s64)limit);
	/* A refused charge changes nothing. */
	ret = shmbox_acct_charge(a, SHMBOX_RES_MSG_BYTES, 1, -ENOSPC, false);
	KUNIT_EXPECT_EQ(test, ret, -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic64_read(&a->used[SHMBOX_RES_MSG_BYTES]),
			(s64)limit);
	/* One account per user: a second get finds the same one. */
	again = shmbox_acct_get(&init_user_ns, uid);
	KUNIT_EXPECT_PTR_EQ(test, a, again);
	if (!IS_ERR(again))
		shmbox_acct_put(again);
	/* Resources are counted apart. */
	ret = shmbox_acct_charge(a, SHMBOX_RES_OBJECTS, 1, -EDQUOT, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	shmbox_acct_uncharge(a, SHMBOX_RES_OBJECTS, 1);
	shmbox_acct_uncharge(a, SHMBOX_RES_MSG_BYTES, limit);
	KUNIT_EXPECT_EQ(test, atomic64_read(&a->used[SHMBOX_RES_MSG_BYTES]),
			(s64)0);
	shmbox_acct_put(a);
	KUNIT_EXPECT_TRUE(test, shmbox_accts_empty());
}

/*
 * Newly queued messages go to waiting receivers in the receivers' FIFO
 * order, highest priority first, reserved; a peeker or a too-small buffer
 * is woken without one.
 */
static void shmbox_kunit_offer(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct shmbox_rwait rw[4] = {};
	struct shmbox_wakeups wq = {};
	struct shmbox_msg *hi, *lo, *batch[2];
	int i;

	krwaits(rw, ARRAY_SIZE(rw), 0, 64);
	rw[0].peek = true;
	rw[1].buflen = 4;			/* too small */
	hi = kmsg(test, ctx->self, 7, 8, 'h');
	lo = kmsg(test, ctx->self, 2, 8, 'l');
	spin_lock(&mb->lock);
	for (i = 0; i < 4; i++) {
		list_add_tail(&rw[i].w.node, &mb->receivers);
		mb->nr_rwait++;
	}
	shmbox_mbox_add(mb, lo);
	shmbox_mbox_add(mb, hi);
	batch[0] = lo;
	batch[1] = hi;
	shmbox_mbox_offer(mb, batch, 2, &wq);
	/* All four woken; rw[2] got the high one, rw[3] the low one. */
	KUNIT_EXPECT_EQ(test, wq.n, 4U);
	KUNIT_EXPECT_NULL(test, rw[0].msg);
	KUNIT_EXPECT_NULL(test, rw[1].msg);
	KUNIT_EXPECT_PTR_EQ(test, rw[2].msg, hi);
	KUNIT_EXPECT_PTR_EQ(test, rw[3].msg, lo);
	KUNIT_EXPECT_EQ(test, hi->state, (u8)SHMBOX_MSG_RESERVED);
	KUNIT_EXPECT_TRUE(test, list_empty(&mb->receivers));
	KUNIT_EXPECT_EQ(test, mb->nr_rwait, 0U);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, rw[i].released);
	KUNIT_EXPECT_FALSE(test, shmbox_mbox_queued(mb));
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 2U);
	shmbox_mbox_sub(mb, hi);
	shmbox_mbox_sub(mb, lo);
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
}

/*
 * Refill moves waiting senders' messages in, in FIFO order, while they
 * fit: an asynchronous sender is done, a synchronous one is queued.
 */
static void shmbox_kunit_refill(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct shmbox_swait sw[3] = {};
	struct shmbox_wakeups wq = {};
	struct shmbox_msg *first;
	int i;

	first = kmsg(test, ctx->self, 0, 8, 'f');
	for (i = 0; i < 3; i++) {
		sw[i].w.task = current;
		sw[i].msg = kmsg(test, ctx->self, 0, 8, i);
		sw[i].state = SHMBOX_SW_ROOM;
		INIT_LIST_HEAD(&sw[i].w.node);
	}
	sw[1].sync = true;
	sw[1].msg->sw = &sw[1];
	spin_lock(&mb->lock);
	mb->capacity = 2;
	shmbox_mbox_add(mb, first);
	for (i = 0; i < 3; i++)
		list_add_tail(&sw[i].w.node, &mb->senders);
	shmbox_mbox_refill(mb, &wq);
	/* One slot: sw[0] goes in and is woken, the rest wait. */
	KUNIT_EXPECT_EQ(test, sw[0].state, (int)SHMBOX_SW_DONE);
	KUNIT_EXPECT_EQ(test, sw[1].state, (int)SHMBOX_SW_ROOM);
	KUNIT_EXPECT_EQ(test, wq.n, 1U);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 2U);
	shmbox_mbox_sub(mb, first);
	shmbox_mbox_refill(mb, &wq);
	/* sw[1] is synchronous: queued, not woken, not yet "sent". */
	KUNIT_EXPECT_EQ(test, sw[1].state, (int)SHMBOX_SW_QUEUED);
	KUNIT_EXPECT_EQ(test, sw[2].state, (int)SHMBOX_SW_ROOM);
	KUNIT_EXPECT_EQ(test, wq.n, 1U);
	KUNIT_EXPECT_EQ(test, mb->sent, 2ULL);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, task_active_pid_ns(current), 0),
			    sw[0].msg);
	list_del_init(&sw[2].w.node);
	sw[1].msg->sw = NULL;
	shmbox_mbox_sub(mb, sw[0].msg);
	shmbox_mbox_sub(mb, sw[1].msg);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 0U);
	spin_unlock(&mb->lock);
	shmbox_wake_flush(&wq);
}

/*
 * With @nq messages from another process queued and receivers @rw
 * waiting, offer one new message: how many receivers did it examine?
 */
static u64 koffer_steps(struct kunit *test, struct shmbox_kunit_ctx *ctx,
			struct shmbox_rwait *rw, int nrw, u32 nq)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct shmbox_msg **old, *msg, *m;
	struct shmbox_mbox *mb = ctx->mb;
	struct shmbox_wakeups wq = {};
	u64 steps;
	u32 k;
	int i;

	old = kunit_kcalloc(test, nq + 1, sizeof(*old), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, old);
	for (k = 0; k < nq; k++)
		old[k] = kmsg(test, ctx->init_pid, k % 32, 8, 0);
	msg = kmsg(test, ctx->self, 0, 8, 'n');
	spin_lock(&mb->lock);
	for (k = 0; k < nq; k++)
		shmbox_mbox_add(mb, old[k]);
	for (i = 0; i < nrw; i++)
		list_add_tail(&rw[i].w.node, &mb->receivers);
	shmbox_mbox_add(mb, msg);
	steps = mb->offer_steps;
	shmbox_mbox_offer(mb, &msg, 1, &wq);
	steps = mb->offer_steps - steps;
	KUNIT_EXPECT_EQ(test, wq.n, 0U);
	KUNIT_EXPECT_EQ(test, msg->state, (u8)SHMBOX_MSG_QUEUED);
	for (i = 0; i < nrw; i++)
		list_del_init(&rw[i].w.node);
	while ((m = shmbox_mbox_first(mb, ns, 0)))
		shmbox_mbox_sub(mb, m);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 0U);
	spin_unlock(&mb->lock);
	return steps;
}

/*
 * A new message is matched against the waiting receivers only, never
 * against the queue: with receivers that filter on a sender that never
 * sends, offering one message examines each of them once, however many
 * messages are queued.
 */
static void shmbox_kunit_offer_cost(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	static const u32 queued[] = { 0, 1000 };
	struct shmbox_rwait rw[8] = {};
	u64 steps[ARRAY_SIZE(queued)];
	u32 q;

	/* Every receiver filters on a pid no process has. */
	krwaits(rw, ARRAY_SIZE(rw), PID_MAX_LIMIT + 1, 64);
	for (q = 0; q < ARRAY_SIZE(queued); q++)
		steps[q] = koffer_steps(test, ctx, rw, ARRAY_SIZE(rw), queued[q]);
	KUNIT_EXPECT_EQ(test, steps[0], (u64)ARRAY_SIZE(rw));
	KUNIT_EXPECT_EQ(test, steps[1], steps[0]);
}

/*
 * Settling a vector receive that copied out one message of three puts
 * the other two back before it commits the first, in one lock hold: a
 * waiting receiver gets the first put back, and nothing queued behind
 * them (a later message, or a sender let in by the commit) passes them.
 */
static void shmbox_kunit_settle_order(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct pid_namespace *ns = task_active_pid_ns(current);
	kuid_t uid = KUIDT_INIT(4000000125U);	/* no real task has it */
	struct shmbox_acct *acct = shmbox_acct_get(&init_user_ns, uid);
	struct shmbox_rwait rw = { .w.task = current, .ns = ns, .buflen = 64 };
	struct shmbox_msg *m[4], *spare = NULL;
	int i;

	rw.from = pid_nr_ns(ctx->self, ns);
	INIT_LIST_HEAD(&rw.w.node);
	for (i = 0; i < 3; i++)
		m[i] = kmsg(test, ctx->self, 4, 8, i);
	m[3] = kmsg(test, ctx->init_pid, 4, 8, 3);
	/* The committed one is freed for real: a sender reference, a charge. */
	get_pid(m[0]->sender);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, acct);
	KUNIT_ASSERT_EQ(test, shmbox_acct_charge(acct, SHMBOX_RES_MSG_BYTES,
						 SHMBOX_MSG_COST(m[0]->len),
						 -ENOSPC, false), 0);
	m[0]->acct = acct;
	mb->keep_spares = true;			/* its header becomes a spare */
	spin_lock(&mb->lock);
	for (i = 0; i < 4; i++)
		shmbox_mbox_add(mb, m[i]);
	for (i = 0; i < 3; i++)
		shmbox_msg_reserve(mb, m[i]);
	/* It filters on this process: m[3] (from init) is not for it. */
	list_add_tail(&rw.w.node, &mb->receivers);
	mb->nr_rwait++;
	spin_unlock(&mb->lock);

	shmbox_mbox_settle(mb, m, 1, 2, NULL);

	spin_lock(&mb->lock);
	KUNIT_EXPECT_PTR_EQ(test, rw.msg, m[1]);
	KUNIT_EXPECT_EQ(test, m[1]->state, (u8)SHMBOX_MSG_RESERVED);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), m[2]);
	KUNIT_EXPECT_EQ(test, mb->received, 1ULL);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 3U);
	KUNIT_EXPECT_EQ(test, mb->nr_rwait, 0U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&acct->used[SHMBOX_RES_MSG_BYTES]),
			(s64)0);
	KUNIT_EXPECT_EQ(test, shmbox_mbox_spares_take(mb, &spare, 1), 1U);
	KUNIT_EXPECT_PTR_EQ(test, spare, m[0]);
	for (i = 1; i < 4; i++)
		shmbox_mbox_sub(mb, m[i]);
	spin_unlock(&mb->lock);
	shmbox_acct_put(acct);
}

/*
 * A message withdrawn by its synchronous sender while a receive held it
 * is discarded when the receive settles: not received, out of the
 * mailbox's accounts, uncharged.  It ends the commits, so a vector's
 * results have no hole: the message copied out after it goes back to the
 * head.  A withdrawn first message leaves nothing received (0).
 */
static void shmbox_kunit_settle_withdrawn(struct kunit *test)
{
	struct shmbox_kunit_ctx *ctx = test->priv;
	struct shmbox_mbox *mb = ctx->mb;
	struct pid_namespace *ns = task_active_pid_ns(current);
	kuid_t uid = KUIDT_INIT(4000000126U);	/* no real task has it */
	struct shmbox_acct *acct = shmbox_acct_get(&init_user_ns, uid);
	struct shmbox_msg *m[3], *spare[3];
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, acct);
	KUNIT_ASSERT_EQ(test, shmbox_acct_charge(acct, SHMBOX_RES_MSG_BYTES,
						 3 * SHMBOX_MSG_COST(8),
						 -ENOSPC, false), 0);
	/* Each is freed for real: a sender reference, a charge. */
	for (i = 0; i < 3; i++) {
		m[i] = kmsg(test, get_pid(ctx->self), 4, 8, i);
		m[i]->acct = acct;
	}
	mb->keep_spares = true;			/* headers become spares */
	spin_lock(&mb->lock);
	for (i = 0; i < 3; i++) {
		shmbox_mbox_add(mb, m[i]);
		shmbox_msg_reserve(mb, m[i]);
	}
	shmbox_msg_withdraw(mb, m[1]);
	spin_unlock(&mb->lock);

	/* All three copied out, the middle one withdrawn meanwhile. */
	KUNIT_EXPECT_EQ(test, shmbox_mbox_settle(mb, m, 3, 0, NULL), 1U);
	spin_lock(&mb->lock);
	KUNIT_EXPECT_EQ(test, mb->received, 1ULL);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 1U);
	KUNIT_EXPECT_EQ(test, mb->charged, (u64)SHMBOX_MSG_COST(8));
	KUNIT_EXPECT_PTR_EQ(test, shmbox_mbox_first(mb, ns, 0), m[2]);
	KUNIT_EXPECT_EQ(test, atomic64_read(&acct->used[SHMBOX_RES_MSG_BYTES]),
			(s64)SHMBOX_MSG_COST(8));
	/* The first of a receive withdrawn, here put back (not copied). */
	shmbox_msg_reserve(mb, m[2]);
	shmbox_msg_withdraw(mb, m[2]);
	spin_unlock(&mb->lock);

	KUNIT_EXPECT_EQ(test, shmbox_mbox_settle(mb, &m[2], 0, 1, NULL), 0U);
	spin_lock(&mb->lock);
	KUNIT_EXPECT_EQ(test, mb->received, 1ULL);
	KUNIT_EXPECT_EQ(test, mb->nr_msgs, 0U);
	KUNIT_EXPECT_EQ(test, mb->charged, 0ULL);
	KUNIT_EXPECT_FALSE(test, shmbox_mbox_queued(mb));
	KUNIT_EXPECT_EQ(test, atomic64_read(&acct->used[SHMBOX_RES_MSG_BYTES]),
			(s64)0);
	KUNIT_EXPECT_EQ(test, shmbox_mbox_spares_take(mb, spare, 3), 3U);
	spin_unlock(&mb->lock);
	shmbox_acct_put(acct);
}

static struct kunit_case shmbox_mbox_kunit_cases[] = {
	KUNIT_CASE(shmbox_kunit_prio_order),
	KUNIT_CASE(shmbox_kunit_putback_head),
	KUNIT_CASE(shmbox_kunit_putback_head_low),
	KUNIT_CASE(shmbox_kunit_from_filter),
	KUNIT_CASE(shmbox_kunit_accounting),
	KUNIT_CASE(shmbox_kunit_room),
	KUNIT_CASE(shmbox_kunit_user_quota),
	KUNIT_CASE(shmbox_kunit_offer),
	KUNIT_CASE(shmbox_kunit_offer_cost),
	KUNIT_CASE(shmbox_kunit_settle_order),
	KUNIT_CASE(shmbox_kunit_settle_withdrawn),
	KUNIT_CASE(shmbox_kunit_refill),
	{}
};

static struct kunit_suite shmbox_mbox_kunit_suite = {
	.name = "shmbox_mbox",
	.init = shmbox_kunit_init,
	.exit = shmbox_kunit_exit,
	.test_cases = shmbox_mbox_kunit_cases,
};

kunit_test_suite(shmbox_mbox_kunit_suite);
