#!/usr/bin/env bash
# A stack overflow hits the guard page; the #PF cannot be delivered on the
# dead stack, so the CPU raises #DF, which runs on its own IST stack and is
# reported. Without guard page and IST this would be a silent triple fault.
source "$(dirname "$0")/lib.sh"
boot -- selftest=fault-stack
expect_status 1
expect_line "bulkhead: EXCEPTION 8 (#DF double fault)"
expect_line "bulkhead: stopping, status FAIL"
finish
