#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh [--kdir|--image|--build]: the shmbox debug test kernel.
#
#   --kdir    print its build directory (KDIR for the module); builds nothing
#   --image   print its bzImage; builds nothing
#   --build   build it unless the cached build is current (default)
#
# The kernel is Debian's linux-source-6.1 configured as "tinyconfig" plus
# scripts/kconfig/debug.config.  It lives in a cache outside the work tree
# ($SHMBOX_CACHE, default ~/.cache/shmbox, so "make clean" keeps it): the
# source is extracted once per linux-source version, the object directory
# is kept, and the kernel is rebuilt (incrementally) only when the key --
# fragment, source version, compiler -- changes.  Builds are serialised by
# a lock, so two "make check KERNEL=debug" never build at once.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/scripts/kconfig/debug.config
cache=${SHMBOX_CACHE:-${HOME:-/root}/.cache/shmbox}/kernel-debug
obj=$cache/obj
image=$obj/arch/x86/boot/bzImage

case "${1:---build}" in
--kdir) echo "$obj"; exit 0 ;;
--image) echo "$image"; exit 0 ;;
--build) ;;
*) echo "usage: $0 [--kdir|--image|--build]" >&2; exit 2 ;;
esac

tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || { echo "linux-source is not installed: make deps" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
	stat -c %s.%Y "$tarball")
key=$( { cat "$frag"; echo "$tarball $srcver"; gcc --version | head -n 1; } |
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
	rm -rf "$src" "$obj"
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
echo "  KCONFIG tinyconfig + $(basename "$frag") (key $key)"
"${kmake[@]}" tinyconfig >/dev/null
cat "$frag" >> "$obj/.config"
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
done < "$frag"
[ "$bad" -eq 0 ] || exit 1

echo "  KBUILD  debug kernel in $obj (about 10 minutes on 2 cores)"
start=$(date +%s)
"${kmake[@]}" bzImage modules
echo "$key" > "$obj/.shmbox-key"
echo "  KERNEL  $image built in $(($(date +%s) - start))s"
