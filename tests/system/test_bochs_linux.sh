#!/usr/bin/env bash
# Debian's unmodified kernel on the VMX backend: Bochs (tests/system/bochs.sh)
# boots bulkhead.elf with the Linux guest of test_linux_shell (256 MiB here,
# Bochs has 512 MiB) to its busybox shell prompt: the kernel comes up, the
# initramfs loads every virtio module, userspace starts, and the VM is still
# running. Bochs' serial port is output only here, so the shell is not
# driven. The run ends at the prompt or at the bound (BOCHS_TIMEOUT, 480 s);
# it took about 150 s on this machine with another Bochs run beside it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bochs.sh"
command -v bochs >/dev/null || { fail "bochs not installed (scripts/deps.d/bochs.list)"; finish; }
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 ||
	{ cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
cmdline=$(cat build/linux/cmdline)
BOCHS_UNTIL="^\[linux\] Enter 'help' for a list of built-in commands" \
	bochs_boot build/tests/system/bochs_linux "$LOG" "${BOCHS_TIMEOUT:-480}" \
	"build/linux/bzImage vm=linux mem=256 -- $cmdline" \
	"build/linux/initramfs.cpio.gz vmmod=linux"
[ $? -eq 0 ] || fail "no shell prompt within the bound"
expect_line "virt: Intel VMX with EPT and unrestricted guest available, backend vmx"
expect_regex "^\[linux\] \[ *[0-9.]+\] Linux version $(cat build/linux/kernel-version) "
expect_line "[linux] bulkhead-guest: userspace up"
expect_regex "^\[linux\] bulkhead-guest: kernel $(cat build/linux/kernel-version), modules loaded ([0-9]+)/\1"
expect_regex "^\[linux\] BusyBox v[0-9.]+ .* built-in shell \(ash\)"
expect_no_line "early exception"
expect_no_line "Kernel panic"
expect_no_line "vm linux: stopped"
expect_no_line "PANIC"
expect_line "isolation: 1 VM(s): nested tables map only each VM's own RAM (at start, 0 MiB mapped)"
finish
