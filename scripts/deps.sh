#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages shmbox needs, skipping those already there.
# Idempotent and quiet: prints nothing when everything is installed.  When
# not root and something is missing, stops and names the packages.
#
# Extra packages can be asked for with SHMBOX_EXTRA_DEPS="pkg ...".
set -euo pipefail

pkgs=(
	build-essential bc bison flex kmod cpio xz-utils
	libelf-dev libssl-dev
	qemu-system-x86
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	busybox-static sparse
	gnuplot-nox
)
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
