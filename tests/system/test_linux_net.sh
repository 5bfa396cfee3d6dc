#!/usr/bin/env bash
# The virtual switch between Linux VMs (docs/networking.md): three Debian
# VMs with a virtio-net card each; the configuration allows only a <-> b.
# a and b ping each other and a sends b a 256 KiB random file over TCP
# (busybox nc), whose MD5 matches on both sides. c, allowed to reach no
# one, pings a and b and gets no answer, and a cannot reach c; at the end
# the switch's report shows frames delivered a -> b and b -> a, none
# between c and the others, and the frames it denied for those pairs.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
conf=$LOGDIR/$TEST.conf
steps=$LOGDIR/$TEST.steps
# no_timer_check: Linux's boot-time check that the PIT reaches it through
# the IO-APIC counts ticks within a delay loop, and once panicked a VM here
# ("IO-APIC + timer doesn't work!") while other QEMUs loaded the host; it
# checks the platform's timer, not the network, which is what this test is for.
cmdline="$(cat build/linux/cmdline) no_timer_check"
{
	for vm in a b c; do
		printf '[vm %s]\nrole = work\nmemory = 192 MiB\nkernel = bzImage\n' $vm
		printf 'initrd = initramfs.cpio.gz\ncmdline = "%s"\nnic = yes\n' "$cmdline"
	done
	printf 'mac = 02:00:00:00:00:0c\n' # c's; a and b get theirs from their names
	printf '[network]\nallow = a b\n'
} > "$conf"
up() { # VM index, name, address
	step_focus "$1" "$2"
	echo "send ip link set eth0 up && ip addr add $3/24 dev eth0 && echo net-up-\$((6*7))"
	echo "expect ^\\[$2\\] net-up-42\$ 120"
}
{
	echo "expect (?s)(?=.*^\\[a\\] ~ # )(?=.*^\\[b\\] ~ # )(?=.*^\\[c\\] ~ # ) 900"
	up 0 a 10.0.0.1
	echo "send dd if=/dev/urandom of=/tmp/f bs=1024 count=256 2>/dev/null; md5sum /tmp/f"
	echo "expect ^\\[a\\] (?P<suma>[0-9a-f]{32})  /tmp/f\$ 120"
	up 1 b 10.0.0.2
	# the receiver's stdin never ends (a FIFO it holds open itself), so it
	# closes only when the sender has sent everything
	echo "send mkfifo /tmp/p; (nc -l -p 5000 <>/tmp/p >/tmp/got; md5sum /tmp/got) &"
	up 2 c 10.0.0.3
	for dst in 10.0.0.1 10.0.0.2; do
		echo "send ping -c 2 -w 8 $dst"
		echo "expect ^\\[c\\] 2 packets transmitted, 0 packets received, 100% packet loss\$ 60"
	done
	echo "sendraw \\x1d0"
	echo "expect ^console: input goes to vm a\$ 60"
	echo "send ping -c 3 10.0.0.2"
	echo "expect ^\\[a\\] 3 packets transmitted, 3 packets received, 0% packet loss\$ 120"
	echo "send ping -c 2 -w 8 10.0.0.3"
	echo "expect ^\\[a\\] 2 packets transmitted, 0 packets received, 100% packet loss\$ 60"
	echo "send nc 10.0.0.2 5000 </tmp/f && echo sent-\$((6*7))"
	# a's end and b's checksum, in either order
	echo "expect (?s)(?=.*^\\[a\\] sent-42\$)(?=.*^\\[b\\] (?P<sumb>[0-9a-f]{32})  /tmp/got\$) 300"
	echo "check suma == sumb"
	echo "sendraw \\x1d1"
	echo "expect ^console: input goes to vm b\$ 60"
	echo "send ping -c 2 10.0.0.1"
	echo "expect ^\\[b\\] 2 packets transmitted, 2 packets received, 0% packet loss\$ 120"
	i=0
	for vm in a b c; do
		echo "sendraw \\x1d$i"
		echo "expect ^console: input goes to vm $vm\$ 60"
		echo "send poweroff"
		echo "expect ^vm $vm: powered off by the guest\$ 300"
		i=$((i + 1))
	done
	echo "exit 0 60"
} > "$steps"
mods="--module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf'"
qemu="scripts/qemu.sh --timeout 1400 --mem 1G --qemu '-smp 2' $mods"
timeout 1500 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$steps" \
	--log "$LOG" --timeout 300 --total 1450
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_regex "^net a -> b: [1-9][0-9]* frame\(s\) delivered, 0 denied by policy$"
expect_regex "^net b -> a: [1-9][0-9]* frame\(s\) delivered, 0 denied by policy$"
for pair in "c -> a" "c -> b" "a -> c"; do
	expect_regex "^net $pair: 0 frame\(s\) delivered, [1-9][0-9]* denied by policy$"
done
finish
