#!/usr/bin/env bash
# `make run` without a terminal, as a script would use it: it builds, boots
# the demo machine (work, personal, scratch: Debian VMs with 2 vCPUs each on
# 2 emulated CPUs), and a person (here, the console driver) can switch
# between the VMs and type at their shells; `poweroff` in each ends the run
# with PASS. `--bare` boots the hypervisor alone, shows the boot report and
# stops. Each stage is one line; compiler commands are not shown.
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
expect ^run: booting Bulkhead in QEMU with the VMs of configs/demo.conf$ 300
expect (?s)(?=.*^\[work\] ~ # )(?=.*^\[personal\] ~ # )(?=.*^\[scratch\] ~ # ) 900
sendraw \x1d1
expect ^console: input goes to vm personal$ 60
send uname -r; nproc
expect ^\[personal\] 6\.1\.\S+-amd64$ 60
expect ^\[personal\] 2$ 60
send poweroff
expect ^vm personal: powered off by the guest$ 120
sendraw \x1d0
expect ^console: input goes to vm work$ 60
send poweroff
expect ^vm work: powered off by the guest$ 120
sendraw \x1d2
expect ^console: input goes to vm scratch$ 60
send poweroff
expect ^vm scratch: powered off by the guest$ 120
expect ^bulkhead: stopping, status PASS$ 60
STEPS
timeout 1000 /usr/bin/python3 tests/lib/console.py --cmd "make --no-print-directory run RUN_ARGS='--timeout 900'" \
	--script "$LOGDIR/$TEST.steps" --log "$LOGDIR/$TEST.linux.log" --timeout 300 --total 960
[ $? -eq 0 ] || fail "typing at the demo's shells under make run failed"
# one line per stage, no compiler command lines
grep -q "^cc \|^gcc \|^clang " "$LOGDIR/$TEST.linux.log" && fail "make run showed compiler commands"
finish
