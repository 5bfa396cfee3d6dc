#!/usr/bin/env bash
# The hypervisor's own instructions per virtio-blk request (issue 12,
# Benchmark). Boots guests/tests/bench_virtio.c under Bulkhead with QEMU
# -icount shift=0,sleep=off (1 emulated instruction = 1 TSC tick, so its
# RDTSC figures count instructions: the guest's few plus the world switch
# and the hypervisor's). The guest prints medians of ITERS round trips of a
# plain exit (OUT to the test device's latch) and of one virtio-blk request
# (3-descriptor chain, one notify, completed within it), reads and writes of
# 512 B, 4 KiB and 64 KiB, all in one run. Per request this script gives:
#   total        the round trip
#   -exit        total minus the plain exit's round trip (world switch,
#                exit decode and the guest's own instructions in the loop)
#   copy/KiB     the slope between the 4 KiB and 64 KiB requests
#   no-copy      the intercept of that line at 0 bytes: the request's cost
#                with the data copy excluded (total), and minus the exit
# Results: bench/results/io_cost-<commit>.txt.   ITERS=1000 bench/io_cost/run.sh
set -u
cd "$(dirname "$0")/../.."
ITERS=${ITERS:-1000}
elf=build/guests/bench_virtio.elf
work=build/bench/io_cost
mkdir -p "$work" bench/results
[ -f "$elf" ] && [ -f build/bulkhead.elf ] || { echo "bench/io_cost: build first (make all)" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv guests 2>/dev/null | grep -q . && echo " +uncommitted changes" || true)
icount="-icount shift=0,sleep=off"
truncate -s 0 "$work/disk.img" && truncate -s 1M "$work/disk.img"
cat > "$work/vms.conf" <<CONF
[vm bench]
role    = work
memory  = 8
kernel  = bench_virtio.elf
cmdline = "iters=$ITERS"
devices = testexit, testdev
disks   = disk.img rw
CONF
cmd="scripts/qemu.sh --timeout 1200 --log $work/bulkhead.log --qemu '$icount' --module $elf --module $work/vms.conf --module $work/disk.img --"
eval "$cmd" >/dev/null
st=$?
log=$work/bulkhead.log
if [ $st -ne 0 ] || ! tr -d '\r' <"$log" | grep -q '^\[bench\] bench_virtio: PASS'; then
	echo "bench/io_cost: run failed (status $st), log $log" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
res=bench/results/io_cost-$commit.txt
tr -d '\r' <"$log" | sed -n 's/^\[bench\] bench //p' >"$work/raw"
{
	echo "# Hypervisor instructions per virtio-blk request: median of $ITERS round trips each, TSC ticks"
	echo "# under -icount shift=0,sleep=off (1 tick = 1 emulated instruction: guest + world switch + hypervisor)."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(qemu-system-x86_64 --version | head -1)"
	echo "# command: ITERS=$ITERS bench/io_cost/run.sh  (runs: $cmd)"
	echo "# guest: guests/tests/bench_virtio.c; disk: 1 MiB RAM disk (disks = disk.img rw), all requests at sector 0."
	awk '
	$1 == "exit" { ex = $2; next }
	$1 == "blk" { t[$2 " " $3] = $4; ops[$2] = 1 }
	END {
		printf "plain exit round trip (OUT to port 0xe0): %d\n", ex
		printf "%-6s %6s %8s %8s\n", "op", "bytes", "total", "-exit"
		split("512 4096 65536", sz, " ")
		n = split("read write", o, " ")
		for (i = 1; i <= n; i++)
			for (j = 1; j <= 3; j++)
				printf "%-6s %6d %8d %8d\n", o[i], sz[j], t[o[i] " " sz[j]], t[o[i] " " sz[j]] - ex
		for (i = 1; i <= n; i++) {
			a = t[o[i] " 4096"]; b = t[o[i] " 65536"]
			slope = (b - a) / (65536 - 4096)
			icpt = a - slope * 4096
			printf "%s: copy %.1f instructions/KiB (slope 4 KiB..64 KiB); data copy excluded (intercept): %d total, %d minus the exit\n", \
				o[i], slope * 1024, icpt, icpt - ex
		}
	}' "$work/raw"
} >"$res"
cat "$res"
echo "bench/io_cost: wrote $res"
