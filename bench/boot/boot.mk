# Linux boot benchmark (direct QEMU vs inside Bulkhead), results in
# bench/results/boot-<commit>.txt. Included from bench/bench.mk.
BENCH_TARGETS += bench/boot/run.sh
