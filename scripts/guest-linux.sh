#!/usr/bin/env bash
# Builds the reference Linux guest: Debian's own kernel, unmodified, and a
# busybox initramfs made by the project (DESIGN.md, "Guests").
#   scripts/guest-linux.sh [--force]
# Outputs, all under build/linux/ (downloads cached in build/linux/debs/):
#   bzImage             vmlinuz-* of linux-image-6.1.0-N-amd64 (what the
#                       linux-image-amd64 metapackage depends on today)
#   initramfs.cpio.gz   busybox-static + e2fsck-static + guests/linux/{init,inittab,profile,power-button}
#                       + the modules below (virtio, ACPI button, evdev, nvme, e1000e,
#                       uio_pci_generic for bulkhead-svcd) and
#                       their dependencies
#   initramfs-svc.cpio.gz  the same + nbd.ko, qemu-nbd, qemu-img and their
#                       libraries (from the host's qemu-utils), bulkhead-image:
#                       the service VM's (docs/disks.md)
#   cmdline             recommended kernel command line (guests/linux/cmdline)
#   kernel-version      e.g. 6.1.0-56-amd64
# Idempotent: downloads only what is not cached, rebuilds only when an input
# (package versions, guests/linux/*, this script) changed. --force rebuilds.
# LINUX_PKG=linux-image-6.1.0-N-amd64 pins the kernel package instead of
# following the metapackage.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/linux
debs=$out/debs
py=/usr/bin/python3
# button and evdev: the ACPI power button reaches busybox acpid (inittab).
modules="virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_ring
	virtio virtio_blk virtio_net net_failover failover virtio_console virtio_rng
	virtio_gpu virtio_input
	button evdev ext4 crc32c_generic nvme
	e1000e uio_pci_generic"
