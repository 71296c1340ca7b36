#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh TOP B KDIR: the kernel quality gates of one series (KVER: the
# checkpatch of its linux-source, its headers in KDIR).  Fails on any
# finding of
#   - checkpatch.pl --strict over module/, uapi/ and the runner self-test's
#     kernel modules (scripts/selftest/shmbox_*.c)
#   - sparse (C=2) over the module
#   - a W=1 build of the module
set -uo pipefail
top=$1 b=$2 kdir=$3
cp=$b/ksrc/tree/scripts/checkpatch.pl
rc=0

echo "  LINT    checkpatch --strict of linux-source-${KVER:-6.12}"
cpargs=(--strict --no-tree --terse --show-types --codespellfile=/dev/null)
# module/compat.h is the one file whose job is to test LINUX_VERSION_CODE
# (checkpatch's LINUX_VERSION_CODE rule is for code merged upstream); it
# gets every other rule.
files=()
for f in "$top"/module/*.[ch] "$top"/uapi/linux/*.h "$top"/scripts/selftest/shmbox_*.c; do
	[ "$f" = "$top/module/compat.h" ] || files+=("$f")
done
{ perl "$cp" "${cpargs[@]}" -f "${files[@]}"
  perl "$cp" "${cpargs[@]}" --ignore LINUX_VERSION_CODE -f "$top/module/compat.h"
} >"$b/lint-checkpatch.txt" 2>&1
if grep -qE '(WARNING|ERROR|CHECK):|^Usage|No such file|Can.t locate' "$b/lint-checkpatch.txt"; then
	cat "$b/lint-checkpatch.txt"
	rc=1
fi

# One kbuild run does both: W=1 warnings and sparse (C=2) on every file.
echo "  LINT    sparse C=2 + W=1 build against $("$top/scripts/kdir.sh" --release "$kdir")"
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
