#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mailbox part of "make demo", run inside the guest (module loaded).
# Two processes talk through a named mailbox; then one process sends to
# another by pid (direct communication) and gets a reply.
set -e
say() { printf '\n== %s\n' "$*"; }

say "mailbox: a sender and a slow receiver share the named mailbox 'demo' (capacity 2)"
mboxdemo recv demo 4 & rx=$!
mboxdemo send demo "hello" "from" "the" "sender" & tx=$!
wait $tx
wait $rx

say "direct: a process sends to another's inbox by pid, and gets a reply"
mboxdemo echo > /tmp/echo.out & echo_pid=$!
mboxdemo ping "$echo_pid" "are you there?"
wait $echo_pid
cat /tmp/echo.out
