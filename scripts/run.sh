#!/usr/bin/env bash
# `make run`: boot Bulkhead in QEMU with its console on this terminal.
#   make run                               the demo machine (configs/demo.conf):
#                                          the service VM first (it owns the
#                                          NIC, an e1000e on QEMU's user-mode
#                                          network, under the AMD IOMMU), then
#                                          work, personal and scratch, Debian
#                                          VMs with 2 vCPUs each, on 2
#                                          emulated CPUs
#   make run RUN_ARGS="--bare"             the hypervisor alone: boot report, stop
#   make run RUN_ARGS="--timeout 120"      bounded, for scripts (no terminal needed)
# Other options and words after "--" go to scripts/qemu.sh and the hypervisor's
# command line. V=1 shows what each stage runs. Ctrl-] c opens the
# hypervisor console (docs/user-guide.md, "The console").
set -u
cd "$(dirname "$0")/.."
bare=false
args=()
for a in "$@"; do
	case "$a" in
	--bare) bare=true ;;
	*) args+=("$a") ;;
	esac
done
if $bare; then
	exec scripts/qemu.sh "${args[@]}"
fi
echo "run: fetching Debian's kernel and making the guests' initramfs (scripts/guest-linux.sh)"
if [ "${V:-}" = 1 ]; then
	scripts/guest-linux.sh || { echo "run: could not build the Linux guest" >&2; exit 1; }
else
	scripts/guest-linux.sh >/dev/null || { echo "run: could not build the Linux guest (V=1 shows why)" >&2; exit 1; }
fi
cat <<'HELP'
run: booting Bulkhead in QEMU with the VMs of configs/demo.conf
run:   the screen shows one VM at a time, under a banner the hypervisor draws
run:   with its name and colour (svc white, work blue, personal green,
run:   scratch yellow); svc, the service VM, owns the NIC and is the way out
run:   Ctrl-] 0, 1, 2, 3  show and type into svc, work, personal or scratch
run:   Ctrl-] m         a menu of the VMs; Ctrl-] c the hypervisor console
run:                    (list, stop, start, restart, shutdown)
run:   Ctrl+Alt+Home    in QEMU's window (work and personal have a screen):
run:                    the next VM, under the label bar the hypervisor draws
run:   poweroff         in a VM's shell ends that VM; the run ends with the last
run:   Ctrl-A X         leaves QEMU at once
run:   in work, personal or scratch: udhcpc -i eth0 -q -s /bin/true prints
run:   a lease (10.0.2.x) from QEMU's network; docs/user-guide.md shows how
run:   to use it (the host's loopback is 10.0.2.2)
HELP
# The hypervisor's own words go after "--" (focus mode: docs/user-guide.md).
hv_words=(-- console=focus)
for a in "${args[@]}"; do
	[ "$a" = "--" ] && hv_words=(console=focus)
done
# With a graphical session ($DISPLAY) and a QEMU that can open a window,
# the screen the hypervisor draws (docs/display.md) shows there too; the
# serial console stays on this terminal either way.
window=""
if [ -n "${DISPLAY:-}" ]; then
	backends=$(qemu-system-x86_64 -display help 2>/dev/null)
	for b in gtk sdl; do
		if grep -qx "$b" <<<"$backends"; then
			window="-display $b"
			break
		fi
	done
	[ -n "$window" ] || echo "run: no QEMU window (install qemu-system-gui): serial only"
fi
[ -n "$window" ] && echo "run: the screen is in QEMU's window; Ctrl+Alt+Home there switches VMs"
# the service VM's NVMe, holding work's and personal's data disks (ext4,
# made once in build/demo/)
scripts/demo-disks.sh || { echo "run: could not make the demo's disks" >&2; exit 1; }
# q35 with an AMD IOMMU and an e1000e at 00:06.0 on QEMU's user-mode
# network (slirp: DHCP, NAT, the host's loopback at 10.0.2.2): configs/
# demo.conf passes it through to the service VM, the switch's uplink; and
# an nvme at 00:05.0 on build/demo/svc-store.img, passed through to the
# service VM too: its file system holds the work and personal VMs' data
# disks, which the service VM serves (so what they write there lasts from
# run to run).
svc_hw="-machine q35 -device amd-iommu -netdev user,id=n0 -device e1000e,netdev=n0,addr=0x6"
svc_hw="$svc_hw -drive file=build/demo/svc-store.img,if=none,format=raw,id=store"
svc_hw="$svc_hw -device nvme,drive=store,serial=svc-store,addr=0x5"
exec scripts/qemu.sh --mem 2G --qemu "-smp 2 $svc_hw $window" \
	--module build/linux/bzImage --module build/linux/initramfs.cpio.gz \
	--module build/linux/initramfs-svc.cpio.gz \
	--module "configs/demo.conf name=vms.conf" "${args[@]}" "${hv_words[@]}"
