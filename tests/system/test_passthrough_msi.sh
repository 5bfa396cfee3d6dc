#!/usr/bin/env bash
# Plain MSI of a passed-through function (docs/architecture.md,
# "Passthrough"; PCI 3.0 6.8.1): QEMU's edu (MSI, no MSI-X) on q35 with
# an AMD IOMMU remapping interrupts, given to a test guest
# (guests/tests/pt_msi.c) beside a bystander. The guest finds it at
# 00:10.0 with one MSI vector offered, enables memory decoding and bus
# mastering, programs MSI with a vector of its own, has the edu raise its
# interrupt three times and counts three arrivals on that vector; with
# MSI disabled a raise brings none. The hypervisor takes a host vector
# for it, delivers each, and gives the vector back when the guest
# disables MSI. Both VMs exit with PASS. (A guest line may come split
# when the other VM prints meanwhile: the guest lines checked here are
# short, and the counts are checked in the guest and in the hypervisor's
# own lines too.)
# 1. interrupt remapping on: the host message through IRTE 0;
# 2. remapping off (amd-iommu,intremap=off): the host message as is,
#    and the guest exits with MSI on: the vector is given back at the
#    VM's stop;
# 3. remapping on, the guest resets its VM with MSI on after one
#    interrupt: the vector is given back at the reset, the guest finds
#    MSI off with a cleared message after it, and the test passes again
#    (IRTE 0 cleared and set again).
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
DIR=$LOGDIR/passthrough_msi
rm -rf "$DIR"
mkdir -p "$DIR"

run() { # QEMU-IOMMU-OPTIONS REMAP-SUFFIX GUEST-CMDLINE [DELIVERED-AT-LAST-GIVE-BACK]
	{
		printf '[vm msi]\nrole = personal\nmemory = 8\nkernel = pt_msi.elf\n'
		[ -n "$3" ] && printf 'cmdline = "%s"\n' "$3"
		printf 'devices = testexit\npassthrough = 1234:11e8\n\n'
		printf '[vm bystander]\nrole = personal\nmemory = 8\nkernel = ok.elf\n'
		printf 'devices = testexit\n\n'
	} > "$DIR/vms.conf"
	build/tools/bulkhead-config check --mem 1000 "$DIR/vms.conf" || fail "bulkhead-config check"
	boot --module build/guests/pt_msi.elf --module build/guests/ok.elf \
		--module "$DIR/vms.conf" \
		--qemu "-machine q35 -device $1 -device edu,addr=0x6" --
	expect_status 0
	expect_regex "^pci: 00:06\.0 1234:11e8 class 00ff00"
	expect_line "vm msi: passthrough 00:06.0 has no MSI-X capability"
	expect_regex "^vm msi: passthrough 00:06\.0 MSI at 0x[0-9a-f]+: 1 vector offered, 64-bit[[:space:]]*$"
	expect_regex "^\[msi\] edu at 00:10\.0, MSI capability at "
	expect_regex "^vm msi: passthrough 00:06\.0 MSI enabled: host vector 0x[0-9a-f]+$2[[:space:]]*$"
	expect_line "vm msi: passthrough 00:06.0 MSI: first interrupt delivered (vector 0x53)"
	expect_line "[msi] edu raised 3 interrupts, 3 delivered on vector 0x53"
	expect_regex "^vm msi: passthrough 00:06\.0 MSI off on the host, host vector 0x[0-9a-f]+ given back \(${4:-3} delivered, 0 dropped\)[[:space:]]*$"
	expect_regex "^\[msi\] pt_msi: PASS \([0-9]+ checks\)"
	expect_line "vm msi: exited, code 0"
	expect_regex "^\[bystander\] ok: PASS"
	expect_line "vm bystander: exited, code 0"
	expect_no_line "its remapping entry was refused"
	expect_no_line "no host vector left"
	expect_no_line "vm msi: stopped"
	expect_no_line "PANIC"
	expect_no_line "EXCEPTION"
}

# 1. interrupt remapping on: the host message in the remappable form
run "amd-iommu,intremap=on" ", remapped \(IRTE 0\)" ""
expect_line "iommu: interrupt remapping on: a passed-through device's MSIs go through its own table of 2048 entries, all invalid but the host vectors it is given"
cp "$LOG" "$DIR/intremap.serial"

# 2. no remapping (intremap=off); MSI left on at the guest's exit
LOG=$LOGDIR/$TEST-noremap.serial
run "amd-iommu,intremap=off" "" "leave"
expect_regex "^iommu: interrupt remapping off "
expect_no_line "remapped (IRTE 0)"
expect_line "[msi] edu raised 3 interrupts, 3 delivered on vector 0x53"
cp "$LOG" "$DIR/noremap.serial"

# 3. the VM's reset with MSI on
LOG=$LOGDIR/$TEST-reset.serial
run "amd-iommu,intremap=on" ", remapped \(IRTE 0\)" "reboot" 4
expect_line "[msi] one interrupt with MSI on (1), resetting the VM"
expect_line "vm msi: reset by the guest, restarting"
expect_regex "^vm msi: passthrough 00:06\.0 MSI off on the host, host vector 0x[0-9a-f]+ given back \(1 delivered, 0 dropped\)"
expect_line "vm msi: passthrough 00:06.0 at the VM's reset: not reset (no FLR, no PM reset); BARs unmapped, guest view as at boot, same IOMMU domain"
expect_line "[msi] after the VM's reset: MSI control 0x80, address 0x0, data 0x0"
n=$(grep -c "^vm msi: passthrough 00:06\.0 MSI enabled: host vector 0x[0-9a-f]*, remapped (IRTE 0)" "$LOG")
[ "$n" = 2 ] && echo "ok: MSI enabled twice, remapped both times" || fail "MSI enabled $n times, want 2"
cp "$LOG" "$DIR/reset.serial"
finish
