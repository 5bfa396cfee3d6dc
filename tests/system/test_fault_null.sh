#!/usr/bin/env bash
# A NULL dereference inside the hypervisor gives the exception report
# (vector, error code, registers, backtrace) and a FAIL exit status.
source "$(dirname "$0")/lib.sh"
boot -- selftest=fault-null
expect_status 1
expect_line "bulkhead: EXCEPTION 14 (#PF page fault), error code 0"
expect_regex "cr2 0000000000000000"
expect_regex "^  rax [0-9a-f]{16}  rbx [0-9a-f]{16}  rcx [0-9a-f]{16}"
expect_line "bulkhead: stopping, status FAIL"
# The backtrace must name the faulting function and its caller.
addrs=$(sed -n 's/^  backtrace: //p' "$LOG" | tr -d '\r')
[ -n "$addrs" ] || fail "no backtrace line"
funcs=$(addr2line -f -e build/bulkhead.elf $addrs | awk 'NR % 2 == 1' | tr '\n' ' ')
echo "backtrace functions: $funcs"
case "$funcs" in *selftest_fault*hv_main*) echo "ok: backtrace" ;; *) fail "backtrace '$funcs'" ;; esac
finish
