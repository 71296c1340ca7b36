#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh [--kver 6.1|6.12] [--kdir|--image|--build]: the shmbox
# debug test kernel of one Debian kernel series.
#
#   --kver V  the series (default: $KVER, else 6.12): its source is
#             Debian's linux-source-V
#   --kdir    print its build directory (KDIR for the module); builds nothing
#   --image   print its bzImage; builds nothing
#   --build   build it unless the cached build is current (default)
#
# The kernel is linux-source-V configured as "tinyconfig" plus
# scripts/kconfig/debug.config and debug-V.config.  It lives in a cache outside the work tree
# ($SHMBOX_CACHE, default ~/.cache/shmbox, so "make clean" keeps it), one
# directory per series: the source is extracted once per linux-source
# version, the object directory is kept, and the kernel is rebuilt
# (incrementally) only when the key -- fragment, source version, compiler
# -- changes.  Builds are serialised by a lock, so two "make check
# KERNEL=debug" never build at once.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kver=${KVER:-6.12} what=--build
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=$2; shift 2 ;;
	--kdir|--image|--build) what=$1; shift ;;
	*) echo "usage: $0 [--kver 6.1|6.12] [--kdir|--image|--build]" >&2; exit 2 ;;
	esac
done
case "$kver" in
6.1|6.12) ;;
*) echo "debug-kernel: KVER must be 6.1 or 6.12, not '$kver'" >&2; exit 2 ;;
esac
frags=("$top/scripts/kconfig/debug.config" "$top/scripts/kconfig/debug-$kver.config")
cache=${SHMBOX_CACHE:-${HOME:-/root}/.cache/shmbox}/kernel-debug-$kver
obj=$cache/obj
image=$obj/arch/x86/boot/bzImage

case "$what" in
--kdir) echo "$obj"; exit 0 ;;
--image) echo "$image"; exit 0 ;;
esac

tarball=/usr/src/linux-source-$kver.tar.xz
[ -r "$tarball" ] || { echo "linux-source-$kver is not installed: make deps KVER=$kver KERNEL=debug" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$kver" 2>/dev/null ||
	stat -c %s.%Y "$tarball")
key=$( { cat "${frags[@]}"; echo "$tarball $srcver"; gcc --version | head -n 1; } |
	sha256sum | cut -c1-16)

mkdir -p "$cache"
exec 8>"$cache/.lock"
flock 8

if [ -r "$image" ] && [ "$(cat "$obj/.shmbox-key" 2>/dev/null)" = "$key" ]; then
	exit 0
fi

src=$cache/src-$srcver
if [ ! -e "$src/.shmbox-extracted" ]; then
	echo "  EXTRACT $(basename "$tarball") -> $src"
	rm -rf "$cache"/src-* "$obj"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$src/.shmbox-extracted"
fi
# A different source version: start the object directory afresh.
if [ "$(cat "$obj/.shmbox-src" 2>/dev/null)" != "$src" ]; then
	rm -rf "$obj"
fi
mkdir -p "$obj"
echo "$src" > "$obj/.shmbox-src"
rm -f "$obj/.shmbox-key"

kmake=(make -C "$src" O="$obj" ARCH=x86_64 -j"$(nproc)" -s)
echo "  KCONFIG $kver: tinyconfig + ${frags[*]##*/} (key $key)"
"${kmake[@]}" tinyconfig >/dev/null
cat "${frags[@]}" >> "$obj/.config"
"${kmake[@]}" olddefconfig >/dev/null 2>&1

# Every option the fragment asks for must have survived its dependencies.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$obj/.config" || {
		echo "debug-kernel: $line did not stick: $(grep "^${line%%=*}=\|# ${line%%=*} is" "$obj/.config" || echo unset)" >&2
		bad=1; } ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
		grep -q "^$opt=" "$obj/.config" && {
			echo "debug-kernel: $opt should be off" >&2; bad=1; } ;;
	esac
done < <(cat "${frags[@]}")
[ "$bad" -eq 0 ] || exit 1

echo "  KBUILD  $kver debug kernel in $obj (about 10 minutes on 2 cores)"
start=$(date +%s)
"${kmake[@]}" bzImage modules
echo "$key" > "$obj/.shmbox-key"
echo "  KERNEL  $image built in $(($(date +%s) - start))s"
