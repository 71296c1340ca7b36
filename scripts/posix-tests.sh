#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# posix-tests.sh: the steps of "make posix-conformance", which runs the
# Open POSIX Test Suite's message queue tests (conformance/interfaces/mq_*)
# in the guest twice, against the kernel's mqueue (libc) and against
# libshmbox-mq, and compares the two.  The suite is not ours: it is
# fetched from Debian's archive into the cache and never committed.
#
#   posix-tests.sh fetch
#       Make sure $SHMBOX_CACHE/posixtestsuite/$PTS_DIR holds Debian 12's
#       posixtestsuite $PTS_VERSION, extracted from its .orig tarball;
#       print that directory.  The source package comes through apt with
#       the project's own apt directory (a deb-src entry for the archive
#       and release the machine's own apt sources name; the system's apt
#       configuration is never touched), so apt checks it against the
#       archive's signed index; the tarball's SHA-256 is then checked
#       against the .dsc and against the one pinned here.
#   posix-tests.sh build SRC OUT MQ_LIB CFLAGS
#       Compile each test once (object in OUT/obj) and link it twice,
#       statically: OUT/ref/<test> against libc (the kernel's mqueue) and
#       OUT/shmbox/<test> against MQ_LIB (libshmbox-mq.a) before libc.
#       CFLAGS (-m32 for M32=1) go to the compiler and the linker.  A
#       link's member trace proves which mq_* implementation came in: for
#       a test that calls mq_* functions, a shmbox binary with a libc mq
#       member or none of MQ_LIB's, or a reference one without libc's, is
#       a build failure.
#       Writes OUT/tests.txt (the tests, in run order), OUT/build.txt (one
#       line per test and column: ok, or the failure) and OUT/posix.cpio.gz
#       (an initramfs appendix with /posix: the stripped binaries, the
#       list and pts-run, which must already be in OUT/pts-run).
#   posix-tests.sh report RUN BUILD EXCEPTIONS
#       From the guest's RUN/results.txt.clean and BUILD/build.txt: the
#       Markdown table (one row per test, kernel mqueue and libshmbox-mq
#       side by side), the totals of each column, and the gate: exit 1 if
#       a test that passed against the kernel's mqueue did not pass
#       against libshmbox-mq and is not listed in EXCEPTIONS ("TEST skip
#       REASON"; "TEST racy REASON": a test that loses a race of its own
#       now and then, whose verdict is then whether any try passed).
#       Printed and saved as RUN/posix-conformance.md; the last line is
#       "N passed, N failed" of libshmbox-mq.
#
# What counts as a test: every conformance/interfaces/mq_*/N-M.c (it has
# a main, as every such file in 1.5.2 does), 133 in 1.5.2.  The files in
# speculative/ (8) test behaviour POSIX leaves to the implementation; they
# run too and are shown apart, never gated nor counted in the totals.  The
# N-M.sh files (14) are not run: each only prints "Tested implicitly via
# assertion ..." and exits 0, so it would count a pass for nothing.
set -euo pipefail

PTS_PKG=posixtestsuite
PTS_VERSION=1.5.2-8
PTS_ORIG=posixtestsuite_1.5.2.orig.tar.gz
PTS_ORIG_SHA256=15a2185672127cba851d35ec9d538ff6148defdbb75f99c7e9c50aeba0f94757
PTS_DIR=posixtestsuite-1.5.2

die() { echo "posix-tests.sh: $*" >&2; exit 2; }

# ---- fetch -------------------------------------------------------------

# The machine's Debian archive: "URI SUITE [signed-by]" of the first deb
# entry of a release suite (not -updates, -security, -backports), from
# the deb822 .sources files or the one-line sources.list.
apt_origin() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uris != "" && suites != "") {
				nu = split(uris, u, " "); ns = split(suites, s, " ")
				for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
					if (s[j] !~ /-(updates|security|backports)$/ && s[j] !~ /\//) {
						print u[i], s[j], signed; found = 1; exit
					}
			}
			types = uris = suites = signed = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{ key = tolower($1); sub(/^[^:]*:[ \t]*/, "") }
		key == "types:" { types = $0 } key == "uris:" { uris = $0 }
		key == "suites:" { suites = $0 } key == "signed-by:" { signed = $0 }
		END { if (!found) flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '
		$1 != "deb" { next }
		{
			signed = ""; i = 2
			if ($2 ~ /^\[/) {
				while (i <= NF) {
					o = $i; gsub(/[][]/, "", o)
					if (o ~ /^signed-by=/) { sub(/^signed-by=/, "", o); signed = o }
					if ($i ~ /\]$/) break
					i++
				}
				i++
			}
			if ($(i + 1) ~ /-(updates|security|backports)$/) next
			print $i, $(i + 1), signed; exit
		}' "$f"
	done
}

