# gnuplot: pudge's time over qxl's for each workload and phase of
# pudge-bench qxl, from the ratio table guest.sh makes out of its CSV
# (columns: workload/phase, pudge over qxl, pudge 4 KiB only over qxl).
# Usage: gnuplot -e "dat='qxl-ratios.dat'; out='qxl.svg'" tools/bench-qxl.gp
set terminal svg size 900,460 font "sans,12"
set output out
set title "pudge beside qxl, stock TTM faulting (7.2 guest under QEMU TCG)"
set ylabel "time over qxl's (log; below 1: pudge is faster)"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 noenhanced
set key top left
set grid ytics
plot dat using 2:xtic(1) title "pudge", '' using 3 title "pudge, 4 KiB entries only", \
     1 with lines dt 2 lc rgb "black" notitle
