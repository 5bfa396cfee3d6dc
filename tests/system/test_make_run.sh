#!/usr/bin/env bash
# `make run` without a terminal, as a script would use it: it builds, boots
# the demo machine (the service VM svc first, then work, personal, scratch:
# Debian VMs with 2 vCPUs each on 2 emulated CPUs) in focus mode, and a
# person (here, the console driver) sees one VM at a time under its banner,
# switches between them and types at their shells; `poweroff` in each ends
# the run with PASS. The service VM owns the e1000e scripts/run.sh adds (on
# QEMU's user-mode network) and runs bulkhead-svcd --uplink eth0 from its
# /init: the work VM gets a DHCP lease from slirp through the switch's
# uplink, beside its 10.0.0.1, and fetches a page holding a random token
# from a python3 http.server the test starts on the host's loopback
# (10.0.2.2 from inside). Work's and personal's data disks are served by
# svc from the nvme scripts/run.sh passes through to it: what each writes
# there and syncs is found afterwards in build/demo/svc-store.img. `--bare` boots the hypervisor alone, shows the boot report and
# stops. Each stage is one line; compiler commands are not shown.
source "$(dirname "$0")/lib.sh"
out=build/tests/system/make_run.out
timeout 300 make --no-print-directory run RUN_ARGS="--bare --timeout 60" < /dev/null > "$out" 2>&1
STATUS=$?
tr -d '\r' < "$out" > "$LOG" # the serial line ends lines with CR LF
expect_status 0
expect_regex "^Bulkhead hypervisor, booting \\(bulkhead 0\\.1[-+][0-9a-z-]+\\)$"
expect_regex "^cpu: AuthenticAMD"
expect_line "virt: AMD SVM with NPT available"
expect_line "bulkhead: stopping, status PASS"

# The host's server on the loopback at a port the kernel picks (port 0).
DIR=$LOGDIR/make_run
rm -rf "$DIR"
mkdir -p "$DIR/www"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "bulkhead-demo-$token" > "$DIR/www/token.txt"
# the host's server on the loopback (lib.sh)
start_http "$DIR/www"
[ -n "$port" ] || { fail "the host's HTTP server did not start"; finish; }

