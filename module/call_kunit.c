// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the calls (call.c): the table of reply handles (a
 * handle is found once, only in its own table, never after it was taken;
 * draining fails every call still in it), the state machine (exactly one
 * of reply, failure and abandon wins), and the caller's wait.
 *
 * Owns: nothing at run time.  Built as its own object of shmbox.ko only
 * when the kernel has KUnit built in (see Kbuild), it reaches the calls
 * only through call.h.  KUnit runs it while the module is loading, before
 * shmbox_init(): the calls are built here (kunit_kzalloc(), freed by
 * KUnit after each case) with references enough that call.c never frees
 * one into the slab cache, which does not exist yet.
 *
 * Locking: the table's own, taken by call.c as in the ioctls.
 *
 * Lifetime: a case's calls and tables live until the case ends.
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/sched.h>

#include <linux/shmbox.h>

#include "call.h"

/* A call, SERVED if @tab, with references call.c will never drop to 0. */
static struct shmbox_call *kcall(struct kunit *test, u64 handle,
				 struct shmbox_calltab *tab)
{
	struct shmbox_call *call;

	call = kunit_kzalloc(test, sizeof(*call), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, call);
	INIT_HLIST_NODE(&call->node);
	refcount_set(&call->ref, 100);
	atomic_set(&call->state, SHMBOX_CALL_PENDING);
	call->handle = handle;
	call->task = current;
	if (tab)
		shmbox_call_serve(call, tab);
	return call;
}

static struct shmbox_calltab *ktab(struct kunit *test, atomic_t *serving)
{
	struct shmbox_calltab *tab;

	tab = kunit_kzalloc(test, sizeof(*tab), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, tab);
	shmbox_calltab_init(tab, serving);
	return tab;
}

#define KCALLS	200	/* more than the buckets: they collide */

/* Every handle is found once, in its own table only. */
static void shmbox_kunit_calltab_handles(struct kunit *test)
{
	struct shmbox_calltab *tab = ktab(test, NULL), *other = ktab(test, NULL);
	struct shmbox_call **calls;
	int i;
	u64 h;

	calls = kunit_kcalloc(test, KCALLS, sizeof(*calls), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, calls);
	for (h = 1; h <= KCALLS; h++)
		calls[h - 1] = kcall(test, h, tab);
	KUNIT_EXPECT_EQ(test, tab->nr, (u32)KCALLS);
	/* Unknown handles, and a real one in another table: nothing. */
	KUNIT_EXPECT_NULL(test, shmbox_calltab_take(tab, 0));
	KUNIT_EXPECT_NULL(test, shmbox_calltab_take(tab, KCALLS + 1));
	KUNIT_EXPECT_NULL(test, shmbox_calltab_take(other, 7));
	for (i = KCALLS; i >= 1; i -= 3) {
		KUNIT_EXPECT_PTR_EQ(test, shmbox_calltab_take(tab, i),
				    calls[i - 1]);
		/* One-shot: taken, it is gone. */
		KUNIT_EXPECT_NULL(test, shmbox_calltab_take(tab, i));
	}
	KUNIT_EXPECT_EQ(test, tab->nr, (u32)(KCALLS - (KCALLS + 2) / 3));
	/* Put back (a reply that failed), it is found again. */
	shmbox_calltab_add(tab, calls[KCALLS - 1]);
	KUNIT_EXPECT_PTR_EQ(test, shmbox_calltab_take(tab, KCALLS),
			    calls[KCALLS - 1]);
}

/* Draining fails what is SERVED, leaves abandoned calls abandoned. */
static void shmbox_kunit_calltab_fail_all(struct kunit *test)
{
	atomic_t serving = ATOMIC_INIT(0);
	struct shmbox_calltab *tab = ktab(test, &serving);
	struct shmbox_call *a = kcall(test, 1, tab), *b = kcall(test, 2, tab);
	struct shmbox_call *c = kcall(test, 3, tab);

	KUNIT_EXPECT_EQ(test, atomic_read(&serving), 3);
	KUNIT_EXPECT_TRUE(test, shmbox_call_abandon(b));
	KUNIT_EXPECT_EQ(test, shmbox_calltab_fail_all(tab), 2U);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->state), SHMBOX_CALL_FAILED);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->state), SHMBOX_CALL_ABANDONED);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->state), SHMBOX_CALL_FAILED);
	KUNIT_EXPECT_EQ(test, tab->nr, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&serving), 0);
	KUNIT_EXPECT_NULL(test, shmbox_calltab_take(tab, 1));
	/* The table's references were put: the callers' are left. */
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 100U);
}

