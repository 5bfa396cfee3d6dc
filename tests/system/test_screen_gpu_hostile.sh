#!/usr/bin/env bash
# A hostile virtio-gpu driver (guests/tests/gpu_hostile.c) floods the
# control queue with bad commands: each gets its VIRTIO_GPU_RESP_ERR_*,
# the device stays usable; chains that are not commands reset only that
# device (DEVICE_NEEDS_RESET, logged once), which works again after the driver
# resets it; the VM is never stopped and a bystander VM finishes.
source "$(dirname "$0")/lib.sh"
dir=$LOGDIR/$TEST.d
mkdir -p "$dir"
cat > "$dir/vms.conf" <<'CONF'
[vm hostile]
role    = disposable
memory  = 16
kernel  = gpu_hostile.elf
devices = testexit
display = yes

[vm ok]
role    = personal
memory  = 8
kernel  = ok.elf
cmdline = "sleep_ms=20"
devices = testexit
CONF
BOOT_TIMEOUT=120 boot --module build/guests/gpu_hostile.elf --module build/guests/ok.elf \
	--module "$dir/vms.conf" --
expect_status 0
expect_line "[hostile] gpu_hostile: done, 0 wrong responses"
expect_regex "^\[hostile\] gpu_hostile: PASS \([0-9]+ checks\)"
expect_line "vm hostile: exited, code 0"
expect_no_line "vm hostile: stopped"
expect_regex "^\[hostile\] virtio-gpu: command without a readable header: device needs reset"
expect_regex "^\[ok\] ok: PASS"
expect_line "vm ok: exited, code 0"
finish
