#!/usr/bin/env bash
# Two VMs in one run. A fills its RAM with a secret pattern and sleeps; B
# scans all of its RAM for A's pattern and the hypervisor's banner, then
# reads just past its RAM and must be stopped there. A must find its pattern
# intact and exit 0. Overall status FAIL (1): B does not exit with code 0.
source "$(dirname "$0")/lib.sh"
boot --qemu "-icount shift=0,sleep=off" \
     --module "build/guests/isolation_a.elf vm=A mem=16 testexit -- wait_ms=600" \
     --module "build/guests/isolation_b.elf vm=B mem=16 testexit -- wait_ms=100" --
expect_status 1
expect_regex "^\[A\] isolation: A filled [0-9]+ KiB above"
expect_line "[A] isolation: A's pattern intact"
expect_regex "^\[A\] isolation-a: PASS"
expect_line "vm A: exited, code 0"
expect_line "[B] isolation: scanner self-check done"
expect_line "[B] isolation: scanned 16384 KiB"
expect_line "[B] isolation: scan clean"
expect_no_line "FOUND"
expect_line "[B] isolation: reading 0x1000000, just past RAM"
expect_regex "^vm B: stopped: .*unbacked guest-physical memory at 0x0*1000000"
expect_no_line "[B] isolation: read past RAM returned"
expect_no_line "vm B: exited"
# the nested tables are checked before the run and again for each VM when it
# stops, when RAM has been mapped on first touch: A filled and B scanned all
# of theirs; then each VM's RAM goes back to the pool, scrubbed
expect_line "isolation: 2 VM(s): nested tables map only each VM's own RAM (at start, 0 MiB mapped)"
expect_line "isolation: vm A: nested tables map only its own RAM (at its stop, 16 MiB mapped)"
expect_line "isolation: vm B: nested tables map only its own RAM (at its stop, 16 MiB mapped)"
expect_line "vm A: 16 MiB of RAM scrubbed and returned to the pool"
expect_line "vm B: 16 MiB of RAM scrubbed and returned to the pool"
# B's scan ran while A's pattern was in place (A slept through it)
a_filled=$(grep -n "^\[A\] isolation: A filled" "$LOG" | cut -d: -f1 | head -1)
b_clean=$(grep -n "^\[B\] isolation: scan clean" "$LOG" | cut -d: -f1 | head -1)
a_check=$(grep -n "^\[A\] isolation: A's pattern intact" "$LOG" | cut -d: -f1 | head -1)
if [ -n "$a_filled" ] && [ -n "$b_clean" ] && [ -n "$a_check" ] &&
   [ "$a_filled" -lt "$b_clean" ] && [ "$b_clean" -lt "$a_check" ]; then
	echo "ok: B scanned between A's fill and A's check"
else
	fail "B's scan did not happen while A's pattern was in memory (lines $a_filled $b_clean $a_check)"
fi
finish
