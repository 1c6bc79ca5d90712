# gnuplot: first-touch time per BO size and mode, from pudge-bench's CSV.
# Usage: gnuplot -e "csv='mmap.csv'; out='mmap.svg'" tools/bench-plot.gp
set terminal svg size 760,420 font "sans,12"
set output out
set title "pudge: first touch of every page of a VRAM BO (QEMU TCG guest)"
set xlabel "BO size (MiB)"
set ylabel "time (ms)"
set logscale xy
set key top left
set grid
plot for [m in "4K 2M 1G"] csv using ($2 eq m ? $1 : 1/0):($9 * 1000) \
	skip 1 with linespoints title m." entries"
