#!/usr/bin/env bash
# Layered VM disks on the service VM's passed-through NVMe, persistent across
# a power cycle (docs/disks.md, "Layered disks on the service VM's NVMe").
# QEMU q35 + amd-iommu + an nvme whose image file holds an ext4 file system
# made here: a published master qcow2 (ext4 inside, /version "master v1"),
# the work VM's qcow2 layer over it (bulkhead-image create-layer), its raw
# data disk, a truncated layer and a layer over a corrupt master. The service VM (initramfs-svc: qemu-nbd,
# nbd.ko) gets the nvme by passthrough, mounts it, checks each chain with
# bulkhead-image and serves the layer through qemu-nbd and bulkhead-svcd.
# Each master is a small root file system (static busybox); the work VM's
# initramfs switches its root to the layered disk (bulkhead.root=vda).
# Boot 1: the work VM reads the master's file through its layer, writes a
# file on its root disk (the layer) and on its data disk, syncs. The two bad
# disks are refused by the service VM with a reason, and the two small VMs
# that have them (badl: the truncated layer, badm: the layer over the
# corrupt master) never start: the hypervisor stops each with its disk's
# name and the reason before it ran an instruction, while work and svc run
# on. Everything is powered off, QEMU exits (FAIL: two VMs were stopped).
# Boot 2 (new QEMU, same nvme image): both files have the same checksums.
# On the host the master inside the image is byte-identical to the published
# one (debugfs dump, cmp and qemu-img compare). Then a new master version
# and a new root layer over it are written into the image (debugfs), the data
# disk untouched. Boot 3: the root disk shows master v2, the data disk's file
# has its checksum.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest build/bulkhead.elf build/tools/bulkhead-image build/guests/ok.elf > "$LOGDIR/$TEST.build" 2>&1 ||
	{ cat "$LOGDIR/$TEST.build"; fail "building"; finish; }
DIR=$LOGDIR/service_layers
rm -rf "$DIR"
mkdir -p "$DIR/store" "$DIR/m1" "$DIR/m2" "$DIR/new"
img=build/tools/bulkhead-image
# the published masters: ext4 file systems with their version in /version
# each a root file system the work VM switches to (bulkhead.root=vda):
# busybox (static) and an inittab that installs its applets and runs a shell
for v in 1 2; do
	m=$DIR/m$v
	echo "master v$v" > "$m/version"
	mkdir -p "$m/bin" "$m/sbin" "$m/usr/bin" "$m/usr/sbin" "$m/etc" "$m/proc" "$m/sys" "$m/dev" "$m/mnt" "$m/root" "$m/tmp"
	cp build/linux/busybox/bin/busybox "$m/bin/busybox"
	ln -s busybox "$m/bin/sh" && ln -s ../bin/busybox "$m/sbin/init"
	cp guests/linux/profile "$m/etc/profile"
	printf '%s\n' '::sysinit:/bin/busybox --install -s' '::sysinit:/bin/busybox echo bulkhead-root: up' \
		'::respawn:/bin/busybox cttyhack /bin/sh -l' > "$m/etc/inittab"
done
for v in 1 2; do
	truncate -s 32M "$DIR/m$v.raw" && mkfs.ext4 -q -F -d "$DIR/m$v" "$DIR/m$v.raw" &&
		qemu-img convert -f raw -O qcow2 "$DIR/m$v.raw" "$DIR/master-$v.qcow2" || fail "making master $v"
done
cp "$DIR/master-1.qcow2" "$DIR/store/master-1.qcow2"
$img create-layer --master "$DIR/store/master-1.qcow2" --layer "$DIR/store/work-root.qcow2" >/dev/null &&
	$img create-layer --master "$DIR/store/master-1.qcow2" --layer "$DIR/store/work-bad.qcow2" >/dev/null ||
	fail "create-layer"
