#!/usr/bin/env bash
# `make run` without a terminal, as a script would use it: it builds, boots
# the Debian VM, and a person (here, the console driver) can type at its
# shell; `poweroff` ends the run with PASS. `--bare` boots the hypervisor
# alone, shows the boot report and stops.
source "$(dirname "$0")/lib.sh"
out=build/tests/system/make_run.out
timeout 300 make --no-print-directory run RUN_ARGS="--bare --timeout 60" < /dev/null > "$out" 2>&1
STATUS=$?
cp "$out" "$LOG"
expect_status 0
expect_line "Bulkhead hypervisor, booting"
expect_regex "^cpu: AuthenticAMD"
expect_line "virt: AMD SVM with NPT available"
expect_line "bulkhead: stopping, status PASS"

cat > "$LOGDIR/$TEST.steps" <<'STEPS'
expect ^\[linux\] bulkhead-guest: userspace up$ 300
expect Enter 'help' for a list 120
expect ~ # 30
send uname -r
expect ^\[linux\] 6\.1\.\S+-amd64$ 60
send poweroff
expect ^vm linux: powered off by the guest$ 120
expect ^bulkhead: stopping, status PASS$ 30
STEPS
timeout 600 /usr/bin/python3 tests/lib/console.py --cmd "make --no-print-directory run RUN_ARGS='--timeout 500'" \
	--script "$LOGDIR/$TEST.steps" --log "$LOGDIR/$TEST.linux.log" --timeout 120 --total 560
[ $? -eq 0 ] || fail "typing at the Linux shell of make run failed"
finish
