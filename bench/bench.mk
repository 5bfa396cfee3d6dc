# Benchmarks run by `make bench` (each a script; results in bench/results/).
BENCH_TARGETS += bench/exits/run.sh bench/multi/run.sh

-include bench/boot/boot.mk
# VMX under Bochs beside SVM under QEMU (runs bench/exits/run.sh itself if
# this commit has no SVM figures yet).
BENCH_TARGETS += bench/exits/vmx.sh
# virtio-blk from the RAM back end and through the service VM, QEMU's own beside
BENCH_TARGETS += bench/io/run.sh
BENCH_TARGETS += bench/io_net/run.sh
BENCH_TARGETS += bench/io_cost/run.sh
# the service VM's daemon idle: waiting on INTx against polling every 1 ms
BENCH_TARGETS += bench/svc_wait/run.sh
