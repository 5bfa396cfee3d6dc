#!/usr/bin/env bash
# An AP that comes up after the boot CPU gave up on it halts and takes no
# part (hv/arch/x86/smp.c): with ap_wait_ms=0 the boot CPU gives the AP up
# before its SIPI, so it always arrives late. The boot goes on with one CPU,
# a 2-vCPU guest flooding its APIC bus and a bystander both finish with
# code 0, and the 2-vCPU VM never has both vCPUs on CPUs at once (a late AP
# that joined would run the second).
source "$(dirname "$0")/lib.sh"
boot --qemu "-smp 2" \
     --module "build/guests/ipi_storm.elf vm=storm vcpus=2 testexit" \
     --module "build/guests/ok.elf vm=bystander testexit -- sleep_ms=200" -- ap_wait_ms=0
expect_status 0
expect_line "smp: CPU with APIC ID 1 did not start within 0 ms; it and the CPUs after it are left off"
expect_line "smp: 1 CPU(s) online"
expect_line "smp: 1 CPU(s) came up after the boot CPU gave up on them and halted"
expect_line "vm storm: exited, code 0"
expect_line "vm bystander: exited, code 0"
expect_regex "^vm storm: 2 vCPUs, at most 1 of them on CPUs at once"
expect_no_line "stopped:"
expect_no_line "EXCEPTION"
finish
