#!/usr/bin/env bash
# The screen's copy costs (docs/display.md), deterministic: QEMU with
# -icount shift=0,sleep=off, where the hypervisor's "ns per refresh" is the
# count of instructions one refresh ran. Two Debian VMs with a display; the
# focused one idle, then redrawing its whole screen, then changing 1% of it
# every 100 ms, then unfocused while it keeps changing it
# (bench/display/display.py). Two boots, side by side: the shadow compare
# (hypervisor option display=compare), then the nested page table's dirty
# bits. Results: bench/results/display-<commit>.txt.
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
# The RAM framebuffer (efifb's fb0) is what is measured: virtio_gpu is kept
# out, as in test_screen, or its fbdev may take the screen with its own
# scanout (docs/display.md).
for vm in a b; do
	cat >> "$conf" <<EOF2
[vm $vm]
role    = personal
memory  = 192 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "console=ttyS0 quiet panic=-1 module_blacklist=virtio_gpu"
devices = serial
display = yes

EOF2
done
q="scripts/qemu.sh --timeout 1500 --mem 1G --qemu '-vga std -icount shift=0,sleep=off' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf' --"
period=${PERIOD:-10}
{
	echo "bench/display at $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "QEMU $(qemu-system-x86_64 --version | head -1 | sed 's/.*version //'), -cpu EPYC, -icount shift=0,sleep=off, 1024x768 screen, 1024x736 VM framebuffers"
} > "$out"
for mode in compare dirty; do
	arg=; [ $mode = compare ] && arg=display=compare
	/usr/bin/python3 bench/display/display.py "$q $arg" "$dir/serial-$mode.log" "$period" "$dir/$mode.json" ||
		{ echo "bench/display: failed (log $dir/serial-$mode.log)" >&2; exit 1; }
done
/usr/bin/python3 - "$dir/compare.json" "$dir/dirty.json" >> "$out" <<'EOF2'
import json, sys
c, d = (json.load(open(p)) for p in sys.argv[1:3])
PAGE = 4096 / 4  # pixels in a 4 KiB page at 32 bpp
print("%-58s %16s %16s" % ("", "shadow compare", "dirty bits"))
def row(name, f, fmt="%16.0f"):
    print("%-58s %s %s" % (name, fmt % f(c), fmt % f(d)))
row("full redraw: frames/s the guest drew (guest time)", lambda r: r["guest_frames"] / r["period"], "%16.1f")
row("full redraw: pixels copied per refresh", lambda r: r["full"]["pixels_per_refresh"])
row("full redraw: instructions per refresh", lambda r: r["full"]["instructions_per_refresh"])
row("full redraw: instructions per copied 4 KiB page", lambda r: r["full"]["instructions_per_refresh"] / max(r["full"]["pixels_per_refresh"] / PAGE, 1e-9))
row("idle: pixels copied per refresh", lambda r: r["idle"]["pixels_per_refresh"])
row("idle: instructions per refresh", lambda r: r["idle"]["instructions_per_refresh"])
row("1% change (7 rows / 100 ms): pixels copied per refresh", lambda r: r["1%"]["pixels_per_refresh"])
row("1% change: instructions per refresh", lambda r: r["1%"]["instructions_per_refresh"])
row("unfocused VM redrawing: rows of it read (aim 0)", lambda r: r["hidden_rows_read"])
print("refreshes per period (PERIOD=%g s of wall time): idle %d/%d, full %d/%d, 1%% %d/%d (compare/dirty)"
      % (c["period"], c["idle"]["refreshes"], d["idle"]["refreshes"], c["full"]["refreshes"], d["full"]["refreshes"], c["1%"]["refreshes"], d["1%"]["refreshes"]))
EOF2
[ -s "$out" ] || exit 1
cat "$out"
echo "bench/display: results in $out"
