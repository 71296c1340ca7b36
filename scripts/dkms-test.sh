#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-test.sh TOP OUT KDIR: prove that DKMS builds and installs the module
# from its staged source, as a user's "make install-dkms; dkms add; dkms
# build; dkms install" would, against the kernel headers in KDIR.
#
# Everything happens in scratch trees under OUT (DKMS's --sourcetree,
# --dkmstree and --installtree), so the host's /usr/src, /var/lib/dkms and
# /lib/modules are left alone.  Passes when dkms status says "installed"
# and the installed shmbox.ko is built for KDIR's kernel release (its
# vermagic) and has the uapi version the sources say.
set -euo pipefail
top=$1 out=$2 kdir=$3
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
rel=$("$top/scripts/kdir.sh" --release "$kdir")
[ -n "$rel" ] || { echo "dkms-test: no kernel release in $kdir" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/dkms" "$out/modules/$rel"
make -s -C "$top" --no-print-directory install-dkms DESTDIR="$out/stage" \
	DKMS_SRC=/usr/src/shmbox-"$ver"
trees=(--sourcetree="$out/stage/usr/src" --dkmstree="$out/dkms"
	--installtree="$out/modules")
log=$out/dkms.log
run() {
	echo "  DKMS    $*"
	if ! dkms "$@" "${trees[@]}" -m shmbox -v "$ver" >>"$log" 2>&1; then
		cat "$log" "$out/dkms/shmbox/$ver/build/make.log" 2>/dev/null >&2
		echo "dkms-test: dkms $1 failed for $rel" >&2
		exit 1
	fi
}
run add
run build -k "$rel" --kernelsourcedir="$kdir"
run install -k "$rel" --kernelsourcedir="$kdir" --no-depmod

status=$(dkms status "${trees[@]}" -m shmbox -v "$ver" -k "$rel" 2>&1)
echo "  DKMS    status: $status"
case "$status" in
*": installed"*) ;;
*) echo "dkms-test: not installed" >&2; exit 1 ;;
esac
ko=$(find "$out/modules/$rel" -name 'shmbox.ko*' | head -n 1)
[ -n "$ko" ] || { echo "dkms-test: no shmbox.ko under $out/modules/$rel" >&2; exit 1; }
vermagic=$(modinfo -F vermagic "$ko")
case "$vermagic" in
"$rel "*) ;;
*) echo "dkms-test: $ko is for '$vermagic', not $rel" >&2; exit 1 ;;
esac
echo "  DKMS    ok: ${ko#"$out"/} ($vermagic)"
