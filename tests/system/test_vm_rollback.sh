#!/usr/bin/env bash
# A VM whose creation fails late (its RAM, nested page table, ASID and vCPU
# are taken, then its kernel is refused) gives everything back: the next VM
# needs most of the same memory and must start and pass. QEMU has 1 GiB, so
# two 640 MiB VMs never fit at once. Overall status FAIL (1): one VM did not
# start.
source "$(dirname "$0")/lib.sh"
boot --module "guests/README.md vm=broken mem=640 testexit" \
     --module "build/guests/ok.elf vm=after mem=640 testexit" --
expect_status 1
expect_line "vm broken: not started: no multiboot header in the first 8 KiB of the kernel"
expect_line "vm after: 640 MiB, 0 module(s), started"
expect_regex "^\[after\] ok: PASS"
expect_line "vm after: exited, code 0"
finish
