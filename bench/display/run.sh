#!/usr/bin/env bash
# The screen's copy costs (docs/display.md), deterministic: QEMU with
# -icount shift=0,sleep=off, where the hypervisor's "ns per refresh" is the
# count of instructions one refresh ran. Two Debian VMs with a display; the
# focused one idle, then changing 1% of its screen every 100 ms, then
# unfocused while it keeps changing it (bench/display/display.py). Results:
# bench/results/display-<commit>.txt.
#   PERIOD=10 bench/display/run.sh
set -u
cd "$(dirname "$0")/../.."
scripts/guest-linux.sh >/dev/null || { echo "bench/display: building the Linux guest failed" >&2; exit 1; }
make --no-print-directory -j2 all >/dev/null || { echo "bench/display: build failed" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv 2>/dev/null | grep -q . && echo " +uncommitted changes" || true)
out=bench/results/display-$commit.txt
dir=build/bench/display
mkdir -p "$dir" bench/results
conf=$dir/vms.conf
: > "$conf"
for vm in a b; do
	cat >> "$conf" <<EOF2
[vm $vm]
role    = personal
memory  = 192 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "console=ttyS0 quiet panic=-1"
devices = serial
display = yes

EOF2
done
q="scripts/qemu.sh --timeout 1500 --mem 1G --qemu '-vga std -icount shift=0,sleep=off' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf' --"
{
	echo "bench/display at $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "QEMU $(qemu-system-x86_64 --version | head -1 | sed 's/.*version //'), -cpu EPYC, -icount shift=0,sleep=off, 1024x768 screen, 1024x736 VM framebuffers"
} > "$out"
/usr/bin/python3 bench/display/display.py "$q" "$dir/serial.log" "${PERIOD:-10}" >> "$out" || { echo "bench/display: failed (log $dir/serial.log)" >&2; exit 1; }
cat "$out"
echo "bench/display: results in $out"
