#!/usr/bin/env bash
# The hypervisor console (Ctrl-] c) with two Debian VMs in log mode: its
# list shows each VM's state, vCPUs, memory, uptime and exit rate; a hard
# stop ends one VM at once while the other (the bystander) keeps answering
# at its shell; start boots the stopped VM again from a clean image;
# restart reboots a running one; Ctrl-] leaves the console, Ctrl-] Ctrl-]
# gives the guest one Ctrl-].
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
cat > "$LOGDIR/$TEST.steps" <<'STEPS'
# both prompts, in either order
expect (?s)(?=.*^\[a\] ~ # )(?=.*^\[b\] ~ # ) 300
sendraw \x1dc
expect ^bulkhead: hypervisor console 30
expect ^  #  name +state +vcpus +memory +uptime +exits/s$ 10
expect ^  0  a +running +1 +256 MiB +\d+:\d\d:\d\d +\d+$ 10
expect ^  1  b +running +1 +256 MiB +\d+:\d\d:\d\d +\d+$ 10
expect ^bulkhead> 10
# a hard stop of a; b, the bystander, runs on
send stop a
expect ^vm a: stopped: hard stop from the hypervisor console$ 30
# over a second after the first list: this one measures exits/s anew
sleep 1.5
send list
expect ^  0  a +stopped +1 +256 MiB +- +\d+$ 10
expect ^  1  b +running +1 +256 MiB +\d+:\d\d:\d\d +\d+$ 10
# Ctrl-] leaves the console; input goes to b, the only VM running
sendraw \x1d
send echo b-$((6*7))
expect ^\[b\] b-42$ 30
# Ctrl-] Ctrl-] types one Ctrl-] (0x1d) into the guest
send od -An -tx1 -N3
sleep 1
sendraw A\x1d\x1dB
send
expect ^\[b\]  41 1d 42$ 30
sleep 1
# exits/s is over the time since the previous list: a stopped VM has none
sendraw \x1dc
expect ^  0  a +stopped +1 +256 MiB +- +0$ 10
expect ^  1  b +running +1 +256 MiB +\d+:\d\d:\d\d +[1-9]\d*$ 10
expect ^bulkhead> 10
# start a: it boots again from its image
send start 0
expect ^vm a: started from the hypervisor console$ 30
expect ^\[a\] bulkhead-guest: userspace up$ 120
expect ^\[a\] ~ # 120
# restart b while it runs: it boots again, a keeps running
send restart b
expect ^vm b: restarted from the hypervisor console$ 30
expect ^\[b\] bulkhead-guest: userspace up$ 120
expect ^\[b\] ~ # 120
send focus 0
expect ^console: input goes to vm a$ 30
send echo a-$((6*8))
expect ^\[a\] a-48$ 30
sendraw \x1dc
expect ^bulkhead> 10
send list
expect ^  0  a +running +1 +256 MiB +\d+:\d\d:\d\d +\d+$ 10
expect ^  1  b +running +1 +256 MiB +\d+:\d\d:\d\d +\d+$ 10
send stop 0
expect ^vm a: stopped: hard stop from the hypervisor console$ 30
send stop 1
expect ^vm b: stopped: hard stop from the hypervisor console$ 30
expect ^vm a: state stopped, reason: hard stop from the hypervisor console, 1 reset\(s\)$ 30
expect ^vm b: state stopped, reason: hard stop from the hypervisor console, 1 reset\(s\)$ 30
exit 1 30
STEPS
cmdline=$(cat build/linux/cmdline)
qemu="scripts/qemu.sh --timeout 400 --mem 2G --module 'build/linux/bzImage vm=a mem=256 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=a' --module 'build/linux/bzImage vm=b mem=256 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=b'"
timeout 450 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$LOGDIR/$TEST.steps" \
	--log "$LOG" --timeout 120 --total 420
[ $? -eq 0 ] || fail "the console session failed (see above)"
# b answered while a was stopped: between a's stop and a's start
/usr/bin/python3 - "$LOG" <<'PY' || fail "b did not answer while a was stopped"
import sys
t = open(sys.argv[1], errors="replace").read()
stop, start = t.index("vm a: stopped: hard stop"), t.index("vm a: started from")
sys.exit(0 if stop < t.index("[b] b-42") < start else 1)
PY
finish
