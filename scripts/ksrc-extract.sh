#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ksrc-extract.sh OUT: extract from Debian's linux-source-$KVER tarball
# (KVER 6.1 or 6.12, default 6.12) the few files the build uses (kselftest
# harness, checkpatch and its data) into OUT, so that each series' build
# uses its own harness and lint its own checkpatch.  They are never
# committed.
set -euo pipefail
out=$1
tarball=/usr/src/linux-source-${KVER:-6.12}.tar.xz
[ -r "$tarball" ] || { echo "linux-source-${KVER:-6.12} is not installed: make deps" >&2; exit 1; }
top=$(basename "$tarball" .tar.xz)

files=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)
rm -rf "$out"
mkdir -p "$out/tree"
echo "  EXTRACT $(basename "$tarball"): kselftest harness, checkpatch"
tar -xJf "$tarball" -C "$out/tree" --strip-components=1 \
	"${files[@]/#/$top/}"
mkdir -p "$out/selftests"
ln -sf ../tree/tools/testing/selftests/kselftest_harness.h "$out/selftests/"
ln -sf ../tree/tools/testing/selftests/kselftest.h "$out/selftests/"
