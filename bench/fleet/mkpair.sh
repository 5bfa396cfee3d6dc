#!/usr/bin/env bash
# Build the benchmark's image pair (cached under $1, default build/bench/fleet):
#   v1.img  Debian bookworm minbase (debootstrap) in a ~1 GiB ext4 image
#   v2.img  v1 plus a handful of added/upgraded packages (apt-get in a chroot)
# Both images are made by `mkfs.ext4 -d` with a fixed UUID, hash seed and time,
# the way an image pipeline rebuilds its master image for each release.
set -euo pipefail
out=${1:-build/bench/fleet}
mirror=${MIRROR:-http://deb.debian.org/debian}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -s "$out/v1.img" ] && [ -s "$out/v2.img" ] && exit 0

if [ ! -e "$out/rootfs-v1/.done" ]; then
	rm -rf "$out/rootfs-v1"
	echo "mkpair: debootstrap bookworm minbase (a few minutes)" >&2
	timeout 1800 debootstrap --variant=minbase bookworm "$out/rootfs-v1" "$mirror" \
		>"$out/debootstrap.log" 2>&1 || { tail -20 "$out/debootstrap.log" >&2; exit 1; }
	rm -rf "$out/rootfs-v1/var/cache/apt/archives/"*.deb
	touch "$out/rootfs-v1/.done"
fi
if [ ! -e "$out/rootfs-v2/.done" ]; then
	rm -rf "$out/rootfs-v2"
	cp -a "$out/rootfs-v1" "$out/rootfs-v2"
	rm -f "$out/rootfs-v2/.done"
	r="$out/rootfs-v2"
	echo "deb $mirror bookworm-updates main" >"$r/etc/apt/sources.list.d/updates.list"
	echo "deb http://deb.debian.org/debian-security bookworm-security main" >>"$r/etc/apt/sources.list.d/updates.list"
	cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
	echo "mkpair: v2 = v1 + upgrades + a handful of packages" >&2
	timeout 1800 chroot "$r" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c 'apt-get update -qq && apt-get -y -qq upgrade && apt-get install -y -qq --no-install-recommends less jq curl vim-tiny openssh-client && apt-get clean' \
		>"$out/apt-v2.log" 2>&1 || { tail -20 "$out/apt-v2.log" >&2; exit 1; }
	touch "$r/.done"
fi
for v in v1 v2; do
	rm -f "$out/$v.img"
	E2FSPROGS_FAKE_TIME=1700000000 mkfs.ext4 -q -F -L bulkhead -U 0b0c0a0e-1111-4222-8333-444455556666 \
		-E hash_seed=5e5e5e5e-1111-4222-8333-444455556666,root_owner=0:0 \
		-d "$out/rootfs-$v" "$out/$v.img.tmp" 1G
	mv "$out/$v.img.tmp" "$out/$v.img"
done
ls -l "$out"/v?.img >&2
