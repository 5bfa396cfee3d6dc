#!/usr/bin/env bash
# Exit round-trip benchmark: boots guests/tests/bench_exits.c under Bulkhead
# with QEMU's icount (1 guest instruction = 1 ns = 1 TSC tick, deterministic
# and independent of host load) and writes
# bench/results/exits-<git short commit>.txt with TSC ticks per CPUID, port
# I/O, MMIO and XSETBV round trip. QEMU's TCG honours the XSETBV intercept
# only from QEMU 8.2 on: with an older QEMU XSETBV does not exit, and its
# figure is the instruction alone (the results file says which). For
# reference the same guest also boots bare under QEMU: there CPUID and IN are
# not exits at all (TCG runs them inline) and there is no test device, so
# only CPUID, PIO and XSETBV have a bare figure, and it is the floor (cost of
# the instruction itself), not a competing hypervisor.
set -u
cd "$(dirname "$0")/../.."
ITERS=${ITERS:-10000}
elf=build/guests/bench_exits.elf
out=build/bench/exits
mkdir -p "$out" bench/results
[ -f "$elf" ] && [ -f build/bulkhead.elf ] || { echo "bench/exits: build first (make all)" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv guests 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)
icount="-icount shift=0,sleep=off"

scripts/qemu.sh --timeout 120 --log "$out/bulkhead.log" --qemu "$icount" \
	--module "$elf vm=bench mem=8 testexit testdev -- iters=$ITERS" -- >/dev/null
st=$?
if [ $st -ne 0 ]; then
	echo "bench/exits: Bulkhead run failed (status $st), log $out/bulkhead.log" >&2
	tail -n 30 "$out/bulkhead.log" >&2
	exit 1
fi

timeout 120 qemu-system-x86_64 -accel tcg -cpu EPYC -m 64M -nographic -no-reboot \
	-monitor none -serial stdio -display none $icount \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$elf" -append "iters=$ITERS" </dev/null >"$out/bare.log" 2>&1
bst=$?
[ $bst -eq 1 ] || echo "bench/exits: bare run ended with status $bst (want 1: exit code 0)" >&2

fig() { # log prefix name
	tr -d '\r' <"$1" | sed -n "s/^$2bench $3 \([0-9][0-9]*\)\$/\1/p" | head -1
}
hv_cpuid=$(fig "$out/bulkhead.log" '\[bench\] ' cpuid)
hv_pio=$(fig "$out/bulkhead.log" '\[bench\] ' pio)
hv_mmio=$(fig "$out/bulkhead.log" '\[bench\] ' mmio)
hv_xsetbv=$(fig "$out/bulkhead.log" '\[bench\] ' xsetbv)
xsetbv_exits=$(tr -d '\r' <"$out/bulkhead.log" | sed -n 's/^vm bench: exits:.* xsetbv \([0-9]*\).*/\1/p' | head -1)
bare_cpuid=$(fig "$out/bare.log" '' cpuid)
bare_pio=$(fig "$out/bare.log" '' pio)
bare_xsetbv=$(fig "$out/bare.log" '' xsetbv)
if [ -z "$hv_cpuid" ] || [ -z "$hv_pio" ] || [ -z "$hv_mmio" ] || [ -z "$hv_xsetbv" ]; then
	echo "bench/exits: figures missing in $out/bulkhead.log" >&2
	exit 1
fi

res=bench/results/exits-$commit.txt
{
	echo "# Exit round trips: TSC ticks per iteration, minus the empty loop; best of 5 x $ITERS."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(qemu-system-x86_64 --version | head -1)"
	echo "# qemu-system-x86_64 -accel tcg -cpu EPYC $icount: 1 tick = 1 emulated instruction,"
	echo "# so the figures count instructions (hypervisor + world switch), not host time."
	echo "# bare = same guest under plain QEMU: CPUID/IN do not exit there (TCG inline),"
	echo "# no test device (MMIO not comparable, not run). Only cpuid, pio, xsetbv have both."
	echo "# xsetbv exits counted by the hypervisor: ${xsetbv_exits:-0}$( [ -z "$xsetbv_exits" ] && echo " (this QEMU ignores the XSETBV intercept: the figure is the instruction, not a round trip)")"
	echo "bench cpuid $hv_cpuid"
	echo "bench pio $hv_pio"
	echo "bench mmio $hv_mmio"
	echo "bench xsetbv $hv_xsetbv"
	echo "bare cpuid ${bare_cpuid:-n/a}"
	echo "bare pio ${bare_pio:-n/a}"
	echo "bare mmio n/a"
	echo "bare xsetbv ${bare_xsetbv:-n/a}"
} >"$res"
cat "$res"
echo "bench/exits: wrote $res"
