#!/usr/bin/env bash
# Exit round trips on the VMX backend: boots guests/tests/bench_exits.c
# under Bulkhead in Bochs 2.7 (tests/system/bochs.sh) and writes
# bench/results/exits-vmx-<git short commit>.txt with the cost of one
# CPUID, port I/O, MMIO and XSETBV round trip beside the SVM figures of the
# same commit under QEMU's icount (bench/exits/run.sh, run first if its
# results file for this commit is missing), and the ratio VMX/SVM.
# Both count instructions, not time: Bochs with clock: sync=none advances
# its TSC by one per instruction (and skips ahead only while the CPU halts,
# which the timed loops never do), as QEMU's -icount shift=0 does, so each
# figure is the instructions of the guest's loop iteration minus the empty
# loop's, that is the hypervisor's exit handling and the world switch
# (VMRESUME or VMRUN counted as one instruction by either emulator). They
# measure the code paths, not a CPU: neither emulator times a real VM exit.
set -u
cd "$(dirname "$0")/../.."
source tests/system/bochs.sh
ITERS=${ITERS:-10000}
elf=build/guests/bench_exits.elf
out=build/bench/exits_vmx
mkdir -p "$out" bench/results
command -v bochs >/dev/null || { echo "bench/exits/vmx: bochs not installed (scripts/deps.d/bochs.list)" >&2; exit 1; }
[ -f "$elf" ] && [ -f build/bulkhead.elf ] || { echo "bench/exits/vmx: build first (make all)" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv guests 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)

svm=bench/results/exits-$commit.txt
if [ ! -f "$svm" ] || [ -n "$dirty" ]; then
	bench/exits/run.sh >/dev/null || exit 1
fi

log=$out/bulkhead.log
if ! bochs_boot "$out/boot" "$log" "${BOCHS_TIMEOUT:-300}" \
	"$elf vm=bench mem=8 testexit testdev -- iters=$ITERS"; then
	echo "bench/exits/vmx: Bulkhead under Bochs did not finish, log $log" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
grep -aq "^vm bench: exited, code 0" "$log" || {
	echo "bench/exits/vmx: the bench guest failed, log $log" >&2
	tail -n 30 "$log" >&2
	exit 1
}

fig() { # file prefix name
	tr -d '\r' <"$1" | sed -n "s/^$2$3 \([0-9][0-9]*\)\$/\1/p" | head -1
}
ratio() { # a b: a/b with two decimals, or n/a
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ] &&
		printf '%d.%02d' $(( $1 / $2 )) $(( $1 * 100 / $2 % 100 )) || echo n/a
}
exits=$(tr -d '\r' <"$log" | sed -n 's/^vm bench: exits: //p' | head -1)
res=bench/results/exits-vmx-$commit.txt
{
	echo "# Exit round trips, VMX (Bochs) beside SVM (QEMU): instructions per round trip,"
	echo "# the guest's loop iteration minus the empty loop, best of 5 x $ITERS."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "# vmx: Bochs $(dpkg-query -W -f '${Version}' bochs 2>/dev/null || echo '(version unknown)')," \
	     "cpu model corei7_skylake_x, clock: sync=none (TSC: one tick per instruction; no halts in the loops)"
	echo "# svm: $(sed -n 's/^# commit [^,]*, [^,]*, //p' "$svm" | head -1), -cpu EPYC -icount shift=0 ($svm)"
	echo "# vmx exits counted by the hypervisor: $exits"
	if grep -q "this QEMU ignores the XSETBV intercept" "$svm"; then
		echo "# svm xsetbv: this QEMU ignores the XSETBV intercept, so its figure is the bare instruction, not a round trip: no ratio"
	fi
	printf '%-8s %8s %8s %9s\n' exit vmx svm vmx/svm
	for e in cpuid pio mmio xsetbv; do
		v=$(fig "$log" '\[bench\] bench ' "$e")
		s=$(fig "$svm" 'bench ' "$e")
		r=$(ratio "$v" "$s")
		[ "$e" = xsetbv ] && grep -q "this QEMU ignores the XSETBV intercept" "$svm" && r=n/a
		printf '%-8s %8s %8s %9s\n' "$e" "${v:-n/a}" "${s:-n/a}" "$r"
	done
} >"$res"
cat "$res"
echo "bench/exits/vmx: wrote $res"
