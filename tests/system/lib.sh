# Shared helpers for system tests: boot Bulkhead in QEMU (bounded), keep the
# serial log under build/tests/system/, and assert on it. Source this file.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
LOGDIR=build/tests/system
mkdir -p "$LOGDIR"
TEST=$(basename "$0" .sh)
LOG=$LOGDIR/$TEST.serial
# QEMU's log of CPU resets (scripts/qemu.sh): a run that ends with status 0,
# not through the exit port, shows the CPU state of its last reset
export BULKHEAD_QEMU_LOG=${BULKHEAD_QEMU_LOG:-$LOGDIR/$TEST.qemu.log}
# Single-threaded TCG: QEMU runs the emulated CPUs in turn on one host
# thread. With multi-threaded TCG, QEMU 7.2's emulated PC triple-faults now
# and then while SMP Linux VMs run (twice in one fresh-clone suite run):
# right after a #VMEXIT, QEMU's walk of the hypervisor's own page
# tables finds "not present" (-d int: a #PF with error code 0x10 on the
# fetch of the instruction after VMRUN, then on the IDT), although those
# tables are intact before and after (QEMU's debug walk translates the same
# addresses, and the hypervisor never writes them after boot). Nothing of
# that is reachable by a guest; docs/architecture.md, "Testing under TCG".
# BULKHEAD_TCG=tcg runs the tests multi-threaded again.
export BULKHEAD_TCG=${BULKHEAD_TCG:-tcg,thread=single}
failures=0

# boot [qemu.sh options] [-- cmdline]: sets STATUS (0 PASS, 1 FAIL, 124 timeout, 2 other)
boot() {
	scripts/qemu.sh --timeout "${BOOT_TIMEOUT:-60}" --log "$LOG" "$@" >/dev/null
	STATUS=$?
	echo "boot: status $STATUS (log $LOG)"
}

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

expect_status() {
	[ "$STATUS" -eq "$1" ] || fail "exit status $STATUS, want $1"
}

expect_line() { # fixed string somewhere in the log
	grep -qF -- "$1" "$LOG" && echo "ok: '$1'" || fail "log lacks '$1'"
}

# linux_vm NAME ROLE MIB [EXTRA-CMDLINE...]: a configuration section for a VM
# running the reference Linux guest (build/linux: Debian's kernel and the
# test initramfs, or the one LINUX_VM_INITRD names), its command line
# build/linux/cmdline plus no_timer_check and the EXTRA-CMDLINE words. More
# keys may follow it.
linux_vm() {
	printf '[vm %s]\nrole   = %s\nmemory = %s MiB\nkernel = bzImage\ninitrd = %s\n' "$1" "$2" "$3" \
		"${LINUX_VM_INITRD:-initramfs.cpio.gz}"
	local extra="${*:4}"
	printf 'cmdline = "%s no_timer_check%s"\n' "$(cat build/linux/cmdline)" "${extra:+ $extra}"
}

# start_http DIR: a python3 http.server for DIR on the host's loopback at a
# port the kernel picks (10.0.2.2:PORT from a guest behind QEMU's slirp);
# sets port (empty if it did not start) and stops the server at exit. Its
# log (the requests) is DIR.log.
start_http() {
	/usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$1" > "$1.log" 2>&1 &
	http_pid=$!
	trap 'kill $http_pid 2>/dev/null' EXIT
	port=
	for _ in $(seq 1 100); do
		port=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\) .*/\1/p' "$1.log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || cat "$1.log"
}

# step_focus INDEX NAME: console.py steps that give the keyboard to VM
# INDEX (Ctrl-] INDEX, in the order the VMs started: a service VM first)
# and wait for the hypervisor to say so.
step_focus() {
	echo "sendraw \\x1d$1"
	echo "expect ^console: input goes to vm $2\$ 60"
}

expect_regex() {
	grep -qE -- "$1" "$LOG" && echo "ok: /$1/" || fail "log lacks /$1/"
}

expect_no_line() {
	! grep -qF -- "$1" "$LOG" && echo "ok: no '$1'" || fail "log has '$1'"
}

# A failed run whose QEMU shut down (scripts/qemu.sh's BULKHEAD_QEMU_LOG
# evidence) says so among its FAIL lines, which tests/run.sh prints first:
# why QEMU stopped and where each CPU was.
shutdown_evidence() {
	local regs=$BULKHEAD_QEMU_LOG.regs rips
	[ -s "$regs" ] || return 0
	# " RIP (function)" for each CPU
	rips=$(scripts/dump-rips.sh "$regs" | awk '{ printf " %s (%s)", $1, $2 }')
	# the guest's own end ("guest": true: a triple fault, a reset, its
	# power-off) or QEMU stopped from outside (the test's SIGTERM after a
	# step failed: where the CPUs were then)
	if grep -q '"guest": true' "$regs"; then
		fail "the emulated PC shut down on its own: $(head -1 "$regs")$(grep -aq "Triple fault" "$BULKHEAD_QEMU_LOG" 2>/dev/null && echo ", a triple fault"); RIP:$rips"
	else
		fail "QEMU was stopped from outside: $(head -1 "$regs"); RIP then:$rips"
	fi
	grep -aE "^  |^CPU [0-9]+, as" "$regs" | head -18 | sed 's/^/FAIL:   /'
}

finish() {
	if [ "$failures" -ne 0 ]; then
		shutdown_evidence
		echo "--- serial log $LOG"
		cat "$LOG"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}

# uefi_qemu_args DIR: prints scripts/qemu.sh --qemu arguments that boot with
# OVMF (Debian's ovmf) on q35: its code read-only, a fresh writable copy of
# its variable store in DIR. Returns 1, with a reason, when OVMF is missing.
OVMF_CODE=/usr/share/OVMF/OVMF_CODE.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS.fd
uefi_qemu_args() {
	if [ ! -r "$OVMF_CODE" ] || [ ! -r "$OVMF_VARS" ]; then
		echo "OVMF not installed ($OVMF_CODE): run scripts/deps.sh" >&2
		return 1
	fi
	cp "$OVMF_VARS" "$1/OVMF_VARS.fd" || return 1
	echo "-machine q35 -drive if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
		"-drive if=pflash,format=raw,file=$1/OVMF_VARS.fd"
}
