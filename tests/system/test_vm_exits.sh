#!/usr/bin/env bash
# One VM runs guests/tests/exits.c: the platform it finds (memory map, zeroed
# RAM, a vmmod module, LSR, APIC registers), port I/O (latch, FIFO string
# I/O, an unclaimed port), CPUID, MSRs (#GP for unknown ones), VMMCALL (AMD), HLT
# with the APIC timer, then the APIC in x2APIC mode (MSRs, timers, IPIs). The guest checks everything itself and exits 0 only if
# all checks passed. It runs under -icount (guest time = instructions): the
# periodic-timer check counts one interrupt per HLT wake, which wall-clock
# time on a loaded host cannot promise (a slow host lets a second period
# pass while the handler runs, as a slow handler would on hardware).
source "$(dirname "$0")/lib.sh"
MOD=build/guests/ok.elf
size=$(stat -c %s "$MOD")
boot --module "build/guests/exits.elf vm=exits mem=16 testexit testdev -- mem_mib=16 module=hello-module module_size=$size" \
     --module "$MOD vmmod=exits hello-module" --qemu "-icount shift=0,sleep=off" --
expect_status 0
expect_line "[exits] exits: start, command line \"mem_mib=16 module=hello-module module_size=$size\""
expect_regex "^\[exits\] exits: module 0x[0-9a-f]+-0x[0-9a-f]+ \"hello-module\""
expect_line "[exits] exits: cpuid 0x40000000: max 0x40000001 signature \"BulkheadHV\""
expect_line "[exits] exits: x2apic: MSR interface, timers and self-IPIs checked"
expect_line "[exits] exits: hypercall by vmmcall checked"
expect_regex "^\[exits\] exits: PASS \([0-9]+ checks\)"
expect_no_line "[exits] exits: FAIL"
expect_line "vm exits: exited, code 0"
expect_regex "^vms: 1"
finish
