#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The shmboxctl part of "make demo", run inside the guest (module loaded):
# create, list, send, receive and remove objects from the shell, and the
# /proc/shmbox file shmboxctl ls reads; call an echo server.
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

say "call and reply from the shell: serve echoes every call, call prints the reply"
shmboxctl create mailbox rpc
shmboxctl serve --calls 2 rpc & srv=$!
shmboxctl call --lines -m ping rpc
shmboxctl call --lines --timeout 5 -m "are you there?" rpc
wait $srv
shmboxctl stat rpc | grep -E '^(sent|received|calls_waiting|calls_serving):'
shmboxctl rm rpc

say "remove, like ipcrm"
shmboxctl rm jobs frames
shmboxctl rm jobs || echo "exit code $?"