/* From SERVED, exactly one transition wins. */
static void shmbox_kunit_call_one_end(struct kunit *test)
{
	struct shmbox_calltab *tab = ktab(test, NULL);
	struct shmbox_call *a = kcall(test, 1, tab), *b = kcall(test, 2, tab);
	struct shmbox_call *c = kcall(test, 3, NULL);

	KUNIT_EXPECT_EQ(test, atomic_read(&a->state), SHMBOX_CALL_SERVED);
	KUNIT_EXPECT_TRUE(test, shmbox_call_abandon(a));
	KUNIT_EXPECT_FALSE(test, shmbox_call_complete(a, SHMBOX_CALL_REPLIED));
	KUNIT_EXPECT_FALSE(test, shmbox_call_abandon(a));
	KUNIT_EXPECT_EQ(test, atomic_read(&a->state), SHMBOX_CALL_ABANDONED);

	KUNIT_EXPECT_TRUE(test, shmbox_call_complete(b, SHMBOX_CALL_REPLIED));
	KUNIT_EXPECT_FALSE(test, shmbox_call_abandon(b));
	KUNIT_EXPECT_FALSE(test, shmbox_call_complete(b, SHMBOX_CALL_FAILED));
	KUNIT_EXPECT_EQ(test, atomic_read(&b->state), SHMBOX_CALL_REPLIED);

	/* A receive that cannot report a handle: nobody can answer. */
	shmbox_call_serve(c, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->state), SHMBOX_CALL_FAILED);
	KUNIT_EXPECT_FALSE(test, shmbox_call_abandon(c));
}

/* The caller's wait: the answer, or its deadline abandons the call. */
static void shmbox_kunit_call_wait(struct kunit *test)
{
	struct shmbox_calltab *tab = ktab(test, NULL);
	struct shmbox_call *a = kcall(test, 1, tab), *b = kcall(test, 2, tab);
	struct shmbox_call *c = kcall(test, 3, tab), *d = kcall(test, 4, tab);
	const struct shmbox_deadline never = { .ns = SHMBOX_TIMEOUT_NONE };
	const struct shmbox_deadline past = { .ns = ktime_get_ns() - 1 };
	const struct shmbox_deadline past_rt = {
		.ns = ktime_get_real_ns() - 1, .realtime = true,
	};

	KUNIT_ASSERT_TRUE(test, shmbox_call_complete(a, SHMBOX_CALL_REPLIED));
	KUNIT_EXPECT_EQ(test, shmbox_call_wait(a, &never), 0);
	KUNIT_ASSERT_TRUE(test, shmbox_call_complete(b, SHMBOX_CALL_FAILED));
	KUNIT_EXPECT_EQ(test, shmbox_call_wait(b, &never), -EPIPE);
	/* Still SERVED at a deadline already past: abandoned. */
	KUNIT_EXPECT_EQ(test, shmbox_call_wait(c, &past), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->state), SHMBOX_CALL_ABANDONED);
	/* The same on CLOCK_REALTIME (SHMBOX_MSG_REALTIME). */
	KUNIT_EXPECT_EQ(test, shmbox_call_wait(d, &past_rt), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->state), SHMBOX_CALL_ABANDONED);
}

static struct kunit_case shmbox_call_cases[] = {
	KUNIT_CASE(shmbox_kunit_calltab_handles),
	KUNIT_CASE(shmbox_kunit_calltab_fail_all),
	KUNIT_CASE(shmbox_kunit_call_one_end),
	KUNIT_CASE(shmbox_kunit_call_wait),
	{}
};

static struct kunit_suite shmbox_call_suite = {
	.name = "shmbox_call",
	.test_cases = shmbox_call_cases,
};

kunit_test_suite(shmbox_call_suite);
