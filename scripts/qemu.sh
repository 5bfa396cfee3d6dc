#!/usr/bin/env bash
# Boots Bulkhead in QEMU the way tests and `make run` do:
#   scripts/qemu.sh [--timeout SECS] [--cpu MODEL] [--mem SIZE] [--log FILE]
#                   [--module "file args"]... [--iso FILE] [--qemu "ARGS"]
#                   [--] [hypervisor command line]
# --iso boots a GRUB image instead of -kernel (its grub.cfg has the command line).
# SVM and nested paging are emulated by TCG (-cpu EPYC). QEMU's isa-debug-exit
# device at 0xf4 ends the run: exit status 33 = PASS, 35 = FAIL (see hv.h);
# this script turns those into 0 and 1, and a timeout into 124.
# BULKHEAD_ELF=path boots another build of the hypervisor (A/B comparisons).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=0 cpu=EPYC mem=1G log="" iso="" mods=() extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout_s=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--module) mods+=("$2"); shift 2 ;;
	--iso) iso=$2; shift 2 ;;
	--qemu) extra+=($2); shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
cmdline="exit_port=0xf4 $*"
initrd=()
if [ ${#mods[@]} -gt 0 ]; then
	joined=$(IFS=,; echo "${mods[*]}")
	initrd=(-initrd "$joined")
fi
boot=(-kernel "${BULKHEAD_ELF:-$here/build/bulkhead.elf}" -append "$cmdline" "${initrd[@]}")
[ -n "$iso" ] && boot=(-cdrom "$iso" -boot d)
# BULKHEAD_TCG: the -accel value. Only the first -accel counts, so a later
# "-accel tcg,thread=..." in --qemu changes nothing; multi-threaded TCG (one
# host thread per CPU) is QEMU's default. tests/system/lib.sh sets
# "tcg,thread=single" (see there why).
qemu=(qemu-system-x86_64 -accel "${BULKHEAD_TCG:-tcg}" -cpu "$cpu" -m "$mem" -nographic -no-reboot
	-serial mon:stdio -monitor none -display none
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${boot[@]}" "${extra[@]}")
# BULKHEAD_QEMU_LOG=FILE: evidence for a run the emulated PC ends on its
# own (status 0: a triple fault under -no-reboot, or its ACPI power-off),
# never the hypervisor's way out (the exit port). QEMU logs CPU resets and
# the guest errors it sees to FILE, and pauses at such a shutdown
# (-no-shutdown) so that tests/lib/qemu_shutdown_dump.py, on the QMP socket
# FILE.qmp, writes every CPU's registers at that moment to FILE.regs and
# has QEMU quit.
dump_pid=
if [ -n "${BULKHEAD_QEMU_LOG:-}" ]; then
	rm -f "$BULKHEAD_QEMU_LOG.regs" "$BULKHEAD_QEMU_LOG.qmp"
	qemu+=(-d cpu_reset,guest_errors -D "$BULKHEAD_QEMU_LOG" -no-shutdown
		-qmp "unix:$BULKHEAD_QEMU_LOG.qmp,server=on,wait=off")
	/usr/bin/python3 "$here/tests/lib/qemu_shutdown_dump.py" "$BULKHEAD_QEMU_LOG.qmp" \
		"$BULKHEAD_QEMU_LOG.regs" </dev/null >/dev/null 2>&1 &
	dump_pid=$!
fi
run() {
	if [ "$timeout_s" != 0 ]; then
		timeout --foreground -k 5 "$timeout_s" "${qemu[@]}"
	else
		"${qemu[@]}"
	fi
}
# QEMU warns on stderr about CPU features TCG lacks: noise, filtered out
# there. The serial console on stdout passes through unfiltered and
# unbuffered: a shell prompt is a line without its newline yet.
quiet_stderr() { grep --line-buffered -v "TCG doesn't support requested feature" >&2; }
# A logged run with a timeout (a test) leaves evidence of a hang: at the
# deadline its console input, otherwise empty, types Bulkhead's dump key
# (Ctrl-] d: each VM's vCPU state, pending interrupt, exit counts) and the
# answer has DUMP_WAIT seconds (default 3) to reach the log before QEMU is
# killed.
dump_at_deadline() {
	trap 'kill $sp 2>/dev/null; exit 0' TERM
	sleep "$timeout_s" & sp=$!
	wait $sp
	printf '\035d'
	sleep 3600 & sp=$! # keep the input open: EOF is not a key
	wait $sp
}
if [ -n "$log" ] && [ "$timeout_s" != 0 ]; then
	exec {keys}< <(dump_at_deadline)
	keys_pid=$!
	timeout_s=$((timeout_s + ${DUMP_WAIT:-3}))
	run <&$keys 2> >(quiet_stderr) | tee "$log"
	st=${PIPESTATUS[0]}
	timeout_s=$((timeout_s - ${DUMP_WAIT:-3})) # as the caller gave it
	exec {keys}<&-
	kill "$keys_pid" 2>/dev/null
elif [ -n "$log" ]; then
	run < /dev/null 2> >(quiet_stderr) | tee "$log"
	st=${PIPESTATUS[0]}
else
	run 2> >(quiet_stderr)
	st=$?
fi
[ -n "$dump_pid" ] && { kill "$dump_pid" 2>/dev/null; wait "$dump_pid" 2>/dev/null; rm -f "$BULKHEAD_QEMU_LOG.qmp"; }
case $st in
33) exit 0 ;;
35) exit 1 ;;
124|137) echo "qemu.sh: timed out after ${timeout_s}s" >&2; exit 124 ;;
*)
	# 0 is the machine's own end: with -no-reboot a triple fault (or a reset)
	# of the emulated PC, or its ACPI power-off; QEMU's reset log says which.
	# (A SIGTERM from the test ends QEMU the same way; the dump's first line,
	# QEMU's SHUTDOWN event, tells the two apart: "guest": false.)
	echo "qemu.sh: QEMU exited with status $st" >&2
	if [ -n "${BULKHEAD_QEMU_LOG:-}" ]; then
		# what QEMU logged after the last CPU reset ("Triple fault"), then
		# the registers at the shutdown, without the FPU/SSE lines
		echo "qemu.sh: QEMU's log after its last CPU reset ($BULKHEAD_QEMU_LOG):" >&2
		awk '/^CPU Reset/ { n = 0; next } !/^[A-Z]+[0-9]*=|^(ES|CS|SS|DS|FS|GS|LDT|TR|GDT|IDT) / { b[n++] = $0 }
			END { for (i = 0; i < n && i < 20; i++) print b[i] }' "$BULKHEAD_QEMU_LOG" >&2
		if [ -s "$BULKHEAD_QEMU_LOG.regs" ]; then
			grep -vE "^(FPR|XMM|YMM|ZMM|FCW|Opmask)" "$BULKHEAD_QEMU_LOG.regs" >&2
			# each CPU's RIP in the hypervisor's source, where it is there
			"$here/scripts/dump-rips.sh" "$BULKHEAD_QEMU_LOG.regs" | sed 's/^/qemu.sh: RIP /' >&2
		fi
	fi
	exit 2 ;;
esac
