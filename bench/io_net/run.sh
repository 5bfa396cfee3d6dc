#!/usr/bin/env bash
# Network benchmark (issue 12, bench/io's network part): TCP throughput
# between two Debian VMs on the virtual switch (docs/networking.md), each
# with 1 vCPU on QEMU -smp 2. VM a sends MIB MiB of zeros to VM b with
# busybox nc; the guest's `time` gives the transfer time and the switch's
# report at the end gives the frames. Two runs:
#  - multi-threaded TCG: wall-clock MiB/s (a shared host: read as an order
#    of magnitude);
#  - -icount shift=0,sleep=off (single-threaded TCG, 1 instruction = 1 ns of
#    guest time): the transfer's guest time is the instructions executed by
#    the whole machine (both guests' TCP stacks and copies, the hypervisor,
#    idle warps), so per 1500-byte frame a -> b it is an upper bound on the
#    hypervisor's own cost, not that cost alone.
# Results: bench/results/io_net-<commit>.txt.   MIB=8 bench/io_net/run.sh
set -u
cd "$(dirname "$0")/../.."
MIB=${MIB:-8}
scripts/guest-linux.sh >/dev/null || { echo "bench/io_net: building the Linux guest failed" >&2; exit 1; }
[ -f build/bulkhead.elf ] || { echo "bench/io_net: build first (make all)" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv 2>/dev/null | grep -q . && echo " +uncommitted changes" || true)
work=build/bench/io_net
out=bench/results/io_net-$commit.txt
mkdir -p "$work" bench/results
cmdline="$(cat build/linux/cmdline) no_timer_check" # as test_linux_net: the PIT check can fail on a loaded host
{
	for vm in a b; do
		printf '[vm %s]\nrole = work\nmemory = 192 MiB\nkernel = bzImage\n' $vm
		printf 'initrd = initramfs.cpio.gz\ncmdline = "%s"\nnic = yes\n' "$cmdline"
	done
	printf '[network]\nallow = a b\n'
} > "$work/vms.conf"
{
	echo "expect (?s)(?=.*^\\[a\\] ~ # )(?=.*^\\[b\\] ~ # ) 1200"
	echo "sendraw \\x1d1"
	echo "expect ^console: input goes to vm b\$ 60"
	echo "send ip link set eth0 up && ip addr add 10.0.0.2/24 dev eth0 && mkfifo /tmp/p && echo up-\$((6*7))"
	echo "expect ^\\[b\\] up-42\$ 120"
	echo "send nc -l -p 5000 <>/tmp/p >/dev/null &"
	echo "sendraw \\x1d0"
	echo "expect ^console: input goes to vm a\$ 60"
	echo "send ip link set eth0 up && ip addr add 10.0.0.1/24 dev eth0 && ping -c 1 -w 30 10.0.0.2 >/dev/null && echo up-\$((6*7))"
	echo "expect ^\\[a\\] up-42\$ 120"
	echo "send dd if=/dev/zero bs=65536 count=$((MIB * 16)) 2>/dev/null | time nc 10.0.0.2 5000"
	echo "expect ^\\[a\\] real\\s+(?P<m>\\d+)m\\s*(?P<s>[\\d.]+)s\$ 1200"
	echo "print 'transfer_seconds %.3f' % (int(m) * 60 + float(s))"
	for i in 0 1; do
		vm=$([ $i = 0 ] && echo a || echo b)
		echo "sendraw \\x1d$i"
		echo "expect ^console: input goes to vm $vm\$ 60"
		echo "send poweroff"
		echo "expect ^vm $vm: powered off by the guest\$ 300"
	done
	echo "exit 0 60"
} > "$work/steps"
mods="--module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$work/vms.conf name=vms.conf'"
run() { # name, QEMU args
	/usr/bin/python3 tests/lib/console.py --cmd "scripts/qemu.sh --timeout 2400 --mem 1G --qemu '$2' $mods" \
		--script "$work/steps" --log "$work/$1.log" --out "$work/$1.out" --timeout 600 --total 2500 \
		>/dev/null || { echo "bench/io_net: the $1 run failed, log $work/$1.log" >&2; exit 1; }
	secs=$(sed -n "s/.*= 'transfer_seconds \([0-9.]*\)'\$/\1/p" "$work/$1.out")
	frames=$(sed -n 's/^net a -> b: \([0-9]*\) frame(s) delivered.*/\1/p' "$work/$1.log")
	acks=$(sed -n 's/^net b -> a: \([0-9]*\) frame(s) delivered.*/\1/p' "$work/$1.log")
	[ -n "$secs" ] && [ -n "$frames" ] && [ -n "$acks" ] ||
		{ echo "bench/io_net: no time or frame count in the $1 run, log $work/$1.log" >&2; exit 1; }
}
{
	echo "bench/io_net at $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) host CPUs"
	echo "QEMU $(qemu-system-x86_64 --version | head -1 | sed 's/.*version //'), -cpu EPYC -smp 2"
	echo "two Debian VMs, 1 vCPU and 192 MiB each, a sends $MIB MiB of zeros to b over TCP (busybox nc)"
} > "$out"
run tcg '-smp 2'
awk -v s="$secs" -v m="$MIB" -v f="$frames" -v a="$acks" 'BEGIN {
	printf "tcg thread=multi: %.2f s, %.2f MiB/s, %d frames a->b, %d b->a\n", s, m / s, f, a }' >> "$out"
run icount '-smp 2 -icount shift=0,sleep=off'
awk -v s="$secs" -v m="$MIB" -v f="$frames" -v a="$acks" 'BEGIN {
	printf "icount: %.0f M guest instructions (ns), %d frames a->b, %d b->a: %.0f machine instructions per frame a->b (both guests + hypervisor)\n",
		s * 1000, f, a, s * 1e9 / f }' >> "$out"
cat "$out"
