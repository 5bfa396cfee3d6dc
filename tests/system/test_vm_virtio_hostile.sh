#!/usr/bin/env bash
# A hostile virtio driver (guests/tests/virtio_hostile.c) breaks every rule
# of the split virtqueue at its virtio-rng device: only that device is
# reset (DEVICE_NEEDS_RESET, logged once), it works again after the driver
# resets it, the VM is never stopped, and a bystander VM finishes. The
# bystander has every virtio device a VM can have (four disks, a console,
# entropy): they all fit in its device memory.
source "$(dirname "$0")/lib.sh"
dir=$LOGDIR/$TEST.d
mkdir -p "$dir"
truncate -s 1M "$dir/small.img"
cat > "$dir/vms.conf" <<'CONF'
[vm hostile]
role    = disposable
memory  = 16
kernel  = virtio_hostile.elf
devices = testexit
rng     = yes

[vm ok]
role    = personal
memory  = 8
kernel  = ok.elf
cmdline = "sleep_ms=20"
devices = testexit
disks   = small.img ro, small.img ro, small.img ro, small.img ro
vconsole = yes
rng     = yes
CONF
BOOT_TIMEOUT=120 boot --module build/guests/virtio_hostile.elf --module build/guests/ok.elf \
	--module "$dir/vms.conf" --module "$dir/small.img" --
expect_status 0
expect_line "[hostile] virtio_hostile: done"
expect_regex "^\[hostile\] virtio_hostile: PASS \([0-9]+ checks\)"
expect_line "vm hostile: exited, code 0"
expect_no_line "vm hostile: stopped"
expect_regex "^\[hostile\] virtio-rng: .*: device needs reset"
n=$(grep -c "device needs reset" "$LOG")
[ "$n" = 1 ] && echo "ok: logged once" || fail "device needs reset logged $n times, want 1"
expect_line "[ok] virtio-blk 3: 2048 sectors, read-only"
expect_regex "^\[ok\] ok: PASS"
expect_line "vm ok: exited, code 0"
finish
