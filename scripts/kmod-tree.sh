#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod-tree.sh TOP OUT: mirror the module sources into OUT as symlinks so
# that an out-of-tree kbuild run (M=OUT) writes its objects there and
# never into the source tree.
set -euo pipefail
top=$1 out=$2

mkdir -p "$out/module"
ln -sfn "$top/Kbuild" "$out/Kbuild"
ln -sfn "$top/uapi" "$out/uapi"
# Drop links whose source is gone, then link every current source.
find "$out/module" -maxdepth 1 -type l ! -exec test -e {} \; -delete
for f in "$top"/module/*.[ch] "$top"/module/Makefile*; do
	[ -e "$f" ] || continue
	ln -sfn "$f" "$out/module/$(basename "$f")"
done
