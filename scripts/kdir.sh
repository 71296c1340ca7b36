#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kdir.sh [--kver V] [--rt]  print the default KDIR of series V (6.1 or
#                            6.12; default $KVER, else 6.12): the newest
#                            installed Debian amd64 headers of that series,
#                            /usr/src/linux-headers-V.*-amd64 (--rt: the
#                            PREEMPT_RT flavour, ...-rt-amd64)
# kdir.sh --image D          print the kernel image that matches build dir D
# kdir.sh --release D        print the kernel release of build dir D
set -euo pipefail

release() {	# the release a module built against $1 is for (its vermagic)
	sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$1/include/generated/utsrelease.h"
}

case "${1:-}" in
--release) release "${2:?}"; exit 0 ;;
--image)
	d=$(readlink -f "${2:?}")
	ver=$(release "$d" 2>/dev/null || true)
	[ -n "$ver" ] || ver=$(basename "$d" | sed 's/^linux-headers-//')
	echo "/boot/vmlinuz-$ver"
	exit 0 ;;
esac

kver=${KVER:-6.12} flavour=amd64
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=$2; shift 2 ;;
	--rt) flavour=rt-amd64; shift ;;
	*) echo "usage: $0 [--kver V] [--rt] | --image D | --release D" >&2; exit 2 ;;
	esac
done

# "6.1." never matches 6.12's "6.12.", and the stock flavour is never
# -rt-amd64 or -cloud-amd64, which also end in -amd64.
# shellcheck disable=SC2012
d=$(ls -d "/usr/src/linux-headers-$kver."*"-$flavour" 2>/dev/null |
	{ if [ "$flavour" = amd64 ]; then grep -v -e '-rt-amd64$' -e '-cloud-amd64$'; else cat; fi; } |
	sort -V | tail -n 1 || true)
echo "${d:-/usr/src/linux-headers-$kver-NOT-INSTALLED-$flavour}"
