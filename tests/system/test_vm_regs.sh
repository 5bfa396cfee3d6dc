#!/usr/bin/env bash
# Register isolation between two VMs on one physical CPU (guests/tests/regs.c).
# Both run the same guest with different patterns (seed=1, seed=2) in x87
# ST0-7/MMX, FCW, MXCSR, XMM0-15, the YMM upper halves, XCR0 and DR0-DR3,
# and check them over many scheduler slices (each counts the jumps of its
# TSC: the other VM ran). In phase 2 VM A keeps XCR0 = 7 and must still run
# AVX, VM B sets XCR0 = 3 and must get #UD for it. Before that each checks
# the reset state of a fresh vCPU, XSETBV's #UD/#GP(0) cases and that
# CPUID.1:ECX.OSXSAVE follows its CR4. Under icount (time = instructions),
# so the slices and gaps do not depend on host load. QEMU 7.2's TCG ignores
# the XSETBV intercept (added in QEMU 8.2): there the CPU itself refuses the
# bad values and the hypervisor picks up the guest's XCR0 at each switch;
# the hypervisor's own XSETBV checks are unit-tested (tests/unit/test_xcr0.c,
# test_exit_xsetbv.c).
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
source "$(dirname "$0")/lib.sh"
SLICES=12
boot --qemu "-icount shift=0,sleep=off" \
     --module "build/guests/regs.elf vm=A mem=8 testexit -- seed=1 xcr0=7 slices=$SLICES" \
     --module "build/guests/regs.elf vm=B mem=8 testexit -- seed=2 xcr0=3 slices=$SLICES" --
expect_status 0
for vm in A B; do
	expect_line "[$vm] regs: reset state and XSETBV checked"
	expect_regex "^\[$vm\] regs: phase 1 \(xcr0 0x7\): [0-9]+ checks over $SLICES slices of the other VM, 0 bad"
	expect_regex "^\[$vm\] regs: PASS \([0-9]+ checks\)"
	expect_line "vm $vm: exited, code 0"
done
expect_regex "^\[A\] regs: phase 2 \(xcr0 0x7\): [0-9]+ checks over $SLICES slices of the other VM, 0 bad"
expect_regex "^\[B\] regs: phase 2 \(xcr0 0x3\): [0-9]+ checks over $SLICES slices of the other VM, 0 bad"
expect_no_line "regs: FAIL"

# The same on a CPU without XSAVEOPT: the switch saves with plain XSAVE.
boot --cpu "EPYC,xsaveopt=off" --qemu "-icount shift=0,sleep=off" \
     --module "build/guests/regs.elf vm=A mem=8 testexit -- seed=1 xcr0=7 slices=$SLICES" \
     --module "build/guests/regs.elf vm=B mem=8 testexit -- seed=2 xcr0=3 slices=$SLICES" --
expect_status 0
expect_regex "^cpu: xsave yes \(xcr0 0x7\), xsaveopt no,"
for vm in A B; do
	expect_regex "^\[$vm\] regs: PASS \([0-9]+ checks\)"
done
expect_no_line "regs: FAIL"

# Three VMs on two CPUs (no icount, so slices end on real time): each VM runs on
# either CPU from slice to slice, beside another VM on the other CPU, and
# every switch and move keeps its registers its own.
boot --qemu "-smp 2" \
     --module "build/guests/regs.elf vm=A mem=8 testexit -- seed=1 xcr0=7 slices=$SLICES" \
     --module "build/guests/regs.elf vm=B mem=8 testexit -- seed=2 xcr0=3 slices=$SLICES" \
     --module "build/guests/regs.elf vm=C mem=8 testexit -- seed=3 xcr0=7 slices=$SLICES" --
expect_status 0
expect_line "smp: 2 CPU(s) online"
for vm in A B C; do
	expect_regex "^\[$vm\] regs: phase 2 \(xcr0 0x[37]\): [0-9]+ checks over $SLICES slices of the other VM, 0 bad"
	expect_regex "^\[$vm\] regs: PASS \([0-9]+ checks\)"
done
expect_no_line "regs: FAIL"

# A reset brings the state back to the reset state: the first start loads
# the pattern (and XCR0 = 7) and resets the VM, the second start checks.
boot --qemu "-icount shift=0,sleep=off" \
     --module "build/guests/regs.elf vm=R mem=8 testexit -- seed=1 reset slices=0" --
expect_status 0
expect_line "[R] regs: first start"
expect_line "[R] regs: pattern loaded, resetting the VM"
expect_line "vm R: reset by the guest, restarting"
expect_line "[R] regs: started again after a reset"
expect_line "[R] regs: reset state and XSETBV checked"
expect_regex "^\[R\] regs: PASS \([0-9]+ checks\)"
expect_line "vm R: exited, code 0"
expect_no_line "regs: FAIL"
expect_no_line "regs: the reset did not happen"
finish