force=0
[ "${1:-}" = "--force" ] && force=1
mkdir -p "$debs"
say() { echo "guest-linux: $*"; }
die() { echo "guest-linux: $*" >&2; exit 1; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# What apt says today: kernel package behind the metapackage and candidate
# versions. apt-cache is slow (about 1 s a call), so the answer is kept in
# build/linux/apt-resolved and reused while apt's package lists are unchanged.
apt_state() {
	ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null | grep Packages | sha256sum | cut -c1-16
}
resolve() {
	local k kv bv
	k=${LINUX_PKG:-}
	[ -n "$k" ] || k=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
	[ -n "$k" ] || return 1
	kv=$(apt-cache policy "$k" busybox-static e2fsck-static 2>/dev/null | awk -v k="$k" '
		/^[^ ]/ { p = $1; sub(/:$/, "", p) }
		/^ *Candidate:/ && $2 != "(none)" { v[p] = $2 }
		END { print v[k]; print v["busybox-static"]; print v["e2fsck-static"] }')
	bv=$(echo "$kv" | sed -n 2p); ev=$(echo "$kv" | sed -n 3p); kv=$(echo "$kv" | sed -n 1p)
	[ -n "$kv" ] && [ -n "$bv" ] && [ -n "$ev" ] || return 1
	printf '%s\n%s\n%s\n%s\n%s\n' "$(apt_state)/${LINUX_PKG:-}" "$k" "$kv" "$bv" "$ev"
}
resolved=$out/apt-resolved
if [ "$(head -1 "$resolved" 2>/dev/null)" != "$(apt_state)/${LINUX_PKG:-}" ] ||
	[ "$(wc -l <"$resolved")" -ne 5 ]; then
	if ! resolve >"$resolved.tmp"; then
		# No package lists yet (fresh machine or cleaned apt cache).
		say "apt does not resolve the packages, running apt-get update"
		$sudo apt-get update -qq >&2 || true
		resolve >"$resolved.tmp" || : >"$resolved.tmp"
	fi
	mv "$resolved.tmp" "$resolved"
fi
kpkg=$(sed -n 2p "$resolved")

# Returns the cached .deb of a package at version VER, downloading it with
# apt-get download when it is not cached. Without a version (apt could not
# tell), falls back to the newest cached .deb of that package.
fetch_deb() {
	local pkg=$1 ver=$2 file
	if [ -z "$ver" ]; then
		file=$(ls -1 "$debs/${pkg}_"*_amd64.deb 2>/dev/null | sort -V | tail -1 || true)
		[ -n "$file" ] || die "cannot resolve package $pkg (apt-get update?) and nothing cached"
		echo "guest-linux: apt does not know $pkg, using cached $(basename "$file")" >&2
		echo "$file"; return
	fi
	file="$debs/${pkg}_${ver//:/%3a}_amd64.deb"
	if [ ! -s "$file" ]; then
		echo "guest-linux: apt-get download $pkg=$ver" >&2
		# apt writes to the current directory; as root it warns that the
		# _apt user cannot write there (harmless), keep the rest visible.
		(cd "$debs" && apt-get download -q "$pkg:amd64=$ver" 2>&1 |
			grep -v -e 'unsandboxed as root' -e '^Get:' >&2) || true
		[ -s "$file" ] || die "apt-get download $pkg=$ver did not produce $file"
	fi
	echo "$file"
}

if [ -z "$kpkg" ]; then
	kdeb=$(ls -1 "$debs"/linux-image-[0-9]*-amd64_*_amd64.deb 2>/dev/null | sort -V | tail -1 || true)
	[ -n "$kdeb" ] || die "cannot resolve linux-image-amd64 (apt-get update?) and nothing cached"
	kpkg=$(basename "$kdeb" | sed 's/_.*//')
	say "apt does not know linux-image-amd64, using cached $kpkg"
fi
kdeb=$(fetch_deb "$kpkg" "$(sed -n 3p "$resolved")")
bbdeb=$(fetch_deb busybox-static "$(sed -n 4p "$resolved")")
# e2fsck, statically linked: the disk tests check a file system after an
# unclean stop (docs/disks.md); busybox has no e2fsck.
e2deb=$(fetch_deb e2fsck-static "$(sed -n 5p "$resolved")")

# Extract a .deb into DIR once per .deb (a stamp names the .deb extracted).
extract() { # deb dir
	if [ "$(cat "$2/.extracted" 2>/dev/null)" != "$(basename "$1")" ]; then
		say "extracting $(basename "$1")"
		rm -rf "$2"; mkdir -p "$2"
		dpkg-deb -x "$1" "$2"
		basename "$1" >"$2/.extracted"
	fi
}
extract "$kdeb" "$out/kernel"
extract "$bbdeb" "$out/busybox"
extract "$e2deb" "$out/e2fsck"

kver=$(cd "$out/kernel/lib/modules" && ls -1 | head -1)
[ -n "$kver" ] && [ -f "$out/kernel/boot/vmlinuz-$kver" ] || die "no vmlinuz-* in $kdeb"
# Debian's package carries no modules.dep (its postinst runs depmod).
if [ ! -s "$out/kernel/lib/modules/$kver/modules.dep" ]; then
	command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	command -v depmod >/dev/null || die "depmod missing (package kmod; scripts/deps.sh)"
	depmod -b "$out/kernel" "$kver"
fi
cmp -s "$out/kernel/boot/vmlinuz-$kver" "$out/bzImage" ||
	cp "$out/kernel/boot/vmlinuz-$kver" "$out/bzImage"
echo "$kver" >"$out/kernel-version"
cmp -s guests/linux/cmdline "$out/cmdline" || cp guests/linux/cmdline "$out/cmdline"

# bulkhead-tsc: a 9 KB static program /init runs to print the guest's TSC.
tsc=$out/bulkhead-tsc
if [ ! -s "$tsc" ] || [ guests/linux/tsc.c -nt "$tsc" ]; then
	${HOSTCC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -fno-pie -no-pie \
		-fno-stack-protector -fcf-protection=none -Wl,--build-id=none \
		-o "$tsc" guests/linux/tsc.c
fi

# bulkhead-memscan: scans the VM's RAM for a token (the isolation tests).
memscan=$out/bulkhead-memscan
if [ ! -s "$memscan" ] || [ guests/linux/memscan.c -nt "$memscan" ]; then
	${HOSTCC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -ffreestanding \
		-fno-tree-loop-distribute-patterns -fno-pie -no-pie -fno-stack-protector \
		-fcf-protection=none -Wl,--build-id=none -o "$memscan" guests/linux/memscan.c
fi

# bulkhead-svcd: the service VM's block daemon (tools/bulkhead-svcd.c),
# started by /init when the command line has bulkhead.svcd= (docs/disks.md).
svcd=$out/bulkhead-svcd
svcd_new=0
for f in tools/bulkhead-svcd*.[ch] hv/include/public/svc_ring.h; do
	[ "$f" -nt "$svcd" ] && svcd_new=1
done
if [ ! -s "$svcd" ] || [ "$svcd_new" = 1 ]; then
	${HOSTCC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Ihv/include -static \
		-o "$svcd" tools/bulkhead-svcd*.c
fi

# bulkhead-mmio: reads a PCI BAR through sysfs (the passthrough test).
mmio=$out/bulkhead-mmio
if [ ! -s "$mmio" ] || [ guests/linux/mmio.c -nt "$mmio" ]; then
	${HOSTCC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -ffreestanding \
		-fno-pie -no-pie -fno-stack-protector -fcf-protection=none -Wl,--build-id=none \
		-o "$mmio" guests/linux/mmio.c
fi

# Everything the initramfs is made of; rebuilt only when this key changes.
key=$( {
	basename "$kdeb"; basename "$bbdeb"; basename "$e2deb"; echo "$modules"
	cat scripts/guest-linux.sh guests/linux/init guests/linux/inittab \
		guests/linux/profile guests/linux/power-button guests/linux/mkinitramfs.py "$tsc" "$memscan" "$svcd" "$mmio"
} | sha256sum | cut -d' ' -f1)
img=$out/initramfs.cpio.gz
if [ $force -eq 1 ] || [ ! -s "$img" ] || [ "$(cat "$out/initramfs.key" 2>/dev/null)" != "$key" ]; then
	[ -x "$py" ] || die "$py missing (package python3; scripts/deps.sh)"
	"$py" guests/linux/mkinitramfs.py --kroot "$out/kernel" --kver "$kver" \
		--busybox "$out/busybox/bin/busybox" --guest-dir guests/linux \
		--add "bin/bulkhead-tsc=$tsc" --add "bin/bulkhead-memscan=$memscan" --add "bin/bulkhead-mmio=$mmio" \
		--add "bin/bulkhead-svcd=$svcd" \
		--add "sbin/e2fsck=$out/e2fsck/sbin/e2fsck.static" \
		--add "etc/acpi/PWRF/00000080=guests/linux/power-button" \
		--modules "$(echo $modules)" --out "$img" --list "$out/initramfs.list"
	echo "$key" >"$out/initramfs.key"
else
	say "initramfs up to date"
fi

# The service VM's initramfs, initramfs-svc.cpio.gz (docs/disks.md, "Layered
# disks on the service VM's NVMe"): the guest's own plus nbd.ko, qemu-nbd and
# qemu-img of the host's qemu-utils (scripts/deps.d/) with every shared
# library ldd names and the dynamic loader, and bulkhead-image (tools/,
# static) to check a chain before it is served. A separate file: the
# other VMs' initramfs stays small. Rebuilt when its key (the guest's, the
# binaries' and libraries' bytes) changes.
imgtool=$out/bulkhead-image
if [ ! -s "$imgtool" ] || [ -n "$(find tools/bulkhead-image.c tools/bulkhead-image-chain.c \
	tools/bulkhead-image-run.c tools/bulkhead-image.h -newer "$imgtool")" ]; then
	${HOSTCC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -static -o "$imgtool" \
		tools/bulkhead-image.c tools/bulkhead-image-chain.c tools/bulkhead-image-run.c
fi
svc_bins="/usr/bin/qemu-nbd /usr/bin/qemu-img"
for b in $svc_bins; do [ -x "$b" ] || die "$b missing (package qemu-utils; scripts/deps.sh)"; done
svc_libs=$(ldd $svc_bins | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' | sort -u)
svc_adds=()
for f in $svc_bins $svc_libs; do svc_adds+=(--add "${f#/}=$(readlink -f "$f")"); done
svc_key=$( { echo "$key"; cat $svc_bins $svc_libs "$imgtool"; } | sha256sum | cut -d' ' -f1)
svc_img=$out/initramfs-svc.cpio.gz
if [ $force -eq 1 ] || [ ! -s "$svc_img" ] || [ "$(cat "$out/initramfs-svc.key" 2>/dev/null)" != "$svc_key" ]; then
	"$py" guests/linux/mkinitramfs.py --kroot "$out/kernel" --kver "$kver" \
		--busybox "$out/busybox/bin/busybox" --guest-dir guests/linux \
		--add "bin/bulkhead-tsc=$tsc" --add "bin/bulkhead-memscan=$memscan" --add "bin/bulkhead-mmio=$mmio" \
		--add "bin/bulkhead-svcd=$svcd" --add "bin/bulkhead-image=$imgtool" \
		--add "sbin/e2fsck=$out/e2fsck/sbin/e2fsck.static" \
		--add "etc/acpi/PWRF/00000080=guests/linux/power-button" "${svc_adds[@]}" \
		--modules "$(echo $modules nbd)" --out "$svc_img" --list "$out/initramfs-svc.list"
	echo "$svc_key" >"$out/initramfs-svc.key"
fi

size() { stat -c %s "$1"; }
say "kernel $kver from $(basename "$kdeb")"
say "busybox from $(basename "$bbdeb")"
say "$out/bzImage $(size "$out/bzImage") bytes"
say "$img $(size "$img") bytes ($(grep -c '\.ko$' "$out/initramfs.list") modules)"
say "$svc_img $(size "$svc_img") bytes (the service VM's: + nbd, qemu-nbd, qemu-img)"
say "cmdline: $(cat "$out/cmdline")"
