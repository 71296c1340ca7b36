#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcg-stale-int3.sh CONSOLE: exit 0 if the guest died of QEMU TCG's stale
# int3, not of anything the guest did; 1 otherwise.
#
# The kernel patches its own code at run time (static keys, jump labels,
# static calls: text_poke_bp()) by writing an int3 over the instruction's
# first byte, then the rest, then the new first byte, with a sync of every
# CPU in between.  Under multi-threaded TCG a vCPU now and then runs a
# translation of that code made while the int3 was there, after the patch
# is done: it traps on an int3 that memory no longer holds, the kernel's
# handler finds no patch in progress, and the guest oopses
# ("Oops: int3") in whatever core function held the patched site
# (__schedule, sched_clock_cpu, ttwu_do_activate ... seen here, with or
# without the module loaded).  The oops's "Code:" line shows the bytes in
# memory around the trap, "<xx>" marking the one at RIP, just after the
# int3: the byte before it is the int3's place, and it is not 0xcc.
#
# It is that case only when the first complaint of the kernel log (what
# qemu-run.sh's verdict looks for) is such an oops: an int3 that is still
# in memory, or any warning, bug or sanitizer report before it, is the
# guest's, and no boot again hides it.
set -euo pipefail
con=${1:?usage: tcg-stale-int3.sh CONSOLE}

tr -d '\r' < "$con" | awk '
	function verdict(v) { found = v; done = 1 }
	done { next }
	/Oops: int3/ { oops = 1; next }
	oops && /Code: / {
		if (match($0, /[0-9a-f][0-9a-f] <[0-9a-f][0-9a-f]>/))
			verdict(substr($0, RSTART, 2) != "cc")
		else
			verdict(0)
		next
	}
	oops { next }
	/WARNING:|BUG:|Oops|KASAN:|UBSAN:|general protection fault|Kernel panic|Call Trace:/ {
		verdict(0)
	}
	END { exit !found }'
