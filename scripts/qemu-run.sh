#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-run.sh: boot the shmbox test guest under QEMU (TCG, 2 CPUs) and, in
# check mode, turn what it reports into a verdict.
#
#   --mode check|demo|vm|bench|bench-ab|posix  what the guest does
#                          (guest-init.sh); posix has check's verdict, over
#                          the runner's own steps (the report on the tests
#                          is scripts/posix-tests.sh's)
#   --kernel IMAGE         kernel to boot
#   --initrd FILE          initramfs (several are concatenated)
#   --out DIR              where console.log and results.txt go
#   --timeout SECONDS      kill a guest that runs longer (0: never)
#   --tests "a b"          check: only these selftest binaries
#   --append "..."         extra kernel command line
#   --mem MB               guest memory (default 2048)
#
# The guest reports on its second serial port (results.txt); its console
# (first serial port) goes to console.log.  The run fails if a test
# failed, if the guest did not report its exit (crash, hang, timeout), if
# the kernel log holds any warning, bug, oops, sanitizer, lockdep, hung
# task or kmemleak report, or if the kernel is tainted by more than an
# out-of-tree (O) or unsigned (E) module.  The last line is always
# "N passed, N failed, N skipped".
#
# Only one QEMU guest runs at a time on this machine (flock), so parallel
# make invocations queue instead of starving each other's CPUs.
#
# A guest that died of QEMU TCG's stale int3 (an emulator race in the
# kernel's own code patching, scripts/tcg-stale-int3.sh: nothing the guest
# did) is booted again, up to TCG_BOOTS (3) boots in all; each such boot
# is reported ("# QEMU TCG stale int3 ...") and its console kept as
# console.log.int3-N.  Any other failure is the verdict of its one boot.
set -euo pipefail

