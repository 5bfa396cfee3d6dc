#!/usr/bin/env bash
# The network uplink through the service VM (docs/networking.md, "Uplink").
# q35 with an AMD IOMMU and an e1000e at 00:06.0 on QEMU's user-mode
# network (slirp, where 10.0.2.2 is the host's loopback); the configuration
# passes 00:06.0 to the service VM and gives two more Debian VMs a NIC,
# only work allowed to reach the uplink. The test serves a page holding a
# random token from a python3 http.server on 127.0.0.1 at a free port.
# Stage 1, the service VM's own traffic: Debian's e1000e driver (in the
# initramfs, loaded by /init) binds the function at 00:10.0 and runs on
# its three MSI-X vectors (mediated by the hypervisor; no MSI or INTx is
# needed), the link comes up, busybox udhcpc gets 10.0.2.15 from slirp and
# busybox wget fetches the page (busybox 1.35's static wget crashes with
# -T: each console step's own timeout bounds it).
# Stage 2, the uplink: bulkhead-svcd --uplink eth0 bridges the service
# ring's frame rings to the e1000e; the work VM's udhcpc gets another
# lease from slirp through the switch's uplink, and its wget fetches the
# page with the token; the other VM, not allowed to the uplink, gets no
# lease and no page. A daemon started with --uplink-bad posts five frames
# with lengths out of range: the hypervisor drops each, logs the first and
# counts them, and the work VM fetches the page again. The switch's report
# at the end shows frames both ways between work and the uplink and only
# denied ones from other; the uplink port's counters show the five bad
# lengths and no bad index; the host's server served the page exactly
# three times; the e1000e's host vectors are given back at the service
# VM's stop and the function is reset.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest build/bulkhead.elf > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
DIR=$LOGDIR/service_uplink
rm -rf "$DIR"
mkdir -p "$DIR/www"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "bulkhead-uplink-$token" > "$DIR/www/token.txt"
echo ready > "$DIR/www/ready.txt" # the test's own check; the guest asks for token.txt
# the host's server on the loopback (lib.sh)
start_http "$DIR/www"
[ -n "$port" ] || { fail "the host's HTTP server did not start"; finish; }
/usr/bin/python3 -c "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())" "http://127.0.0.1:$port/ready.txt" | grep -qx ready ||
	{ fail "the host's HTTP server does not answer"; finish; }
