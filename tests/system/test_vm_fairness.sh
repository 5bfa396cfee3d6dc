#!/usr/bin/env bash
# Two CPU-bound VMs on one physical CPU, under icount (deterministic virtual
# time: 1 instruction = 1 ns = 1 TSC tick). Each counts loop iterations until
# its TSC passes 1e9; a fair scheduler gives both about the same count. The
# counts must be within a factor 1.25 of each other, and each VM must have
# been descheduled (TSC gaps) several times, i.e. they really interleaved.
# Measured: about 2.5 s of wall time on the reference 2-core machine.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-90}
source "$(dirname "$0")/lib.sh"
DEADLINE=1000000000
boot --qemu "-icount shift=0,sleep=off" \
     --module "build/guests/busy.elf vm=busy1 mem=8 testexit -- deadline=$DEADLINE" \
     --module "build/guests/busy.elf vm=busy2 mem=8 testexit -- deadline=$DEADLINE" --
expect_status 0
expect_line "vm busy1: exited, code 0"
expect_line "vm busy2: exited, code 0"
n1=$(sed -n 's/^\[busy1\] progress \([0-9]*\)\r*$/\1/p' "$LOG" | head -1)
n2=$(sed -n 's/^\[busy2\] progress \([0-9]*\)\r*$/\1/p' "$LOG" | head -1)
g1=$(sed -n 's/^\[busy1\] busy: progress [0-9]*, descheduled \([0-9]*\) times.*/\1/p' "$LOG" | head -1)
g2=$(sed -n 's/^\[busy2\] busy: progress [0-9]*, descheduled \([0-9]*\) times.*/\1/p' "$LOG" | head -1)
if [ -z "$n1" ] || [ -z "$n2" ] || [ -z "$g1" ] || [ -z "$g2" ]; then
	fail "missing progress lines (busy1 '$n1'/'$g1', busy2 '$n2'/'$g2')"
else
	lo=$(( n1 < n2 ? n1 : n2 )); hi=$(( n1 < n2 ? n2 : n1 ))
	# hi / lo <= 1.25, in integers
	if [ "$lo" -gt 0 ] && [ $(( hi * 100 )) -le $(( lo * 125 )) ]; then
		echo "ok: progress $n1 vs $n2 (ratio $(( hi * 1000 / lo ))/1000 <= 1.25)"
	else
		fail "unfair: progress $n1 vs $n2 (want within a factor 1.25)"
	fi
	if [ "$g1" -ge 3 ] && [ "$g2" -ge 3 ]; then
		echo "ok: both interleaved (descheduled $g1 and $g2 times)"
	else
		fail "VMs did not interleave (descheduled $g1 and $g2 times, want >= 3 each)"
	fi
fi
finish
