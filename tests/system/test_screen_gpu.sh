#!/usr/bin/env bash
# virtio-gpu on the screen (docs/display.md): a Debian VM with a display
# and `fbcon=map:1` loads virtio_gpu, gets /dev/dri/card0 and fbcon on
# virtio_gpudrmfb (fb1); a line fbcon draws on tty1 reaches the screen
# below the label bar through RESOURCE_FLUSH; the log measures pixels per
# flush.
# Screenshots: build/tests/system/screen_gpu/*.png.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
dir=$LOGDIR/screen_gpu
rm -rf "$dir"
mkdir -p "$dir"
conf=$dir/vms.conf
cat > "$conf" <<EOF2
[vm work]
role    = work
label   = #1f5fbf
memory  = 192 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "console=ttyS0 panic=-1 i8042.nopnp fbcon=map:1"
devices = serial
display = yes
EOF2
sock=$dir/qmp.sock
qemu="scripts/qemu.sh --timeout 600 --mem 1G --qemu '-vga std -qmp unix:$sock,server=on,wait=off' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf' --"
timeout 660 /usr/bin/python3 tests/system/screen_gpu_test.py "$qemu" "$sock" "$LOG" "$dir" || fail "the virtio-gpu screen checks (above)"
finish
