#!/usr/bin/env bash
# The demo machine's disks (configs/demo.conf), made once under build/demo/:
#   svc-store.img   the service VM's NVMe (ext4), holding work-data.img and
#                   personal-data.img, the work and personal VMs' data
#                   disks, which the service VM serves through the service
#                   ring (bulkhead.svcstore=, bulkhead.svcdisks=); what the
#                   VMs write there stays in this file from one `make run`
#                   to the next (docs/disks.md)
# Each data disk is a small ext4 image with a README. A store made before
# personal's disk moved there gets it added (debugfs). scripts/run.sh gives
# svc-store.img to QEMU as an nvme.
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
	data_disk personal "$dir/store.d/personal-data.img"
	truncate -s 96M "$store.tmp"
	mkfs.ext4 -q -F -E nodiscard -L svc-store -d "$dir/store.d" "$store.tmp" >/dev/null
	mv "$store.tmp" "$store"
	rm -rf "$dir/store.d"
elif ! debugfs -R "stat /personal-data.img" "$store" 2>/dev/null | grep -q "^Inode:"; then
	data_disk personal "$dir/personal-data.img"
	debugfs -w -R "write $dir/personal-data.img personal-data.img" "$store" >/dev/null 2>&1
	rm -f "$dir/personal-data.img"
	debugfs -R "stat /personal-data.img" "$store" 2>/dev/null | grep -q "^Inode:" ||
		{ echo "demo-disks: could not add personal-data.img to $store" >&2; exit 1; }
fi
