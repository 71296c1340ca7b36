#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mailbox part of "make demo", run inside the guest (module loaded).
# Two processes talk through a named mailbox; then one process sends to
# another by pid (direct communication) and gets a reply; then two clients
# call a server (call and reply: one system call per side and round trip).
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

say "call and reply: two clients call one server on the mailbox 'calls'; each call is one system call, and so is each reply with the server's next receive"
mboxdemo serve calls 4 & srv=$!
mboxdemo call calls "hello" "world" & c1=$!
mboxdemo call calls "one system call" "each way" & c2=$!
wait $c1
wait $c2
wait $srv
