/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmbox - userspace library for /dev/shmbox.
 *
 * Error convention (every function): a negative errno value on failure,
 * zero or a non-negative result on success.  errno is not a return
 * channel: read the return value.  Functions never print.
 */
#ifndef LIBSHMBOX_H
#define LIBSHMBOX_H

#include <linux/shmbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open /dev/shmbox read-write, close-on-exec.  Returns the fd or -errno. */
int shmbox_dev_open(void);

/* Fill @v from SHMBOX_IOC_GET_VERSION on @fd.  Returns 0 or -errno. */
int shmbox_get_version(int fd, struct shmbox_version *v);

/* The library's own version, "MAJOR.MINOR.PATCH". */
const char *shmbox_lib_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBSHMBOX_H */
