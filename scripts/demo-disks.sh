#!/usr/bin/env bash
# The demo machine's data disks (configs/demo.conf): one small ext4 image
# per VM that has one, made once under build/demo/ with a README in it.
# Bulkhead serves each from RAM, so what a VM writes lasts until the
# machine powers off and the image here never changes (docs/disks.md).
# Prints the --module arguments for scripts/qemu.sh, one per line.
set -eu
cd "$(dirname "$0")/.."
dir=build/demo
mkdir -p "$dir"
for vm in work personal; do
	img=$dir/$vm-data.img
	if [ ! -s "$img" ]; then
		tree=$dir/$vm-data.d
		rm -rf "$tree" && mkdir -p "$tree"
		echo "the $vm VM's data disk (configs/demo.conf)" > "$tree/README"
		truncate -s 32M "$img.tmp"
		mkfs.ext4 -q -F -E nodiscard -L "$vm-data" -d "$tree" "$img.tmp" >/dev/null
		mv "$img.tmp" "$img"
		rm -rf "$tree"
	fi
	echo "--module"
	echo "$img name=$vm-data.img"
done
