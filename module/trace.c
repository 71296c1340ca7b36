// SPDX-License-Identifier: GPL-2.0
/*
 * shmbox tracepoints: the one place that instantiates the events of
 * trace.h (CREATE_TRACE_POINTS).  Owns no state, takes no lock.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
