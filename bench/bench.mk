# Benchmarks run by `make bench` (each a script; results in bench/results/).
BENCH_TARGETS += bench/exits/run.sh bench/multi/run.sh

-include bench/boot/boot.mk
