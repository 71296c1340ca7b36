#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-plot.sh DIR: draw DIR/bench.png from DIR/bench.dat (written by
# shmbox-bench in the guest) with gnuplot, and list the outputs.
set -euo pipefail
dir=$1
dat=$dir/bench.dat
[ -s "$dat" ] || { echo "bench-plot.sh: no $dat" >&2; exit 1; }

# One panel per kind of figure, each bar relative to the panel's slowest.
for kind in rtt64 stream64 stream4096; do
	grep "^\"$kind/" "$dat" | sed "s|\"$kind/|\"|" > "$dir/$kind.dat" || true
done
gnuplot <<GP
set terminal pngcairo size 1400,500 font ",10" noenhanced
set output "$dir/bench.png"
set multiplot layout 1,3 title "shmbox-bench (QEMU TCG guest, 2 vCPUs; median with min-max)"
set style data histograms
set style fill solid 0.7 border -1
set boxwidth 0.8
set xtics rotate by -40 left
set grid ytics
set yrange [0:*]
set title "64 B round trip (us, lower is better)"
plot "$dir/rtt64.dat" using 2:xtic(1) notitle lc rgb "#4477aa", \
     "" using 0:2:3:4 with yerrorbars notitle lc rgb "black" pt -1
set title "64 B stream (messages/s, higher is better)"
set logscale y
set yrange [*:*]
plot "$dir/stream64.dat" using 2:xtic(1) notitle lc rgb "#228833", \
     "" using 0:2:3:4 with yerrorbars notitle lc rgb "black" pt -1
set title "4 KiB stream (messages/s, higher is better)"
plot "$dir/stream4096.dat" using 2:xtic(1) notitle lc rgb "#cc6677", \
     "" using 0:2:3:4 with yerrorbars notitle lc rgb "black" pt -1
unset multiplot
GP
rm -f "$dir"/rtt64.dat "$dir"/stream64.dat "$dir"/stream4096.dat
echo
echo "bench outputs:"
for f in "$dir"/bench.json "$dir"/bench.dat "$dir"/bench.png "$dir"/results.txt; do
	[ -e "$f" ] && echo "  $f"
done
