#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the shmbox test guest (busybox).  The kernel command line says
# what to do:
#   sbx.mode=check|demo|vm   run the selftests / the demo / a shell
#   sbx.mode=fuzz            like check, but run the programs in /fuzz
#                            (make fuzz) instead of the selftests
#   sbx.tests=a,b            check: only these selftest binaries
#   sbx.inject=warn|leak|hang  runner self-test: load a module that WARNs
#                            or one that leaks memory (kmemleak must find
#                            it), or hang instead of finishing
#   sbx.cycles=N             check: module load/unload cycles (default 10),
#                            each leaving objects behind (shmbox-litter)
#   sbx.kunit=1              the kernel has KUnit: the module's KUnit
#                            results (KTAP in the kernel log) must be there
#   sbx.fuzz_secs=N          fuzz: seconds each fuzzer runs (default 180)
#   sbx.mode=bench           run shmbox-bench (arguments: sbx.bench=a,b)
#   sbx.mode=bench-ab        make bench-ab: N rounds (sbx.ab_rounds=N,
#                            default 3) of shmbox-bench with
#                            /lib/modules/shmbox-a.ko loaded, then with
#                            shmbox-b.ko, alternating A, B, A, B;
#                            sbx.ab_split=1: each section alternates
#   sbx.mode=posix           make posix-conformance: each Open POSIX mq_*
#                            test in /posix (tests.txt), against the
#                            kernel's mqueue (/posix/ref) then against
#                            libshmbox-mq (/posix/shmbox), each alone under
#                            pts-run with a timeout of sbx.posix_timeout=N
#                            seconds (default 30), the module reloaded
#                            after every libshmbox-mq test; a failure is
#                            tried again up to sbx.posix_retries=N times
#                            (default 4), to tell steady from flaky
#
# Results travel to the host over the second serial port (/dev/ttyS1),
# never by scraping the console: kselftest TAP, then the kernel log
# between @@DMESG-BEGIN/@@DMESG-END, the taint mask as "@@TAINT n" and
# finally "@@SHMBOX-EXIT n".  A missing exit line means the guest died.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/usr/lib

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null &&
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
hostname shmbox-guest

