#!/usr/bin/env bash
# A guest does odd but legal device accesses (issue 10, "Found 3": wide port
# I/O over byte-wide devices and unclaimed ports, odd widths at the LAPIC and
# IOAPIC, LOCK'ed read-modify-write on MMIO, a qword across two MMIO pages,
# REP INS/OUTS to and from MMIO) and single-steps over CPUID, OUT and an MMIO
# load, beside a well-behaved bystander. Each access must give the
# platform's result and neither VM may be stopped; the odd accesses are
# logged once per device region. HOSTILE_ARGS="parts=MASK" runs a subset
# (guests/tests/hostile_io.c), e.g. against an older build with BULKHEAD_ELF.
source "$(dirname "$0")/lib.sh"
boot --qemu "-icount shift=0,sleep=off" \
     --module "build/guests/hostile_io.elf vm=hostile mem=16 testexit testdev -- ${HOSTILE_ARGS:-}" \
     --module "build/guests/ok.elf vm=ok mem=8 testexit -- sleep_ms=20" --
expect_status 0
expect_line "[hostile] hostile: done"
expect_regex "^\[hostile\] hostile: PASS \([0-9]+ checks\)"
expect_line "vm hostile: exited, code 0"
expect_no_line "vm hostile: stopped"
expect_regex "^vm hostile: pic-master: odd "
expect_regex "^vm hostile: lapic: odd .*refused by the device"
expect_regex "^vm hostile: ioapic: odd .*refused by the device"
[ "$(grep -c '^vm hostile: pic-master: odd ' "$LOG")" = 1 ] && echo "ok: logged once" ||
	fail "pic-master's odd accesses logged more than once"
expect_regex "^vm hostile: odd accesses:.* pic-master [1-9][0-9]*\b"
expect_regex "^vm hostile: odd accesses:.* lapic [1-9][0-9]*\b"
expect_no_line "vm ok: odd accesses:"
expect_regex "^\[ok\] ok: PASS"
expect_line "vm ok: exited, code 0"
finish
