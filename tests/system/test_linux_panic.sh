#!/usr/bin/env bash
# A guest kernel panic (echo c > /proc/sysrq-trigger) stops only that VM,
# reported with its name; a bystander VM started with it keeps running and
# exits normally afterwards.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
cat > "$LOGDIR/$TEST.steps" <<'STEPS'
expect ^bulkhead-guest: userspace up$ 300
expect Enter 'help' for a list 120
expect ~ # 30
send echo c > /proc/sysrq-trigger
expect ^vm linux: stopped: guest kernel panic: .*sysrq.*$ 120
expect ^vm bystander: exited, code 0$ 200
expect ^vm linux: state stopped, reason: guest kernel panic 30
expect ^vm bystander: state exited, code 0$ 30
exit 1 30
STEPS
cmdline=$(cat build/linux/cmdline)
qemu="scripts/qemu.sh --timeout 840 --mem 2G --module 'build/linux/bzImage vm=linux mem=512 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=linux' --module 'build/guests/ok.elf vm=bystander testexit -- sleep_ms=120000'"
timeout 900 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$LOGDIR/$TEST.steps" \
	--strip-prefix "[linux] " --log "$LOG" --timeout 120 --total 860
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_line "[bystander] ok: PASS (1 checks)"
finish
