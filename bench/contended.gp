# Contended throughput plot; run_bench.sh sets `data` and `out`.
set terminal pngcairo size 800,480 font ",11" noenhanced
set output out
set title "Contended throughput: one lock, short critical section"
set xlabel "threads"
set ylabel "million acquisitions per second"
set logscale x 2
set xtics (2, 4, 8, 16)
set xrange [1.7:19]
set key top left
set grid ytics
plot data using 2:(strcol(1) eq "futex" ? $3 : 1/0) with linespoints lw 2 title "thread_lock, futex backend", \
     data using 2:(strcol(1) eq "futex" ? $4 : 1/0) with linespoints lw 2 dt 2 title "pthread_mutex (futex run)", \
     data using 2:(strcol(1) eq "park" ? $3 : 1/0) with linespoints lw 2 title "thread_lock, park backend", \
     data using 2:(strcol(1) eq "park" ? $4 : 1/0) with linespoints lw 2 dt 2 title "pthread_mutex (park run)"
