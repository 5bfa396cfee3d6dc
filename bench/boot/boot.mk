# Linux boot benchmark (direct QEMU vs inside Bulkhead), results in
# bench/results/boot-<commit>.txt. Included from bench/bench.mk.
BENCH_TARGETS += bench/boot/run.sh
# The same kernel on the VMX backend in Bochs against Bochs booting it
# directly (bench/results/boot-vmx-<commit>.txt).
BENCH_TARGETS += bench/boot/bochs.sh
