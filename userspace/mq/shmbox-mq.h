/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmbox-mq - the POSIX message queue API (mq_open(), mq_send(), ...)
 * on shmbox mailboxes.  The functions themselves are the standard ones,
 * declared by <mqueue.h> (included here); a program links -lshmbox-mq
 * (before libc, and before -lrt if it names it) and runs unchanged.
 * This header only adds what <mqueue.h> does not have.  See
 * libshmbox-mq(3).
 */
#ifndef SHMBOX_MQ_H
#define SHMBOX_MQ_H

#include <mqueue.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH" (pkg-config's modversion). */
const char *shmbox_mq_lib_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SHMBOX_MQ_H */