conf=$DIR/vms.conf
{
	linux_vm svc service 256
	echo "passthrough = 00:06.0"
	linux_vm work work 192
	echo "nic = yes"
	linux_vm other personal 192
	echo "nic = yes"
	printf '[network]\nallow = work uplink\n'
} > "$conf"
net=/sys/class/net/eth0
url=http://10.0.2.2:$port/token.txt
page="bulkhead-uplink-$token"
# a DHCP lease from slirp through the way out, its address set (no
# backslashes: the console's send unescapes them)
lease='udhcpc -i eth0 -n -q -t 10 -T 3 -s /bin/true >/tmp/u 2>&1; ip=$(grep -o "lease of [0-9.]*" /tmp/u | cut -d" " -f3); echo "lease: $ip"; ip addr add $ip/24 dev eth0 && ip route add default via 10.0.2.2'
{
	echo "expect (?s)(?=.*^\\[svc\\] ~ # )(?=.*^\\[work\\] ~ # )(?=.*^\\[other\\] ~ # ) 900"
	# stage 1: the service VM's own traffic through its passed-through e1000e
	step_focus 0 svc
	# its PCI functions: of the host's (q35's 8086:29c0 host bridge,
	# 8086:2918 LPC, 8086:2922 AHCI, 8086:2930 SMBus, 1234:1111 VGA, the
	# AMD IOMMU 1022:xxxx) only the e1000e (8086:10d3) it was given
	echo "send echo pci-\$((6*7)): \$(for d in /sys/bus/pci/devices/*; do echo \$(cat \$d/vendor):\$(cat \$d/device); done | sort)"
	echo "expect ^\\[svc\\] pci-42: (?P<pci>.*)\$ 60"
	echo "check '0x8086:0x10d3' in pci and not re.search(r'0x8086:0x(29c0|2918|2922|2930)|0x1234:0x1111|0x1022:', pci)"
	echo "send ip link set eth0 up; for i in \$(seq 1 60); do [ \"\$(cat $net/carrier 2>/dev/null)\" = 1 ] && break; sleep 1; done; echo link-\$(cat $net/carrier)-\$(basename \$(readlink $net/device/driver))-\$(basename \$(readlink $net/device))"
	echo "expect ^\\[svc\\] link-1-e1000e-0000:00:10.0\$ 120"
	echo "send $lease"
	echo "expect ^\\[svc\\] lease: 10\\.0\\.2\\.15\$ 120"
	echo "send wget -q -O - $url | sed 's/^/page: /'"
	echo "expect ^\\[svc\\] page: $page\$ 120"
	echo "send grep -E 'eth0' /proc/interrupts | awk '{ n += \$2 } END { print \"irqs:\", n, NR }'"
	echo "expect ^\\[svc\\] irqs: (?P<irqs>[0-9]+) (?P<vectors>[0-9]+)\$ 60"
	echo "check int(irqs) > 0 and int(vectors) == 3"
	# stage 2: the daemon bridges the switch's uplink to the e1000e
	echo "send bulkhead-svcd --uplink eth0 & sleep 2; echo daemon-\$((6*7))"
	echo "expect (?s)(?=.*^\\[svc\\] bulkhead-svcd: uplink on eth0 \\(promiscuous\\)\$)(?=.*^\\[svc\\] daemon-42\$) 60"
	step_focus 1 work
	echo "send ip link set eth0 up; $lease"
	echo "expect ^\\[work\\] lease: (?P<ip>10\\.0\\.2\\.[0-9]+)\$ 180"
	echo "check ip != '10.0.2.15'"
	echo "send wget -q -O - $url | sed 's/^/page: /'"
	echo "expect ^\\[work\\] page: $page\$ 120"
	# a VM not allowed to reach the uplink: no lease, no page
	step_focus 2 other
	echo "send ip link set eth0 up; udhcpc -i eth0 -n -q -t 3 -T 2 -s /bin/true 2>&1 | tail -1"
	echo "expect ^\\[other\\] udhcpc: no lease, failing\$ 120"
	echo "send ip addr add 10.0.2.17/24 dev eth0; ip route add default via 10.0.2.2; timeout 20 wget -q -O - $url; echo other-wget-\$?"
	echo "expect ^\\[other\\] other-wget-(?P<rc>[0-9]+)\$ 120"
	echo "check rc != '0'"
	# a daemon that posts frames with bad lengths: each dropped and counted
	# by the hypervisor (the first logged), and the uplink still works
	step_focus 0 svc
	echo "send killall bulkhead-svcd; sleep 1; bulkhead-svcd --uplink eth0 --uplink-bad & sleep 2; echo bad-daemon-\$((6*7))"
	echo "expect (?s)(?=.*^\\[svc\\] bulkhead-svcd: uplink: 5 frame\\(s\\) with bad lengths posted\$)(?=.*^\\[svc\\] service ring: frame from the wire with a bad length dropped; further ones are only counted\$)(?=.*^\\[svc\\] bad-daemon-42\$) 60"
	step_focus 1 work
	echo "send wget -q -O - $url | sed 's/^/again: /'"
	echo "expect ^\\[work\\] again: $page\$ 120"
	step_focus 2 other
	echo "send poweroff"
	echo "expect ^vm other: powered off by the guest\$ 300"
	step_focus 1 work
	echo "send poweroff"
	echo "expect ^vm work: powered off by the guest\$ 300"
	step_focus 0 svc
	echo "send poweroff"
	echo "expect ^vm svc: powered off by the guest\$ 300"
	echo "exit 0 120"
} > "$DIR/steps"
qemu="scripts/qemu.sh --timeout 1100 --mem 1G --qemu '-machine q35 -smp 2 -device amd-iommu -netdev user,id=n0 -device e1000e,netdev=n0,addr=0x6' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf'"
timeout 1200 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$DIR/steps" \
	--log "$LOG" --timeout 300 --total 1150
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_regex "^vm svc: passthrough 00:06\.0 at 00:10\.0, BAR 0: host 0x[0-9a-f]+, guest 0x[0-9a-f]+, [0-9]+ KiB"
expect_regex "^vm svc: passthrough 00:06\.0 MSI-X at 0x[0-9a-f]+: [0-9]+ of [0-9]+ entries"
expect_regex "^vm svc: passthrough 00:06\.0 MSI-X entry [0-9]+: first interrupt delivered"
expect_no_line "no host vector left"
# e1000e runs on three MSI-X vectors (rx, tx, other); at the VM's stop
# they are given back, none dropped, and the function is reset
expect_regex "^vm svc: passthrough 00:06\.0 MSI-X off on the host, [1-9][0-9]* host vector\(s\) given back \([1-9][0-9]* delivered, 0 dropped\)$"
expect_regex "^vm svc: passthrough 00:06\.0 reset by .*, DMA-blocked again$"
expect_regex "^isolation: vm svc: nested tables map only its own RAM \(at its stop"
expect_regex "service ring: uplink port on the switch"
expect_regex "^net work -> uplink: [1-9][0-9]* frame\(s\) delivered, 0 denied by policy$"
expect_regex "^net uplink -> work: [1-9][0-9]* frame\(s\) delivered, 0 denied by policy$"
expect_regex "^net other -> uplink: 0 frame\(s\) delivered, [1-9][0-9]* denied by policy$"
expect_regex "service ring: uplink port off the switch \(to the wire [1-9][0-9]*, ring full [0-9]+; from the wire [1-9][0-9]*, bad length 5; bad indexes 0\)"
n_get=$(grep -c "\"GET /token.txt HTTP/1\.[01]\" 200 " "$DIR/www.log")
[ "$n_get" -eq 3 ] && echo "ok: the host's server served the page 3 times (service VM, work VM twice)" ||
	fail "the host's server served the page $n_get time(s), expected 3 (service VM, work VM twice)"
expect_no_line "PANIC"
finish
