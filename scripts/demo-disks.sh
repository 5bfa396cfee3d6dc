#!/usr/bin/env bash
# The demo machine's disks (configs/demo.conf), made once under build/demo/:
#   svc-store.img   the service VM's NVMe (ext4): work-data.img, the work
#                   VM's data disk, which the service VM serves through the
#                   service ring (bulkhead.svcstore=, bulkhead.svcdisks=);
#                   what the work VM writes there stays in this file from
#                   one `make run` to the next (docs/disks.md)
#   personal-data.img  the personal VM's data disk, a boot module the
#                   hypervisor serves from RAM: what it writes lasts until
#                   the machine powers off, the file here never changes
# Each data disk is a small ext4 image with a README. Prints the
# --module arguments for scripts/qemu.sh, one per line; scripts/run.sh
# gives svc-store.img to QEMU as an nvme.
set -eu
cd "$(dirname "$0")/.."
dir=build/demo
mkdir -p "$dir"
data_disk() { # VM, image
	local tree=$dir/$1-data.d
	rm -rf "$tree" && mkdir -p "$tree"
	echo "the $1 VM's data disk (configs/demo.conf)" > "$tree/README"
	truncate -s 32M "$2.tmp"
	mkfs.ext4 -q -F -E nodiscard -L "$1-data" -d "$tree" "$2.tmp" >/dev/null
	mv "$2.tmp" "$2"
	rm -rf "$tree"
}
store=$dir/svc-store.img
if [ ! -s "$store" ]; then
	rm -rf "$dir/store.d" && mkdir -p "$dir/store.d"
	data_disk work "$dir/store.d/work-data.img"
	truncate -s 96M "$store.tmp"
	mkfs.ext4 -q -F -E nodiscard -L svc-store -d "$dir/store.d" "$store.tmp" >/dev/null
	mv "$store.tmp" "$store"
	rm -rf "$dir/store.d"
fi
img=$dir/personal-data.img
[ -s "$img" ] || data_disk personal "$img"
echo "--module"
echo "$img name=personal-data.img"
