#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The shmboxctl part of "make demo", run inside the guest (module loaded):
# create, list, send, receive and remove objects from the shell, and the
# /proc/shmbox file shmboxctl ls reads.
set -e
say() { printf '\n== %s\n' "$*"; }

say "shmboxctl: a mailbox and a ring from the shell"
shmboxctl create mailbox jobs --capacity 8 --mode 0660
shmboxctl create ring frames --size 64K
printf 'compile\ntest\nship\n' | shmboxctl send --lines jobs
shmboxctl send --prio 9 -m urgent jobs
shmboxctl ls
echo "-- /proc/shmbox:"
cat /proc/shmbox

say "receive: priority first, then FIFO; then an empty mailbox (exit 5)"
shmboxctl recv --lines --all jobs
shmboxctl recv --nonblock jobs || echo "exit code $?"
shmboxctl stat jobs | grep -E '^(kind|depth|sent|received):'

say "remove, like ipcrm"
shmboxctl rm jobs frames
shmboxctl rm jobs || echo "exit code $?"
