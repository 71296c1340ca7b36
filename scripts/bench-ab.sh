#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-ab.sh: the steps of "make bench-ab", which benchmarks the module
# of an older revision (A) against the current tree's (B) in one guest
# boot, rounds interleaved (A, B, A, B, ...; guest-init.sh, sbx.mode=
# bench-ab), with the current tree's shmbox-bench and libshmbox for both.
#
#   bench-ab.sh tree TOP BASE DIR
#       Export Kbuild, module/ and uapi/ of revision BASE (default: where
#       HEAD left main, or HEAD~1 when HEAD is on main) into
#       DIR/<commit>/src and mirror them for kbuild (kmod-tree.sh); print
#       DIR/<commit>, whose kmod/ the Makefile then builds the way it
#       builds the current tree's.  An export is made once per commit.
#   bench-ab.sh stage TOP BASEDIR KO_B RUN ROUNDS BENCH_ARGS
#       Empty RUN and put into it ab.cpio.gz, an initramfs appendix with
#       /lib/modules/shmbox-a.ko (BASEDIR's) and shmbox-b.ko (KO_B), and
#       ab-info.txt, what the report's heading says (AB_SPLIT from the
#       environment: 1 if the sections alternate one by one).
#   bench-ab.sh report RUN
#       From RUN/{a,b}<round>-bench.json (or {a,b}<round>-p<n>-bench.json,
#       one per section), the goal ratios and the main
#       figures: A's median over the rounds, B's, and B against A.
#       Printed and saved as RUN/bench-ab.md (Markdown).  Exit status 1
#       if a goal ratio is more than 5% worse in B than in A.
set -euo pipefail

die() { echo "bench-ab.sh: $*" >&2; exit 2; }

# The sources that make the module: what A takes from BASE.
MODSRC=(Kbuild module uapi)

cmd_tree() {
	local top=$1 base=$2 dir=$3 head mb sha
	if [ -z "$base" ]; then
		head=$(git -C "$top" rev-parse HEAD)
		mb=$(git -C "$top" merge-base HEAD main 2>/dev/null || true)
		if [ -n "$mb" ] && [ "$mb" != "$head" ]; then
			base=$mb
		else
			base=HEAD~1
		fi
	fi
	sha=$(git -C "$top" rev-parse --verify -q "$base^{commit}") ||
		die "BASE '$base' is not a commit"
	# Absolute: kmod-tree.sh's links and kbuild's M= need it.
	mkdir -p "$dir"
	local out
	out=$(cd "$dir" && pwd)/$sha
	if [ ! -e "$out/src/.stamp" ]; then
		rm -rf "$out"
		mkdir -p "$out/src"
		git -C "$top" archive "$sha" -- "${MODSRC[@]}" |
			tar -x -C "$out/src" ||
			die "cannot export ${MODSRC[*]} of $base ($sha)"
		git -C "$top" log -1 --format='%h %s' "$sha" > "$out/rev"
		touch "$out/src/.stamp"
	fi
	"$top/scripts/kmod-tree.sh" "$out/src" "$out/kmod"
	echo "  BENCH-AB A = $base: $(cat "$out/rev")" >&2
	echo "$out"
}

cmd_stage() {
	local top=$1 basedir=$2 kob=$3 run=$4 rounds=$5 args=$6 b same
	[ -r "$basedir/kmod/shmbox.ko" ] || die "no $basedir/kmod/shmbox.ko"
	[ -r "$kob" ] || die "no $kob"
	rm -rf "$run"
	mkdir -p "$run/ab/lib/modules"
	cp "$basedir/kmod/shmbox.ko" "$run/ab/lib/modules/shmbox-a.ko"
	cp "$kob" "$run/ab/lib/modules/shmbox-b.ko"
	(cd "$run/ab" && find . -print0 | cpio --null -o -H newc --quiet) |
		gzip -1 > "$run/ab.cpio.gz"
	rm -rf "$run/ab"

	b="the tree at $(git -C "$top" log -1 --format='%h %s' HEAD)"
	if [ -n "$(git -C "$top" status --porcelain -- "${MODSRC[@]}")" ]; then
		b+=", with uncommitted changes to ${MODSRC[*]}"
	fi
	same=
	if git -C "$top" diff --quiet "$(basename "$basedir")" -- "${MODSRC[@]}" &&
			[ -z "$(git -C "$top" ls-files --others --exclude-standard -- "${MODSRC[@]}")" ]; then
		same="A and B are built from the same sources."
	fi
	{
		echo "a=$(cat "$basedir/rev")"
		echo "b=$b"
		echo "same=$same"
		echo "rounds=$rounds"
		echo "args=$args"
		echo "split=${AB_SPLIT:-}"
		echo "kernel=${KVER:-6.12} ${KERNEL:-stock}"
	} > "$run/ab-info.txt"
}

