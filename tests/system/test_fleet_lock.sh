#!/usr/bin/env bash
# The service VM's control channel (public/svc_ring.h version 2, docs/fleet.md):
# a service VM, a work VM and a personal VM (Debian's kernel, the test
# initramfs). In the service VM, bulkhead-svcd --hv-status writes the
# fleet check-in's hypervisor JSON: the test reads it through the service
# VM's shell and checks the VMs' names and states as the hypervisor has
# them (and, on the host, that bulkhead-sync checkin's own report check
# takes it). Hostile
# command words (an unknown reason, an unknown command, reserved bits) are
# refused, counted, logged once, and lock nothing: the work VM still
# answers. Then the revoked file (--lock-when) appears in the service VM:
# the hypervisor logs "vm work: locked (device revoked)", the work VM stops
# running (its once-a-second ticks stop, its shell does not answer) while
# the personal VM answers; the hypervisor console lists it LOCKED and
# refuses to start or restart it; a daemon started again sends the lock
# again, and with --lock-lease and the fleet client's lease-expired file
# also the lock for the reason "lease expired" (both taken), and nothing
# changes; a hard stop of the locked VM still works and
# it still cannot be started.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest build/bulkhead.elf > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
conf=$LOGDIR/$TEST.conf
steps=$LOGDIR/$TEST.steps
{
	linux_vm work work 192
	linux_vm personal personal 192
	linux_vm svc service 224
} > "$conf"
svcd='bulkhead-svcd --hv-status /run/hv-status.json --lock-when /var/lib/bulkhead/revoked'
{
	echo "expect (?s)(?=.*^\\[svc\\] ~ # )(?=.*^\\[work\\] ~ # )(?=.*^\\[personal\\] ~ # ) 900"
	# the work VM ticks once a second from now on
	step_focus 1 work
	echo "send (i=0; while :; do i=\$((i+1)); echo tick-\$i; sleep 1; done) &"
	echo "expect tick-2\$ 120"
	step_focus 0 svc
	echo "send mkdir -p /var/lib/bulkhead && ($svcd &) ; sleep 5; echo started-\$((6*7))"
	echo "expect ^\\[svc\\] started-42\$ 120"
	# the status file, as the hypervisor has the VMs (the daemon's first
	# copy: waited for, bounded)
	echo "run for i in \$(seq 30); do [ -s /run/hv-status.json ] && break; sleep 1; done; cat /run/hv-status.json ;; 60"
	echo "check re.search(r'^\\[svc\\] \\{\"hypervisor\": \"bulkhead [^\"]+\", \"vms\": \\[', out, re.M)"
	echo "check re.search(r'\\{\"name\": \"svc\", \"state\": \"running\", \"uptime_s\": \\d+\\}', out)"
	echo "check re.search(r'\\{\"name\": \"work\", \"state\": \"running\", \"uptime_s\": \\d+\\}', out)"
	echo "check re.search(r'\\{\"name\": \"personal\", \"state\": \"running\", \"uptime_s\": \\d+\\}', out)"
	# hostile words: refused, nothing locked
	echo "send bulkhead-svcd --ctl-raw 0x0501"
	echo "expect ^\\[svc\\] bulkhead-svcd: control command 0x501: refused: unknown reason \\(1 refused so far\\)\$ 60"
	echo "send bulkhead-svcd --ctl-raw 0x0107"
	echo "expect ^\\[svc\\] bulkhead-svcd: control command 0x107: refused: unknown command \\(2 refused so far\\)\$ 60"
	echo "send bulkhead-svcd --ctl-raw 0x10101"
	echo "expect ^\\[svc\\] bulkhead-svcd: control command 0x10101: refused: reserved bits set \\(3 refused so far\\)\$ 60"
	echo "sendraw \\x1dc"
	echo "expect ^bulkhead> 30"
	echo "send list"
	echo "expect ^  \\d +work +running +1 +192 MiB +\\d+:\\d\\d:\\d\\d +\\d+\$ 30"
	echo "send quit"
	step_focus 1 work
	echo "send echo work-\$((6*7))"
	echo "expect ^\\[work\\] work-42\$ 60"
	# revoked: the lock
	step_focus 0 svc
	echo "send echo '{\"revoked_seen\": \"now\"}' > /var/lib/bulkhead/revoked"
	echo "expect ^vm work: locked \\(device revoked\\)\$ 60"
	echo "expect ^\\[svc\\] bulkhead-svcd: /var/lib/bulkhead/revoked exists: lock the managed VMs \\(device revoked\\): ok\$ 60"
	echo "send echo locked-mark-\$((6*7))"
	echo "expect ^\\[svc\\] locked-mark-42\$ 60"
	# the work VM: no answer (what is typed into a locked VM is dropped)
	step_focus 1 work
	echo "send echo work-after-lock-\$((6*7))"
	echo "sleep 15"
	step_focus 2 personal
	echo "send echo personal-\$((6*7))"
	echo "expect ^\\[personal\\] personal-42\$ 60"
	# the hypervisor console: LOCKED, no start, no restart
	echo "sendraw \\x1dc"
	echo "expect ^bulkhead> 30"
	echo "send list"
	echo "expect ^  \\d +work +running +1 .*  LOCKED \\(device revoked\\)\$ 30"
	echo "expect ^  \\d +personal +running +1 .* +\\d+\$ 30"
	echo "send start work"
	echo "expect ^vm work is locked \\(device revoked\\): it cannot be started until the hypervisor boots again\$ 30"
	echo "send restart work"
	echo "expect ^vm work is locked \\(device revoked\\): it cannot be started until the hypervisor boots again\$ 30"
	echo "send quit"
	# the daemon started again sends the lock again, and with the fleet
	# client's lease-expired file (bulkhead-sync lease) also the lock for
	# the reason "lease expired": both are taken, nothing changes
	step_focus 0 svc
	echo "send echo 'work 2026-01-02T03:04:05Z' > /var/lib/bulkhead/lease-expired"
	echo "send killall bulkhead-svcd; sleep 1; ($svcd --lock-lease /var/lib/bulkhead/lease-expired &) ; sleep 5; echo restarted-\$((6*7))"
	echo "expect (?s)(?=.*^\\[svc\\] bulkhead-svcd: /var/lib/bulkhead/revoked exists: lock the managed VMs \\(device revoked\\): ok\$)(?=.*^\\[svc\\] bulkhead-svcd: /var/lib/bulkhead/lease-expired exists: lock the managed VMs \\(lease expired\\): ok\$)(?=.*^\\[svc\\] restarted-42\$) 120"
	echo "run cat /run/hv-status.json ;; 60"
	echo "check re.search(r'\\{\"name\": \"work\", \"state\": \"running\", \"uptime_s\": \\d+, \"locked\": true\\}', out)"
	echo "check re.search(r'\\{\"name\": \"personal\", \"state\": \"running\", \"uptime_s\": \\d+\\}', out)"
	# a hard stop of the locked VM works; it still cannot be started
	echo "sendraw \\x1dc"
	echo "expect ^bulkhead> 30"
	echo "send stop work"
	echo "expect ^vm work: stopped: hard stop from the hypervisor console\$ 30"
	echo "send start work"
	echo "expect ^vm work is locked \\(device revoked\\): it cannot be started until the hypervisor boots again\$ 30"
	echo "send list"
	echo "expect ^  \\d +work +stopped +1 .*  LOCKED \\(device revoked\\)\$ 30"
	echo "send quit"
	step_focus 0 svc
	# the daemon rewrites the file every 2 s: wait (bounded) for a copy
	# written after the stop
	echo "run for i in \$(seq 30); do grep -q '\"work\", \"state\": \"stopped\"' /run/hv-status.json && break; sleep 1; done; cat /run/hv-status.json ;; 60"
	echo "check re.search(r'\\{\"name\": \"work\", \"state\": \"stopped\", \"uptime_s\": 0, \"locked\": true\\}', out)"
	step_focus 2 personal
	echo "send poweroff"
	echo "expect ^vm personal: powered off by the guest\$ 300"
	step_focus 0 svc
	echo "send poweroff"
	echo "expect ^vm svc: powered off by the guest\$ 300"
	echo "exit - 60"
} > "$steps"
out=$LOGDIR/$TEST.out
rm -f "$out"
mods="--module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf'"
qemu="scripts/qemu.sh --timeout 1700 --mem 1G --qemu '-smp 2' $mods"
timeout 1800 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$steps" \
	--log "$LOG" --out "$out" --timeout 300 --total 1750
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_line "vm work: locked (device revoked)"
[ "$(grep -c '^vm work: locked' "$LOG")" -eq 1 ] && echo "ok: locked once" || fail "the lock is logged other than once"
expect_regex "service ring: control command 0x501 refused \\(unknown reason\\); further refusals are only counted"
expect_no_line "control command 0x107 refused"
expect_no_line "vm personal: locked"
expect_no_line "vm svc: locked"
expect_no_line "[work] work-after-lock-42"
# After the lock line, at most one tick of the work VM (a line whose last
# byte was already trapped when the lock came) and none after that.
before=$(sed -n '1,/^vm work: locked (device revoked)$/p' "$LOG" | grep -c '^\[work\] .*tick-')
[ "$before" -ge 2 ] && echo "ok: $before ticks of the work VM before its lock" || fail "the work VM did not tick before its lock ($before)"
ticks=$(sed -n '/^vm work: locked (device revoked)$/,$p' "$LOG" | grep -c '^\[work\] .*tick-')
[ "$ticks" -le 1 ] && echo "ok: $ticks tick(s) of the work VM after its lock" || fail "the locked work VM ticked $ticks times"
# The status file is the check-in's --hv-status JSON: the real client,
# bulkhead-sync checkin, checks its report as the service will before it
# sends it (fleet/checkin/report.c). A throwaway device (a fresh ed25519
# key, no service reachable): the good file (the last copy: the work VM
# stopped and locked) gets as far as the connection, the same file with a
# bad state is refused on the device.
json=$(sed -n 's/^\[svc\] \({"hypervisor".*\)$/\1/p' "$out" | tail -1)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -m 700 "$T/dev"
echo "$json" >"$T/hv.json"
jq -c '.vms[1].state = "locked"' "$T/hv.json" >"$T/hv-bad.json"
if make --no-print-directory build/fleet/bulkhead-sync >"$T/make.log" 2>&1 &&
	openssl genpkey -algorithm ed25519 -outform DER -out "$T/k.der" 2>/dev/null; then
	seed=$(tail -c 32 "$T/k.der" | xxd -p -c 64)
	pub=$(openssl pkey -inform DER -in "$T/k.der" -pubout -outform DER | tail -c 32 | xxd -p -c 64)
	(umask 077; printf '{"device": 1, "seq": 0, "public": "%s", "secret": "%s%s", "service_key": "%s"}\n' \
		"$pub" "$seed" "$pub" "$pub" >"$T/dev/device.json")
	good=$(timeout 30 build/fleet/bulkhead-sync checkin --dir "$T/dev" --checkin http://127.0.0.1:9 --hv-status "$T/hv.json" 2>&1)
	bad=$(timeout 30 build/fleet/bulkhead-sync checkin --dir "$T/dev" --checkin http://127.0.0.1:9 --hv-status "$T/hv-bad.json" 2>&1)
	echo "  good file: $good"
	echo "  bad file:  $bad"
	grep -q "127.0.0.1:9/v1/checkin" <<<"$good" && ! grep -q "in --hv-status" <<<"$good" &&
		grep -q "vms\[1\] must be .* (in --hv-status" <<<"$bad" &&
		grep -q '"name": "svc".*"name": "work", "state": "stopped", "uptime_s": 0, "locked": true}.*"name": "personal"' "$T/hv.json" &&
		echo "ok: the status file passes bulkhead-sync checkin's report check: $json" ||
		fail "the status file is not the check-in's JSON: $json"
else
	cat "$T/make.log"
	fail "bulkhead-sync or openssl's ed25519 unavailable: the status file not checked"
fi
finish
