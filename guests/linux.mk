# Reference Linux guest: Debian's unmodified kernel and a busybox initramfs
# (DESIGN.md "Guests"; scripts/guest-linux.sh, guests/linux/). Not part of
# `make all` (it downloads about 72 MB once); the bench and tests that need it
# run `make linux-guest` or the script themselves. Outputs in build/linux/.
#   make linux-guest   fetch/build bzImage + initramfs.cpio.gz (cached)
#   make linux         the same
#   make linux-smoke   boot it under plain QEMU and drive its shell
.PHONY: linux linux-guest linux-smoke
linux-guest:
	@scripts/deps.sh
	@scripts/guest-linux.sh
linux: linux-guest
linux-smoke: linux-guest
	@guests/linux/smoke.sh
