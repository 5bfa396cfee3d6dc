#!/usr/bin/env bash
# A UEFI PC: OVMF boots GRUB's EFI build from a CD, GRUB loads bulkhead.elf
# with `multiboot2` and the Debian guest with `module2`, and the Linux shell
# in the VM answers. The boot report must say the firmware was EFI and name
# the tags used: the memory map, the ACPI RSDP from its tag (there is no
# BIOS area to search) and the GOP framebuffer. Packages: scripts/deps.d/uefi.list.
source "$(dirname "$0")/lib.sh"
dir=build/tests/system/grub_uefi
rm -rf "$dir" && mkdir -p "$dir/iso/boot/grub"
make --no-print-directory linux-guest > "$dir/linux-guest.log" 2>&1 || { cat "$dir/linux-guest.log"; fail "building the Linux guest"; finish; }
fw=$(uefi_qemu_args "$dir") || { fail "no UEFI firmware"; finish; }
cp build/bulkhead.elf build/linux/bzImage build/linux/initramfs.cpio.gz "$dir/iso/boot/"
# The grub.cfg of docs/user-guide.md ("Booting on a UEFI PC"); all_video
# loads the GOP driver, without which GRUB passes no framebuffer.
cat > "$dir/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
insmod all_video
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "Bulkhead" {
	multiboot2 /boot/bulkhead.elf exit_port=0xf4 from-grub-efi
	module2 /boot/bzImage vm=linux mem=512 -- $(cat build/linux/cmdline)
	module2 /boot/initramfs.cpio.gz vmmod=linux
	boot
}
CFG
if ! grub-mkrescue -d /usr/lib/grub/x86_64-efi -o "$dir/bulkhead.iso" "$dir/iso" \
	> "$dir/mkrescue.log" 2>&1; then
	cat "$dir/mkrescue.log"
	fail "grub-mkrescue failed (needs grub-efi-amd64-bin, xorriso, mtools)"
	finish
fi

cat > "$dir/steps" <<'STEPS'
expect ^bulkhead: boot complete$ 120
expect ^\[linux\] bulkhead-guest: userspace up$ 120
expect Enter 'help' for a list 60
expect ~ # 30
send uname -r
expect ^\[linux\] 6\.1\.\S+-amd64$ 60
send poweroff
expect ^vm linux: powered off by the guest$ 60
expect ^bulkhead: stopping, status PASS$ 30
STEPS
qemu="scripts/qemu.sh --timeout 170 --mem 2G --iso $dir/bulkhead.iso --qemu '$fw'"
timeout 180 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$dir/steps" \
	--log "$LOG" --timeout 60 --total 175
[ $? -eq 0 ] || fail "booting to the Linux shell through GRUB EFI failed"

expect_line "boot: multiboot2, command line 'exit_port=0xf4 from-grub-efi'"
# GRUB 2.06 passes both memory maps, and the plain one is then used; which
# ones a loader gives is its choice (the order is unit-tested in test_mbinfo).
expect_regex "^boot: multiboot2 \(EFI\), mmap from (EFI )?memory map tag, ACPI from RSDPv2 tag, framebuffer [1-9][0-9]*x[1-9][0-9]*x(24|32) at 0x[0-9a-f]+\$"
expect_regex "^acpi: rsdp rev 2 \(from loader\), 1 CPUs in MADT"
expect_line "modules: 2"
expect_regex "^module 0: 0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ KiB\) 'vm=linux mem=512 -- "
expect_regex "^module 1: 0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ KiB\) 'vmmod=linux'"
expect_line "virt: AMD SVM with NPT available"
expect_regex "^isolation: vm linux: nested tables map only its own RAM \\(at its stop, [1-9][0-9]* MiB mapped\\)"
finish