cmd_fetch() {
	local cache dir tree origin uri suite signed apt opts dsc sum
	cache=${SHMBOX_CACHE:-${HOME:-/root}/.cache/shmbox}
	dir=$cache/posixtestsuite
	tree=$dir/$PTS_DIR
	mkdir -p "$dir"
	exec 8>"$dir/.lock"
	flock 8
	if [ "$(cat "$tree/.shmbox-fetched" 2>/dev/null)" = "$PTS_VERSION $PTS_ORIG_SHA256" ]; then
		echo "$tree"
		return
	fi

	origin=$(apt_origin | head -n 1)
	[ -n "$origin" ] || die "no Debian archive in /etc/apt/sources.list{,.d} to fetch $PTS_PKG from"
	read -r uri suite signed <<<"$origin"
	echo "  FETCH   $PTS_PKG $PTS_VERSION (deb-src $uri $suite main)" >&2

	# The project's own apt directory: its source list, index and cache.
	apt=$dir/apt
	rm -rf "$apt" "$dir/dl"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir/dl"
	echo "deb-src ${signed:+[signed-by=$signed] }$uri $suite main" > "$apt/sources.list"
	opts=(-o "Dir::Etc::SourceList=$apt/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$apt/lists"
		-o "Dir::Cache=$apt/cache"
		-o APT::Sandbox::User=root)
	apt-get -qq "${opts[@]}" update >&2 || die "apt-get update of $apt/sources.list failed"
	(cd "$dir/dl" && apt-get -qq "${opts[@]}" source --download-only \
		"$PTS_PKG=$PTS_VERSION") >&2 || die "apt-get source $PTS_PKG=$PTS_VERSION failed"

	dsc=$dir/dl/${PTS_PKG}_$PTS_VERSION.dsc
	[ -r "$dsc" ] || die "apt-get source left no $dsc"
	sum=$(awk -v f="$PTS_ORIG" '/^Checksums-Sha256:/ { in256 = 1; next }
		/^[^ ]/ { in256 = 0 } in256 && $3 == f { print $1 }' "$dsc")
	[ "$sum" = "$PTS_ORIG_SHA256" ] ||
		die "$dsc gives $PTS_ORIG the SHA-256 '$sum', expected $PTS_ORIG_SHA256"
	echo "$sum  $dir/dl/$PTS_ORIG" | sha256sum --quiet -c - ||
		die "$PTS_ORIG does not match the SHA-256 of its .dsc"

	rm -rf "$tree" "$dir/tmp"
	mkdir -p "$dir/tmp"
	tar -xzf "$dir/dl/$PTS_ORIG" -C "$dir/tmp"
	[ -d "$dir/tmp/$PTS_PKG/conformance/interfaces" ] ||
		die "$PTS_ORIG has no $PTS_PKG/conformance/interfaces"
	mv "$dir/tmp/$PTS_PKG" "$tree"
	rmdir "$dir/tmp"
	# The index (20 MB) is of no further use; the .dsc and tarball stay.
	rm -rf "$apt"
	echo "$PTS_VERSION $PTS_ORIG_SHA256" > "$tree/.shmbox-fetched"
	echo "$tree"
}

# ---- build -------------------------------------------------------------

# The tests, in run order: mq_<interface>/N-M, then the speculative ones.
list_tests() {	# list_tests SRC
	(cd "$1/conformance/interfaces" &&
		{ ls -d mq_*/[0-9]*-[0-9]*.c | sort -t/ -k1,1 -k2,2V
		  ls -d mq_*/speculative/[0-9]*-[0-9]*.c 2>/dev/null | sort -t/ -k1,1 -k3,3V
		} | sed 's/\.c$//')
}

# build_one SRC OUT MQ_LIB CFLAGS TEST: compile TEST and link both
# columns; print "TEST ref STATUS" and "TEST shmbox STATUS" (ok, or
# build-fail:<what>).
build_one() {
	local src=$1 out=$2 mqlib=$3 cflags=$4 t=$5 obj log trace col st f fresh
	obj=$out/obj/$t.o log=$out/log/$t
	mkdir -p "$(dirname "$obj")" "$(dirname "$log")" "$out/ref/$(dirname "$t")" \
		"$out/shmbox/$(dirname "$t")"
	# The suite's own flags for Linux (its LDFLAGS file), no -Werror:
	# its warnings are not ours to fix.
	# shellcheck disable=SC2086
	if [ ! "$obj" -nt "$src/conformance/interfaces/$t.c" ] &&
			! gcc $cflags -O2 -g -D_XOPEN_SOURCE=600 -I"$src/include" -c \
			-o "$obj" "$src/conformance/interfaces/$t.c" >"$log.cc" 2>&1; then
		rm -f "$obj"
		echo "$t ref build-fail:compile"
		echo "$t shmbox build-fail:compile"
		return
	fi
	for col in ref shmbox; do
		trace=$log.$col.link
		if [ "$col" = shmbox ] && [ ! -r "$mqlib" ]; then
			rm -f "$out/$col/$t"
			echo "$t shmbox build-fail:no-libshmbox-mq"
			continue
		fi
		set -- "$obj"
		[ "$col" = shmbox ] && set -- "$@" "$mqlib"
		# Linked again when older than what goes into it; the trace
		# of the last link stays beside it.
		fresh=1
		for f in "$@"; do [ "$out/$col/$t" -nt "$f" ] || fresh=; done
		# shellcheck disable=SC2086
		if [ -z "$fresh" ] && ! gcc $cflags -static -o "$out/$col/$t" "$@" \
				-lpthread -lrt -Wl,--trace,--trace >"$trace" 2>&1; then
			rm -f "$out/$col/$t"
			echo "$t $col build-fail:link"
			continue
		fi
		# Which archive members defined the mq_* functions, for a
		# test that calls any (a few only print why they test nothing).
		st=ok
		if ! nm -u "$obj" | grep -q ' mq_'; then
			:
		elif [ "$col" = ref ]; then
			grep -q 'libc\.a)mq_' "$trace" || st="build-fail:no-libc-mq"
		elif grep -q 'libc\.a)mq_' "$trace"; then
			st="build-fail:libc-mq-linked"
		elif ! grep -qF "$(basename "$mqlib"))" "$trace"; then
			st="build-fail:no-libshmbox-mq-member"
		fi
		[ "$st" = ok ] || rm -f "$out/$col/$t"
		echo "$t $col $st"
	done
}

cmd_build() {
	local src=$1 out=$2 mqlib=$3 cflags=$4 img
	[ -d "$src/conformance/interfaces" ] || die "no test suite in $src"
	[ -x "$out/pts-run" ] || die "no $out/pts-run"
	# Objects and binaries are kept between runs, and remade when their
	# inputs are newer; all of them when the flags or the suite change.
	if [ "$(cat "$out/.flags" 2>/dev/null)" != "$cflags $src" ]; then
		rm -rf "$out/obj" "$out/log" "$out/ref" "$out/shmbox"
	fi
	mkdir -p "$out"
	echo "$cflags $src" > "$out/.flags"
	list_tests "$src" > "$out/tests.txt"
	echo "  PTS     $(wc -l < "$out/tests.txt") mq_* tests, kernel mqueue and libshmbox-mq" \
		"(${mqlib##*/})" >&2
	export -f build_one
	# Two at a time: the machine has two cores, shared.
	xargs -P 2 -I{} bash -c 'build_one "$@"' _ "$src" "$out" "$mqlib" "$cflags" {} \
		< "$out/tests.txt" | sort > "$out/build.txt"
	[ "$(wc -l < "$out/build.txt")" -eq $((2 * $(wc -l < "$out/tests.txt"))) ] ||
		die "the build did not report every test (see $out/build.txt)"
	awk '$3 != "ok" { n[$2]++ } END { for (c in n) printf "  PTS     %s: %d not built\n", c, n[c] }' \
		"$out/build.txt" >&2

	# The guest's /posix: the binaries stripped (the build keeps the
	# unstripped ones), the list and the runner.
	img=$out/img
	rm -rf "$img"
	mkdir -p "$img/posix"
	cp -a "$out/ref" "$out/shmbox" "$img/posix/"
	find "$img/posix" -type f -exec strip {} +
	cp "$out/tests.txt" "$out/pts-run" "$img/posix/"
	(cd "$img" && find . -print0 | cpio --null -o -H newc --quiet) |
		gzip -1 > "$out/posix.cpio.gz"
	rm -rf "$img"
	echo "  INITRD  $out/posix.cpio.gz ($(du -h "$out/posix.cpio.gz" | cut -f1))" >&2
}

# ---- report ------------------------------------------------------------

cmd_report() {
	local run=$1 build=$2 exc=$3 md rc arch
	[ -r "$run/results.txt.clean" ] || die "no $run/results.txt.clean (did the guest run?)"
	md=$run/posix-conformance.md
	rc=0
	arch=64-bit
	grep -q -- -m32 "$build/.flags" 2>/dev/null && arch="32-bit (M32=1)"
	awk -v exc="$exc" -v buildf="$build/build.txt" -v testsf="$build/tests.txt" -v arch="$arch" '
	function verdict(s) {	# a guest status as the report names it
		if (s == "exit:0") return "PASS"
		if (s == "exit:1") return "FAIL"
		if (s == "exit:2") return "UNRESOLVED"
		if (s == "exit:4") return "UNSUPPORTED"
		if (s == "exit:5") return "UNTESTED"
		if (s == "timeout") return "FAIL (timeout)"
		if (s ~ /^signal:/) return "FAIL (signal " substr(s, 8) ")"
		if (s ~ /^exit:/) return "FAIL (exit " substr(s, 6) ")"
		return "FAIL (" s ")"
	}
	function kind(v) {	# the total a verdict counts in
		if (v ~ /^PASS/) return "passed"
		if (v ~ /^UNRESOLVED/) return "unresolved"
		if (v ~ /^UNSUPPORTED/) return "unsupported"
		if (v ~ /^UNTESTED/) return "untested"
		if (v ~ /^NOT BUILT/) return "not built"
		if (v ~ /^NOT RUN/) return "not run"
		return "failed"
	}
	BEGIN {
		while ((getline l < testsf) > 0) tests[++nt] = l
		while ((getline l < buildf) > 0) {
			split(l, f, " ")
			if (f[3] != "ok") v[f[1], f[2]] = "NOT BUILT (" substr(f[3], 12) ")"
		}
		# "TEST racy REASON": the verdict in both columns is whether
		# any try passed.  "TEST skip REASON": not gated.
		while ((getline l < exc) > 0) {
			if (l ~ /^[ \t]*(#|$)/) continue
			n = split(l, f, " ")
			why = l; sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", why)
			if (n < 3 || (f[2] != "racy" && f[2] != "skip")) {
				printf "posix-tests.sh: %s: not \"TEST racy|skip REASON\": %s\n", exc, l > "/dev/stderr"
				exit 2
			}
			except[f[1]] = why; ekind[f[1]] = f[2]
		}
	}
	/^@@POSIX-INFO / { kernel = $2; tmo = $3; retries = $4; next }
	/^@@PTS-TRY / {
		# @@PTS-TRY TEST COLUMN STATUS MS STRAGGLERS N: a try that failed
		if (!(($2, $3) in first)) first[$2, $3] = verdict($4)
		next
	}
	/^@@PTS-END / {
		# @@PTS-END TEST COLUMN STATUS MS STRAGGLERS TRIES
		# The first try is the verdict; the tries after a failure only
		# tell a failure that comes every time from one that does not.
		# For a racy test, any try that passed is its verdict.
		if (!(($2, $3) in v)) {
			if ($7 == 1) {
				v[$2, $3] = verdict($4)
			} else if ($4 == "exit:0" && ekind[$2] == "racy") {
				v[$2, $3] = "PASS (racy: on try " $7 ", 1st: " first[$2, $3] ")"
			} else if ($4 == "exit:0") {
				v[$2, $3] = first[$2, $3] " (passed on try " $7 ")"
				retried[$3] = retried[$3] " " $2
			} else {
				v[$2, $3] = first[$2, $3] " (" $7 " tries of " $7 ")"
			}
		}
		next
	}
	/^@@O / { t = $2; c = $3; o = $0; sub(/^@@O [^ ]+ [^ ]+ ?/, "", o)
		if (length(out[t, c]) < 600) out[t, c] = out[t, c] (out[t, c] == "" ? "" : " / ") o
		next }
	END {
		cols[1] = "ref"; cols[2] = "shmbox"
		print "# Open POSIX Test Suite 1.5.2, mq_* conformance tests"
		print ""
		printf "Guest kernel %s, %s userspace; each test alone, %s s at most; the first try is the verdict (for the racy tests listed below: any try), a failure is tried again up to %s times to tell a steady failure from a flaky one.\n", kernel, arch, tmo, retries
		print "Columns: the kernel'"'"'s mqueue (libc'"'"'s mq_*), libshmbox-mq (its mq_* linked before libc)."
		print ""
		print "| test | kernel mqueue | libshmbox-mq |"
		print "|---|---|---|"
		for (i = 1; i <= nt; i++) {
			t = tests[i]
			spec = t ~ /\/speculative\//
			for (j = 1; j <= 2; j++) {
				c = cols[j]
				if (!((t, c) in v)) v[t, c] = "NOT RUN (guest stopped)"
				r[j] = v[t, c]
				if (!spec) tot[c, kind(r[j])]++
				else stot[c, kind(r[j])]++
			}
			note = ""
			if (!spec && r[1] ~ /^PASS/ && r[2] !~ /^PASS/) {
				if (ekind[t] == "skip") { note = " (exception)"; used[++nused] = t }
				else { bad[++nbad] = t }
			}
			if (ekind[t] == "skip" && r[2] ~ /^PASS/) stale[++nstale] = t
			if (spec && !specs++) { print ""; print "Speculative tests (implementation-defined behaviour; not gated, not in the totals):"; print ""
				print "| test | kernel mqueue | libshmbox-mq |"; print "|---|---|---|" }
			printf "| %s | %s | %s%s |\n", t, r[1], r[2], note
		}
		print ""
		print "| total | kernel mqueue | libshmbox-mq |"
		print "|---|---|---|"
		nk = split("passed,failed,unresolved,unsupported,untested,not built,not run", ks, ",")
		for (k = 1; k <= nk; k++)
			if (tot["ref", ks[k]] + tot["shmbox", ks[k]] > 0)
				printf "| %s | %d | %d |\n", ks[k], tot["ref", ks[k]], tot["shmbox", ks[k]]
		print ""
		name["ref"] = "the kernel'"'"'s mqueue"; name["shmbox"] = "libshmbox-mq"
		for (j = 1; j <= 2; j++) {
			c = cols[j]; hdr = 0
			for (i = 1; i <= nt; i++) {
				t = tests[i]; k = kind(v[t, c])
				if (k != "failed" && k != "unresolved" || out[t, c] == "") continue
				if (!hdr++) { printf "What the tests that failed against %s printed:\n\n", name[c] }
				printf "- %s: %s\n", t, out[t, c]
			}
			if (hdr) print ""
		}
		for (i = 1; i <= nused; i++) {
			if (i == 1) print "Exceptions that were needed (scripts/posix-exceptions.txt):\n"
			printf "- %s: %s\n", used[i], except[used[i]]
			if (i == nused) print ""
		}
		for (i = 1; i <= nt; i++) {
			t = tests[i]
			if (ekind[t] != "racy") continue
			if (!nracy++) print "Racy tests, whose verdict is whether any try passed (scripts/posix-exceptions.txt):\n"
			printf "- %s: %s\n", t, except[t]
		}
		if (nracy) print ""
		for (j = 1; j <= 2; j++)
			if (retried[cols[j]] != "")
				printf "Failed against %s, then passed when tried again (flaky):%s\n", name[cols[j]], retried[cols[j]]
		for (i = 1; i <= nstale; i++)
			printf "Note: %s is listed in the exceptions but passed against libshmbox-mq in this run.\n", stale[i]
		for (i = 1; i <= nbad; i++)
			printf "not ok - %s passes against the kernel'"'"'s mqueue, not against libshmbox-mq (%s)\n", bad[i], v[bad[i], "shmbox"]
		# Failed: anything that neither passed nor reported unsupported or
		# untested (a FAIL, UNRESOLVED, timeout, signal, build failure).
		for (j = 1; j <= 2; j++) {
			c = cols[j]
			nf[c] = tot[c, "failed"] + tot[c, "unresolved"] + tot[c, "not built"] + tot[c, "not run"]
			ns[c] = tot[c, "unsupported"] + tot[c, "untested"]
		}
		printf "kernel mqueue: %d passed, %d failed, %d unsupported or untested\n", tot["ref", "passed"], nf["ref"], ns["ref"]
		printf "libshmbox-mq: %d passed, %d failed, %d unsupported or untested\n", tot["shmbox", "passed"], nf["shmbox"], ns["shmbox"]
		printf "%d passed, %d failed\n", tot["shmbox", "passed"], nf["shmbox"]
		exit (nbad > 0 ? 1 : 0)
	}' "$run/results.txt.clean" > "$md" || rc=$?
	cat "$md"
	echo "# report: $md" >&2
	return "$rc"
}

case "${1:-}" in
fetch) shift; cmd_fetch "$@" ;;
build) shift; [ $# -eq 4 ] || die "usage: build SRC OUT MQ_LIB CFLAGS"; cmd_build "$@" ;;
report) shift; [ $# -eq 3 ] || die "usage: report RUN BUILD EXCEPTIONS"; cmd_report "$@" ;;
*) die "usage: posix-tests.sh fetch | build SRC OUT MQ_LIB CFLAGS | report RUN BUILD EXCEPTIONS" ;;
esac
