#!/usr/bin/env bash
# Memory isolation with Linux guests on 2 CPUs: the work VM fills most of
# its RAM with a random token (a tmpfs file of it, repeated) and finds it
# there itself with bulkhead-memscan (guests/linux/memscan.c, which reads all
# RAM through /proc/kcore): the scanner works. The personal VM, running at
# the same time, scans all of its own RAM the same way and never finds it.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
cat > "$LOGDIR/$TEST.steps" <<STEPS
expect (?s)(?=.*^\\[work\\] ~ # )(?=.*^\\[personal\\] ~ # ) 900
sendraw \\x1d0
expect ^console: input goes to vm work\$ 60
send mount -t tmpfs -o size=260m tmpfs /mnt; t=$token; s=\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t\$t; yes "\$s" | head -c 209715200 > /mnt/fill; echo fill-done-\$((6*7))
expect ^\\[work\\] fill-done-42\$ 900
send bulkhead-memscan $token
expect ^\\[work\\] memscan: scanned (?P<wmib>[0-9]+) MiB in [0-9]+ segments, found (?P<wfound>[0-9]+) runs of the token\$ 900
check int(wfound) >= 1000
sendraw \\x1d1
expect ^console: input goes to vm personal\$ 60
send bulkhead-memscan $token
expect ^\\[personal\\] memscan: scanned (?P<pmib>[0-9]+) MiB in [0-9]+ segments, found (?P<pfound>[0-9]+) runs of the token\$ 900
check int(pmib) >= 300
check int(pfound) == 0
send poweroff
expect ^vm personal: powered off by the guest\$ 300
sendraw \\x1d0
expect ^console: input goes to vm work\$ 60
send poweroff
expect ^vm work: powered off by the guest\$ 300
exit 0 120
STEPS
cmdline=$(cat build/linux/cmdline)
mods=""
for vm in work personal; do
	mods="$mods --module 'build/linux/bzImage vm=$vm mem=384 vcpus=2 -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=$vm'"
done
qemu="scripts/qemu.sh --timeout 2300 --mem 2G --qemu '-smp 2' $mods"
timeout 2400 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$LOGDIR/$TEST.steps" \
	--log "$LOG" --timeout 900 --total 2350
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
finish