cat > "$LOGDIR/$TEST.steps" <<'STEPS'
expect ^run: booting Bulkhead in QEMU with the VMs of configs/demo.conf$ 300
# focus mode: the service VM svc (VM 0, started first) is shown first,
# under its grey banner (white on a terminal); its /init starts the uplink
expect \x1bc\x1b\[1;97;47m bulkhead: VM 0 svc \(running\) 120
expect ^bulkhead-guest: userspace up$ 900
expect ^bulkhead-guest: svcdisk work-data: /store/work-data\.img \(raw\)$ 300
expect ^bulkhead-guest: svcdisk personal-data: /store/personal-data\.img \(raw\)$ 300
expect ^bulkhead-guest: bulkhead-svcd --uplink eth0 work-data=/store/work-data\.img personal-data=/store/personal-data\.img$ 300
expect (?s)(?=.*^bulkhead-svcd: uplink on eth0 \(promiscuous\)\s*$)(?=.*Enter 'help' for a list) 300
# work (VM 1, blue banner), its boot replayed from its ring
sendraw \x1d1
expect \x1bc\x1b\[1;97;44m bulkhead: VM 1 work \(running\) 30
expect Enter 'help' for a list 600
expect ~ # 60
send echo w-$((6*7))
expect ^w-42$ 60
# its devices (configs/demo.conf): the shell typed into is on hvc0, the
# data disk (served by svc from its nvme) is mounted, entropy comes from
# virtio-rng, eth0 has its address
send for i in $(seq 120); do [ -f /data/README ] && break; sleep 1; done; tty; cat /data/README; head -c 16 /dev/hwrng | wc -c; ip addr show eth0
expect ^/dev/hvc0$ 60
expect ^the work VM's data disk \(configs/demo.conf\)$ 60
expect ^16$ 60
expect inet 10\.0\.0\.1/24 60
# a file on the data disk, flushed: it is on svc's nvme after the run
send echo run-@TOKEN@ > /data/last-run && sync && echo saved-$((6*7))
expect ^saved-42$ 120
# the way out through the service VM: a lease from slirp (a second address
# on eth0, beside 10.0.0.1), then the page from the host's loopback
send udhcpc -i eth0 -n -q -t 10 -T 3 -s /bin/true >/tmp/u 2>&1; ip=$(grep -o "lease of [0-9.]*" /tmp/u | cut -d" " -f3); echo "lease: $ip"; ip addr add $ip/24 dev eth0 && ip route add default via 10.0.2.2
expect ^lease: 10\.0\.2\.[0-9]+\s*$ 180
send wget -q -O - http://10.0.2.2:@PORT@/token.txt | sed 's/^/page: /'
expect ^page: bulkhead-demo-@TOKEN@\s*$ 120
# personal (green banner), its boot replayed from its ring, then its shell
sendraw \x1d2
expect \x1bc\x1b\[1;97;42m bulkhead: VM 2 personal \(running\) 30
expect Enter 'help' for a list 600
send uname -r; nproc
expect ^6\.1\.\S+-amd64$ 60
expect ^2$ 60
# its data disk, served by svc too: a file on it, flushed
send for i in $(seq 120); do [ -f /data/README ] && break; sleep 1; done; cat /data/README; echo personal-@TOKEN@ > /data/last-run && sync && echo saved-$((6*8))
expect ^the personal VM's data disk \(configs/demo.conf\)$ 60
expect ^saved-48$ 120
# the policy: personal reaches scratch (once scratch is up), never work
send for i in $(seq 120); do ping -c 1 -W 1 10.0.0.3 >/dev/null 2>&1 && break; done; ping -c 1 -W 5 10.0.0.3 >/dev/null && echo scratch-reachable
expect ^scratch-reachable$ 300
send ping -c 2 -W 2 10.0.0.1 >/dev/null 2>&1 || echo work-unreachable
expect ^work-unreachable$ 60
send poweroff
expect ^vm personal: powered off by the guest$ 120
# scratch (orange in the configuration: yellow on a terminal)
sendraw \x1d3
expect \x1bc\x1b\[1;97;43m bulkhead: VM 3 scratch \(running\) 30
expect Enter 'help' for a list 600
send poweroff
expect ^vm scratch: powered off by the guest$ 120
sendraw \x1d1
expect \x1bc\x1b\[1;97;44m bulkhead: VM 1 work \(running\) 30
send poweroff
expect ^vm work: powered off by the guest$ 120
sendraw \x1d0
expect \x1bc\x1b\[1;97;47m bulkhead: VM 0 svc \(running\) 30
send poweroff
expect ^vm svc: powered off by the guest$ 120
expect ^bulkhead: stopping, status PASS$ 60
STEPS
sed -i "s/@PORT@/$port/; s/@TOKEN@/$token/g" "$LOGDIR/$TEST.steps"
timeout 1000 /usr/bin/python3 tests/lib/console.py --cmd "make --no-print-directory run RUN_ARGS='--timeout 900'" \
	--script "$LOGDIR/$TEST.steps" --log "$LOGDIR/$TEST.linux.log" --timeout 300 --total 960
[ $? -eq 0 ] || fail "typing at the demo's shells under make run failed"
# one line per stage, no compiler command lines
grep -q "^cc \|^gcc \|^clang " "$LOGDIR/$TEST.linux.log" && fail "make run showed compiler commands"
# the e1000e passed through to svc; work's frames went both ways through
# the uplink; the host's server served the page once (to work)
grep -Eq "vm svc: passthrough 00:06\.0 at 00:10\.0" "$LOGDIR/$TEST.linux.log" ||
	fail "the e1000e was not passed through to svc"
grep -Eq "net work -> uplink: [1-9][0-9]* frame\(s\) delivered" "$LOGDIR/$TEST.linux.log" &&
	grep -Eq "net uplink -> work: [1-9][0-9]* frame\(s\) delivered" "$LOGDIR/$TEST.linux.log" ||
	fail "no frames both ways between work and the uplink"
n_get=$(grep -c "\"GET /token.txt HTTP/1\.[01]\" 200 " "$DIR/www.log")
[ "$n_get" -eq 1 ] && echo "ok: the host's server served the page to work through the uplink" ||
	fail "the host's server served the page $n_get time(s), expected 1"
# what work and personal wrote on their data disks is in the nvme's image,
# inside work-data.img and personal-data.img on its ext4 file system (the
# service VM's store)
for d in work:run personal:personal; do
	vm=${d%%:*} want=${d#*:}-$token
	rm -f "$DIR/$vm-data.img"
	debugfs -R "dump /$vm-data.img $DIR/$vm-data.img" build/demo/svc-store.img >/dev/null 2>&1
	saved=$(debugfs -R "cat /last-run" "$DIR/$vm-data.img" 2>/dev/null)
	[ "$saved" = "$want" ] && echo "ok: $vm's file on its data disk is in build/demo/svc-store.img" ||
		fail "$vm's data disk in build/demo/svc-store.img holds '$saved', not $want"
done
finish
