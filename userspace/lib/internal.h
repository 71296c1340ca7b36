/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmbox internals shared by the library's files, never installed.
 *
 * SHMBOX_API marks the exported functions: the library is built with
 * -fvisibility=hidden and libshmbox.map lists the same names.
 * SHMBOX_ARG_INIT() starts every ioctl argument structure the same way:
 * all zero (reserved fields and padding included, which the kernel
 * checks) and its size set, so a newer kernel knows which version it got.
 */
#ifndef SHMBOX_LIB_INTERNAL_H
#define SHMBOX_LIB_INTERNAL_H

#include <string.h>

#include "libshmbox.h"

#define SHMBOX_API __attribute__((visibility("default")))

#define SHMBOX_ARG_INIT(arg)					\
	do {							\
		memset((arg), 0, sizeof(*(arg)));		\
		(arg)->size = sizeof(*(arg));			\
	} while (0)

#endif /* SHMBOX_LIB_INTERNAL_H */
