#!/usr/bin/env bash
# The host's PCI functions and its AMD-Vi IOMMU. On q35 with an amd-iommu,
# two edu DMA engines (one on bus 0, one behind a PCI-to-PCI bridge) and
# the self-tests: every function of both buses is listed through the ECAM
# of the MCFG, the IOMMU is found through the IVRS and blocks all DMA, and
# the iommu_edu_dma self-test shows a blocked edu's DMA write change nothing
# (QEMU 7.2 logs no IOMMU event for it), then DMA through a domain's one mapped page
# work both ways, DMA to an unmapped address change nothing and DMA from one
# read none of its bytes. With interrupt remapping (QEMU 7.2's amd-iommu
# under TCG has intremap on by default): attached, the edu's own MSI in
# remappable form (index 0, made valid) requests its host vector in the
# local APIC, and the MSI an unremapped message for another pool vector
# would be (its IRTE invalid) requests nothing; detached (blocked, not
# remapped) that same MSI does. The first edu has a 32-bit DMA mask so
# that it can DMA into the MSI window: a host vector's message written so
# arrives with intremap=off and not with it on (QEMU 7.2 sends DMA writes
# without requester ID and takes them for the IOAPIC's, whose interrupts
# the hypervisor aborts). With intremap=off the boot says plainly that a
# passed-through device can raise any host vector. Without an
# IOMMU the boot says passthrough will be refused, and a VM still runs.
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
boot --qemu "-machine q35 -device amd-iommu -device edu,dma_mask=0xffffffff -device pci-bridge,id=br1,chassis_nr=1
	-device edu,bus=br1,addr=0x5" -- selftest
expect_status 0
expect_regex "^acpi: "
expect_regex "^pci: 00:00\.0 8086:29c0 class 060000"
expect_regex "^pci: 00:[0-9a-f]{2}\.0 1234:11e8 class 00ff00"
expect_regex "^pci: 00:[0-9a-f]{2}\.0 1b36:0001 class 060400 bridge to bus 01"
expect_regex "^pci: 01:05\.0 1234:11e8 class 00ff00"
expect_regex "^pci: 00:1f\.[0-9] 8086:2918 class 060100"
expect_regex "^pci: [0-9]+ functions on 2 buses, config space through ECAM at 0xb0000000 \(buses 00-ff\)"
expect_regex "^iommu: AMD-Vi at 0xfed80000 \(IVHD type 0x10, itself 00:[0-9a-f]{2}\.0\), [0-9]+ device ranges, all 65536 requestor IDs DMA-blocked"
edu=$(grep -oE "^pci: 00:[0-9a-f]{2}\.0 1234:11e8" "$LOG" | head -1 | cut -c6-12)
expect_regex "^selftest: edu $edu blocked: its DMA write left the page unchanged"
expect_regex "^selftest: edu attached: DMA through I/O address 0x8000000 reached page 0x[0-9a-f]+ both ways"
expect_regex "^selftest: edu attached: DMA to and from unmapped 0x[0-9a-f]+ failed: the read gave bytes [0-9a-f]{2}, none of the page's"
expect_line "iommu: interrupt remapping on: a passed-through device's MSIs go through its own table of 2048 entries, all invalid but the host vectors it is given"
expect_regex "^selftest: edu remapping: its MSI with index 0 raised vector 0x3[0-9a-f]: yes, vector 0x3[0-9a-f]: no"
expect_regex "^selftest: edu remapping: its MSI with data 0x3[0-9a-f] \(vector 0x3[0-9a-f] unremapped, IRTE [0-9]+ invalid\) raised it: no"
expect_regex "^selftest: edu detached \(blocked, not remapped\): the same MSI raised vector 0x3[0-9a-f]: yes"
expect_regex "^iommu: interrupts from IOAPIC/HPET 00:14\.0 aborted \(the hypervisor uses none\)"
expect_regex "^selftest: edu DMA write of data 0x3[0-9a-f] into the MSI window \(remapping on\) raised vector 0x3[0-9a-f]: no"
expect_regex "^selftest: iommu_edu_dma +ok"
expect_regex "^selftest: [0-9]+ passed, 0 failed"
expect_no_line "EXCEPTION"

# intremap=off: no IOAPIC in the IVRS, so no remapping, said plainly;
# the DMA tests still run
LOG=$LOGDIR/$TEST-nointremap.serial
boot --qemu "-machine q35 -device amd-iommu,intremap=off -device edu,dma_mask=0xffffffff" -- selftest
expect_status 0
expect_line "iommu: interrupt remapping off (the IVRS lists no IOAPIC; QEMU: amd-iommu without intremap=on): a passed-through device can raise any host interrupt vector by DMA to 0xfeexxxxx"
expect_line "selftest: interrupt remapping off: edu remapping test not run"
expect_regex "^selftest: edu DMA write of data 0x3[0-9a-f] into the MSI window \(remapping off\) raised vector 0x3[0-9a-f]: yes"
expect_regex "^selftest: iommu_edu_dma +ok"
expect_regex "^selftest: [0-9]+ passed, 0 failed"

# No IOMMU (the default i440fx machine): said once, and a VM still runs.
LOG=$LOGDIR/$TEST-none.serial
boot --module "build/guests/ok.elf vm=ok mem=8 testexit" --
expect_status 0
expect_line "iommu: none: no IVRS table (no AMD IOMMU, or the firmware has it off); PCI passthrough will be refused"
expect_regex "^pci: [0-9]+ functions on 1 bus, config space through mechanism 1"
expect_line "vm ok: exited, code 0"
finish