cmd_report() {
	local run=$1 rounds files=() s r
	[ -r "$run/ab-info.txt" ] || die "no $run/ab-info.txt"
	rounds=$(sed -n 's/^rounds=//p' "$run/ab-info.txt")
	for r in $(seq 1 "$rounds"); do
		for s in a b; do
			# One file per run, or one per section (AB_SPLIT=1).
			local got=0 f
			for f in "$run/$s$r-bench.json" "$run/$s$r"-p*-bench.json; do
				[ -s "$f" ] || continue
				files+=("$f")
				got=1
			done
			[ "$got" = 1 ] ||
				die "no $run/$s$r-bench.json (the guest's run $s$r did not finish)"
		done
	done
	local rc=0
	awk -v info="$run/ab-info.txt" -v md="$run/bench-ab.md" '
	# Figures other than shmbox'"'"'s: the references the goals divide by,
	# which the module does not touch (so they show the host'"'"'s drift).
	BEGIN {
		nref = split("rtt64/posix-mq rtt64/futex rtt64/floor-2sys " \
			"rtt64/floor-4sys stream64/posix-mq stream64/pipe " \
			"memcpy4096 call64/posix-mq call64/pipe bulk1m/pipe " \
			"bulk1m/unix-stream", ref)
		for (i = 1; i <= nref; i++) isref[ref[i]] = 1
		while ((getline l < info) > 0) {
			k = substr(l, 1, index(l, "=") - 1)
			meta[k] = substr(l, index(l, "=") + 1)
		}
	}
	FNR == 1 {
		f = FILENAME; sub(/.*\//, "", f)
		side = substr(f, 1, 1); sec = "" }
	/"figures": \[/ { sec = "f"; next }
	/"ratios": \[/ { sec = "r"; next }
	/"name":/ {
		name = field($0, "name")
		if (sec == "f") {
			if (!(name in funit)) { forder[++nf] = name; funit[name] = field($0, "unit") }
			fv[side, name] = fv[side, name] " " field($0, "median")
		} else if (sec == "r") {
			if (!(name in rop)) {
				rorder[++nr] = name
				rop[name] = field($0, "op"); rtgt[name] = field($0, "target")
			}
			# null: not measured in this run (--filter, a section).
			if ((v = field($0, "value")) != "null")
				rv[side, name] = rv[side, name] " " v
		}
	}
	function field(l, k,   v) {
		v = l; sub(".*\"" k "\": *", "", v)
		if (v ~ /^"/) { sub(/^"/, "", v); sub(/".*/, "", v) }
		else sub(/[,}].*/, "", v)
		return v
	}
	# Median of the numbers in string s; "" if there are none.
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		if (n == 0) return ""
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function num(v, r) {
		if (v == "") return "n/a"
		if (r) return sprintf("%.3f", v)
		if (v >= 100000) return sprintf("%.0fk", v / 1000)
		return sprintf(v >= 1000 ? "%.0f" : "%.2f", v)
	}
	function list(s, r,   a, n, i, o) {
		n = split(s, a, " "); o = ""
		for (i = 1; i <= n; i++) o = o (i > 1 ? ", " : "") num(a[i], r)
		return n ? o : "n/a"
	}
	function pct(a, b) { return sprintf("%+.1f%%", (b / a - 1) * 100) }
	function out(s) { print s; print s > md }
	END {
		out("#### make bench-ab: A = " meta["a"])
		out("")
		out("B = " meta["b"] ". " (meta["same"] != "" ? meta["same"] " " : "") \
			"One guest boot (" meta["kernel"] "), " meta["rounds"] \
			" rounds of shmbox-bench" (meta["args"] != "" ? " " meta["args"] : "") \
			", A then B in each" (meta["split"] == 1 ? " section" : "") "; A and B are the medians over the rounds, " \
			"B vs A is B/A - 1. A goal ratio more than 5% worse in B (in " \
			"its goal'"'"'s direction) is flagged **WORSE** and fails the run.")
		out("")
		out("| goal ratio | goal | A | B | B vs A | A rounds | B rounds | |")
		out("|---|---|---:|---:|---:|---|---|---|")
		for (i = 1; i <= nr; i++) {
			n = rorder[i]; op = rop[n]; t = rtgt[n] + 0
			a = median(rv["a", n]); b = median(rv["b", n]); flag = ""; ch = "n/a"
			if (a != "" && b != "") {
				# Below what the table shows (0.000) counts as 0.
				if (a < 0.0005) a = 0
				if (b < 0.0005) b = 0
				if (a != 0) {
					ch = pct(a, b)
					loss = op == ">=" ? (a - b) / a : (b - a) / a
					if (loss > 0.05) flag = "**WORSE**"
				} else if (b == 0) {
					ch = "="
				} else {
					# From 0: worse if B misses a goal A met.
					ch = "from 0"
					if (op == "<=" ? b > t : b < t) flag = "**WORSE**"
				}
			}
			if (flag != "") worse = worse (worse != "" ? ", " : "") n
			out("| " n " | " op " " rtgt[n] " | " num(a, 1) " | " num(b, 1) " | " ch \
				" | " list(rv["a", n], 1) " | " list(rv["b", n], 1) " | " flag " |")
		}
		out("")
		out("| figure | unit | A | B | B vs A | A rounds | B rounds | |")
		out("|---|---|---:|---:|---:|---|---|---|")
		for (i = 1; i <= nf; i++) {
			n = forder[i]
			if (n !~ /shmbox|^fan\// && !(n in isref)) continue
			u = funit[n]; lower = u == "us" || u == "calls"
			a = median(fv["a", n]); b = median(fv["b", n]); note = ""; ch = "n/a"
			if (a != "" && b != "") {
				if (a != 0) {
					ch = pct(a, b)
					loss = lower ? (b - a) / a : (a - b) / a
					if (loss > 0.05) note = "worse"
					else if (loss < -0.05) note = "better"
				} else ch = b == 0 ? "=" : "from 0"
			}
			if (n in isref) {
				note = note (note != "" ? " " : "") "(reference)"
				d = ch == "n/a" ? 0 : (b / a - 1) * 100
				if (d < 0) d = -d
				if (d >= drift) { drift = d; driftn = n }
			}
			out("| " n " | " u " | " num(a, 0) " | " num(b, 0) " | " ch \
				" | " list(fv["a", n], 0) " | " list(fv["b", n], 0) " | " note " |")
		}
		out("")
		if (driftn != "")
			out(sprintf("Host drift: the reference figures, which the module does " \
				"not touch, moved by up to %.1f%% (%s) from A to B; changes " \
				"of that size are noise.", drift, driftn))
		if (worse != "") {
			out("**More than 5% worse in B:** " worse ".")
			exit 1
		}
		out("No goal ratio is more than 5% worse in B.")
	}' "${files[@]}" || rc=$?
	echo
	echo "bench-ab outputs:"
	echo "  $run/bench-ab.md"
	echo "  $run/{a,b}<round>-bench.json, results.txt, dmesg.txt"
	if grep -Eq 'WARNING:|BUG:|Oops|Call Trace:' "$run/dmesg.txt" 2>/dev/null; then
		echo "bench-ab.sh: the guest kernel complained, see $run/dmesg.txt" >&2
		rc=1
	fi
	return "$rc"
}

[ $# -ge 1 ] || die "usage: bench-ab.sh tree|stage|report ARGS..."
sub=$1
shift
case "$sub" in
tree) [ $# -eq 3 ] || die "usage: bench-ab.sh tree TOP BASE DIR"; cmd_tree "$@" ;;
stage) [ $# -eq 6 ] || die "usage: bench-ab.sh stage TOP BASEDIR KO_B RUN ROUNDS BENCH_ARGS"; cmd_stage "$@" ;;
report) [ $# -eq 1 ] || die "usage: bench-ab.sh report RUN"; cmd_report "$@" ;;
*) die "unknown step '$sub' (tree, stage, report)" ;;
esac
