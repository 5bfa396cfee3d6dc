#!/usr/bin/env bash
# Debian's unmodified kernel boots in a Bulkhead VM to a busybox shell that
# is driven over the serial console: CPU flags, clock, clocksource (tsc,
# with the HPET available), sleep, interrupts,
# a dmesg free of platform warnings (see docs/linux-dmesg.md), reboot and
# poweroff (a VM that powers itself off ends the run with PASS).
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
out=$LOGDIR/$TEST.out
rm -f "$out"
cmdline=$(cat build/linux/cmdline)
qemu="scripts/qemu.sh --timeout 840 --mem 2G --module 'build/linux/bzImage vm=linux mem=512 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=linux'"
host_before=$(date +%s)
timeout 900 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script tests/linux/shell.steps \
	--strip-prefix "[linux] " --log "$LOG" --out "$out" --timeout 120 --total 860
STATUS=$?
host_after=$(date +%s)
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
guest=$(sed -n "s/.*'guest_epoch \([0-9]*\)'\$/\1/p" "$out" | head -1)
echo "host clock $host_before..$host_after, guest date $guest"
if [ -z "$guest" ] || [ "$guest" -lt $((host_before - 5)) ] || [ "$guest" -gt $((host_after + 5)) ]; then
	fail "guest date $guest is not the host's ($host_before..$host_after)"
fi
# dmesg: every warning-like line must be one docs/linux-dmesg.md explains
sed -n '/^=== run: dmesg$/,/^=== status/p' "$out" > "$LOGDIR/$TEST.dmesg"
tests/linux/dmesg-audit.sh "$LOGDIR/$TEST.dmesg" || fail "dmesg has unexplained warnings"
# the TSC stays Linux's clocksource: its watchdog (the HPET) never objected
grep -iE "unstable|watchdog.*skew" "$LOGDIR/$TEST.dmesg" && fail "a clocksource was marked unstable"
expect_regex "^isolation: vm linux: nested tables map only its own RAM \\(at its stop, [1-9][0-9]* MiB mapped\\)"
finish
