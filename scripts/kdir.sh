#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kdir.sh             print the default KDIR: the newest installed Debian
#                     amd64 kernel headers (/usr/src/linux-headers-*-amd64)
# kdir.sh --rt        print the newest Debian PREEMPT_RT headers
#                     (/usr/src/linux-headers-*-rt-amd64)
# kdir.sh --image D   print the kernel image that matches build dir D
set -euo pipefail

if [ "${1:-}" = --image ]; then
	d=$(readlink -f "${2:?}")
	# /lib/modules/VER/build points at the headers of kernel VER.
	ver=
	for m in /lib/modules/*/build; do
		[ "$(readlink -f "$m")" = "$d" ] && ver=$(basename "$(dirname "$m")")
	done
	[ -n "$ver" ] || ver=$(basename "$d" | sed 's/^linux-headers-//')
	echo "/boot/vmlinuz-$ver"
	exit 0
fi

if [ "${1:-}" = --rt ]; then
	# shellcheck disable=SC2012
	d=$(ls -d /usr/src/linux-headers-*-rt-amd64 2>/dev/null | sort -V | tail -n 1 || true)
	echo "${d:-/usr/src/linux-headers-NOT-INSTALLED-rt-amd64}"
	exit 0
fi

# The stock kernel: never the -rt flavour, which also ends in -amd64.
# shellcheck disable=SC2012
d=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | grep -v -- '-rt-amd64$' |
	sort -V | tail -n 1 || true)
echo "${d:-/usr/src/linux-headers-NOT-INSTALLED-amd64}"
