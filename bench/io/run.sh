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
# RUNS: which of the runs to make (the results name the ones not made "?")
RUNS=${RUNS:-"bulkhead svc qemu wall"}
want() { case " $RUNS " in *" $1 "*) return 0 ;; esac; return 1; }
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
	rm -f "$out/$1.out" "$out/$1.log"
	timeout 1500 /usr/bin/python3 tests/lib/console.py --cmd "$2" --script "${3:-$out/steps}" \
		--strip-prefix "[linux] " --log "$out/$1.log" --out "$out/$1.out" --timeout 180 \
		--total 1400 >/dev/null || { echo "bench/io: $1 run failed, see $out/$1.log" >&2; exit 1; }
}
# The Bulkhead runs' steps: bench/io/steps-hv for the VMs of the run.
hv_steps() { # out-file vm... (in the order the dump prints them)
	local f=$1 v dumps="" prints=""
	shift
	for x in a b c d e; do
		dumps="${dumps}s|@DUMP $x@|"
		for v in "$@"; do
			[ "$v" = "$1" ] || dumps="$dumps\\n"
			dumps="${dumps}expect ^vm $v: hypervisor ticks from exits to entries: (?P<${x}_$v>[0-9]+)\$ 120"
		done
		dumps="$dumps|;"
	done
	local r1="" rn="" w1="" wn=""
	for v in "$@"; do
		r1="$r1 + int(b_$v) - int(a_$v)" rn="$rn + int(c_$v) - int(b_$v)"
		w1="$w1 + int(d_$v) - int(c_$v)" wn="$wn + int(e_$v) - int(d_$v)"
	done
	prints="print f'hvread1 {0$r1}'\\nprint f'hvreadN {0$rn}'\\nprint f'hvwrite1 {0$w1}'\\nprint f'hvwriteN {0$wn}'"
	sed -e "s/\$N/$N/g" -e "$dumps" -e "s|@PRINTS@|$prints|" bench/io/steps-hv > "$f"
}
hv_steps "$out/steps-bulkhead" linux
sed -i -e '/^@FOCUS@$/d' -e 's/^@POWEROFF@$/send poweroff\nexpect ^vm linux: powered off 120/' "$out/steps-bulkhead"
want bulkhead && run bulkhead "scripts/qemu.sh --timeout 1400 --mem 1G --qemu '$icount' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module $out/vms.conf --module $out/disk.img" "$out/steps-bulkhead"
# The same guest with its disk served by a Linux service VM (bulkhead-svcd
# on a file in its RAM, docs/disks.md) through the service ring; both VMs
# on QEMU's one CPU, so the guest's TSC counts the service VM's
# instructions and its idle time too (the daemon sleeps on the ring's INTx,
# with a 1 s tick: sleep=off jumps the clock over its idle time).
cat > "$out/vms-svc.conf" <<CONF
[vm svc]
role    = service
memory  = 256 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "$cmdline bulkhead.svcd=bench:64"

[vm linux]
role    = work
memory  = 256 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "$cmdline"
disks   = svc:bench:64MiB
CONF
hv_steps "$out/steps-svc" svc linux
sed -i -e 's/^@FOCUS@$/sendraw \\x1d1\nexpect ^console: input goes to vm linux$ 60/' \
	-e 's/^@POWEROFF@$/send poweroff\nexpect ^vm linux: powered off 120\nsendraw \\x1d0\nexpect ^console: input goes to vm svc$ 60\nsend poweroff\nexpect ^vm svc: powered off 120/' "$out/steps-svc"
want svc && run svc "scripts/qemu.sh --timeout 1400 --mem 1G --qemu '$icount' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$out/vms-svc.conf name=vms.conf'" "$out/steps-svc"
rm -f "$out/disk.img"
truncate -s 64M "$out/disk.img"
qemu_cmd() { # extra QEMU options
	echo "qemu-system-x86_64 -accel tcg -cpu EPYC -m 256M -nographic -no-reboot -monitor none -serial stdio $1 -kernel build/linux/bzImage -initrd build/linux/initramfs.cpio.gz -append '$cmdline' -drive file=$out/disk.img,if=none,id=d0,format=raw,cache=unsafe -device virtio-blk-pci,drive=d0,disable-legacy=on"
}
want qemu && run qemu "$(qemu_cmd "$icount")"
# wall clock, no -icount
rm -f "$out/disk.img"
truncate -s 64M "$out/disk.img"
want wall && run bulkhead-wall "scripts/qemu.sh --timeout 1400 --mem 1G --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module $out/vms.conf --module $out/disk.img" bench/io/steps-wall
rm -f "$out/disk.img"
truncate -s 64M "$out/disk.img"
want wall && run qemu-wall "$(qemu_cmd "")" bench/io/steps-wall

