// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox mailbox messages: allocation, the copy of a payload in from the
 * sender, the charge to the sender's account, and the one cache of spare
 * message headers.
 *
 * Owns: the slab cache of message headers (struct shmbox_msg, with an
 * inline payload of up to SHMBOX_MSG_INLINE bytes, the only part ever
 * copied to or from user space), out-of-line payloads, and each mailbox's
 * spare headers (mb->spare, mb->nr_spare, mb->keep_spares).
 *
 * Locking: the spare list is a lock-free llist.  A receiver that received
 * a message pushes its header (llist_add(), any number of pushers); a
 * sender takes the whole list at once (llist_del_all(), safe against
 * concurrent takers, and free of the ABA problem of llist_del_first()),
 * uses what it needs and pushes the rest back.  ->nr_spare only bounds
 * the list's length; it may lag the list by a concurrent take.  Nothing
 * here takes mb->lock; shmbox_mbox_spare_keep() is called under it, which
 * only orders it with the receive that frees the message.
 *
 * Lifetime: a message belongs to its sender until queued, to the mailbox
 * while queued and to the receiver that reserved it until committed, put
 * back, or discarded because its synchronous sender withdrew it
 * meanwhile; ->ref counts that owner plus peekers copying it out, and the
 * last shmbox_msg_put() frees it.  Its quota charge lasts from the send
 * until it is received or withdrawn (shmbox_msg_done()), or, withdrawn
 * while a receiver held it, until that receiver discarded it.  A header
 * on the spare list holds no payload, pid or charge, and is freed with
 * its mailbox (shmbox_mbox_spares_free()).
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mbox.h"

static struct kmem_cache *shmbox_msg_cache;

/* The header fields of a new message from current; the payload is set. */
static void shmbox_msg_init(struct shmbox_msg *msg, u32 len, u32 prio)
{
	msg->uid = current_euid();
	msg->acct = NULL;
	INIT_LIST_HEAD(&msg->node);
	refcount_set(&msg->ref, 1);
	msg->state = SHMBOX_MSG_NEW;
	msg->prio = prio;
	msg->len = len;
	msg->sender = get_pid(task_tgid(current));
	msg->sw = NULL;
	msg->handles = NULL;		/* set by a send that gives some */
	msg->handle = 0;		/* set for a call's request */
	msg->reply_max = 0;
}

/*
 * shmbox_msg_new - a new message from current
 * @ubuf, @len:	its payload in the sender's memory
 * @prio:	its priority, checked by the caller
 * @spare:	a spare header to use (@len must fit inline), or NULL
 *
 * Not charged yet (shmbox_msgs_charge()); freed with shmbox_msg_put().
 * Return: the message, or ERR_PTR(-ENOMEM / -EFAULT).  A spare header is
 * consumed either way.
 */
