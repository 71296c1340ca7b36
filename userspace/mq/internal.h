/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmbox-mq internals shared by its two files, never installed.
 *
 * SMQ_API marks the exported functions: the library is built with
 * -fvisibility=hidden and libshmbox-mq.map lists the same names.  Every
 * exported function is a thin wrapper of a static or hidden one, so that
 * the library's calls among its own functions never go through the PLT
 * (which, in a program that also has libc's mq_* in its global scope, as
 * shmbox-bench does, could reach libc's instead).
 */
#ifndef SHMBOX_MQ_INTERNAL_H
#define SHMBOX_MQ_INTERNAL_H

#include <errno.h>
#include <mqueue.h>

#include <linux/shmbox.h>

#define SMQ_API __attribute__((visibility("default")))

/*
 * errno for a descriptor call's failure: an fd that is not bound to a
 * mailbox (EBADFD) or not of /dev/shmbox at all (ENOTTY) is not a
 * message queue descriptor, which POSIX calls EBADF.
 */
static inline int smq_fd_errno(int err)
{
	return err == ENOTTY || err == EBADFD ? EBADF : err;
}

/* Fail with @err: errno = @err, return -1. */
static inline int smq_fail(int err)
{
	errno = err;
	return -1;
}

/* notify.c: mq_notify() and the end of @mqd's SIGEV_THREAD helpers. */
int smq_notify(mqd_t mqd, const struct sigevent *sev);
void smq_notify_forget(mqd_t mqd);

#endif /* SHMBOX_MQ_INTERNAL_H */
