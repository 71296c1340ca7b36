#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh TOP B OUT: pack the test guest's initramfs: static
# busybox, /init, shmbox.ko, libshmbox, the tools, the selftests and the
# shared libraries they need (found with ldd).
set -euo pipefail
top=$1 b=$2 out=$3
root=$b/initramfs

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,root,usr/bin,usr/lib,lib/modules,selftests,guest}

cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$top/scripts/guest-init.sh" "$root/init"
install -m 0755 "$top"/scripts/guest-*.sh "$root/guest/"
cp "$b/kmod/shmbox.ko" "$root/lib/modules/"
cp -P "$b"/lib/libshmbox.so* "$root/usr/lib/"
for f in "$b"/tools/*; do [ -x "$f" ] && cp "$f" "$root/usr/bin/"; done
for f in "$b"/selftests/*; do [ -x "$f" ] && cp "$f" "$root/selftests/"; done
[ -d "$b/extra" ] && cp -a "$b/extra/." "$root/"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"

# Shared libraries of every dynamic executable in the image.
find "$root" -type f -perm -u+x | while read -r f; do
	LD_LIBRARY_PATH=$b/lib ldd "$f" 2>/dev/null |
		awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}' || true
done | sort -u | while read -r lib; do
	case "$lib" in "$b"/*) continue ;; esac
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) |
	gzip -1 > "$out"
echo "  INITRD  $out ($(du -h "$out" | cut -f1))"
