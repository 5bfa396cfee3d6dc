#!/usr/bin/env bash
# `make run` without a terminal, bounded as a script would run it: it builds,
# boots, shows the boot report and stops with success.
source "$(dirname "$0")/lib.sh"
out=build/tests/system/make_run.out
timeout 300 make --no-print-directory run RUN_ARGS="--timeout 60" < /dev/null > "$out" 2>&1
STATUS=$?
cp "$out" "$LOG"
expect_status 0
expect_line "Bulkhead hypervisor, booting"
expect_regex "^cpu: AuthenticAMD"
expect_line "virt: AMD SVM with NPT available"
expect_line "bulkhead: stopping, status PASS"
finish
