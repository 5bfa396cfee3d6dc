#!/usr/bin/env bash
# The in-hypervisor self-tests (allocator, page tables, printf, W^X, #UD
# caught) all pass and end the run with PASS.
source "$(dirname "$0")/lib.sh"
boot -- selftest
expect_status 0
for t in printf page_alloc pagetable_build hv_wx_layout wx_enforced exception_ud xstate_refused_area; do
	expect_regex "^selftest: $t +ok"
done
expect_regex "^selftest: [0-9]+ passed, 0 failed"
expect_no_line "EXCEPTION"
finish
