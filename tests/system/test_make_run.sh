#!/usr/bin/env bash
# `make run` without a terminal, as a script would use it: it builds, boots
# the demo machine (work, personal, scratch: Debian VMs with 2 vCPUs each on
# 2 emulated CPUs) in focus mode, and a person (here, the console driver)
# sees one VM at a time under its banner, switches between them and types
# at their shells; `poweroff` in each ends the run
# with PASS. `--bare` boots the hypervisor alone, shows the boot report and
# stops. Each stage is one line; compiler commands are not shown.
source "$(dirname "$0")/lib.sh"
out=build/tests/system/make_run.out
timeout 300 make --no-print-directory run RUN_ARGS="--bare --timeout 60" < /dev/null > "$out" 2>&1
STATUS=$?
cp "$out" "$LOG"
expect_status 0
expect_regex "^Bulkhead hypervisor, booting \\(bulkhead 0\\.1[-+][0-9a-z-]+\\)$"
expect_regex "^cpu: AuthenticAMD"
expect_line "virt: AMD SVM with NPT available"
expect_line "bulkhead: stopping, status PASS"

cat > "$LOGDIR/$TEST.steps" <<'STEPS'
expect ^run: booting Bulkhead in QEMU with the VMs of configs/demo.conf$ 300
# focus mode: work (VM 0) is shown first, under its blue banner
expect \x1bc\x1b\[1;97;44m bulkhead: VM 0 work \(running\) 120
expect ^bulkhead-guest: userspace up$ 900
expect Enter 'help' for a list 300
expect ~ # 60
send echo w-$((6*7))
expect ^w-42$ 60
# its devices (configs/demo.conf): the shell typed into is on hvc0, the
# data disk is mounted, entropy comes from virtio-rng, eth0 has its address
send tty; cat /data/README; head -c 16 /dev/hwrng | wc -c; ip addr show eth0
expect ^/dev/hvc0$ 60
expect ^the work VM's data disk \(configs/demo.conf\)$ 60
expect ^16$ 60
expect inet 10\.0\.0\.1/24 60
# personal (green banner), its boot replayed from its ring, then its shell
sendraw \x1d1
expect \x1bc\x1b\[1;97;42m bulkhead: VM 1 personal \(running\) 30
expect Enter 'help' for a list 600
send uname -r; nproc
expect ^6\.1\.\S+-amd64$ 60
expect ^2$ 60
# the policy: personal reaches scratch (once scratch is up), never work
send for i in $(seq 120); do ping -c 1 -W 1 10.0.0.3 >/dev/null 2>&1 && break; done; ping -c 1 -W 5 10.0.0.3 >/dev/null && echo scratch-reachable
expect ^scratch-reachable$ 300
send ping -c 2 -W 2 10.0.0.1 >/dev/null 2>&1 || echo work-unreachable
expect ^work-unreachable$ 60
send poweroff
expect ^vm personal: powered off by the guest$ 120
# scratch (orange in the configuration: yellow on a terminal)
sendraw \x1d2
expect \x1bc\x1b\[1;97;43m bulkhead: VM 2 scratch \(running\) 30
expect Enter 'help' for a list 600
send poweroff
expect ^vm scratch: powered off by the guest$ 120
sendraw \x1d0
expect \x1bc\x1b\[1;97;44m bulkhead: VM 0 work \(running\) 30
send poweroff
expect ^vm work: powered off by the guest$ 120
expect ^bulkhead: stopping, status PASS$ 60
STEPS
timeout 1000 /usr/bin/python3 tests/lib/console.py --cmd "make --no-print-directory run RUN_ARGS='--timeout 900'" \
	--script "$LOGDIR/$TEST.steps" --log "$LOGDIR/$TEST.linux.log" --timeout 300 --total 960
[ $? -eq 0 ] || fail "typing at the demo's shells under make run failed"
# one line per stage, no compiler command lines
grep -q "^cc \|^gcc \|^clang " "$LOGDIR/$TEST.linux.log" && fail "make run showed compiler commands"
finish
