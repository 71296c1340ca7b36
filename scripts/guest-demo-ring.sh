#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Demo part: a producer process and a consumer process sharing a named
# shmbox ring.  Run by guest-demo.sh with the module loaded.
set -e
say() { printf '\n== %s\n' "$*"; }

say "shared memory: a named 64 KiB ring, one consumer and one producer process"
# The consumer creates the ring (auto-removed when both are gone) and
# sleeps in the kernel until the producer, a separate process, writes.
ring-demo consume demo-ring &
cons=$!
sleep 0.5
ring-demo produce demo-ring 200000 64
wait $cons

