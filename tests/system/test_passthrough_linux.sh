#!/usr/bin/env bash
# PCI passthrough into a Linux VM (docs/architecture.md, "Passthrough"):
# q35 with an AMD IOMMU and an nvme at 00:05.0, given to the Linux VM by
# address, beside a bystander VM. Debian's kernel finds the function at
# the VM's slot 16 (00:10.0) with the nvme's vendor:device and class and a
# memory BAR the hypervisor placed in the VM's PCI window; enabling it
# (sysfs enable) turns on memory decoding, which maps the BAR in the
# VM's nested page table to the host BAR; clearing the command register
# through sysfs config unmaps it, setting memory space and bus master
# maps it again, and the guest reads the nvme's CAP and VS registers
# through its BAR (bulkhead-mmio on sysfs resource0). The bystander exits normally and the isolation check at the
# Linux VM's stop passes with the BAR mapped (it is the VM's own MMIO).
# Before that, with MSI-X mediated: Debian's nvme driver (nvme and
# nvme-core, in the initramfs and loaded by /init) probes the function,
# /dev/nvme0n1 appears, the guest reads the pattern the host wrote into
# the image's first 4 KiB (same md5), writes a second one at 512 KiB and
# syncs (the host finds it in the image after QEMU exits), its
# /proc/interrupts shows the nvme's MSI-X vectors counting; then the
# VM reboots (sysrq b): the function is reset by FLR before the VM's RAM
# is wiped (the log says so), and after the reboot the nvme driver probes
# it again and reads both patterns, with MSI-X interrupts counting; then
# the driver is unbound (MSI-X off: host vectors given back) before the
# command register checks.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
DIR=$LOGDIR/passthrough_linux
rm -rf "$DIR"
mkdir -p "$DIR"
truncate -s 1M "$DIR/nvme.img"
# pattern A at 0, read by the guest; B is what the guest writes at 512 KiB
yes bulkhead-nvme-pattern-A | head -c 4096 | dd of="$DIR/nvme.img" conv=notrunc status=none
yes bulkhead-nvme-pattern-B | head -c 4096 > "$DIR/pattern-b"
sum_a=$(head -c 4096 "$DIR/nvme.img" | md5sum | cut -d' ' -f1)
conf=$DIR/vms.conf
cat > "$conf" <<EOF2
[vm linux]
role        = work
memory      = 384 MiB
kernel      = bzImage
initrd      = initramfs.cpio.gz
cmdline     = "$(cat build/linux/cmdline)"
devices     = serial
passthrough = 00:05.0

