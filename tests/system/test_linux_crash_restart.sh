#!/usr/bin/env bash
# on_crash = restart: a kernel panic in the work VM (echo c > sysrq-trigger)
# restarts that VM from its pristine kernel and initrd, which boots to its
# shell again; a bystander VM started with it keeps running and exits
# normally; the work VM then powers off and the run ends.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
conf=$LOGDIR/$TEST.conf
cat > "$conf" <<EOF2
[vm work]
role      = work
memory    = 384 MiB
vcpus     = 2
kernel    = bzImage
initrd    = initramfs.cpio.gz
cmdline   = "$(cat build/linux/cmdline)"
devices   = serial
on_crash  = restart

[vm bystander]
role      = personal
memory    = 8 MiB
kernel    = ok.elf
cmdline   = "sleep_ms=40000"
devices   = serial, testexit
EOF2
cat > "$LOGDIR/$TEST.steps" <<'STEPS'
expect ^\[work\] bulkhead-guest: userspace up$ 600
expect ^\[work\] ~ # 120
send echo c > /proc/sysrq-trigger
expect ^vm work: crashed: guest kernel panic.*; restarting \(on_crash restart\)$ 120
expect ^vm work: after a crash, restarting$ 60
expect ^\[work\] bulkhead-guest: userspace up$ 600
expect ^\[work\] ~ # 120
send poweroff
expect ^vm work: powered off by the guest$ 300
exit 0 300
STEPS
qemu="scripts/qemu.sh --timeout 1500 --mem 2G --qemu '-smp 2' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module build/guests/ok.elf --module '$conf name=vms.conf'"
timeout 1600 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$LOGDIR/$TEST.steps" \
	--log "$LOG" --timeout 300 --total 1550
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_no_line "vm work: stopped"
expect_no_line "vm work: reset by the guest" # a crash is not logged as a reset
expect_line "vm bystander: exited, code 0"
expect_line "vm bystander: state exited, code 0"
expect_regex "^vm work: state off, 1 reset\\(s\\)"
finish