truncate -s 32M "$DIR/store/work-data.img"
# a corrupt master (its first L1 entry points past the file's end) and a
# sound layer over it
cp "$DIR/master-1.qcow2" "$DIR/store/master-bad.qcow2"
python3 - "$DIR/store/master-bad.qcow2" <<'PY' || fail "corrupting a master"
import struct, sys
with open(sys.argv[1], "r+b") as f:
    l1 = struct.unpack(">Q", f.read(48)[40:48])[0]
    f.seek(l1)
    f.write(struct.pack(">Q", (1 << 63) | 0x7ff00000))
PY
$img create-layer --master "$DIR/store/master-bad.qcow2" --layer "$DIR/store/work-badm.qcow2" >/dev/null ||
	fail "create-layer over the corrupt master"
# a truncated layer: its L1 table is cut off
truncate -s 100000 "$DIR/store/work-bad.qcow2"
nvme=$DIR/nvme.img
truncate -s 256M "$nvme" && mkfs.ext4 -q -F -d "$DIR/store" "$nvme" || fail "making the nvme's file system"

conf=$DIR/vms.conf
{
	linux_vm work work 192 bulkhead.root=vda
	echo "disks  = svc:work-root:32MiB, svc:work-data:32MiB"
	for b in l:work-bad m:work-badm; do
		printf '[vm bad%s]\nrole = personal\nmemory = 8 MiB\nkernel = ok.elf\ncmdline = "sleep_ms=1000"\n' "${b%%:*}"
		printf 'devices = serial, testexit\ndisks = svc:%s:32MiB\n' "${b#*:}"
	done
	LINUX_VM_INITRD=initramfs-svc.cpio.gz linux_vm svc service 384 \
		bulkhead.svcstore=nvme0n1 bulkhead.svcdisks=work-root:work-root.qcow2,work-data:work-data.img,work-bad:work-bad.qcow2,work-badm:work-badm.qcow2
	echo "passthrough = 00:05.0"
} > "$conf"
# the first expect of every boot: both shells up, the service VM serving
up="expect (?s)(?=.*^\\[svc\\] bulkhead-guest: bulkhead-svcd work-root=/dev/nbd0 work-data=/store/work-data.img --refused work-bad --refused work-badm\$)(?=.*^\\[svc\\] ~ # )(?=.*^\\[work\\] bulkhead-guest: root /dev/vda\$)(?=.*^\\[work\\] bulkhead-root: up\$) 900"
sums='echo sums-$(sha256sum /r1 | cut -c1-64)-$(sha256sum /mnt/d/d1 | cut -c1-64)'
# the end of every boot: the work VM off, the service VM's disks closed
# (daemon, qemu-nbd, the nvme's file system), the service VM off, QEMU ends
shutdown() {
	echo "send cd /; umount /mnt/d; sync; mount -o remount,ro /; poweroff"
	echo "expect ^vm work: powered off by the guest\$ 300"
	step_focus 0 svc
	echo "send killall bulkhead-svcd; qemu-nbd --disconnect /dev/nbd0 >/dev/null; sleep 1; umount /store && echo stored-\$((6*7))"
	echo "expect ^\\[svc\\] stored-42\$ 120"
	echo "send poweroff"
	echo "expect ^vm svc: powered off by the guest\$ 300"
	echo "exit 1 120" # badl and badm were stopped
}
boot_steps() { # boot number: the steps up to both disks mounted
	echo "$up"
	step_focus 1 work
	# / is the layered disk (switch_root from the initramfs)
	echo "send grep -c '^/dev/vda / ext4' /proc/mounts; cat /version"
	echo "expect ^\\[work\\] 1\$ 120"
	echo "expect ^\\[work\\] master v$(( $1 == 3 ? 2 : 1 ))\$ 300"
	# the data disk: a file system made on the first boot, mounted after
	[ "$1" = 1 ] && echo "send mke2fs -q /dev/vdb && echo mkfs-\$((6*7))" && echo "expect ^\\[work\\] mkfs-42\$ 300"
	echo "send mkdir -p /mnt/d && mount -t ext4 /dev/vdb /mnt/d && echo data-\$((6*7))"
	echo "expect ^\\[work\\] data-42\$ 300"
}
run_boot() { # boot number, steps file
	local qemu
	qemu="scripts/qemu.sh --timeout 1000 --mem 2G --qemu '-machine q35 -smp 2 -device amd-iommu -drive file=$nvme,if=none,format=raw,id=nv -device nvme,drive=nv,serial=layers,addr=0x5' --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module build/linux/initramfs-svc.cpio.gz --module build/guests/ok.elf --module '$conf name=vms.conf'"
	timeout 1100 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$2" \
		--log "$DIR/boot$1.log" --timeout 300 --total 1050
	STATUS=$?
	[ "$STATUS" -eq 0 ] && echo "ok: boot $1" || fail "boot $1: the console session failed (see above)"
}
boot_sums() { # boot number: "ROOT-DATA" checksums the work VM printed
	grep -oE '^\[work\] sums-[0-9a-f]{64}-[0-9a-f]{64}$' "$DIR/boot$1.log" | tail -1 | cut -d- -f2-
}