[vm bystander]
role      = personal
memory    = 8 MiB
kernel    = ok.elf
cmdline   = "sleep_ms=20000"
devices   = serial, testexit
EOF2
fn=/sys/bus/pci/devices/0000:00:10.0
# the command register's low byte is the last line of two hex digits (the
# hypervisor's own lines share the console)
cat > "$DIR/steps" <<STEPS
expect ^bulkhead-guest: userspace up$ 600
expect Enter .help. for a list 120
expect ~ # 60
run lsmod
check re.search(r'^nvme ', out, re.M) and re.search(r'^nvme_core ', out, re.M)
run for i in \$(seq 1 120); do [ -b /dev/nvme0n1 ] && break; sleep 1; done; ls -l /dev/nvme0n1 ;; 150
check 'nvme0n1' in out
run dd if=/dev/nvme0n1 bs=4096 count=1 2>/dev/null | md5sum ;; 120
check out.split()[0] == '$sum_a'
run yes bulkhead-nvme-pattern-B | head -c 4096 > /tmp/b; dd if=/tmp/b of=/dev/nvme0n1 bs=4096 seek=128 conv=fsync 2>/dev/null; sync; echo written ;; 120
check 'written' in out
run echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/nvme0n1 bs=4096 skip=128 count=1 2>/dev/null | md5sum ;; 120
check out.split()[0] == '$(md5sum < "$DIR/pattern-b" | cut -d' ' -f1)'
run grep nvme /proc/interrupts
check sum(int(x) for l in out.splitlines() if 'nvme' in l for x in l.split()[1:] if x.isdigit()) > 0 and 'MSI' in out
# the VM reboots with the nvme busy in its driver: the function is reset
# (FLR) before the VM's RAM is wiped, and after the reboot the driver
# probes it again from scratch and reads both patterns
send echo b > /proc/sysrq-trigger
expect ^vm linux: reset by the guest, restarting$ 120
expect ^vm linux: passthrough 00:05\.0 at the VM's reset: reset by FLR \(BARs and command read back as before\); BARs unmapped, guest view as at boot, same IOMMU domain$ 60
expect ^bulkhead-guest: userspace up$ 600
expect Enter .help. for a list 120
expect ~ # 60
run for i in \$(seq 1 120); do [ -b /dev/nvme0n1 ] && break; sleep 1; done; ls -l /dev/nvme0n1 ;; 150
check 'nvme0n1' in out
run dd if=/dev/nvme0n1 bs=4096 count=1 2>/dev/null | md5sum ;; 120
check out.split()[0] == '$sum_a'
run dd if=/dev/nvme0n1 bs=4096 skip=128 count=1 2>/dev/null | md5sum ;; 120
check out.split()[0] == '$(md5sum < "$DIR/pattern-b" | cut -d' ' -f1)'
run grep nvme /proc/interrupts
check sum(int(x) for l in out.splitlines() if 'nvme' in l for x in l.split()[1:] if x.isdigit()) > 0 and 'MSI' in out
run dmesg | grep -i nvme
run echo 0000:00:10.0 > /sys/bus/pci/drivers/nvme/unbind; echo unbound ;; 120
check 'unbound' in out
run cat $fn/vendor $fn/device $fn/class
check out.split()[:3] == ['0x1b36', '0x0010', '0x010802']
run dmesg | grep '00:10.0'
check re.search(r'pci 0000:00:10\.0: \[1b36:0010\] type 00 class 0x010802', out)
check re.search(r'pci 0000:00:10\.0: (BAR 0|reg 0x10:) \[mem 0xc[0-9a-f]{7}-0xc[0-9a-f]{7} 64bit\]', out)
run echo 1 > $fn/enable; od -An -tx1 -j4 -N1 $fn/config
check (int(re.findall(r'^ *([0-9a-f]{2}) *$', out, re.M)[-1], 16) & 2) == 2
run printf '\\000' | dd of=$fn/config bs=1 seek=4 count=1 conv=notrunc 2>/dev/null; od -An -tx1 -j4 -N1 $fn/config
check (int(re.findall(r'^ *([0-9a-f]{2}) *$', out, re.M)[-1], 16) & 6) == 0
run printf '\\006' | dd of=$fn/config bs=1 seek=4 count=1 conv=notrunc 2>/dev/null; od -An -tx1 -j4 -N1 $fn/config
check (int(re.findall(r'^ *([0-9a-f]{2}) *$', out, re.M)[-1], 16) & 6) == 6
# through the mapped BAR the nvme's own registers (NVMe 1.4 3.1): VS
# major version 1, CAP.CSS bit 37 (the NVM command set); an unmapped BAR
# would read all ones
run bulkhead-mmio $fn/resource0
check (m := re.search(r'^mmio: 0=([0-9a-f]{8}) 4=([0-9a-f]{8}) 8=([0-9a-f]{8})$', out, re.M)) and int(m[3], 16) >> 16 == 1 and int(m[2], 16) & 0x20 and m[1] != 'ffffffff'
send poweroff
expect ^vm linux: powered off by the guest$ 300
exit 0 300
STEPS
qemu="scripts/qemu.sh --timeout 1200 --mem 2G --qemu '-machine q35 -smp 2 -device amd-iommu,intremap=on -drive file=$DIR/nvme.img,if=none,format=raw,id=nv -device nvme,drive=nv,serial=pt,addr=0x5' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module build/guests/ok.elf --module '$conf name=vms.conf'"
timeout 1300 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$DIR/steps" \
	--strip-prefix "[linux] " --log "$LOG" --timeout 300 --total 1250
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_regex "^vm linux: passthrough 00:05\.0 at 00:10\.0, BAR 0: host 0x[0-9a-f]+, guest 0xc[0-9a-f]{7}, [0-9]+ KiB"
bar=$(grep -oE "^vm linux: passthrough 00:05\.0 at 00:10\.0, BAR 0: host 0x[0-9a-f]+, guest 0x[0-9a-f]+" "$LOG" | head -1)
host=$(sed -E 's/.*host (0x[0-9a-f]+).*/\1/' <<< "$bar")
guest=$(sed -E 's/.*guest (0x[0-9a-f]+)$/\1/' <<< "$bar")
n_map=$(grep -cE "^vm linux: passthrough 00:05\.0 BAR 0 mapped at $guest -> host $host, [0-9]+ KiB uncached" "$LOG")
n_unmap=$(grep -cE "^vm linux: passthrough 00:05\.0 BAR 0 unmapped from $guest" "$LOG")
[ "$n_map" -ge 2 ] && [ "$n_unmap" -ge 1 ] && echo "ok: BAR 0 mapped $n_map times, unmapped $n_unmap times" ||
	fail "BAR 0 at $guest -> $host: mapped $n_map times, unmapped $n_unmap times"
expect_regex "^isolation: vm linux: nested tables map only its own RAM \(at its stop"
expect_line "vm linux: passthrough 00:05.0 reset by FLR (BARs and command read back as before), DMA-blocked again"
expect_regex "^vm linux: passthrough 00:05\.0 MSI-X at 0x[0-9a-f]+: [0-9]+ of [0-9]+ entries"
# interrupt remapping on (QEMU's intremap=on lists the IOAPIC in the
# IVRS): the nvme's host entries hold the remappable form, and its
# interrupts arrive only through the IRTEs the hypervisor made valid
expect_line "iommu: interrupt remapping on: a passed-through device's MSIs go through its own table of 2048 entries, all invalid but the host vectors it is given"
expect_regex "^vm linux: passthrough 00:05\.0 MSI-X entry 0 unmasked: host vector 0x[0-9a-f]+, remapped \(IRTE = entry\)$"
expect_no_line "its remapping entry was refused"
expect_regex "^vm linux: passthrough 00:05\.0 MSI-X entry [0-9]+: first interrupt delivered"
# the driver's unbind turns MSI-X off: host vectors given back, none dropped
expect_regex "^vm linux: passthrough 00:05\.0 MSI-X off on the host, [1-9][0-9]* host vector\(s\) given back \([1-9][0-9]* delivered, 0 dropped\)$"
expect_no_line "no host vector left"
dd if="$DIR/nvme.img" bs=4096 skip=128 count=1 status=none | cmp -s - "$DIR/pattern-b" &&
	echo "ok: the guest's write reached the nvme's image at 512 KiB" ||
	fail "the image does not hold the guest's pattern at 512 KiB"
expect_line "vm bystander: exited, code 0"
expect_no_line "vm linux: stopped"
expect_no_line "PANIC"
finish
