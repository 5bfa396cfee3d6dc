#!/usr/bin/env bash
# Graceful shutdown through the ACPI power button: "shutdown VM" at the
# hypervisor console presses the VM's fixed-feature power button (PM1
# PWRBTN_STS, SCI); Debian's kernel (button driver) reports it, busybox
# acpid runs /etc/acpi/PWRF/00000080, which powers off through init, and the
# kernel enters ACPI S5: the VM is powered off by its guest. The other VM
# keeps running and answers; then its own button ends the run (PASS: both
# VMs powered themselves off).
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
cat > "$LOGDIR/$TEST.steps" <<'STEPS'
# both prompts, in either order
expect (?s)(?=.*^\[a\] ~ # )(?=.*^\[b\] ~ # ) 300
sendraw \x1d0
send echo a-$((6*7)); pidof acpid >/dev/null && echo acpid-runs
expect ^\[a\] a-42$ 30
expect ^\[a\] acpid-runs$ 30
sendraw \x1dc
expect ^bulkhead> 10
send shutdown a
expect ^vm a: power button pressed$ 10
# (these may follow a's prompt on its line: the console is the shell's too)
expect ^\[a\] .*bulkhead-guest: power button pressed, powering off$ 60
expect ^\[a\] .*bulkhead-guest: shutting down$ 60
expect ^vm a: powered off by the guest$ 60
sendraw \x1d
send echo b-$((6*8))
expect ^\[b\] b-48$ 30
sendraw \x1dc
expect ^bulkhead> 10
send list
expect ^  0  a +off .*$ 10
expect ^  1  b +running .*$ 10
send shutdown 1
expect ^vm b: power button pressed$ 10
expect ^vm b: powered off by the guest$ 60
expect ^vm a: state off$ 30
expect ^vm b: state off$ 30
expect ^bulkhead: stopping, status PASS$ 30
exit 0 30
STEPS
cmdline=$(cat build/linux/cmdline)
qemu="scripts/qemu.sh --timeout 300 --mem 2G --module 'build/linux/bzImage vm=a mem=256 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=a' --module 'build/linux/bzImage vm=b mem=256 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=b'"
timeout 350 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$LOGDIR/$TEST.steps" \
	--log "$LOG" --timeout 120 --total 320
[ $? -eq 0 ] || fail "the console session failed (see above)"
# a went down because of the button: nothing was typed at a's shell after
# the check above, and its shutdown follows the press
/usr/bin/python3 - "$LOG" <<'PY' || fail "a's shutdown does not follow the button press"
import sys
t = open(sys.argv[1], errors="replace").read()
press, down = t.index("vm a: power button pressed"), t.index("vm a: powered off by the guest")
sys.exit(0 if press < t.index("bulkhead-guest: power button pressed") < down else 1)
PY
finish
