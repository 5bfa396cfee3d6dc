#!/usr/bin/env bash
# The client machine: three Debian Linux VMs (work, personal, scratch), each
# with 2 vCPUs, boot together on 2 emulated CPUs (-smp 2; TCG runs them in
# turn, tests/system/lib.sh). In each, nproc is 2 and a busy loop per vCPU,
# run in parallel, finishes. Then personal and scratch spin on every vCPU
# while work, which has the focus, still answers its shell (each answer
# bounded at 30 s; the round-trip figures are bench/multi's). Each powers
# itself off and the run ends with PASS; the report shows both vCPUs of a VM
# on the two CPUs at once. Focus moves between the VMs with the console
# hotkey (Ctrl-] N).
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
steps=$LOGDIR/$TEST.steps
{
	# all three shells, in whatever order they come up
	echo "expect (?s)(?=.*^\\[work\\] ~ # )(?=.*^\\[personal\\] ~ # )(?=.*^\\[scratch\\] ~ # ) 900"
	i=0
	for vm in work personal scratch; do
		echo "sendraw \\x1d$i"
		echo "expect ^console: input goes to vm $vm\$ 60"
		echo "send nproc"
		echo "expect ^\\[$vm\\] 2\$ 120"
		# one busy process per vCPU; the echo's own text cannot match
		echo "send for i in 1 2; do (n=0; while [ \$n -lt 20000 ]; do n=\$((n+1)); done) & done; wait; echo busy-\$((6*7))-$vm"
		echo "expect ^\\[$vm\\] busy-42-$vm\$ 600"
		i=$((i + 1))
	done
	for i in 1 2; do
		echo "sendraw \\x1d$i"
		echo "send for i in 1 2; do (while :; do :; done) & done"
	done
	echo "sendraw \\x1d0"
	echo "expect ^console: input goes to vm work\$ 60"
	for k in 1 2 3 4 5; do
		echo "send echo rt-$k-\$((6*7))"
		echo "expect ^\\[work\\] rt-$k-42\$ 30"
	done
	i=0
	for vm in work personal scratch; do
		echo "sendraw \\x1d$i"
		echo "expect ^console: input goes to vm $vm\$ 60"
		echo "send poweroff"
		echo "expect ^vm $vm: powered off by the guest\$ 300"
		i=$((i + 1))
	done
	echo "exit 0 60"
} > "$steps"
cmdline=$(cat build/linux/cmdline)
mods=""
for vm in work personal scratch; do
	mods="$mods --module 'build/linux/bzImage vm=$vm mem=384 vcpus=2 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=$vm'"
done
qemu="scripts/qemu.sh --timeout 1700 --mem 2G --qemu '-smp 2' $mods"
timeout 1800 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$steps" \
	--log "$LOG" --timeout 300 --total 1750
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_line "smp: 2 CPU(s) online"
for vm in work personal scratch; do
	expect_line "vm $vm: state off"
done
expect_regex "^vm (work|personal|scratch): 2 vCPUs, at most 2 of them on CPUs at once"
finish