mode=check kernel= out= timeout=900 tests= append= mem=2048
initrds=()
while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrds+=("$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	*) echo "qemu-run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

[ -r "$kernel" ] || { echo "qemu-run.sh: no kernel image '$kernel'" >&2; exit 2; }
mkdir -p "$out"
con=$out/console.log res=$out/results.txt initrd=$out/initrd.img
cat "${initrds[@]}" > "$initrd"
boots=${TCG_BOOTS:-3}
here=$(dirname "$0")

cmdline="console=ttyS0,115200 panic=-1 oops=panic softlockup_panic=0"
cmdline+=" hung_task_timeout_secs=120 sbx.mode=$mode"
[ -n "$tests" ] && cmdline+=" sbx.tests=$(echo "$tests" | tr ' ' ,)"
cmdline+=" $append"

qemu=(qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max
	-smp 2 -m "$mem" -no-reboot -display none -monitor none
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline")

exec 9>/tmp/shmbox-qemu.lock
if ! flock -n 9; then
	echo "  QEMU    waiting for another shmbox guest to finish..."
	flock 9
fi

if [ "$mode" = vm ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial "file:$res"
fi

# One boot: the guest's console in $con, its reports in $res, shown as
# they arrive (without the control lines); QEMU's exit code in $qrc.
boot() {
	: > "$con"
	: > "$res"
	"${tmo[@]}" "${qemu[@]}" -serial "file:$con" -serial "file:$res" &
	qpid=$!
	tail -n +1 -F --pid="$qpid" "$res" 2>/dev/null | tr -d '\r' | awk '
		/^@@DMESG-BEGIN/ || /^@@FILE / { skip = 1; next }
		/^@@DMESG-END/ || /^@@ENDFILE/ { skip = 0; next }
		skip || /^@@/ { next }
		{ print; fflush() }' &
	tpid=$!
	qrc=0
	wait "$qpid" || qrc=$?
	wait "$tpid" 2>/dev/null || true
}

echo "  QEMU    $(basename "$kernel") mode=$mode (log: $con)"
start=$(date +%s)
tmo=()
[ "$timeout" -gt 0 ] && tmo=(timeout -k 10 "$timeout")
for ((n = 1; ; n++)); do
	boot
	if [ "$n" -ge "$boots" ] || ! "$here/tcg-stale-int3.sh" "$con"; then
		break
	fi
	cp "$con" "$con.int3-$n"
	echo "# QEMU TCG stale int3 in boot $n (the emulator's, see scripts/tcg-stale-int3.sh; console kept as $con.int3-$n): booting again"
done
secs=$(($(date +%s) - start))

tr -d '\r' < "$res" > "$res.clean"
exit_rc=$(sed -n 's/^@@SHMBOX-EXIT \([0-9]*\).*/\1/p' "$res.clean" | tail -n 1)

if [ "$mode" = bench ] || [ "$mode" = bench-ab ]; then
	# Unpack the files the guest sent between @@FILE NAME and @@ENDFILE.
	awk -v dir="$out" '
		/^@@FILE / { f = dir "/" $2; printf "" > f; next }
		/^@@ENDFILE/ { close(f); f = ""; next }
		f != "" { print >> f }' "$res.clean"
fi

if [ "$mode" = demo ] || [ "$mode" = bench ] || [ "$mode" = bench-ab ]; then
	if [ "$exit_rc" != 0 ]; then
		echo "$mode failed (guest exit '${exit_rc:-none}', qemu $qrc); see $con" >&2
		exit 1
	fi
	exit 0
fi

# ---- verdict -----------------------------------------------------------
sed -n '/^@@DMESG-BEGIN/,/^@@DMESG-END/p' "$res.clean" > "$out/dmesg.txt"
read -r pass fail skip < <(awk '
	/^@@DMESG-BEGIN/ { skip_d = 1 } /^@@DMESG-END/ { skip_d = 0 }
	skip_d { next }
	/^ok [0-9]+ shmbox: / { p++; next }
	/^not ok [0-9]+ shmbox: / { f++; next }
	/^# # Totals: / {
		for (i = 4; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] = kv[2] }
		have = 1; next
	}
	/^@@TEST / {
		rc = $3
		if (have) {
			p += t["pass"] + t["xfail"]
			bad = t["fail"] + t["xpass"] + t["error"]
			f += bad; s += t["skip"]
			if (rc != 0 && rc != 4 && bad == 0) f++
		} else if (rc == 0) p++
		else if (rc == 4) s++
		else f++
		have = 0
	}
	END { printf "%d %d %d\n", p, f, s }' "$res.clean")

pattern='WARNING:|BUG:|Oops|KASAN:|UBSAN:|sleeping function called'
pattern+='|possible (circular|recursive) locking|inconsistent lock state'
pattern+='|suspicious RCU usage|unreferenced object|suspected memory leak'
pattern+='|general protection fault|Kernel panic|Call Trace:'
pattern+='|blocked for more than|soft lockup|rcu.*self-detected stall'
# A KUnit case that failed in any load of the module (KTAP in the log).
pattern+='|(EXPECTATION|ASSERTION) FAILED at|\] +not ok [0-9]+ shmbox'
# grep reads the files itself: "cat | grep -q" under pipefail fails
# (SIGPIPE) exactly when a long log matches early.
if grep -Eq "$pattern" "$out/dmesg.txt" "$con"; then
	echo "not ok - kernel log clean: the guest kernel complained:"
	{ grep -h -E -A12 "$pattern" "$out/dmesg.txt" "$con" || true; } |
		head -n 60 | sed 's/^/#   /'
	fail=$((fail + 1))
else
	pass=$((pass + 1))
fi

taint=$(sed -n 's/^@@TAINT \([0-9]*\).*/\1/p' "$res.clean" | tail -n 1)
# O (4096) out-of-tree, E (8192) unsigned module, N (262144) KUnit ran.
if [ -n "$taint" ] && [ $((taint & ~(4096 | 8192 | 262144))) -ne 0 ]; then
	echo "not ok - kernel taint: $taint (only O, E and N are allowed)"
	fail=$((fail + 1))
elif [ -n "$taint" ]; then
	pass=$((pass + 1))
fi

if [ -z "$exit_rc" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "not ok - guest finished: killed after ${timeout}s (hung)"
	else
		echo "not ok - guest finished: it died without reporting (qemu $qrc); console: $con"
		tail -n 30 "$con" | sed 's/^/#   /'
	fi
	fail=$((fail + 1))
elif [ "$exit_rc" != 0 ] && [ "$fail" -eq 0 ]; then
	echo "not ok - guest runner reported failure ($exit_rc)"
	fail=$((fail + 1))
fi

echo "# guest time ${secs}s; logs in $out"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
