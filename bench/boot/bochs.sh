#!/usr/bin/env bash
# Linux boot on the VMX backend against the same kernel booted directly, both
# in Bochs 2.7 (tests/system/bochs.sh): the Debian kernel and initramfs of
# scripts/guest-linux.sh with its quiet command line, to the guest's first
# userspace line "bulkhead-guest: tsc N uptime U" (guests/linux/init).
#   bochs     GRUB boots the kernel directly, mem=256M (the VM's size)
#   bulkhead  GRUB boots bulkhead.elf, the kernel runs as VM "linux", 256 MiB
# N is Bochs' TSC (clock: sync=none): one tick per instruction, and while
# the CPU halts Bochs skips ahead to its next timer event, so N is emulated
# time at ips=50000000, deterministic for the same inputs. It counts from
# the machine's reset in the bochs arm (BIOS, GRUB and decompression
# included) and from the VM's start in the bulkhead arm (the hypervisor's
# exits included). U is the kernel's /proc/uptime at that line, its own
# clock, which starts later in its boot: printed, not compared. Wall
# seconds are printed for information only.
# Results: bench/results/boot-vmx-<commit>.txt.
set -u
cd "$(dirname "$0")/../.."
source tests/system/bochs.sh
LIMIT=${BOCHS_TIMEOUT:-600}
out=build/bench/boot_vmx
mkdir -p "$out" bench/results
command -v bochs >/dev/null || { echo "bench/boot/bochs: bochs not installed" >&2; exit 1; }
[ -f build/bulkhead.elf ] || { echo "bench/boot/bochs: build first (make all)" >&2; exit 1; }
scripts/guest-linux.sh >"$out/guest-linux.txt" 2>&1 || {
	echo "bench/boot/bochs: building the Linux guest failed ($out/guest-linux.txt)" >&2
	exit 1
}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv guests 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)
cmdline=$(cat build/linux/cmdline)
line='bulkhead-guest: tsc [0-9]+ uptime [0-9.]+'
export BOCHS_UNTIL="$line"

t0=$(date +%s)
bochs_boot_linux "$out/bochs" "$out/bochs.log" "$LIMIT" build/linux/bzImage \
	build/linux/initramfs.cpio.gz "$cmdline mem=256M" || {
	echo "bench/boot/bochs: the direct boot did not reach userspace, log $out/bochs.log" >&2
	exit 1
}
t1=$(date +%s)
bochs_boot "$out/bulkhead" "$out/bulkhead.log" "$LIMIT" \
	"build/linux/bzImage vm=linux mem=256 -- $cmdline" \
	"build/linux/initramfs.cpio.gz vmmod=linux" || {
	echo "bench/boot/bochs: Bulkhead's VM did not reach userspace, log $out/bulkhead.log" >&2
	exit 1
}
t2=$(date +%s)

fig() { # log field: the number after "tsc" or "uptime" on the guest's line
	tr -d '\r' <"$1" | grep -aoE "$line" | head -1 | sed -n "s/.* $2 \([0-9.]*\).*/\1/p"
}
ratio() { # a b: a/b with three decimals (integers), or n/a
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ] &&
		printf '%d.%03d' $(( $1 / $2 )) $(( $1 * 1000 / $2 % 1000 )) || echo n/a
}
b_tsc=$(fig "$out/bochs.log" tsc); b_up=$(fig "$out/bochs.log" uptime)
h_tsc=$(fig "$out/bulkhead.log" tsc); h_up=$(fig "$out/bulkhead.log" uptime)
if [ -z "$b_tsc" ] || [ -z "$h_tsc" ]; then
	echo "bench/boot/bochs: no userspace line in $out/bochs.log or $out/bulkhead.log" >&2
	exit 1
fi
res=bench/results/boot-vmx-$commit.txt
{
	echo "# Linux boot to userspace on VMX: Bulkhead in Bochs vs Bochs booting the kernel directly."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), Bochs $(dpkg-query -W -f '${Version}' bochs 2>/dev/null)," \
	     "cpu model corei7_skylake_x, clock: sync=none"
	echo "# kernel $(cat build/linux/kernel-version), command line: $cmdline (direct: + mem=256M; VM: 256 MiB)"
	echo "# tsc: Bochs ticks to the line (one per instruction, halts skipped to the next timer event),"
	echo "#      from machine reset (bochs: BIOS, GRUB, decompression included) or VM start (bulkhead)"
	echo "# uptime: the kernel's /proc/uptime at the line (its clock starts late in the boot; not compared)"
	printf '%-9s %14s %10s %8s\n' arm tsc uptime_s wall_s
	printf '%-9s %14s %10s %8s\n' bochs "${b_tsc:-n/a}" "${b_up:-n/a}" $((t1 - t0))
	printf '%-9s %14s %10s %8s\n' bulkhead "${h_tsc:-n/a}" "${h_up:-n/a}" $((t2 - t1))
	echo "ratio bulkhead/bochs (tsc): $(ratio "$h_tsc" "$b_tsc")"
} >"$res"
cat "$res"
echo "bench/boot/bochs: wrote $res"
