#!/usr/bin/env bash
# PCI passthrough, configuration and DMA confinement (docs/architecture.md,
# "Passthrough"):
# 1. q35 with an AMD IOMMU (1022:0010), an nvme, an edu and a display at
#    fixed addresses: the VM given the nvme by address and the VM given the edu by
#    vendor:device each get an IOMMU domain of their own mapping their RAM,
#    run, and at their stop their function is reset (the nvme by FLR, its
#    BARs and command read back as firmware left them; the edu has no
#    reset) and DMA-blocked again; VMs asking
#    for the host bridge, the display, the IOMMU itself, a function that
#    does not exist, the nvme again (by vendor:device), or one function
#    twice (the SMBus controller) are refused with
#    the key's file:line:col and not started, and the hypervisor does not
#    panic; the run ends in failure because not every VM started.
# 2. Without an IOMMU (i440fx), the VM asking for a function is refused,
#    the other runs.
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}
DIR=$LOGDIR/passthrough
rm -rf "$DIR"
mkdir -p "$DIR"
truncate -s 1M "$DIR/nvme.img"

vm() { # NAME PASSTHROUGH
	printf '[vm %s]\nrole = personal\nmemory = 8\nkernel = ok.elf\ndevices = testexit\n' "$1"
	[ -n "$2" ] && printf 'passthrough = %s\n' "$2"
	echo
}

# 1. each vm() is 7 lines: the passthrough key of the Nth (from 0) is on
# line 7N + 6, its value at column 15
{
	vm work 00:05.0
	vm dmaeng 1234:11e8
	vm hostbr 00:00.0
	vm screen 00:09.0
	vm iommu 1022:0010
	vm ghost 00:1e.0
	vm second 1b36:0010
	vm twice "00:1f.3, 00:1f.3"
} > "$DIR/vms.conf"
build/tools/bulkhead-config check --mem 1000 "$DIR/vms.conf" || fail "bulkhead-config check"
boot --module build/guests/ok.elf --module "$DIR/vms.conf" \
	--qemu "-machine q35 -device amd-iommu -vga none -device VGA,addr=0x9
	-drive file=$DIR/nvme.img,if=none,format=raw,id=nv -device nvme,drive=nv,serial=pt,addr=0x5
	-device edu,addr=0x6" --
expect_status 1
expect_regex "^pci: 00:05\.0 1b36:0010 class 010802"
expect_regex "^pci: 00:06\.0 1234:11e8 class 00ff00"
expect_regex "^pci: 00:09\.0 1234:1111 class 030000"
expect_regex "^iommu: AMD-Vi at 0x[0-9a-f]+ \(IVHD type 0x10, itself 00:[0-9a-f]{2}\.0\)"
expect_regex "^pci: 00:[0-9a-f]{2}\.0 1022:0010 class 080600"
expect_regex "^vm work: passthrough 00:05\.0 1b36:0010 class 010802, DMA confined to its 8 MiB in IOMMU domain [0-9]+ \(walked: each block as in its nested page table, nothing past its end\)"
expect_regex "^vm dmaeng: passthrough 00:06\.0 1234:11e8 class 00ff00, DMA confined to its 8 MiB in IOMMU domain [0-9]+ \(walked: each block as in its nested page table, nothing past its end\)"
d1=$(grep -oE "^vm work: passthrough .* domain [0-9]+" "$LOG" | grep -oE "[0-9]+$")
d2=$(grep -oE "^vm dmaeng: passthrough .* domain [0-9]+" "$LOG" | grep -oE "[0-9]+$")
[ -n "$d1" ] && [ "$d1" != "$d2" ] && echo "ok: domains $d1 and $d2" || fail "one domain for two VMs ($d1, $d2)"
expect_line "vm hostbr: not started: vms.conf:20:15: a host bridge: refusing to pass 00:00.0 to hostbr"
expect_line "vm screen: not started: vms.conf:27:15: the display: refusing to pass 00:09.0 to screen"
expect_line "vm iommu: not started: vms.conf:34:15: the IOMMU itself: refusing to pass 1022:0010 to iommu"
expect_line "vm ghost: not started: vms.conf:41:15: no such PCI function: cannot pass 00:1e.0 to ghost"
expect_line "vm second: not started: vms.conf:48:15: in use by VM 'work': cannot pass 1b36:0010 to second"
expect_line "vm twice: not started: vms.conf:55:24: named twice: cannot pass 00:1f.3 to twice"
expect_line "vm work: exited, code 0"
expect_line "vm dmaeng: exited, code 0"
expect_line "vm work: passthrough 00:05.0 reset by FLR (BARs and command read back as before), DMA-blocked again"
expect_line "vm dmaeng: passthrough 00:06.0 not reset (no FLR, no PM reset), DMA-blocked again"
expect_no_line "PANIC"
expect_no_line "EXCEPTION"
cp "$LOG" "$DIR/q35.serial"

# 2. no IOMMU
LOG=$LOGDIR/$TEST-none.serial
{
	vm work 00:03.0
	vm other ""
} > "$DIR/vms.conf"
boot --module build/guests/ok.elf --module "$DIR/vms.conf" --
expect_status 1
expect_regex "^iommu: none: "
expect_line "vm work: not started: vms.conf:6:15: no IOMMU: refusing to pass 00:03.0 to work"
expect_line "vm other: exited, code 0"
expect_no_line "PANIC"
finish
