#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh TOP B KDIR: the kernel quality gates.  Fails on any finding of
#   - checkpatch.pl --strict over module/, uapi/ and the runner self-test's
#     kernel modules (scripts/selftest/shmbox_*.c)
#   - sparse (C=2) over the module
#   - a W=1 build of the module
set -uo pipefail
top=$1 b=$2 kdir=$3
cp=$b/ksrc/tree/scripts/checkpatch.pl
rc=0

echo "  LINT    checkpatch --strict"
if ! perl "$cp" --strict --no-tree --terse --show-types \
		--codespellfile=/dev/null \
		-f "$top"/module/*.[ch] "$top"/uapi/linux/*.h \
		"$top"/scripts/selftest/shmbox_*.c >"$b/lint-checkpatch.txt" 2>&1 ||
		grep -qE '(WARNING|ERROR|CHECK):' "$b/lint-checkpatch.txt"; then
	grep -E '(WARNING|ERROR|CHECK):' "$b/lint-checkpatch.txt" || cat "$b/lint-checkpatch.txt"
	rc=1
fi

# One kbuild run does both: W=1 warnings and sparse (C=2) on every file.
echo "  LINT    sparse C=2 + W=1 build"
"$top/scripts/kmod-tree.sh" "$top" "$b/kmod-lint"
make -s -C "$kdir" M="$b/kmod-lint" clean >/dev/null 2>&1
if ! make -C "$kdir" M="$b/kmod-lint" W=1 C=2 CHECK=sparse modules \
		>"$b/lint-build.txt" 2>&1; then
	cat "$b/lint-build.txt"
	rc=1
elif grep -E 'warning:|error:' "$b/lint-build.txt"; then
	rc=1
fi

[ $rc -eq 0 ] && echo "  LINT    clean"
exit $rc
