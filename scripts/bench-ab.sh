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
#       one per section), the goal ratios and the main figures: A's
#       median over the rounds, B's, and the change B against A, which
#       is the median of the rounds' own changes B_r/A_r - 1 (A and B of
#       one round ran seconds or minutes apart, so the host's drift
#       between rounds cancels), with a distribution-free confidence
#       interval of that median (order statistics, at least 90%).
#       Printed and saved as RUN/bench-ab.md (Markdown).  A goal ratio
#       whose median change is more than 5% worse is WORSE when the
#       interval excludes no change, UNDECIDED when it does not (noise:
#       run more rounds); either makes the exit status 1.
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
		rounds = meta["rounds"] + 0
	}
	# a3-bench.json, a3-p2-bench.json: side a, round 3.
	FNR == 1 {
		f = FILENAME; sub(/.*\//, "", f)
		side = substr(f, 1, 1); sec = ""
		rnd = substr(f, 2); sub(/[^0-9].*/, "", rnd); rnd += 0
	}
	/"figures": \[/ { sec = "f"; next }
	/"ratios": \[/ { sec = "r"; next }
	/"name":/ {
		name = field($0, "name")
		if (sec == "f") {
			if (!(name in funit)) { forder[++nf] = name; funit[name] = field($0, "unit") }
			fv[side, name, rnd] = field($0, "median")
		} else if (sec == "r") {
			if (!(name in rop)) {
				rorder[++nr] = name
				rop[name] = field($0, "op"); rtgt[name] = field($0, "target")
			}
			# null: not measured in this run (--filter, a section).
			if ((v = field($0, "value")) != "null")
				rv[side, name, rnd] = v
		}
	}
	function field(l, k,   v) {
		v = l; sub(".*\"" k "\": *", "", v)
		if (v ~ /^"/) { sub(/^"/, "", v); sub(/".*/, "", v) }
		else sub(/[,}].*/, "", v)
		return v
	}
	# Sort the n numbers of a[1..n] in place (insertion sort, n is small).
	function sortn(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
	}
	function median(a, n) {
		if (n == 0) return ""
		sortn(a, n)
		return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	# The values of side s for name n, round by round, into a[]; count.
	function values(v, s, n, a,   r, k) {
		delete a; k = 0
		for (r = 1; r <= rounds; r++)
			if ((s, n, r) in v) a[++k] = v[s, n, r]
		return k
	}
	# The rounds'"'"' own changes B_r/A_r - 1 for name n into c[] (sorted);
	# count.  Rounds where A is 0 or either side is missing are left out.
	function changes(v, n, c,   r, k) {
		delete c; k = 0
		for (r = 1; r <= rounds; r++)
			if (("a", n, r) in v && ("b", n, r) in v && v["a", n, r] + 0 != 0)
				c[++k] = v["b", n, r] / v["a", n, r] - 1
		sortn(c, k)
		return k
	}
	# Confidence interval of the median of the k sorted values c[]: the
	# j-th smallest to the j-th largest, j the largest with
	# 2 P(Bin(k, 1/2) <= j - 1) <= 0.10, so coverage >= 90% (below 5
	# values no j reaches that: then the whole range, coverage
	# 1 - 2^(1-k)).  Sets lo, hi, cover.
	function interval(c, k,   j, p, tail, best) {
		tail = 0; best = 1; p = 0.5 ^ k		# p = P(X = j - 1)
		for (j = 1; 2 * j <= k + 1; j++) {
			if (2 * (tail + p) > 0.10) break
			tail += p; best = j
			p = p * (k - j + 1) / j
		}
		lo = c[best]; hi = c[k + 1 - best]
		cover = 1 - 2 * (best == 1 ? 0.5 ^ k : tail)
	}
	# A and B (medians) of name n in v[], and the paired change: its
	# median m, shown as ch, and interval iv ("" and "n/a" without one).
	function compare(v, n,   na, nb, k) {
		na = values(v, "a", n, xa); a = median(xa, na)
		nb = values(v, "b", n, xb); b = median(xb, nb)
		m = ""; ch = "n/a"; iv = ""
		if (a == "" || b == "" || (k = changes(v, n, c)) == 0) return
		m = median(c, k); interval(c, k)
		ch = pc(m); iv = "[" pc(lo) ", " pc(hi) "]"
	}
	function num(v, r) {
		if (v == "") return "n/a"
		v += 0
		if (r) return sprintf("%.3f", v)
		if (v >= 100000) return sprintf("%.0fk", v / 1000)
		return sprintf(v >= 1000 ? "%.0f" : "%.2f", v)
	}
	function list(v, s, n, r,   i, o) {
		o = ""
		for (i = 1; i <= rounds; i++)
			if ((s, n, i) in v) o = o (o != "" ? ", " : "") num(v[s, n, i], r)
		return o != "" ? o : "n/a"
	}
	function pc(x) { return sprintf("%+.1f%%", x * 100) }
	function out(s) { print s; print s > md }
	END {
		out("#### make bench-ab: A = " meta["a"])
		out("")
		out("B = " meta["b"] ". " (meta["same"] != "" ? meta["same"] " " : "") \
			"One guest boot (" meta["kernel"] "), " meta["rounds"] \
			" rounds of shmbox-bench" (meta["args"] != "" ? " " meta["args"] : "") \
			", A then B in each" (meta["split"] == 1 ? " section" : "") \
			"; A and B are the medians over the rounds. B vs A is the " \
			"median of the rounds'"'"' own changes B/A - 1 (paired, so the " \
			"host'"'"'s drift between rounds cancels) and its interval a " \
			"distribution-free confidence interval of that median " \
			"(coverage in the last column of the goal table). A goal " \
			"ratio whose change is more than 5% worse (in its goal'"'"'s " \
			"direction) is **WORSE** if the interval excludes no change, " \
			"**UNDECIDED** (noise: more rounds) if not; both fail the run.")
		out("")
		out("| goal ratio | goal | A | B | B vs A | interval | A rounds | B rounds | |")
		out("|---|---|---:|---:|---:|---|---|---|---|")
		for (i = 1; i <= nr; i++) {
			n = rorder[i]; op = rop[n]; t = rtgt[n] + 0
			compare(rv, n); flag = ""
			if (a != "" && b != "") {
				# Below what the table shows (0.000) counts as 0.
				if (a < 0.0005) a = 0
				if (b < 0.0005) b = 0
				if (a != 0 && m != "") {
					iv = iv " " sprintf("%.0f%%", cover * 100)
					# Loss in the goal'"'"'s direction, and its least.
					loss = op == ">=" ? -m : m
					least = op == ">=" ? -hi : lo
					if (loss > 0.05) flag = least > 0 ? "**WORSE**" : "**UNDECIDED**"
				} else if (a == 0 && b == 0) {
					ch = "="; iv = ""
				} else if (a == 0) {
					# From 0: worse if B misses a goal A met.
					ch = "from 0"; iv = ""
					if (op == "<=" ? b > t : b < t) flag = "**WORSE**"
				}
			}
			if (flag ~ /WORSE/) worse = worse (worse != "" ? ", " : "") n
			if (flag ~ /UNDECIDED/) undec = undec (undec != "" ? ", " : "") n
			out("| " n " | " op " " rtgt[n] " | " num(a, 1) " | " num(b, 1) " | " ch \
				" | " iv " | " list(rv, "a", n, 1) " | " list(rv, "b", n, 1) " | " flag " |")
		}
		out("")
		out("| figure | unit | A | B | B vs A | interval | A rounds | B rounds | |")
		out("|---|---|---:|---:|---:|---|---|---|---|")
		for (i = 1; i <= nf; i++) {
			n = forder[i]
			if (n !~ /shmbox|^fan\// && !(n in isref)) continue
			u = funit[n]; lower = u == "us" || u == "calls"
			compare(fv, n); note = ""
			if (m != "") {
				loss = lower ? m : -m
				if (loss > 0.05) note = "worse"
				else if (loss < -0.05) note = "better"
			} else if (a != "" && b != "")
				ch = a == 0 && b == 0 ? "=" : "from 0"
			if ((n in isref) && m != "") {
				note = note (note != "" ? " " : "") "(reference)"
				d = m < 0 ? -m : m
				if (d >= drift) { drift = d; driftn = n }
			}
			out("| " n " | " u " | " num(a, 0) " | " num(b, 0) " | " ch " | " iv \
				" | " list(fv, "a", n, 0) " | " list(fv, "b", n, 0) " | " note " |")
		}
		out("")
		if (driftn != "")
			out(sprintf("Host drift: the reference figures, which the module does " \
				"not touch, changed by up to %.1f%% (%s, median of the " \
				"rounds'"'"' changes) from A to B; changes of that size are " \
				"noise.", drift * 100, driftn))
		if (worse != "")
			out("**More than 5% worse in B:** " worse ".")
		if (undec != "")
			out("**Undecided** (more than 5% worse by the median, but the " \
				"interval holds no change; run more rounds): " undec ".")
		if (worse != "" || undec != "")
			exit 1
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
