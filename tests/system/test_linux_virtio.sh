#!/usr/bin/env bash
# Debian's unmodified kernel in a Bulkhead VM with virtio-pci devices from
# the configuration file: an ext4 file system on a writable virtio-blk disk
# (made on the host) is written, the VM restarts, and the files read back
# with the same checksums; after an unclean stop e2fsck leaves it clean; a read-only disk refuses writes; /dev/hwrng gives
# bytes from virtio-rng; the shell driven here is on hvc0 (virtio-console).
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
dir=$LOGDIR/$TEST.d
rm -rf "$dir"
mkdir -p "$dir/ro"
echo "hello from a read-only disk" > "$dir/ro/hello"
truncate -s 32M "$dir/disk.img"
mkfs.ext4 -q -F -E nodiscard "$dir/disk.img" || { fail "mkfs.ext4"; finish; }
truncate -s 8M "$dir/ro.img"
mkfs.ext4 -q -F -d "$dir/ro" "$dir/ro.img" || { fail "mkfs.ext4 -d"; finish; }
cat > "$dir/vms.conf" <<CONF
[vm linux]
role     = work
memory   = 512 MiB
kernel   = bzImage
initrd   = initramfs.cpio.gz
cmdline  = "$(cat build/linux/cmdline)"
disks    = disk.img, ro.img ro
vconsole = yes
rng      = yes
CONF
out=$LOGDIR/$TEST.out
rm -f "$out"
qemu="scripts/qemu.sh --timeout 840 --mem 2G --module build/linux/bzImage --module build/linux/initramfs.cpio.gz --module $dir/vms.conf --module $dir/disk.img --module $dir/ro.img"
timeout 900 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script tests/system/test_linux_virtio.steps \
	--strip-prefix "[linux] " --log "$LOG" --out "$out" --timeout 120 --total 860
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
# (the transcript has the "[linux] " prefix stripped)
expect_regex "^virtio-rng: entropy from (RDSEED|RDRAND|DRBG)"
expect_regex "^virtio-blk 0: 65536 sectors, writable"
expect_regex "^virtio-blk 1: 16384 sectors, read-only"
expect_no_line "device needs reset"
finish
