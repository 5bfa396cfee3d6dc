#!/usr/bin/env bash
# A VM whose disk the service VM serves, while the service VM is not
# running (docs/disks.md, "A VM waits for its disks"): the service VM here
# is a small guest with no daemon that ends at once, so the disk is never
# served. The waiting VM does not start, is not stopped (the operator may
# start the service VM again), and says what it waits on: its log line and
# the console's list name the stopped service VM; starting the service VM
# again from the console makes it say so again; the operator's stop ends
# the run. A bystander VM without such a disk runs to its end meanwhile.
source "$(dirname "$0")/lib.sh"
make --no-print-directory build/bulkhead.elf build/guests/ok.elf > "$LOGDIR/$TEST.build" 2>&1 ||
	{ cat "$LOGDIR/$TEST.build"; fail "building"; finish; }
DIR=$LOGDIR/svc_stopped
rm -rf "$DIR"; mkdir -p "$DIR"
cat > "$DIR/vms.conf" <<'CONF'
[vm svc]
role    = service
memory  = 8 MiB
kernel  = ok.elf
devices = serial, testexit

[vm work]
role    = work
memory  = 8 MiB
kernel  = ok.elf
devices = serial, testexit
disks   = svc:work-root:1MiB

[vm bystander]
role    = personal
memory  = 8 MiB
kernel  = ok.elf
cmdline = "sleep_ms=500"
devices = serial, testexit
CONF
still='^vm work: still waits for its disks: service VM svc stopped before serving them \(the console.s .start svc. starts it again\)$'
cat > "$LOGDIR/$TEST.steps" <<STEPS
expect ^vm work: waits for its disks from the service VM before it starts$ 60
# the service VM's end and the bystander's, in either order
expect (?s)(?=.*$still)(?=.*^\[bystander\] ok: done)(?=.*^vm bystander: exited, code 0$) 60
sendraw \x1dc
expect ^bulkhead> 10
send list
expect ^  1  work +running .*WAITING \(for its disks from the service VM, which is not running \(start it from the console\)\)$ 10
send start svc
expect ^vm svc: started from the hypervisor console$ 30
expect $still 60
send stop work
expect ^vm work: stopped: hard stop from the hypervisor console$ 30
exit 1 30
STEPS
qemu="scripts/qemu.sh --timeout 200 --module build/guests/ok.elf --module '$DIR/vms.conf name=vms.conf'"
timeout 260 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$LOGDIR/$TEST.steps" \
	--log "$LOG" --timeout 60 --total 240
[ $? -eq 0 ] || fail "the console session failed (see above)"
expect_no_line "vm work: starts"
grep -q '^\[work\] ok:' "$LOG" && fail "the waiting VM's guest ran (it printed)"
n=$(grep -cE "$still" "$LOG")
[ "$n" -eq 2 ] && echo "ok: the still-waits line at each of the service VM's two ends" ||
	fail "the still-waits line $n times, want 2"
finish
