#!/usr/bin/env bash
# How the service VM's daemon waits, idle (tools/bulkhead-svcd-wait.c): on
# the ring's INTx through uio_pci_generic (the default), or polling every
# 1 ms (--poll). One boot of a Linux service VM alone under QEMU's -icount
# shift=0,sleep=off (1 TSC tick = 1 emulated instruction; idle time is
# skipped, not spent): the daemon /init started waits on INTx for 10 s of
# the guest's time, then a daemon with --poll for 10 s. For each span the
# hypervisor's dump (Ctrl-] d) gives the VM's exits (all reasons) and the
# hypervisor's ticks from exits to entries (its instructions). Writes
# bench/results/svc_wait-<commit>.txt.
set -u
cd "$(dirname "$0")/../.."
out=build/bench/svc_wait
mkdir -p "$out" bench/results
make --no-print-directory linux-guest build/bulkhead.elf > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv guests tools 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)
cat > "$out/vms.conf" <<CONF
[vm svc]
role    = service
memory  = 256 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "$(cat build/linux/cmdline) bulkhead.svcd=bench:8"
CONF
rm -f "$out/svc.out"
timeout 1500 /usr/bin/python3 tests/lib/console.py --cmd "scripts/qemu.sh --timeout 1400 --mem 1G --qemu '-icount shift=0,sleep=off' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$out/vms.conf name=vms.conf'" \
	--script bench/svc_wait/steps --strip-prefix "[svc] " --log "$out/svc.log" --out "$out/svc.out" \
	--timeout 300 --total 1400 >/dev/null || { echo "bench/svc_wait: run failed, see $out/svc.log" >&2; exit 1; }
fig() { sed -n "s/.* = '$1 \([0-9-][0-9]*\)'\$/\1/p" "$out/svc.out" | head -1; }
ie=$(fig intx_exits) ih=$(fig intx_hv) pe=$(fig poll_exits) ph=$(fig poll_hv)
res=bench/results/svc_wait-$commit.txt
{
	echo "# bench/svc_wait/run.sh at $commit$dirty, $(date -u +%Y-%m-%d)"
	echo "# the service VM alone, idle, 10 s of guest time per mode, -icount shift=0,sleep=off"
	printf '%-34s %14s %14s\n' "" "INTx (uio)" "polling 1 ms"
	printf '%-34s %14s %14s\n' "the VM's exits in 10 s" "$ie" "$pe"
	printf '%-34s %14s %14s\n' "hypervisor instructions in 10 s" "$ih" "$ph"
	[ -n "$ie" ] && [ -n "$pe" ] && [ "$ie" -gt 0 ] &&
		echo "polling / INTx, exits: $((pe / ie)).$(((pe * 10 / ie) % 10))x"
} > "$res"
cat "$res"
