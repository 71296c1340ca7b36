#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages shmbox needs, skipping those already there.
# Idempotent and quiet: prints nothing when everything is installed.  When
# not root and something is missing, stops and names the packages.
#
# The kernel packages follow KVER (6.1 or 6.12, default 6.12) and KERNEL
# (stock, debug or rt), as the Makefile exports them: Debian's image and
# headers of the series, its PREEMPT_RT image and headers for KERNEL=rt,
# and always its linux-source (the kselftest harness and checkpatch come
# from it, and the debug kernel is built from it).  Everything comes from
# Debian 12's archive.  Extra packages can be asked for with
# SHMBOX_EXTRA_DEPS="pkg ...".
set -euo pipefail

kver=${KVER:-6.12}
case "$kver" in
# Debian 12's default kernel is the 6.1 series: its meta-packages carry
# no version; the 6.12 LTS ones do.
6.1) img=linux-image-amd64 hdr=linux-headers-amd64
     rtimg=linux-image-rt-amd64 rthdr=linux-headers-rt-amd64 ;;
6.12) img=linux-image-6.12-amd64 hdr=linux-headers-6.12-amd64
      rtimg=linux-image-6.12-rt-amd64 rthdr=linux-headers-6.12-rt-amd64 ;;
*) echo "shmbox: KVER must be 6.1 or 6.12, not '$kver'" >&2; exit 2 ;;
esac

pkgs=(
	build-essential bc bison flex kmod cpio xz-utils
	libelf-dev libssl-dev
	qemu-system-x86
	"$img" "$hdr" "linux-source-$kver"
	busybox-static sparse
	gnuplot-nox
)
[ "${KERNEL:-stock}" = rt ] && pkgs+=("$rtimg" "$rthdr")
# shellcheck disable=SC2206
pkgs+=(${SHMBOX_EXTRA_DEPS:-})

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "shmbox: missing Debian packages: ${missing[*]}" >&2
	echo "shmbox: run 'make deps' as root, or: apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "shmbox: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The package lists may be stale or absent on a fresh machine.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>"$log" 2>&1; then
	apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
	apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
