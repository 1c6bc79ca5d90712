# gnuplot: time per BO size and mode, from pudge-bench's CSV: the fault
# that maps the whole run (dashed) and the first touch of every page (solid).
# Usage: gnuplot -e "csv='mmap.csv'; out='mmap.svg'" tools/bench-plot.gp
set terminal svg size 800,460 font "sans,12"
set output out
set title "pudge: mapping a VRAM BO (7.2 guest under QEMU TCG)"
set xlabel "BO size (MiB)"
set ylabel "time (ms)"
set logscale xy
set key top left
set grid
plot for [m in "4K 2M 1G"] csv using (strcol(2) eq m ? $1 : 1/0):($9 * 1000) \
	skip 1 with points pt 7 ps 1.2 title m." entries: touch all pages", \
     for [m in "4K 2M 1G"] csv using (strcol(2) eq m ? $1 : 1/0):($10 * 1000) \
	skip 1 with points pt 6 ps 1.2 title m." entries: the one fault"
