#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-selftest.sh TOP B KDIR VMLINUZ: prove that the check loop can fail.
# Three guest runs, each of which must make the runner exit non-zero:
#   1. a selftest binary that fails,
#   2. a kernel WARN in the guest (a tiny module that WARNs on load),
#   3. a guest that hangs (killed after a short timeout).
set -uo pipefail
top=$1 b=$2 kdir=$3 vmlinuz=$4
st=$b/check-selftest
rm -rf "$st"
mkdir -p "$st/warnmod" "$st/fail/selftests" "$st/warn/lib/modules"

gcc -std=gnu11 -Wall -Werror -I"$b/ksrc/selftests" \
	-o "$st/fail/selftests/runner_fail" "$top/scripts/selftest/runner_fail.c" || exit 1
ln -sf "$top/scripts/selftest/shmbox_warn.c" "$st/warnmod/"
echo 'obj-m := shmbox_warn.o' > "$st/warnmod/Kbuild"
make -s -C "$kdir" M="$st/warnmod" modules >/dev/null || exit 1
cp "$st/warnmod/shmbox_warn.ko" "$st/warn/lib/modules/"
for d in fail warn; do
	(cd "$st/$d" && find . -print0 | cpio --null -o -H newc --quiet |
		gzip -1 > "$st/$d.cpio.gz")
done

pass=0 fail=0
expect_failure() {	# expect_failure NAME ARGS...
	local name=$1
	shift
	echo "# --- $name: this run must fail ---"
	if "$top/scripts/qemu-run.sh" --mode check --kernel "$vmlinuz" \
			--initrd "$b/initramfs.cpio.gz" --out "$st/run-$name" "$@" |
			sed 's/^/#   /'; then
		echo "not ok - $name: make check passed but must have failed"
		fail=$((fail + 1))
	else
		echo "ok - $name: make check failed as it must"
		pass=$((pass + 1))
	fi
}

expect_failure failing-test --initrd "$st/fail.cpio.gz" --tests runner_fail \
	--timeout 300
expect_failure kernel-warn --initrd "$st/warn.cpio.gz" --tests device \
	--append sbx.inject=warn --timeout 300
expect_failure hung-guest --append sbx.inject=hang --timeout 45

echo "$pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
