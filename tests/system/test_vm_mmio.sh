#!/usr/bin/env bash
# One VM runs guests/tests/mmio.c: every MMIO instruction form the emulator
# supports, executed on RAM (the oracle) and on the test device's scratch
# page; registers, RFLAGS and memory must agree, and every MMIO run must have
# reached the device (access counter at 0xD0001000).
source "$(dirname "$0")/lib.sh"
boot --module "build/guests/mmio.elf vm=mmio mem=16 testexit testdev" --
expect_status 0
expect_regex "^\[mmio\] mmio: [0-9]+ instruction forms x 8 runs, 0 mismatches, [1-9][0-9]* device accesses"
expect_regex "^\[mmio\] mmio: PASS \([0-9]+ checks\)"
expect_no_line "MISMATCH"
expect_line "vm mmio: exited, code 0"
finish
