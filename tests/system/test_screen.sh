#!/usr/bin/env bash
# The screen (docs/display.md): two Debian VMs with a display each under
# QEMU's -vga std. The hypervisor's label bar (checked pixel by pixel
# against the font), each VM's /dev/fb0 pattern on screen only while it has
# the focus, Ctrl+Alt+Home typed with QMP input-send-event switching the
# focus on the screen and the serial console alike, keys reaching only the
# focused VM and none of the hotkey's, and a guest's forged label that
# shows below the real one; without an adapter, serial only. Screenshots:
# build/tests/system/screen/*.png.
source "$(dirname "$0")/lib.sh"
# No display adapter: the hypervisor says so and stays on serial.
boot --qemu "-vga none" --
expect_status 0
expect_line "display: none (no Bochs VBE adapter on PCI bus 0); the console is serial only"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
dir=$LOGDIR/screen
rm -rf "$dir"
mkdir -p "$dir"
conf=$dir/vms.conf
# The RAM framebuffer (efifb) is what this test draws on, so virtio_gpu is
# kept out (test_screen_gpu has it): once loaded, its fbdev sets its own
# blank scanout at a display hotplug event that can come after its setup
# (Linux 6.1), and the screen would show that instead, a race.
for vm in work personal; do
	if [ $vm = work ]; then role=work label='#1f5fbf'; else role=personal label='#40c060'; fi
	cat >> "$conf" <<EOF2
[vm $vm]
role    = $role
label   = $label
memory  = 192 MiB
kernel  = bzImage
initrd  = initramfs.cpio.gz
cmdline = "console=ttyS0 panic=-1 i8042.nopnp module_blacklist=virtio_gpu tag=$vm"
devices = serial
display = yes

EOF2
done
sock=$dir/qmp.sock
qemu="scripts/qemu.sh --timeout 600 --mem 1G --qemu '-vga std -qmp unix:$sock,server=on,wait=off' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf' --"
timeout 660 /usr/bin/python3 tests/system/screen_test.py "$qemu" "$sock" "$LOG" "$dir" || fail "the screen checks (above)"
finish
