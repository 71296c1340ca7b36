#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh TOP B OUT: pack the test guest's initramfs: static
# busybox, /init, shmbox.ko, libshmbox and libshmbox-mq, the tools, the
# selftests and the shared libraries they need (found with readelf);
# trinity for make fuzz.
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
cp -P "$b"/lib/libshmbox.so* "$b"/mq/libshmbox-mq.so* "$root/usr/lib/"
for f in "$b"/tools/* "$b"/bench/*; do [ -x "$f" ] && cp "$f" "$root/usr/bin/"; done
# Only the selftests that still have a source: a binary left in the build
# tree by a test file since removed or renamed must not run (or count).
for src in "$top"/selftests/*.c; do
	f=$b/selftests/$(basename "$src" .c)
	[ -x "$f" ] && cp "$f" "$root/selftests/"
done
[ -d "$b/extra" ] && cp -a "$b/extra/." "$root/"
# make fuzz (SHMBOX_TRINITY=1): trinity, which "make fuzz" installed, with
# its libraries (below).  Looked up at every image build, never cached.
if [ "${SHMBOX_TRINITY:-0}" = 1 ]; then
	[ -x /usr/bin/trinity ] || { echo "mkinitramfs: trinity is not installed (make fuzz installs it)" >&2; exit 1; }
	cp /usr/bin/trinity "$root/usr/bin/"
fi
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"

# Shared libraries of every dynamic ELF file in the image, found with
# readelf rather than ldd: the build host may not be able to run them
# (i386 binaries on a host without IA32 emulation).
libdirs() {	# search path for an ELF file's class
	case "$(readelf -h "$1" 2>/dev/null | awk '/Class:/{print $2}')" in
	ELF32) echo /lib32 /usr/lib32 /lib/i386-linux-gnu /usr/lib/i386-linux-gnu ;;
	*) echo /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64 ;;
	esac
}
copy_deps() {	# copy_deps ELF: its interpreter and NEEDED libraries, recursively
	local f=$1 interp lib d
	[ "$(head -c 4 "$f")" = "$(printf '\177ELF')" ] || return 0
	interp=$(readelf -l "$f" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p' || true)
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$interp" "$root$interp"
	fi
	for lib in $(readelf -d "$f" 2>/dev/null |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$root/usr/lib/$lib" ] && continue	# ours (libshmbox)
		for d in $(libdirs "$f"); do
			[ -e "$d/$lib" ] || continue
			if [ ! -e "$root$d/$lib" ]; then
				mkdir -p "$root$d"
				cp -L "$d/$lib" "$root$d/$lib"
				copy_deps "$d/$lib"
			fi
			break
		done
	done
	return 0
}
for f in $(find "$root" -type f -perm -u+x) "$root"/usr/lib/libshmbox.so.* \
		"$root"/usr/lib/libshmbox-mq.so.*; do
	[ -L "$f" ] || copy_deps "$f"
done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) |
	gzip -1 > "$out"
echo "  INITRD  $out ($(du -h "$out" | cut -f1))"
