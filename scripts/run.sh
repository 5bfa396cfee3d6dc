#!/usr/bin/env bash
# `make run`: boot Bulkhead in QEMU with its console on this terminal.
#   make run                               a Debian VM ("linux") with a busybox
#                                          shell: type commands, `poweroff` ends it
#   make run RUN_ARGS="--bare"             the hypervisor alone: boot report, stop
#   make run RUN_ARGS="--timeout 120"      bounded, for scripts (no terminal needed)
# Other options and words after "--" go to scripts/qemu.sh and the hypervisor's
# command line. Leave QEMU with Ctrl-A X; Ctrl-] d shows each VM's vCPU state,
# Ctrl-] c opens the hypervisor console (docs/user-guide.md, "The console").
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
scripts/guest-linux.sh >/dev/null || { echo "run: could not build the Linux guest" >&2; exit 1; }
exec scripts/qemu.sh --mem 2G \
	--module "build/linux/bzImage vm=linux mem=512 -- $(cat build/linux/cmdline)" \
	--module "build/linux/initramfs.cpio.gz vmmod=linux" "${args[@]}"
