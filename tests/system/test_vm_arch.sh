#!/usr/bin/env bash
# Two VMs run guests/tests/arch.c, one linked at 1 MiB, one at 128 KiB (a
# Multiboot kernel below 1 MiB): WRMSR checks (EFER reserved bits, LMSLE,
# TCE, SVME -> #GP, LMA read-only; PAT and MTRRdefType bad types or reserved
# bits -> #GP; APIC base), MSRs kept as written (MISC_ENABLE, PERF_CTL0-3,
# PERF_CTR0-3), NMI IPIs (xAPIC, x2APIC self shorthand) delivered once and
# never nested, and the ACPI tables with a PM timer that counts. Each guest
# checks everything itself and exits 0 only if all checks passed; neither VM
# may be stopped. Under -icount so that the PM timer and the APIC timer the
# guest compares run on one clock.
source "$(dirname "$0")/lib.sh"
boot --module "build/guests/arch.elf vm=arch mem=16 testexit" \
     --module "build/guests/arch_low.elf vm=arch-low mem=16 testexit" \
     --qemu "-icount shift=0,sleep=off" --
expect_status 0
expect_line "[arch] arch: start, image at 0x100000"
expect_line "[arch-low] arch: start, image at 0x20000"
for vm in arch arch-low; do
	expect_line "[$vm] arch: nmi: 4 delivered, deepest nesting 1"
	expect_regex "^\[$vm\] arch: rsdp at 0xe0000, pm timer at port 0x608"
	expect_regex "^\[$vm\] arch: PASS \([0-9]+ checks\)"
	expect_line "vm $vm: exited, code 0"
done
expect_no_line "stopped:"
expect_regex "^vms: 2"
finish
