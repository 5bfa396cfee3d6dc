#!/usr/bin/env bash
# A 2-vCPU guest floods the APIC bus (INIT/SIPI storms at its other vCPU,
# IPIs to APIC IDs that do not exist, NMIs to every vCPU) beside a
# well-behaved bystander, on 2 CPUs: both VMs finish with code 0, nothing is
# stopped, the hypervisor stays up.
source "$(dirname "$0")/lib.sh"
boot --qemu "-smp 2" \
     --module "build/guests/ipi_storm.elf vm=storm vcpus=2 testexit" \
     --module "build/guests/ok.elf vm=bystander testexit -- sleep_ms=200" --
expect_status 0
expect_regex "^\[storm\] ipi_storm: 2000 rounds in [0-9]+ M TSC ticks; [1-9][0-9]* fixed IPIs and [1-9][0-9]* NMIs reached it"
expect_line "vm storm: exited, code 0"
expect_line "vm bystander: exited, code 0"
expect_no_line "stopped:"
expect_no_line "EXCEPTION"
finish
