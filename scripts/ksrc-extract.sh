#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ksrc-extract.sh OUT: extract from Debian's linux-source tarball the few
# files the build uses (kselftest harness, checkpatch and its data) into
# OUT.  They are never committed.
set -euo pipefail
out=$1
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || { echo "linux-source is not installed: make deps" >&2; exit 1; }
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
