#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-plot.sh DIR: draw DIR/bench.png from DIR/bench.dat (written by
# shmbox-bench in the guest) with gnuplot, and list the outputs.  A panel
# whose figures were not measured (--filter) is left out.
set -euo pipefail
dir=$1
dat=$dir/bench.dat
[ -s "$dat" ] || { echo "bench-plot.sh: no $dat" >&2; exit 1; }

# One panel per kind of figure, each bar relative to the panel's slowest.
panels=()
for kind in rtt64 stream64 stream4096 bulk1m; do
	grep "^\"$kind/" "$dat" | sed "s|\"$kind/|\"|" > "$dir/$kind.dat" || true
	[ -s "$dir/$kind.dat" ] && panels+=("$kind")
done
panel() {	# panel KIND: its title, colour and y scale, then its plot
	local title colour log
	case $1 in
	rtt64) title="64 B round trip (us, lower is better)" colour="#4477aa" log=0 ;;
	stream64) title="64 B stream (messages/s, higher is better)" colour="#228833" log=1 ;;
	stream4096) title="4 KiB stream (messages/s, higher is better)" colour="#cc6677" log=1 ;;
	bulk1m) title="1 MiB bulk (MiB/s, higher is better)" colour="#aa7744" log=0 ;;
	esac
	echo "set title \"$title\""
	if [ "$log" = 1 ]; then
		echo 'set logscale y'
		echo 'set yrange [*:*]'
	else
		echo 'unset logscale y'
		echo 'set yrange [0:*]'
	fi
	echo "plot \"$dir/$1.dat\" using 2:xtic(1) notitle lc rgb \"$colour\", \\"
	echo "     \"\" using 0:2:3:4 with yerrorbars notitle lc rgb \"black\" pt -1"
}
if [ ${#panels[@]} -gt 0 ]; then
	{
		cat <<GP
set terminal pngcairo size $((${#panels[@]} * 1400 / 3)),500 font ",10" noenhanced
set output "$dir/bench.png"
set multiplot layout 1,${#panels[@]} title "shmbox-bench (QEMU TCG guest, 2 vCPUs; median with min-max)"
set style data histograms
set style fill solid 0.7 border -1
set boxwidth 0.8
set xtics rotate by -40 left
set grid ytics
GP
		for k in "${panels[@]}"; do panel "$k"; done
		echo 'unset multiplot'
	} | gnuplot
fi
rm -f "$dir"/rtt64.dat "$dir"/stream64.dat "$dir"/stream4096.dat "$dir"/bulk1m.dat
echo
echo "bench outputs:"
for f in "$dir"/bench.json "$dir"/bench.dat "$dir"/bench.png "$dir"/results.txt; do
	[ -e "$f" ] && echo "  $f"
done