fig() { # run key
	[ -f "$out/$1.out" ] && sed -n "s/^$2 \([0-9][0-9]*\)\$/\1/p" "$out/$1.out" | head -1
}
hvfig() { # run key
	[ -f "$out/$1.out" ] && sed -n "s/.* = '$2 \([0-9][0-9]*\)'\$/\1/p" "$out/$1.out" | head -1
}
per() { # run op [hv]: ticks per request, (N requests - 1 request) / (N - 1): the
	# guest's, or with hv the hypervisor's
	local one n get=fig
	[ "${3:-}" = hv ] && get=hvfig
	one=$($get "$1" "${3:-}${2}1") n=$($get "$1" "${3:-}${2}N")
	[ -n "$one" ] && [ -n "$n" ] && echo $(((n - one) / (N - 1))) || echo "?"
}
rate() { # run key: MiB/s of emulated time for 32 MiB (1 tick = 1 ns)
	local t
	t=$(fig "$1" "$2")
	[ -n "$t" ] && echo "$((32 * 1000000000 / t)) MiB/s" || echo "?"
}
wall() { # run key: MiB/s for 64 MiB from dd's seconds (integer arithmetic on ms)
	local t ms
	t=$([ -f "$out/$1.out" ] && sed -n "s/^$2 \([0-9.]*\)\$/\1/p" "$out/$1.out" | head -1)
	ms=$(awk -v t="$t" 'BEGIN { if (t > 0) printf "%d", t * 1000 }')
	[ -n "$ms" ] && echo "$((64 * 1000 / ms)) MiB/s (${t} s)" || echo "?"
}
exits=$([ -f "$out/bulkhead.log" ] && tr -d '\r' <"$out/bulkhead.log" | sed -n 's/^vm linux: exits: //p' | tail -1)
exits_svc=$([ -f "$out/svc.log" ] && tr -d '\r' <"$out/svc.log" | sed -n 's/^vm \(linux\|svc\): exits: \(.*\)/\1: \2/p' | tail -2 | tr '\n' ' ')
res=bench/results/io-$commit.txt
{
	echo "# virtio-blk, 4 KiB direct-I/O requests: emulated instructions per request (guest + device),"
	echo "# (ticks for $N requests - ticks for 1) / $((N - 1)), under qemu-system-x86_64 -accel tcg -cpu EPYC $icount."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(qemu-system-x86_64 --version | head -1)"
	echo "# bulkhead: Debian 6.1 in a Bulkhead VM, ramdisk back end; qemu: the same kernel booted by QEMU"
	echo "# with virtio-blk-pci: its figure is emulated time including idle (see bench/io/run.sh)."
	echo "# svc: the same guest, its disk served by a Linux service VM (bulkhead-svcd waiting on the"
	echo "# ring's INTx, file in its RAM) on the same CPU: its figure counts the service VM's"
	echo "# instructions and the clock jumps over the daemon's sleeps (emulated time, not instructions)."
	echo "io read4k bulkhead $(per bulkhead read) svc-time $(per svc read) qemu-time $(per qemu read)"
	echo "io write4k bulkhead $(per bulkhead write) svc-time $(per svc write) qemu-time $(per qemu write)"
	echo "# the hypervisor's instructions per 4 KiB request, from each exit to the next entry (the world"
	echo "# switch itself excepted), all VMs, over the N-request loop: RAM back end in the hypervisor,"
	echo "# and forwarded to the service VM (both VMs' exits); (N requests - 1 request) / (N - 1) as above"
	echo "io hv-read4k bulkhead $(per bulkhead read hv) svc $(per svc read hv)"
	echo "io hv-write4k bulkhead $(per bulkhead write hv) svc $(per svc write hv)"
	echo "# 32 MiB in 1 MiB direct-I/O requests, in emulated time"
	echo "io read32m bulkhead $(rate bulkhead read32m) svc $(rate svc read32m) qemu $(rate qemu read32m)"
	echo "io write32m bulkhead $(rate bulkhead write32m) svc $(rate svc write32m) qemu $(rate qemu write32m)"
	echo "# wall clock without -icount, 64 MiB of direct I/O, dd's own seconds; Bulkhead, then QEMU's"
	echo "# own virtio-blk-pci booting the same kernel, one after the other in this run (a ratio):"
	for k in read1m write1m read4k write4k; do
		echo "io wall-$k bulkhead $(wall bulkhead-wall wall-$k) qemu $(wall qemu-wall wall-$k)"
	done
	echo "# the Bulkhead VM's exits over the whole run (boot, $((2 * N + 2)) 4 KiB and 64 1 MiB requests):"
	echo "# $exits"
	echo "# the svc run's exits: $exits_svc"
	echo "# runs in this report (RUNS=\"$RUNS\" made now; others from earlier runs of build/bench/io): $(cd "$out" && ls *.out 2>/dev/null | sed 's/\.out$//' | tr '\n' ' ')"
} > "$res"
cat "$res"
