#!/usr/bin/env bash
# A service VM (Debian's kernel, the test initramfs running bulkhead-svcd
# with its disk file in its RAM) and a work VM whose virtio-blk disk is
# served through the service ring (docs/disks.md): in the work VM an ext2
# file system is made, written and read back with the same checksums after
# the page cache is dropped (the ring's memory is mapped into the service
# VM at its first access, again after its reboot); the daemon is killed and started again and no
# acknowledged write is lost; an evil daemon (wrong lengths, unknown ids,
# bad statuses) fails only those requests: the work VM and the hypervisor
# stay up, and with the good daemon back the files read back unchanged;
# the service VM reboots and new requests are served again. The work VM
# waits to start until the daemon says its disk is served.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest build/bulkhead.elf > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
conf=$LOGDIR/$TEST.conf
steps=$LOGDIR/$TEST.steps
{
	linux_vm work work 192
	echo "disks  = svc:work-root:32MiB"
	linux_vm svc service 256 bulkhead.svcd=work-root:32
} > "$conf"
daemon() { # extra flags
	step_focus 0 svc
	echo "send killall bulkhead-svcd; sleep 1; bulkhead-svcd $1 work-root=/svc/work-root.img & sleep 1; echo daemon-\$((6*7))"
	echo "expect ^\\[svc\\] daemon-42\$ 60"
	step_focus 1 work
}
sums='cd /; umount /mnt 2>/dev/null; echo 3 > /proc/sys/vm/drop_caches && mount -t ext4 /dev/vda /mnt && cd /mnt && sha256sum r seq | sha256sum'
{
	echo "expect (?s)(?=.*^\\[svc\\] bulkhead-guest: bulkhead-svcd work-root=/svc/work-root.img\$)(?=.*^\\[svc\\] ~ # )(?=.*^\\[work\\] ~ # )(?=.*^\\[svc\\] service ring: BAR 2 mapped at 0x[0-9a-f]+ \\(1024 KiB\\)\$) 900"
	step_focus 1 work
	echo "send echo \$(cat /sys/block/vda/size /sys/block/vda/serial)"
	echo "expect ^\\[work\\] 65536 bulkhead-svc0\$ 60"
	echo "send mke2fs -q /dev/vda && mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && echo mounted-\$((6*7))"
	echo "expect ^\\[work\\] mounted-42\$ 300"
	echo "send dd if=/dev/urandom of=/mnt/r bs=4096 count=256 2>/dev/null && seq 1 20000 > /mnt/seq && sync && echo written-\$((6*7))"
	echo "expect ^\\[work\\] written-42\$ 300"
	echo "send $sums"
	echo "expect ^\\[work\\] (?P<s1>[0-9a-f]{64})  -\$ 300"
	# a written file, acknowledged (sync returned), then the daemon killed
	echo "send seq 5 30000 > /mnt/seq2 && sync && echo synced-\$((6*7))"
	echo "expect ^\\[work\\] synced-42\$ 300"
	daemon ""
	echo "send $sums && sha256sum seq2"
	echo "expect ^\\[work\\] (?P<s2>[0-9a-f]{64})  -\$ 300"
	echo "expect ^\\[work\\] (?P<q2>[0-9a-f]{64})  seq2\$ 60"
	echo "check s1 == s2"
	echo "send seq 5 30000 | sha256sum"
	echo "expect ^\\[work\\] (?P<q1>[0-9a-f]{64})  -\$ 60"
	echo "check q1 == q2"
	# the evil daemon: direct reads, some fail, the VM goes on (the file
	# system unmounted first, so no write of its own meets the evil daemon)
	echo "send cd / && umount /mnt && echo umounted-\$((6*7))"
	echo "expect ^\\[work\\] umounted-42\$ 120"
	daemon --evil
	echo "send for i in 1 2 3 4 5 6 7 8; do dd if=/dev/vda of=/dev/null bs=4096 count=1 skip=\$i iflag=direct 2>/dev/null && echo ok || echo fail; done | sort | uniq -c | tr '\\n' ' '; echo evil-\$((6*7))"
	echo "expect ^\\[work\\] (?P<evil>.*)evil-42\$ 300"
	echo "check 'fail' in evil and 'ok' in evil"
	daemon ""
	echo "send $sums"
	echo "expect ^\\[work\\] (?P<s3>[0-9a-f]{64})  -\$ 300"
	echo "check s1 == s3"
	# the daemon was woken by the ring's INTx (uio_pci_generic's count in
	# /proc/interrupts), not only by its 1 s tick
	step_focus 0 svc
	echo "send awk '/uio_pci_generic/ { for (i = 2; i <= NF; i++) if (\$i ~ /^[0-9]+\$/) s += \$i } END { print \"uio-irqs\", s + 0 }' /proc/interrupts"
	echo "expect ^\\[svc\\] uio-irqs (?P<irqs>[0-9]+)\$ 60"
	echo "check int(irqs) >= 20"
	# the service VM reboots (its disk file is in its RAM: the data goes,
	# the service stays): the ring is laid out again and serves new requests
	echo "send echo b > /proc/sysrq-trigger"
	echo "expect ^vm svc: reset by the guest, restarting\$ 120"
	echo "expect (?s)(?=.*^\\[svc\\] bulkhead-svcd: serving 1 file)(?=.*^\\[svc\\] ~ # )(?=.*^\\[svc\\] service ring: BAR 2 mapped at ) 600"
	step_focus 1 work
	echo "send cd / && umount /mnt; dd if=/dev/vda of=/dev/null bs=4096 count=4 iflag=direct && echo served-\$((6*7))"
	echo "expect ^\\[work\\] served-42\$ 300"
	echo "send poweroff"
	echo "expect ^vm work: powered off by the guest\$ 300"
	step_focus 0 svc
	echo "send poweroff"
	echo "expect ^vm svc: powered off by the guest\$ 300"
	echo "exit 0 60"
} > "$steps"
out=$LOGDIR/$TEST.out
rm -f "$out"
mods="--module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module '$conf name=vms.conf'"
qemu="scripts/qemu.sh --timeout 1700 --mem 1G --qemu '-smp 2' $mods"
timeout 1800 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$steps" \
	--log "$LOG" --out "$out" --timeout 300 --total 1750
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_regex "service ring: 16 entries of 32 KiB"
expect_regex "virtio-blk 0: 65536 sectors, writable \\(served by the service VM\\)"
expect_no_line "device needs reset"
expect_no_line "service ring broken"
# the work VM ran only once the daemon said its disk is served (ring
# version 4), and was not held again when the service VM rebooted
expect_line "vm work: waits for its disks from the service VM before it starts"
expect_line "[svc] service ring: disk work-root served"
n_starts=$(grep -cE "^vm work: starts \(waited [0-9]+ ms for its disks from the service VM\)$" "$LOG")
[ "$n_starts" -eq 1 ] && echo "ok: vm work started once, after its disk was served" ||
	fail "vm work: $n_starts 'starts' lines, want 1"
n_served=$(grep -cF "[svc] service ring: disk work-root served" "$LOG")
[ "$n_served" -eq 2 ] && echo "ok: disk work-root said served on both rings (boot and reboot of svc)" ||
	fail "disk work-root said served $n_served times, want 2 (boot and reboot of svc)"
# the daemon sleeps on the ring's INTx (uio_pci_generic), every start of it
n_intx=$(grep -cE "^\[svc\] bulkhead-svcd: waiting on the ring's INTx through /dev/uio[0-9]+$" "$LOG")
n_start=$(grep -cE "^\[svc\] bulkhead-svcd: serving 1 file" "$LOG")
[ "$n_start" -ge 3 ] && [ "$n_intx" -eq "$n_start" ] && echo "ok: each of the $n_start daemon starts waits on INTx" ||
	fail "$n_intx of $n_start daemon starts wait on INTx"
expect_no_line "waiting by polling"
expect_no_line "unmasking INTx"
finish
