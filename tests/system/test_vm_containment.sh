#!/usr/bin/env bash
# Three VMs: one triple faults, the two bystanders must run to completion.
# The faulting VM is stopped with a triple-fault (shutdown) reason and does
# not take the hypervisor or its neighbours down. Overall status FAIL (1):
# one VM did not exit with code 0.
source "$(dirname "$0")/lib.sh"
boot --qemu "-icount shift=0,sleep=off" \
     --module "build/guests/ok.elf vm=ok1 mem=8 testexit -- sleep_ms=50" \
     --module "build/guests/triple_fault.elf vm=crash mem=8 testexit" \
     --module "build/guests/ok.elf vm=ok2 mem=8 testexit -- sleep_ms=50" --
expect_status 1
expect_line "[crash] triple-fault: loading an empty IDT, then int3"
expect_no_line "[crash] triple-fault: still running after int3"
if grep -qiE "^vm crash: stopped: .*(triple fault|shutdown)" "$LOG"; then
	echo "ok: crash stopped with a triple-fault reason"
else
	fail "no 'vm crash: stopped: ...triple fault/shutdown' line"
fi
expect_no_line "vm crash: exited"
for vm in ok1 ok2; do
	expect_regex "^\[$vm\] ok: done, hash 0x[0-9a-f]+"
	expect_regex "^\[$vm\] ok: PASS"
	expect_line "vm $vm: exited, code 0"
done
# the bystanders were still running when their neighbour crashed
crash_at=$(grep -n "^vm crash: stopped" "$LOG" | cut -d: -f1 | head -1)
for vm in ok1 ok2; do
	done_at=$(grep -n "^\[$vm\] ok: done" "$LOG" | cut -d: -f1 | head -1)
	if [ -n "$crash_at" ] && [ -n "$done_at" ] && [ "$crash_at" -lt "$done_at" ]; then
		echo "ok: $vm finished after the crash"
	else
		fail "$vm did not outlive the crash (lines $crash_at, $done_at)"
	fi
done
expect_line "bulkhead: stopping, status FAIL"
finish
