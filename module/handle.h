/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox handles in messages (handle.c): the references a message (or a
 * reply) carries to regions and rings, taken from the sender's fds and
 * turned into new fds of the receiver.  Includes nothing of the
 * mailboxes: a message holds a struct shmbox_handles, a receive opens
 * and installs them in two steps around its commit.
 */
#ifndef _SHMBOX_HANDLE_H
#define _SHMBOX_HANDLE_H

#include <linux/fs.h>
#include <linux/types.h>

#include <linux/shmbox.h>

struct shmbox_obj;

/* One handle in flight: an object reference (and user) and the access. */
struct shmbox_hent {
	struct shmbox_obj *obj;
	fmode_t mode;			/* FMODE_READ, FMODE_WRITE */
};

/* The handles of one message or reply: immutable once built. */
struct shmbox_handles {
	u32 n;				/* 1 to SHMBOX_MSG_HANDLES_MAX */
	struct shmbox_hent h[];
};

/* The fds a sender asked to move (SHMBOX_HANDLE_MOVE), closed once sent. */
struct shmbox_moved {
	u32 n;
	int fd[SHMBOX_MSG_HANDLES_MAX];
};

/* A new fd of a receiver for one handle, reserved, not installed yet. */
struct shmbox_hinst {
	struct file *file;
	int fd;
};

void shmbox_handles_init(const struct file_operations *fops);
int shmbox_handles_grab(u64 uh, u32 n, struct shmbox_handles **hp,
			struct shmbox_moved *moved);
void shmbox_handles_drop(struct shmbox_handles *h);
void shmbox_moved_close(const struct shmbox_moved *moved);

static inline u32 shmbox_handles_nr(const struct shmbox_handles *h)
{
	return h ? h->n : 0;
}

int shmbox_fds_reserve(struct shmbox_hinst *inst, u32 n, bool cloexec);
int shmbox_handles_open(const struct shmbox_handles *h,
			struct shmbox_hinst *inst);
int shmbox_handles_report(const struct shmbox_handles *h,
			  const struct shmbox_hinst *inst, u64 uh);
void shmbox_handles_install(struct shmbox_hinst *inst, u32 n);
void shmbox_handles_discard(struct shmbox_hinst *inst, u32 n);

#endif /* _SHMBOX_HANDLE_H */
