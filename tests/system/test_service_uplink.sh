#!/usr/bin/env bash
# The network uplink through the service VM (docs/networking.md, "Uplink"),
# stage 1: the service VM drives a passed-through NIC. q35 with an AMD
# IOMMU and an e1000e at 00:06.0 on QEMU's user-mode network (slirp, where
# 10.0.2.2 is the host's loopback); the configuration passes 00:06.0 to
# the service VM. Debian's e1000e driver (in the initramfs, loaded by
# /init) binds the function, takes MSI-X vectors (mediated by the
# hypervisor; no MSI or INTx is needed) and brings the link up; busybox udhcpc gets a lease from
# slirp's DHCP server (a frame out and one in), the address is set, and
# busybox wget fetches a page holding a random token from an HTTP server
# this test starts on 127.0.0.1 at a free port: the page's content must be
# the token (busybox 1.35's static wget crashes with -T: the console
# step's own timeout bounds it). The e1000e's MSI-X vectors count in the guest's
# /proc/interrupts, and the hypervisor reports them delivered.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest build/bulkhead.elf > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
DIR=$LOGDIR/service_uplink
rm -rf "$DIR"
mkdir -p "$DIR/www"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "bulkhead-uplink-$token" > "$DIR/www/token.txt"
echo ready > "$DIR/www/ready.txt" # the test's own check; the guest asks for token.txt
# The host's server on the loopback at a port the kernel picks (port 0);
# it prints the port it got.
/usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$DIR/www" > "$DIR/http.log" 2>&1 &
http_pid=$!
trap 'kill $http_pid 2>/dev/null' EXIT
port=
for _ in $(seq 1 100); do
	port=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\) .*/\1/p' "$DIR/http.log")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat "$DIR/http.log"; fail "the host's HTTP server did not start"; finish; }
/usr/bin/python3 -c "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())" "http://127.0.0.1:$port/ready.txt" | grep -qx ready ||
	{ fail "the host's HTTP server does not answer"; finish; }
conf=$DIR/vms.conf
cat > "$conf" <<EOF2
[vm svc]
role        = service
memory      = 256 MiB
kernel      = bzImage
initrd      = initramfs.cpio.gz
cmdline     = "$(cat build/linux/cmdline) no_timer_check"
passthrough = 00:06.0
EOF2
net=/sys/class/net/eth0
cat > "$DIR/steps" <<STEPS
expect ^bulkhead-guest: userspace up$ 600
expect Enter .help. for a list 120
expect ~ # 60
run lsmod
check re.search(r'^e1000e ', out, re.M)
run for i in \$(seq 1 60); do [ -e $net ] && break; sleep 1; done; basename \$(readlink $net/device/driver); basename \$(readlink $net/device) ;; 90
check out.split()[-2:] == ['e1000e', '0000:00:10.0']
run ip link set eth0 up; for i in \$(seq 1 60); do [ "\$(cat $net/carrier 2>/dev/null)" = 1 ] && break; sleep 1; done; cat $net/carrier ;; 90
check out.split()[-1] == '1'
run udhcpc -i eth0 -n -q -t 10 -T 3 -s /bin/true 2>&1 ;; 120
check re.search(r'lease of 10\.0\.2\.15 obtained', out)
run ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2 && echo configured
check 'configured' in out
run wget -q -O - http://10.0.2.2:$port/token.txt ;; 120
check 'bulkhead-uplink-$token' in out.split()
run grep -E 'eth0|e1000e' /proc/interrupts
check sum(int(x) for l in out.splitlines() for x in l.split()[1:3] if x.isdigit()) > 0 and 'MSI' in out
run dmesg | grep -i e1000e
send poweroff
expect ^vm svc: powered off by the guest$ 300
exit 0 300
STEPS
qemu="scripts/qemu.sh --timeout 800 --mem 1G --qemu '-machine q35 -smp 2 -accel tcg,thread=multi -device amd-iommu -netdev user,id=n0 -device e1000e,netdev=n0,addr=0x6' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf'"
timeout 900 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$DIR/steps" \
	--strip-prefix "[svc] " --log "$LOG" --timeout 300 --total 850
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
grep -q "\"GET /token.txt HTTP/1\.[01]\" 200 " "$DIR/http.log" && echo "ok: the host's server logged the guest's request" ||
	fail "the host's server saw no request for the token"
expect_no_line "PANIC"
finish
