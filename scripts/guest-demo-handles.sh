#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The handles part of "make demo", run inside the guest (module loaded):
# bulk data by reference (ABI 1.4).  A producer fills 16 MiB buffers from
# a pool of 4 regions and sends each one's handle through the mailbox
# bufs.full; the consumer maps it, checks every byte and sends the handle
# back through bufs.free for reuse.  Then one spoiled byte makes both
# sides fail.
set -e
say() { printf '\n== %s\n' "$*"; }

say "handles: 16 MiB buffers passed by handle, a pool of 4, each checked and sent back"
mboxdemo bufs-produce bufs 64 & prod=$!
# Until a consumer comes, the whole pool waits in bufs.full: four
# messages whose handles are in flight, holding their regions.
i=0
until shmboxctl stat bufs.full 2>/dev/null | grep -q '^handles: *4$'; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || { echo "the producer did not send its pool"; exit 1; }
	sleep 0.1
done
shmboxctl stat bufs.full | grep -E '^(depth|handles):'
shmboxctl ls
mboxdemo bufs-consume bufs & cons=$!
wait $prod
wait $cons

say "the check can fail: one byte of round 5 spoiled, both sides exit non-zero"
mboxdemo bufs-produce spoiled 8 5 & prod=$!
cons_rc=0
mboxdemo bufs-consume spoiled || cons_rc=$?
prod_rc=0
wait $prod || prod_rc=$?
echo "consumer exit $cons_rc, producer exit $prod_rc"
[ "$cons_rc" != 0 ] && [ "$prod_rc" != 0 ]
