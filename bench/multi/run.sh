#!/usr/bin/env bash
# The client-machine benchmark (issue "the client machine"): boot time of
# three VMs together against one alone, the idle VMs' exit rates (the
# tickless scheduler's aim: under 10 host-timer exits per second per idle
# VM), and the focused VM's shell round trip, idle and while another VM is
# CPU-bound on every vCPU (bench/multi/multi.py). Three Debian VMs with 2
# vCPUs each, as in configs/demo.conf, on QEMU -smp 2 with multi-threaded
# TCG. Wall-clock figures from one run on a shared machine: read them as
# ratios and orders of magnitude. Results: bench/results/multi-<commit>.txt.
#   SAMPLES=30 IDLE=30 bench/multi/run.sh
set -u
cd "$(dirname "$0")/../.."
scripts/guest-linux.sh >/dev/null || { echo "bench/multi: building the Linux guest failed" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv 2>/dev/null | grep -q . && echo " +uncommitted changes" || true)
out=bench/results/multi-$commit.txt
cmdline=$(cat build/linux/cmdline)
mods() {
	for vm in "$@"; do
		printf -- " --module 'build/linux/bzImage vm=%s mem=384 vcpus=2 -- %s'" "$vm" "$cmdline"
		printf -- " --module 'build/linux/initramfs.cpio.gz vmmod=%s'" "$vm"
	done
}
q="scripts/qemu.sh --timeout 1500 --mem 2G --qemu '-smp 2'"
{
	echo "bench/multi at $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) host CPUs"
	echo "QEMU $(qemu-system-x86_64 --version | head -1 | sed 's/.*version //'), -cpu EPYC -smp 2, tcg thread=multi"
} > "$out"
/usr/bin/python3 bench/multi/multi.py --cmd1 "$q $(mods work)" \
	--cmd3 "$q $(mods work personal scratch)" --out "$out" \
	--samples "${SAMPLES:-30}" --idle "${IDLE:-30}" || { echo "bench/multi: failed" >&2; exit 1; }
echo "bench/multi: results in $out"
