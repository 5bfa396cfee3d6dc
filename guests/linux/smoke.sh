#!/usr/bin/env bash
# Boots the Linux guest (build/linux/bzImage + initramfs.cpio.gz) directly under
# plain QEMU, no Bulkhead, and drives its shell with tests/lib/console.py:
# guests/linux/smoke.steps, then "poweroff" (QEMU must exit) and, in a second
# boot, "reboot" (with -no-reboot QEMU exits too).
#   guests/linux/smoke.sh [--icount] [--only poweroff|reboot]
# Logs and captured output in build/linux/smoke/. Exit 0 when all passed.
set -u
cd "$(dirname "$0")/../.."
icount="" only=""
while [ $# -gt 0 ]; do
	case "$1" in
	--icount) icount="-icount shift=0,sleep=off"; shift ;;
	--only) only=$2; shift 2 ;;
	*) echo "usage: $0 [--icount] [--only poweroff|reboot]" >&2; exit 2 ;;
	esac
done
scripts/guest-linux.sh >/dev/null || exit 1
out=build/linux/smoke
mkdir -p "$out"
qemu="exec qemu-system-x86_64 -accel tcg -cpu EPYC -m 512M -nographic -no-reboot"
qemu="$qemu -monitor none -serial stdio $icount -kernel build/linux/bzImage"
qemu="$qemu -initrd build/linux/initramfs.cpio.gz -append '$(cat build/linux/cmdline)'"
fail=0
for action in poweroff reboot; do
	[ -z "$only" ] || [ "$only" = "$action" ] || continue
	case $action in
	poweroff) last='reboot: Power down' ;;
	reboot) last='reboot: Restarting system' ;;
	esac
	rm -f "$out/$action.out"
	if timeout 600 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" \
		--log "$out/$action.log" --out "$out/$action.out" --timeout 60 --total 500 \
		--script guests/linux/smoke.steps \
		--step "send $action" --step "expect $last 60" --step "exit 0 30" \
		>/dev/null 2>"$out/$action.steps"; then
		echo "PASS linux direct boot, shell, $action${icount:+ (icount)}"
	else
		echo "FAIL linux direct boot, $action${icount:+ (icount)}: see $out/$action.steps, $out/$action.log"
		tail -n 30 "$out/$action.steps"
		fail=1
	fi
done
exit $fail