# boot 1: files written on the layered root disk and the data disk; the
# truncated layer refused
{
	boot_steps 1
	echo "send dd if=/dev/urandom of=/r1 bs=4096 count=256 2>/dev/null && seq 1 30000 > /mnt/d/d1 && dd if=/dev/urandom bs=4096 count=64 2>/dev/null >> /mnt/d/d1 && sync && echo written-\$((6*7))"
	echo "expect ^\\[work\\] written-42\$ 300"
	echo "send $sums"
	echo "expect ^\\[work\\] sums-[0-9a-f]{64}-[0-9a-f]{64}\$ 120"
	shutdown
} > "$DIR/steps1"
run_boot 1 "$DIR/steps1"
grep -qE '^\[svc\] bulkhead-guest: svcdisk work-bad refused: bulkhead-image: /store/work-bad.qcow2: truncated or corrupt' "$DIR/boot1.log" &&
	echo "ok: the truncated layer refused with its reason" || fail "no refusal of the truncated layer in boot 1"
grep -qE '^\[svc\] bulkhead-guest: svcdisk work-badm refused: bulkhead-image: /store/master-bad.qcow2: corrupt \(qemu-img check found errors; refused\)' "$DIR/boot1.log" &&
	echo "ok: the layer over a corrupt master refused with its reason" || fail "no refusal of the corrupt master in boot 1"
grep -qE '^\[svc\] bulkhead-guest: svcdisk work-root: /store/work-root.qcow2 on /dev/nbd0 \(.*backing master-1\.qcow2 \(qcow2\)' "$DIR/boot1.log" &&
	echo "ok: the root disk served as a layer over master-1" || fail "boot 1: no line for the root disk's chain"
s1=$(boot_sums 1)
for b in "l work-bad" "m work-badm"; do
	set -- $b
	grep -q "^vm bad$1: stopped: its disk $2 is not served: its image was refused by the service VM" "$DIR/boot1.log" &&
		echo "ok: vm bad$1 not started: its disk $2 refused" || fail "boot 1: vm bad$1 not stopped for its refused disk $2"
	# its console has the hypervisor's device line only, not the guest's
	# "ok: done" (ok.elf prints it after 1 s)
	grep "^\[bad$1\]" "$DIR/boot1.log" | grep -vq "^\[bad$1\] virtio-blk 0: " &&
		fail "boot 1: vm bad$1 ran (its guest wrote to its console)"
	grep -q "^vm bad$1: exits:; " "$DIR/boot1.log" && echo "ok: vm bad$1 made no exit" ||
		fail "boot 1: vm bad$1 made exits: it ran"
done

