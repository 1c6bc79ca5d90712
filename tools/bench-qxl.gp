# gnuplot: how many times faster than qxl pudge is, per workload and phase
# of pudge-bench qxl, from the ratio table guest.sh makes out of its CSV
# (columns: workload/phase, qxl's time over pudge's with huge entries,
# and over pudge's with 4 KiB entries only).  Bars go up from 1x where
# pudge is faster and down where it is slower, on a log2 scale.
# Usage: gnuplot -e "dat='qxl-ratios.dat'; out='qxl.svg'; kernel='7.2'" tools/bench-qxl.gp
set terminal svg size 1000,520 font "sans,12"
set output out
set title sprintf("pudge beside qxl on stock TTM faulting (%s guest under QEMU TCG)", kernel)
set ylabel "qxl's time over pudge's"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35 noenhanced
set ytics ("1/4x" -2, "1/2x" -1, "1x" 0, "2x" 1, "4x" 2, "8x" 3, "16x" 4, "32x" 5, \
	"64x" 6, "128x" 7, "256x" 8)
set yrange [-2:8]
set xzeroaxis lt -1 lw 1.5
set rmargin 14
set bmargin 7
set key outside top center horizontal
set grid ytics
lg(x) = log(x) / log(2)
plot dat using (lg($2)):xtic(1) title "pudge, huge entries", \
     '' using (lg($3)) title "pudge, 4 KiB entries only"
