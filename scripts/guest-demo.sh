#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The story "make demo" tells, run inside the guest by guest-init.sh.
set -e
say() { printf '\n== %s\n' "$*"; }

say "loading the shmbox module"
insmod /lib/modules/shmbox.ko
dmesg | grep 'shmbox:' | tail -n 1
ls -l /dev/shmbox
echo "limits (module parameters):"
for p in /sys/module/shmbox/parameters/*; do
	printf '  %-18s %s\n' "$(basename "$p")" "$(cat "$p")"
done

say "two separate processes open /dev/shmbox and query the ABI"
shmboxctl version > /tmp/a & pa=$!
shmboxctl version > /tmp/b & pb=$!
wait $pa
wait $pb
echo "process $pa: $(cat /tmp/a)"
echo "process $pb: $(cat /tmp/b)"

for part in /guest/guest-demo-ring.sh /guest/guest-demo-mbox.sh \
	/guest/guest-demo-handles.sh /guest/guest-demo-ctl.sh; do
	[ -x "$part" ] && sh "$part"
done

say "unloading the module"
rmmod shmbox
[ ! -e /dev/shmbox ] && echo "/dev/shmbox is gone; module unloaded cleanly"
