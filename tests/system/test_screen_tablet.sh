#!/usr/bin/env bash
# The virtio tablet (docs/display.md): two Linux VMs with a display; the
# physical PS/2 mouse, moved and clicked with QMP input-send-event, moves
# the focused VM's tablet (evdev EV_ABS X/Y from the centre, BTN_LEFT) and
# never the other VM's.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
dir=$LOGDIR/screen_tablet
rm -rf "$dir"
mkdir -p "$dir"
conf=$dir/vms.conf
for vm in work personal; do
	cat >> "$conf" <<EOF2
[vm $vm]
role    = $vm
memory  = 192 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "console=ttyS0 panic=-1 i8042.nopnp"
devices = serial
display = yes

EOF2
done
sock=$dir/qmp.sock
qemu="scripts/qemu.sh --timeout 600 --mem 1G --qemu '-vga std -qmp unix:$sock,server=on,wait=off' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf' --"
timeout 660 /usr/bin/python3 tests/system/screen_tablet_test.py "$qemu" "$sock" "$LOG" || fail "the tablet checks (above)"
finish
