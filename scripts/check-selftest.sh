#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-selftest.sh TOP B KDIR VMLINUZ: prove that the check loop can fail.
# Guest runs, each of which must make the runner exit non-zero, and for the
# reason the case is about (its report must say so, and nothing else may
# have failed):
#   1. a selftest binary that fails,
#   2. a kernel WARN in the guest (a tiny module that WARNs on load),
#   3. a guest that hangs (killed after a short timeout),
#   4. on a kernel with kmemleak (make check-selftest KERNEL=debug): a
#      memory leak (a tiny module that leaks on load), which the kmemleak
#      scan after the final rmmod must report.
# And, on the host, that the one failure qemu-run.sh boots again for
# (scripts/tcg-stale-int3.sh, QEMU TCG's stale int3) is told from an int3
# still in memory, from an oops after another complaint and from a clean
# log.
# The test modules (scripts/selftest/) are built here against KDIR and
# travel in an initramfs of their own; shmbox.ko has no such knobs.
set -euo pipefail
top=$1 b=$2 kdir=$3 vmlinuz=$4
st=$b/check-selftest
rm -rf "$st"
mkdir -p "$st/testmod" "$st/fail/selftests" "$st/inject/lib/modules"

kmemleak=0
grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$kdir/.config" 2>/dev/null && kmemleak=1

gcc -std=gnu11 -Wall -Werror -I"$b/ksrc/selftests" \
	-o "$st/fail/selftests/runner_fail" "$top/scripts/selftest/runner_fail.c"
mods=(shmbox_warn)
[ $kmemleak = 1 ] && mods+=(shmbox_leak)
for m in "${mods[@]}"; do
	ln -sf "$top/scripts/selftest/$m.c" "$st/testmod/"
	echo "obj-m += $m.o" >> "$st/testmod/Kbuild"
done
make -s -C "$kdir" M="$st/testmod" modules >/dev/null
for m in "${mods[@]}"; do
	cp "$st/testmod/$m.ko" "$st/inject/lib/modules/"
done
for d in fail inject; do
	(cd "$st/$d" && find . -print0 | cpio --null -o -H newc --quiet |
		gzip -1 > "$st/$d.cpio.gz")
done

pass=0 fail=0 skip=0
# expect_failure NAME ALLOWED NEED... -- QEMU-RUN-ARGS...: the run must
# fail; its output must match every extended regex NEED, and every "not ok"
# line in it must match ALLOWED (no failure other than the intended one).
expect_failure() {
	local name=$1 allowed=$2 rc why='' re
	local out=$st/run-$name.out needs=()
	shift 2
	while [ "$1" != -- ]; do needs+=("$1"); shift; done
	shift
	echo "# --- $name: this run must fail ---"
	set +e
	"$top/scripts/qemu-run.sh" --mode check --kernel "$vmlinuz" \
		--initrd "$b/initramfs.cpio.gz" --out "$st/run-$name" "$@" 2>&1 |
		tee "$out" | sed 's/^/#   /'
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -eq 0 ]; then
		why="make check passed but must have failed"
	else
		for re in "${needs[@]}"; do
			grep -Eq -- "$re" "$out" || why="$why; no match for /$re/"
		done
		if grep '^not ok' "$out" | grep -Evq -- "$allowed"; then
			why="$why; it also failed for another reason:"
			why="$why $(grep '^not ok' "$out" | grep -Ev -- "$allowed" | head -n 3 | tr '\n' ' ')"
		fi
	fi
	if [ -n "$why" ]; then
		echo "not ok - $name: ${why#; }"
		fail=$((fail + 1))
	else
		echo "ok - $name: make check failed as it must, for the intended reason:"
		for re in "${needs[@]}"; do
			grep -Em1 -- "$re" "$out" | sed 's/^/#     /'
		done
		pass=$((pass + 1))
	fi
}

expect_failure failing-test 'selftests: shmbox: runner_fail' \
	'^not ok [0-9]+ selftests: shmbox: runner_fail' -- \
	--initrd "$st/fail.cpio.gz" --tests runner_fail --timeout 300
expect_failure kernel-warn 'kernel log clean|kernel taint' \
	'^not ok - kernel log clean' 'WARNING: .*shmbox_warn_init' -- \
	--initrd "$st/inject.cpio.gz" --tests device --append sbx.inject=warn \
	--timeout 300
expect_failure hung-guest 'guest finished: killed after' \
	'^not ok - guest finished: killed after [0-9]+s \(hung\)' -- \
	--append sbx.inject=hang --timeout 45
if [ $kmemleak = 1 ]; then
	# The guest's own kmemleak step fails and so does the host's log check
	# (kmemleak's "suspected memory leaks" line); the report must be about
	# the test module's allocation.
	expect_failure kmemleak 'shmbox: kmemleak clean|kernel log clean' \
		'^not ok [0-9]+ shmbox: kmemleak clean' \
		'unreferenced object' 'shmbox_leak_one\+.*\[shmbox_leak\]' -- \
		--initrd "$st/inject.cpio.gz" --tests device \
		--append sbx.inject=leak --timeout 600
else
	echo "ok - kmemleak # SKIP $(basename "$kdir") has no CONFIG_DEBUG_KMEMLEAK (make check-selftest KERNEL=debug)"
	skip=$((skip + 1))
fi

# stale_int3 NAME WANT BYTE [FIRST]: a console with an "Oops: int3" whose
# Code line has BYTE before the trap's marker (FIRST: a line before it);
# tcg-stale-int3.sh must exit WANT.
stale_int3() {
	local name=$1 want=$2 byte=$3 first=${4:-} c=$st/int3-$1.log rc=0
	{
		echo "[    4.1] shmbox: ABI 1.5 ready"
		[ -n "$first" ] && echo "[   58.0] $first"
		echo "[   59.1] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI"
		echo "[   59.2] RIP: 0010:__schedule+0x339/0xbf0"
		echo "[   59.3] Code: 00 00 e9 70 03 00 00 $byte <1f> 44 00 00 48 8b"
		echo "[   59.4] Call Trace:"
	} > "$c"
	"$top/scripts/tcg-stale-int3.sh" "$c" || rc=$?
	if [ "$rc" = "$want" ]; then
		echo "ok - tcg-stale-int3: $name (exit $rc)"
		pass=$((pass + 1))
	else
		echo "not ok - tcg-stale-int3: $name: exit $rc, wanted $want"
		fail=$((fail + 1))
	fi
}
stale_int3 patched-site-booted-again 0 0f
stale_int3 int3-still-in-memory-is-the-guests 1 cc
stale_int3 after-a-warning-is-the-guests 1 0f 'WARNING: CPU: 0 PID: 1 at x'
printf '[    4.1] shmbox: ABI 1.5 ready\n' > "$st/int3-clean.log"
if "$top/scripts/tcg-stale-int3.sh" "$st/int3-clean.log"; then
	echo "not ok - tcg-stale-int3: a clean log taken for a stale int3"
	fail=$((fail + 1))
else
	echo "ok - tcg-stale-int3: a clean log is no stale int3"
	pass=$((pass + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
