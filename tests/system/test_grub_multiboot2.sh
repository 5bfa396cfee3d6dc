#!/usr/bin/env bash
# The path of a real PC: GRUB loads bulkhead.elf with `multiboot2` and a
# module with `module2`. Bulkhead must parse the Multiboot2 tags (command
# line, memory map, modules, ACPI RSDP) as it does Multiboot1 under QEMU.
source "$(dirname "$0")/lib.sh"
dir=build/tests/system/grub
rm -rf "$dir" && mkdir -p "$dir/iso/boot/grub"
cp build/bulkhead.elf "$dir/iso/boot/"
head -c 12345 /dev/urandom > "$dir/iso/boot/vm.bin"
cat > "$dir/iso/boot/grub/grub.cfg" <<'CFG'
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "Bulkhead" {
	multiboot2 /boot/bulkhead.elf exit_port=0xf4 from-grub
	module2 /boot/vm.bin name=work mem=512
	boot
}
CFG
if ! grub-mkrescue -o "$dir/bulkhead.iso" "$dir/iso" > "$dir/mkrescue.log" 2>&1; then
	cat "$dir/mkrescue.log"
	fail "grub-mkrescue failed"
	finish
fi
BOOT_TIMEOUT=120 boot --iso "$dir/bulkhead.iso"
expect_status 0
expect_line "boot: multiboot2, command line 'exit_port=0xf4 from-grub'"
expect_line "modules: 1"
expect_regex "^module 0: 0x[0-9a-f]+-0x[0-9a-f]+ \(13 KiB\) 'name=work mem=512'"
expect_regex "^acpi: rsdp rev [0-9]+ \(from loader\), 1 CPUs in MADT"
expect_line "bulkhead: boot complete"
finish
