#!/usr/bin/env bash
# On a CPU without SVM (or without NPT) Bulkhead boots and says plainly that
# running VMs is not supported there; it never hangs.
source "$(dirname "$0")/lib.sh"
boot --cpu qemu64,-svm
expect_status 0
expect_line "cpu: svm no, npt no"
expect_line "virt: this CPU has no AMD SVM; running VMs is not supported here yet"
boot --cpu qemu64,+svm,-npt
expect_status 0
expect_line "virt: this CPU has SVM without nested paging (NPT); not supported yet"
finish
