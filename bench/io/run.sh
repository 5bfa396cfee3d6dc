#!/usr/bin/env bash
# Block I/O benchmark (issue 12): Debian's kernel reads and writes a virtio-blk
# disk with direct I/O in 4 KiB requests, under QEMU's -icount shift=0,
# sleep=off (1 TSC tick = 1 emulated instruction, deterministic). Two runs of
# the same guest and disk image:
#   bulkhead  in a Bulkhead VM (this hypervisor's virtio-blk and ramdisk);
#             the guest's TSC counts the hypervisor's instructions too
#   qemu      booted directly by QEMU with QEMU's own virtio-blk-pci, whose
#             device model runs in QEMU itself and costs no guest ticks
# Ticks per request = (ticks for N requests - ticks for 1) / (N - 1). In
# the Bulkhead VM the device completes a request within the notifying OUT,
# the guest never idles, and the figure counts instructions: the guest's
# and the hypervisor's together. QEMU's device completes in its main loop
# while the guest idles, and with sleep=off the emulated clock jumps to the
# next timer then: its figure is emulated time, not instructions (the
# user's point of reference, not a cost comparison). The VM's exit counts
# per request come from the hypervisor's statistics at power-off. Also 32 MiB
# in 1 MiB requests, in emulated time. Then a wall-clock phase without
# -icount (bench/io/steps-wall), the same two ways one after the other: 64
# MiB in 1 MiB and in 4 KiB direct-I/O requests, seconds as dd reports
# them: QEMU's own virtio-blk beside ours as the user's point of reference,
# a ratio on a shared machine. Writes bench/results/io-<commit>.txt.
set -u
cd "$(dirname "$0")/../.."
N=${N:-2048}
out=build/bench/io
mkdir -p "$out" bench/results
make --no-print-directory linux-guest > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
[ -f build/bulkhead.elf ] || { echo "bench/io: build first (make all)" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv guests 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)
icount="-icount shift=0,sleep=off"
cmdline=$(cat build/linux/cmdline)
rm -f "$out/disk.img"
truncate -s 64M "$out/disk.img"
sed "s/\$N/$N/g" bench/io/steps > "$out/steps"
cat > "$out/vms.conf" <<CONF
[vm linux]
role    = work
memory  = 256 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "$cmdline"
disks   = disk.img
CONF

run() { # name command [steps]
	timeout 1500 /usr/bin/python3 tests/lib/console.py --cmd "$2" --script "${3:-$out/steps}" \
		--strip-prefix "[linux] " --log "$out/$1.log" --out "$out/$1.out" --timeout 180 \
		--total 1400 >/dev/null || { echo "bench/io: $1 run failed, see $out/$1.log" >&2; exit 1; }
}
run bulkhead "scripts/qemu.sh --timeout 1400 --mem 1G --qemu '$icount' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module $out/vms.conf --module $out/disk.img"
rm -f "$out/disk.img"
truncate -s 64M "$out/disk.img"
qemu_cmd() { # extra QEMU options
	echo "qemu-system-x86_64 -accel tcg -cpu EPYC -m 256M -nographic -no-reboot -monitor none -serial stdio $1 -kernel build/linux/bzImage -initrd build/linux/initramfs.cpio.gz -append '$cmdline' -drive file=$out/disk.img,if=none,id=d0,format=raw,cache=unsafe -device virtio-blk-pci,drive=d0,disable-legacy=on"
}
run qemu "$(qemu_cmd "$icount")"
# wall clock, no -icount
rm -f "$out/disk.img"
truncate -s 64M "$out/disk.img"
run bulkhead-wall "scripts/qemu.sh --timeout 1400 --mem 1G --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module $out/vms.conf --module $out/disk.img" bench/io/steps-wall
rm -f "$out/disk.img"
truncate -s 64M "$out/disk.img"
run qemu-wall "$(qemu_cmd "")" bench/io/steps-wall

fig() { # run key
	sed -n "s/^$2 \([0-9][0-9]*\)\$/\1/p" "$out/$1.out" | head -1
}
per() { # run op
	local one n
	one=$(fig "$1" "${2}1") n=$(fig "$1" "${2}N")
	[ -n "$one" ] && [ -n "$n" ] && echo $(((n - one) / (N - 1))) || echo "?"
}
rate() { # run key: MiB/s of emulated time for 32 MiB (1 tick = 1 ns)
	local t
	t=$(fig "$1" "$2")
	[ -n "$t" ] && echo "$((32 * 1000000000 / t)) MiB/s" || echo "?"
}
wall() { # run key: MiB/s for 64 MiB from dd's seconds (integer arithmetic on ms)
	local t ms
	t=$(sed -n "s/^$2 \([0-9.]*\)\$/\1/p" "$out/$1.out" | head -1)
	ms=$(awk -v t="$t" 'BEGIN { if (t > 0) printf "%d", t * 1000 }')
	[ -n "$ms" ] && echo "$((64 * 1000 / ms)) MiB/s (${t} s)" || echo "?"
}
exits=$(tr -d '\r' <"$out/bulkhead.log" | sed -n 's/^vm linux: exits: //p' | head -1)
res=bench/results/io-$commit.txt
{
	echo "# virtio-blk, 4 KiB direct-I/O requests: emulated instructions per request (guest + device),"
	echo "# (ticks for $N requests - ticks for 1) / $((N - 1)), under qemu-system-x86_64 -accel tcg -cpu EPYC $icount."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(qemu-system-x86_64 --version | head -1)"
	echo "# bulkhead: Debian 6.1 in a Bulkhead VM, ramdisk back end; qemu: the same kernel booted by QEMU"
	echo "# with virtio-blk-pci: its figure is emulated time including idle (see bench/io/run.sh)."
	echo "io read4k bulkhead $(per bulkhead read) qemu-time $(per qemu read)"
	echo "io write4k bulkhead $(per bulkhead write) qemu-time $(per qemu write)"
	echo "# 32 MiB in 1 MiB direct-I/O requests, in emulated time"
	echo "io read32m bulkhead $(rate bulkhead read32m) qemu $(rate qemu read32m)"
	echo "io write32m bulkhead $(rate bulkhead write32m) qemu $(rate qemu write32m)"
	echo "# wall clock without -icount, 64 MiB of direct I/O, dd's own seconds; Bulkhead, then QEMU's"
	echo "# own virtio-blk-pci booting the same kernel, one after the other in this run (a ratio):"
	for k in read1m write1m read4k write4k; do
		echo "io wall-$k bulkhead $(wall bulkhead-wall wall-$k) qemu $(wall qemu-wall wall-$k)"
	done
	echo "# the Bulkhead VM's exits over the whole run (boot, $((2 * N + 2)) 4 KiB and 64 1 MiB requests):"
	echo "# $exits"
} > "$res"
cat "$res"
