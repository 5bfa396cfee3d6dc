#!/usr/bin/env bash
# test_linux_shell with the host busy: two CPU hogs run beside QEMU for the
# whole session. Under such load the guest used to mark its TSC unstable
# within two seconds of boot (its only watchdog clock was jiffies) and fall
# back to the PM timer; with the HPET as the watchdog it must keep `tsc`
# and print no "unstable" line. The hogs are this script's children, each
# bounded by timeout(1), and are stopped when it exits.
hogs=()
stop_hogs() {
	kill "${hogs[@]}" 2>/dev/null
	wait "${hogs[@]}" 2>/dev/null
}
trap stop_hogs EXIT
trap 'exit 143' INT TERM
for i in 1 2; do
	timeout 900 sh -c 'while :; do :; done' &
	hogs+=($!)
done
# Same steps and checks; logs under this script's own name (lib.sh).
source "$(dirname "$0")/test_linux_shell.sh"