struct shmbox_msg *shmbox_msg_new(u64 ubuf, u32 len, u32 prio,
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
 * shmbox_msgs_charge - charge new messages to the account of @mb's owner
 * @msgs, @n:	messages for @mb
 * @err:	out: why the first one not charged was not (-ENOSPC)
 *
 * A mailbox's owner pays for what is queued in it, up to the bounds it
 * chose (capacity, the mailbox byte quota) and its max_user_bytes: a
 * receiver that never receives costs its senders nothing but room in
 * that mailbox.  The whole batch is charged at once when it fits, else
 * one by one up to the quota.
 * Return: how many were charged, a prefix of @msgs.
 */
u32 shmbox_msgs_charge(struct shmbox_mbox *mb, struct shmbox_msg **msgs,
		       u32 n, int *err)
{
	struct shmbox_acct *a = mb->obj.acct;
	u64 total = 0;
	u32 i;

	for (i = 0; i < n; i++)
		total += shmbox_msg_cost(msgs[i]);
	if (n && !shmbox_acct_charge(a, SHMBOX_RES_MSG_BYTES, total, -ENOSPC,
				     false)) {
		for (i = 0; i < n; i++)
			msgs[i]->acct = a;
		return n;
	}
	for (i = 0; n > 1 && i < n; i++) {
		if (shmbox_acct_charge(a, SHMBOX_RES_MSG_BYTES,
				       shmbox_msg_cost(msgs[i]), -ENOSPC,
				       false))
			break;
		msgs[i]->acct = a;
	}
	if (i < n)
		*err = -ENOSPC;
	return i;
}

void shmbox_msg_put(struct shmbox_msg *msg)
{
	if (!refcount_dec_and_test(&msg->ref))
		return;
	put_pid(msg->sender);
	shmbox_handles_drop(msg->handles);
	if (msg->data != msg->inline_data)
		kvfree(msg->data);
	kmem_cache_free(shmbox_msg_cache, msg);
}

/* The message leaves the system (received or withdrawn): end its charge. */
void shmbox_msg_done(struct shmbox_msg *msg)
{
	shmbox_acct_uncharge(msg->acct, SHMBOX_RES_MSG_BYTES,
			     shmbox_msg_cost(msg));
	shmbox_msg_put(msg);
}

/*
 * The spare-header cache.  A spare header saves a send the allocation,
 * its zeroing (init_on_alloc) and the receiver's free into another CPU's
 * slab: 64 B send + receive 5.0-5.7 -> 4.4-4.8 us when it was added.  A
 * mailbox keeps spares only once a sender has asked for one, so that a
 * mailbox that only ever carries big payloads keeps none.
 */

/*
 * Take @n headers off the front of @chain (an llist chain owned by the
 * caller) into @spare.  Return: how many; *@rest is what is left.
 */
static u32 shmbox_spare_chain_take(struct llist_node *chain,
				   struct shmbox_msg **spare, u32 n,
				   struct llist_node **rest)
{
	u32 i = 0;

	while (chain && i < n) {
		spare[i++] = llist_entry(chain, struct shmbox_msg, spare);
		chain = chain->next;
	}
	*rest = chain;
	return i;
}

/* Push the chain @first back onto mb->spare (a walk: only on a race). */
static void shmbox_spare_chain_push(struct shmbox_mbox *mb,
				    struct llist_node *first)
{
	struct llist_node *last = first;

	while (last->next)
		last = last->next;
	llist_add_batch(first, last, &mb->spare);
}

/*
 * shmbox_mbox_spares_take - spare headers for a send of up to @n inline
 * payloads
 * @spare:	out: the headers
 *
 * The one place where the spare cache enters the send path.  Receivers
 * push onto mb->spare; a sender takes a whole chain at once, from the
 * senders' one-slot stash (mb->spare_stash) if it holds one, else from
 * mb->spare, and parks what it does not use in the stash, so that neither
 * side ever walks the chain.  Headers taken and not used go back with
 * shmbox_mbox_spares_give().
 * Return: how many (at most @n).
 */
u32 shmbox_mbox_spares_take(struct shmbox_mbox *mb, struct shmbox_msg **spare,
			    u32 n)
{
	struct llist_node *chain, *rest;
	u32 i;

	if (!READ_ONCE(mb->keep_spares))
		WRITE_ONCE(mb->keep_spares, true);
	chain = xchg(&mb->spare_stash, NULL);
	if (!chain) {
		if (llist_empty(&mb->spare))
			return 0;
		chain = llist_del_all(&mb->spare);
	}
	i = shmbox_spare_chain_take(chain, spare, n, &rest);
	atomic_sub(i, &mb->nr_spare);
	/* Another sender parked a chain meanwhile: ours goes back whole. */
	if (rest && cmpxchg(&mb->spare_stash, NULL, rest))
		shmbox_spare_chain_push(mb, rest);
	return i;
}

void __shmbox_mbox_spares_give(struct shmbox_mbox *mb,
			       struct shmbox_msg **spare, u32 n)
{
	while (n--) {
		atomic_inc(&mb->nr_spare);
		llist_add(&spare[n]->spare, &mb->spare);
	}
}

/*
 * shmbox_mbox_spare_keep - keep a received message's header as a spare?
 *
 * Called by the receive, under mb->lock, once the message is out of the
 * mailbox's accounts and everything the rest of the receive needs was
 * taken out of it (a sender may reuse the header at once).  Only a header
 * with an inline payload, no handles and no other holder (no peeker) is
 * kept.
 * Return: true if it was kept; then the caller must not touch it again.
 */
bool shmbox_mbox_spare_keep(struct shmbox_mbox *mb, struct shmbox_msg *msg)
{
	if (!READ_ONCE(mb->keep_spares) || msg->data != msg->inline_data ||
	    msg->handles ||
	    refcount_read(&msg->ref) != 1 ||
	    atomic_read(&mb->nr_spare) >= SHMBOX_MBOX_SPARE)
		return false;
	atomic_inc(&mb->nr_spare);
	llist_add(&msg->spare, &mb->spare);
	return true;
}

/* Free every spare header of @mb, which nobody else can reach any more. */
void shmbox_mbox_spares_free(struct shmbox_mbox *mb)
{
	struct llist_node *chain[2] = { llist_del_all(&mb->spare),
					mb->spare_stash };
	struct shmbox_msg *msg, *tmp;
	int i;

	mb->spare_stash = NULL;
	for (i = 0; i < ARRAY_SIZE(chain); i++)
		llist_for_each_entry_safe(msg, tmp, chain[i], spare)
			kmem_cache_free(shmbox_msg_cache, msg);
}

int shmbox_msg_cache_init(void)
{
	size_t off = offsetof(struct shmbox_msg, inline_data);

	/* Only the inline payload is ever copied to or from user space. */
	shmbox_msg_cache = kmem_cache_create_usercopy("shmbox_msg",
						      sizeof(struct shmbox_msg),
						      0, SLAB_ACCOUNT, off,
						      SHMBOX_MSG_INLINE, NULL);
	return shmbox_msg_cache ? 0 : -ENOMEM;
}

void shmbox_msg_cache_exit(void)
{
	kmem_cache_destroy(shmbox_msg_cache);
}