mode=check tests= inject= cycles=10 kunit= fuzz_secs=180 ab_rounds=3 ab_split=
posix_timeout=30 posix_retries=4
for w in $(cat /proc/cmdline); do
	case "$w" in
	sbx.mode=*) mode=${w#*=} ;;
	sbx.tests=*) tests=$(echo "${w#*=}" | tr , ' ') ;;
	sbx.inject=*) inject=${w#*=} ;;
	sbx.cycles=*) cycles=${w#*=} ;;
	sbx.kunit=*) kunit=${w#*=} ;;
	sbx.fuzz_secs=*) fuzz_secs=${w#*=} ;;
	sbx.bench=*) bench_args=$(echo "${w#*=}" | tr , ' ') ;;
	sbx.ab_rounds=*) ab_rounds=${w#*=} ;;
	sbx.ab_split=*) ab_split=${w#*=} ;;
	sbx.posix_timeout=*) posix_timeout=${w#*=} ;;
	sbx.posix_retries=*) posix_retries=${w#*=} ;;
	esac
done

exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo 2>/dev/null
res() { echo "$*" >&3; }

finish() {
	sync
	res "@@SHMBOX-EXIT $1"
	sleep 1
	poweroff -f
}

if [ "$mode" = vm ]; then
	insmod /lib/modules/shmbox.ko
	echo "shmbox guest: module loaded, selftests in /selftests, poweroff -f to leave"
	setsid cttyhack sh -l
	finish 0
fi

if [ "$mode" = bench ]; then
	# The benchmark's files follow its output between @@FILE/@@ENDFILE.
	exec >&3 2>&1
	insmod /lib/modules/shmbox.ko
	mkdir -p /tmp/bench
	# shellcheck disable=SC2086
	shmbox-bench --out /tmp/bench $bench_args
	rc=$?
	for f in /tmp/bench/*; do
		res "@@FILE $(basename "$f")"
		cat "$f" >&3
		res "@@ENDFILE"
	done
	rmmod shmbox
	finish $rc
fi

if [ "$mode" = bench-ab ]; then
	# Round r runs the benchmark with module A, then with module B; the
	# host's drift over the rounds hits both alike.  Run r of side s
	# sends its files as s<r>-bench.json and s<r>-bench.dat.  With
	# sbx.ab_split=1 each section of the benchmark alternates on its
	# own, A then B, so A's and B's figures are seconds apart, not a
	# whole run: s<r>-p<n>-bench.json.  The sections are the parts of
	# --filter (split at +), or without one all of the benchmark's.
	exec >&3 2>&1
	parts=all
	if [ "$ab_split" = 1 ]; then
		parts="rtt64 stream64 stream4096+memcpy4096 bulk1m fan/ rpc64/ ring/syscalls call64"
		rest='' prev=''
		for w in $bench_args; do
			if [ "$prev" = --filter ]; then
				parts=$(echo "$w" | tr + ' ')
			elif [ "$w" != --filter ]; then
				rest="$rest $w"
			fi
			prev=$w
		done
		bench_args=$rest
	fi
	ab_run() {	# ab_run SIDE ROUND PART TAG
		echo "==== bench-ab round $2 of $ab_rounds: $(echo "$1" | tr ab AB) (shmbox-$1.ko)${4:+, $3}"
		insmod "/lib/modules/shmbox-$1.ko" || return 1
		rm -rf /tmp/bench
		mkdir -p /tmp/bench
		brc=0
		if [ "$3" = all ]; then
			# shellcheck disable=SC2086
			shmbox-bench --out /tmp/bench $bench_args || brc=1
		else
			# shellcheck disable=SC2086
			shmbox-bench --out /tmp/bench $bench_args --filter "$3" || brc=1
		fi
		for f in /tmp/bench/*; do
			res "@@FILE $1$2$4-$(basename "$f")"
			cat "$f" >&3
			res "@@ENDFILE"
		done
		rmmod shmbox || return 1
		return $brc
	}
	rc=0
	r=1
	while [ "$r" -le "$ab_rounds" ] && [ "$rc" = 0 ]; do
		n=0
		for p in $parts; do
			n=$((n + 1))
			tag=
			[ "$p" = all ] || tag=-p$n
			if ! ab_run a "$r" "$p" "$tag" ||
					! ab_run b "$r" "$p" "$tag"; then
				rc=1
				break
			fi
		done
		r=$((r + 1))
	done
	res "@@FILE dmesg.txt"
	dmesg >&3
	res "@@ENDFILE"
	finish $rc
fi

if [ "$mode" = demo ]; then
	exec >&3 2>&1
	sh /guest/guest-demo.sh
	finish $?
fi

# ---- check --------------------------------------------------------------
exec >&3 2>&1
n=0
fail=0
step() {	# step NAME CMD...: one runner-level TAP line
	name=$1
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		res "ok $n shmbox: $name"
	else
		echo "$out" | sed 's/^/# /' >&3
		res "not ok $n shmbox: $name"
		fail=1
	fi
}

cycle_module() {
	i=0
	while [ "$i" -lt "$1" ]; do
		# Named regions, rings and mailboxes with queued messages,
		# left for the unload to free (kmemleak checks it did).
		if [ -x /usr/bin/shmbox-litter ]; then
			shmbox-litter "c$i" || return 1
		fi
		rmmod shmbox || return 1
		insmod /lib/modules/shmbox.ko || return 1
		[ -c /dev/shmbox ] || { echo "no /dev/shmbox after insmod"; return 1; }
		i=$((i + 1))
	done
}

# The kernel log and the taint mask, for qemu-run.sh's verdict.
kernel_report() {
	res "@@DMESG-BEGIN"
	dmesg >&3
	res "@@DMESG-END"
	res "@@TAINT $(cat /proc/sys/kernel/tainted)"
}

if [ "$mode" = posix ]; then
	# Per test and column: the first lines its first try printed, as
	# "@@O TEST COLUMN text"; a try that failed and is tried again as
	# "@@PTS-TRY TEST COLUMN STATUS MS STRAGGLERS N"; the last as
	# "@@PTS-END TEST COLUMN STATUS MS STRAGGLERS TRIES" (STATUS MS
	# STRAGGLERS: pts-run's line).  scripts/posix-tests.sh report makes
	# the table of them.
	#
	# A FAIL, UNRESOLVED or signal is tried again, up to
	# sbx.posix_retries times (default 4), in both columns alike, until it
	# passes: the first try is the verdict, the others tell the report a
	# failure that comes every time from a flaky one.
	reload_fail=
	posix_clean() {	# posix_clean COLUMN TEST: what a try leaves
		if [ "$1" = ref ]; then
			rm -f /dev/mqueue/* 2>/dev/null
		# A fresh module for the next try: no mailbox, quota or
		# registration left over.
		elif ! { rmmod shmbox && insmod /lib/modules/shmbox.ko; } >/dev/null 2>&1; then
			reload_fail="$reload_fail $2"
			insmod /lib/modules/shmbox.ko 2>/dev/null
		fi
	}
	posix_run() {	# posix_run COLUMN TEST: its last status in $st
		d=/tmp/pts/$1/$(echo "$2" | tr / _)
		try=1
		while :; do
			rm -rf "$d"
			mkdir -p "$d"
			r=$(/posix/pts-run "$posix_timeout" "$d" "$d.out" "/posix/$1/$2") ||
				r="runner-error 0 0"
			posix_clean "$1" "$2"
			st=${r%% *}
			if [ "$try" = 1 ]; then
				head -n 20 "$d.out" | while IFS= read -r l; do
					res "@@O $2 $1 $l"
				done
			fi
			case "$st" in
			exit:1 | exit:2 | signal:*) ;;
			*) break ;;
			esac
			[ "$try" -gt "$posix_retries" ] && break
			res "@@PTS-TRY $2 $1 $r $try"
			try=$((try + 1))
		done
		res "@@PTS-END $2 $1 $r $try"
	}
	res "TAP version 13"
	res "@@POSIX-INFO $(uname -r) $posix_timeout $posix_retries"
	step "insmod" insmod /lib/modules/shmbox.ko
	for t in $(cat /posix/tests.txt); do
		a=- b=-
		# A column whose binary is missing did not build: the report
		# says so from the build's list.
		if [ -x "/posix/ref/$t" ]; then
			posix_run ref "$t"
			a=$st
		fi
		if [ -x "/posix/shmbox/$t" ]; then
			posix_run shmbox "$t"
			b=$st
		fi
		res "# $t: kernel mqueue $a, libshmbox-mq $b"
	done
	step "module reloaded after every libshmbox-mq test" \
		sh -c '[ -z "$1" ] || { echo "rmmod or insmod failed after:$1"; exit 1; }' _ "$reload_fail"
	step "rmmod" rmmod shmbox
	res "1..$n"
	kernel_report
	finish $fail
fi

res "TAP version 13"
step "insmod" insmod /lib/modules/shmbox.ko

# KUnit ran the module's suites while it loaded: report each case (KTAP in
# the kernel log) as one runner-level TAP line.
kunit_report() {
	found=0
	dmesg | sed 's/^\[[^]]*\] //' > /tmp/kunit.log
	while IFS= read -r line; do
		case "$line" in
		"    # Subtest: shmbox"*) suite=${line##* }; found=1 ;;
		"    ok "[0-9]*)
			n=$((n + 1))
			set -- $line
			res "ok $n shmbox: kunit $suite.$3" ;;
		"    not ok "[0-9]*)
			n=$((n + 1))
			set -- $line
			res "not ok $n shmbox: kunit $suite.$4"
			fail=1 ;;
		"        # "* | "    # "*) [ "$found" = 1 ] && res "# ${line# *}" ;;
		esac
	done < /tmp/kunit.log
	if [ "$found" = 0 ] && [ "$kunit" = 1 ]; then
		n=$((n + 1))
		res "not ok $n shmbox: kunit results in the kernel log"
		fail=1
	fi
}
kunit_report
step "device node /dev/shmbox" test -c /dev/shmbox
step "load/unload x$cycles" cycle_module "$cycles"

[ "$inject" = warn ] && step "inject WARN" insmod /lib/modules/shmbox_warn.ko
# Stays loaded, so kmemleak's backtraces keep its symbols.
[ "$inject" = leak ] && step "inject leak" insmod /lib/modules/shmbox_leak.ko
if [ "$inject" = hang ]; then
	res "# injected hang"
	while :; do sleep 3600; done
fi

tdir=/selftests ttimeout=600
if [ "$mode" = fuzz ]; then
	tdir=/fuzz ttimeout=$((fuzz_secs * 3 + 300))
	export FUZZ_SECONDS=$fuzz_secs
fi
[ -n "$tests" ] || tests=$(ls $tdir)
for t in $tests; do
	n=$((n + 1))
	if [ ! -x "$tdir/$t" ]; then
		res "# no such selftest: $t"
		res "not ok $n selftests: shmbox: $t"
		res "@@TEST $t 127"
		fail=1
		continue
	fi
	res "# selftests: shmbox: $t"
	(cd /tmp && timeout $ttimeout "$tdir/$t" 2>&1; echo "@@RC $?") |
		while IFS= read -r line; do
			case "$line" in
			@@RC*) echo "$line" > /tmp/rc ;;
			*) res "# $line" ;;
			esac
		done
	rc=$(sed 's/@@RC //' /tmp/rc)
	case "$rc" in
	0) res "ok $n selftests: shmbox: $t" ;;
	4) res "ok $n selftests: shmbox: $t # SKIP" ;;
	*) res "not ok $n selftests: shmbox: $t # exit=$rc"; fail=1 ;;
	esac
	res "@@TEST $t $rc"
done

step "rmmod" rmmod shmbox
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /tmp/kmemleak
	n=$((n + 1))
	if [ -s /tmp/kmemleak ]; then
		sed 's/^/# /' /tmp/kmemleak >&3
		res "not ok $n shmbox: kmemleak clean"
		fail=1
	else
		res "ok $n shmbox: kmemleak clean"
	fi
fi
res "1..$n"
kernel_report
finish $fail
