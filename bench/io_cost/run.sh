#!/usr/bin/env bash
# The hypervisor's own instructions per virtio-blk request and per
# transmitted virtio-net frame (issue 12, Benchmark). Boots guests/tests/bench_virtio.c under Bulkhead with QEMU
# -icount shift=0,sleep=off (1 emulated instruction = 1 TSC tick, so its
# RDTSC figures count instructions: the guest's few plus the world switch
# and the hypervisor's). The guest prints medians of ITERS round trips of a
# plain exit (OUT to the test device's latch) and of one virtio-blk request
# (3-descriptor chain, one notify, completed within it), reads and writes of
# 512 B, 4 KiB and 64 KiB, and of one transmitted frame of 60 and 1514 bytes
# (to a MAC no VM has: the switch sends it to the uplink, which has no port
# yet, and counts it), all in one run. Per request this script gives:
#   total        the round trip
#   -exit        total minus the plain exit's round trip (which holds the
#                world switch, exit decoding and RDTSC): the device's work
#                plus about 7 guest instructions (ring index, poll check)
#   copy/KiB     the slope between the 4 KiB and 64 KiB requests (frames:
#                between 60 and 1514 bytes)
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
nic     = yes

[network]
allow = bench uplink
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
# every timed frame reached the switch and was counted at the uplink
sw=$(tr -d '\r' <"$log" | grep '^net bench: ')
want="sent $((2 * ITERS)) received 0, dropped: no room 0 spoofed 0 malformed 0 unroutable $((2 * ITERS))"
case "$sw" in
*"$want") ;;
*) echo "bench/io_cost: switch counters '$sw', want '$want'" >&2; exit 1 ;;
esac
res=bench/results/io_cost-$commit.txt
tr -d '\r' <"$log" | sed -n 's/^\[bench\] bench //p' >"$work/raw"
{
	echo "# Hypervisor instructions per virtio-blk request and per transmitted frame: median of $ITERS round trips each, TSC ticks"
	echo "# under -icount shift=0,sleep=off (1 tick = 1 emulated instruction: guest + world switch + hypervisor)."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(qemu-system-x86_64 --version | head -1)"
	echo "# command: ITERS=$ITERS bench/io_cost/run.sh  (runs: $cmd)"
	echo "# guest: guests/tests/bench_virtio.c; disk: 1 MiB RAM disk (disks = disk.img rw), all requests at sector 0."
	awk '
	$1 == "exit" { ex = $2; next }
	$1 == "blk" { t[$2 " " $3] = $4 }
	$1 == "net" { f[$3] = $4 }
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
		printf "%-6s %6s %8s %8s\n", "frame", "bytes", "total", "-exit"
		printf "%-6s %6d %8d %8d\n", "tx", 60, f[60], f[60] - ex
		printf "%-6s %6d %8d %8d\n", "tx", 1514, f[1514], f[1514] - ex
		slope = (f[1514] - f[60]) / (1514 - 60)
		icpt = f[60] - slope * 60
		printf "tx: copy %.1f instructions/KiB (slope 60..1514 B); data copy excluded (intercept): %d total, %d minus the exit\n", \
			slope * 1024, icpt, icpt - ex
	}' "$work/raw"
	echo "# tx: header + frame to a MAC no VM has; the switch hands it to the uplink, which has no port yet"
	echo "# (counted unroutable: $sw). No receiver: the copy into a receiving VM is not in these figures."
} >"$res"
cat "$res"
echo "bench/io_cost: wrote $res"