# boot 2: a full power cycle, the same nvme image
{
	boot_steps 2
	echo "send $sums"
	echo "expect ^\\[work\\] sums-[0-9a-f]{64}-[0-9a-f]{64}\$ 120"
	shutdown
} > "$DIR/steps2"
run_boot 2 "$DIR/steps2"
s2=$(boot_sums 2)
[ -n "$s1" ] && [ "$s1" = "$s2" ] && echo "ok: both files' checksums the same after the power cycle" ||
	fail "checksums: boot 1 '$s1', boot 2 '$s2'"

# the master in the image is the published one, byte for byte
debugfs -R "dump /master-1.qcow2 $DIR/master-1.out" "$nvme" 2>/dev/null
cmp -s "$DIR/master-1.qcow2" "$DIR/master-1.out" && qemu-img compare -q "$DIR/master-1.qcow2" "$DIR/master-1.out" &&
	echo "ok: the master in the nvme's image is byte-identical to the published one" ||
	fail "the master in the nvme's image differs from the published one"
debugfs -R "dump /work-root.qcow2 $DIR/work-root.out" "$nvme" 2>/dev/null
[ "$(qemu-img info --output=json "$DIR/work-root.out" | jq -r '."actual-size"')" -gt 1048576 ] &&
	echo "ok: the root disk's writes are in its layer" || fail "the layer holds no more than 1 MiB"

# a new master version and a new root layer over it; the data disk untouched
cp "$DIR/master-2.qcow2" "$DIR/new/master-2.qcow2"
$img create-layer --master "$DIR/new/master-2.qcow2" --layer "$DIR/new/work-root.qcow2" >/dev/null || fail "create-layer v2"
debugfs -R "dump /work-data.img $DIR/data-before" "$nvme" 2>/dev/null
printf 'rm /work-root.qcow2\nwrite %s work-root.qcow2\nwrite %s master-2.qcow2\n' \
	"$DIR/new/work-root.qcow2" "$DIR/new/master-2.qcow2" > "$DIR/debugfs.cmds"
debugfs -w -f "$DIR/debugfs.cmds" "$nvme" >/dev/null 2>&1 || fail "debugfs writing the new master"
e2fsck -fn "$nvme" >/dev/null 2>&1 || fail "the nvme's file system is not clean after the update"
debugfs -R "dump /work-data.img $DIR/data-after" "$nvme" 2>/dev/null
[ -s "$DIR/data-before" ] && cmp -s "$DIR/data-before" "$DIR/data-after" &&
	echo "ok: the data disk's file is unchanged by the update" || fail "the update changed the data disk's file"

# boot 3: master v2 on the root disk, the data disk's file unchanged
{
	boot_steps 3
	echo "send [ -e /r1 ] && echo r1-present || echo r1-absent"
	echo "expect ^\\[work\\] r1-absent\$ 60"
	echo "send echo data-\$(sha256sum /mnt/d/d1 | cut -c1-64)"
	echo "expect ^\\[work\\] data-[0-9a-f]{64}\$ 120"
	shutdown
} > "$DIR/steps3"
run_boot 3 "$DIR/steps3"
d3=$(grep -oE '^\[work\] data-[0-9a-f]{64}$' "$DIR/boot3.log" | tail -1 | cut -d- -f2)
[ -n "$d3" ] && [ "$d3" = "${s1#*-}" ] && echo "ok: the data disk's file survived the new master" ||
	fail "data file after the new master: '$d3', before '${s1#*-}'"
grep -qE '^\[svc\] bulkhead-guest: svcdisk work-root: /store/work-root.qcow2 on /dev/nbd0 \(.*backing master-2\.qcow2 \(qcow2\)' "$DIR/boot3.log" &&
	echo "ok: boot 3 serves the root disk as a layer over master-2" || fail "boot 3: no line for the new chain"

cat "$DIR"/boot[123].log > "$LOG" 2>/dev/null
expect_regex "^vm svc: passthrough 00:05\.0 at 00:10\.0"
expect_no_line "device needs reset"
expect_no_line "service ring broken"
expect_no_line "PANIC"
finish
