#!/usr/bin/env bash
# A plain boot prints one line per subsystem and stops with PASS.
source "$(dirname "$0")/lib.sh"
boot --qemu "-smp 2"
expect_status 0
expect_line "boot: multiboot1, command line"
expect_regex "^memory: [0-9]+ MiB usable in [0-9]+ map entries, [0-9]+ MiB free for VMs"
expect_regex "^paging: own tables at 0x[0-9a-f]+, [0-9]+ table pages, W\^X, 4 guarded stacks per CPU"
expect_regex "^cpu: AuthenticAMD family 0x17 model"
expect_line "cpu: svm yes, npt yes, nrip-save no, decode-assists no"
expect_regex "^cpu: x2apic (yes|no), 1g-pages yes, nx yes"
expect_regex "^acpi: rsdp rev [0-9]+, 2 CPUs in MADT, 1 IOAPIC\(s\), LAPIC at 0xfee00000"
expect_line "modules: 0"
expect_line "virt: AMD SVM with NPT available"
expect_line "bulkhead: boot complete"
expect_line "bulkhead: stopping, status PASS"
finish
