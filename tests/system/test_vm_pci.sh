#!/usr/bin/env bash
# A hostile PCI driver (guests/tests/pci.c) beside a well-behaved
# bystander: it scans bus 0 through 0xcf8/0xcfc and ECAM, sizes and moves
# the BARs of pci-testdev, receives the MSI-X vector it rings for, then
# writes garbage over configuration space, the MSI-X table and the PCI
# windows, and must find everything intact and working again. Neither VM
# is stopped; both end with PASS.
source "$(dirname "$0")/lib.sh"
boot --module "build/guests/pci.elf vm=pci mem=16 testexit testdev" \
     --module "build/guests/ok.elf vm=ok mem=8 testexit -- sleep_ms=20" --
expect_status 0
expect_regex "^\[pci\] bus 0: functions at slots 0x80000001\b"
expect_line "[pci] garbage done"
expect_regex "^\[pci\] pci: PASS \([0-9]+ checks\)"
expect_line "vm pci: exited, code 0"
expect_no_line "vm pci: stopped"
expect_regex "^\[ok\] ok: PASS"
expect_line "vm ok: exited, code 0"
finish
