#!/usr/bin/env bash
# The VMX backend on an Intel CPU: Bochs (cpu model corei7_skylake_x: VMX
# with EPT, VPID and unrestricted guest) boots the same bulkhead.elf through
# a GRUB ISO (Bochs has no direct kernel boot) with the test guests `ok` and
# `exits` (as test_vm_exits gives them), then `arch`, `arch_low`, `mmio`
# and `hostile_io`, the isolation and containment guests, two CPU-bound VMs
# (fairness), and the register-isolation guest. The boot
# report must name the vmx backend, `ok` must pass, and the whole `exits`
# guest must pass: it makes its hypercall with VMCALL, Intel's instruction,
# as CPUID's vendor string says, and checks that AMD's VMMCALL raises #UD.
# Bochs has no exit device here: each run ends when the serial log shows
# the hypervisor stopping, or at its bound (BOCHS_TIMEOUT, 75 s, so the
# six boots stay under 8 minutes). They took 3-8 s each on an idle host.
source "$(dirname "$0")/lib.sh"
command -v bochs >/dev/null || { fail "bochs not installed (scripts/deps.d/bochs.list)"; finish; }
source "$(dirname "$0")/bochs.sh"
dir=build/tests/system/bochs_vmx
boot_vmx() { # NAME "file args"...: Bochs boots them (bochs.sh); the serial log in $LOG
	local name=$1
	shift
	bochs_boot "$dir/$name" "$LOG" "${BOCHS_TIMEOUT:-75}" "$@"
	[ $? -ne 2 ] || fail "grub-mkrescue failed"
}
# A VM's console text with its line ends dropped. The console shows a
# partial line as a prompt once it has waited a host tick, and the rest
# later under the VM's prefix again; under Bochs a VM preempted while it
# prints (a slice is about 490000 instructions, a line of output about a
# third of that) has its line split so. Joined, the checks below do not
# depend on where the splits fall.
vm_text() {
	tr -d '\r' < "$LOG" | sed -n "s/^\[$1\] //p" | tr -d '\n'
}
expect_vm() { # NAME REGEX
	vm_text "$1" | grep -qE -- "$2" && echo "ok: [$1] /$2/" || fail "[$1] lacks /$2/"
}

size=$(stat -c %s build/guests/ok.elf)
boot_vmx exits "build/guests/ok.elf vm=ok mem=8 testexit" \
	"build/guests/exits.elf vm=exits mem=16 testexit testdev -- mem_mib=16 module=hello-module module_size=$size" \
	"build/guests/ok.elf vmmod=exits hello-module"
expect_line "boot: multiboot2, command line 'on-bochs'"
expect_line "cpu: vmx yes, ept yes"
expect_line "virt: Intel VMX with EPT and unrestricted guest available, backend vmx"
expect_vm ok "ok: done, hash 0x[0-9a-f]+"
expect_line "vm ok: exited, code 0"
expect_vm exits 'exits: cpuid 0x40000000: max 0x40000001 signature "BulkheadHV"'
expect_vm exits "exits: one-shot hlt woke after [0-9]+ TSC ticks"
expect_vm exits "exits: x2apic: MSR interface, timers and self-IPIs checked"
expect_vm exits "exits: hypercall by vmcall checked"
bad=$(vm_text exits | grep -oE "exits\.c:[0-9]+: EXPECT[^)]*\) failed")
[ -z "$bad" ] && echo "ok: no failed exits check" || fail "exits checks failed on VMX: $bad"
expect_vm exits "exits: PASS \([0-9]+ checks\)"
expect_line "vm exits: exited, code 0"
for vm in ok exits; do
	expect_regex "^isolation: vm $vm: nested tables map only its own RAM \\(at its stop, [0-9]+ MiB mapped\\)"
done
expect_no_line "PANIC"
expect_no_line "EXCEPTION"
cp "$LOG" "$dir/exits.serial"

# NMIs (arch.c test_nmi: a second NMI waits for the handler's IRET, then
# comes) and the rest of the arch guest; the MMIO emulator against the
# CPU's own results (mmio.c); hostile port and MMIO accesses beside a
# bystander (hostile_io.c), as test_vm_arch, test_vm_mmio and
# test_vm_hostile_io run them. One NMI-using guest per boot: Bochs 2.7
# carries one VM's virtual-NMI blocking into the next VM it enters
# (docs/architecture.md, "VT-x"), so `arch_low` boots alone after this.
boot_vmx mixed "build/guests/arch.elf vm=arch mem=16 testexit" \
	"build/guests/mmio.elf vm=mmio mem=16 testexit testdev" \
	"build/guests/hostile_io.elf vm=hostile mem=16 testexit testdev --" \
	"build/guests/ok.elf vm=ok mem=8 testexit -- sleep_ms=20"
expect_vm arch "arch: PASS"
expect_vm mmio "mmio: [0-9]+ instruction forms x 8 runs, 0 mismatches, [1-9][0-9]* device accesses"
expect_vm mmio "mmio: PASS \([0-9]+ checks\)"
expect_no_line "MISMATCH"
expect_vm hostile "hostile: done"
expect_vm hostile "hostile: PASS \([0-9]+ checks\)"
expect_regex "^vm hostile: pic-master: odd "
expect_regex "^vm hostile: lapic: odd .*refused by the device"
expect_regex "^vm hostile: ioapic: odd .*refused by the device"
expect_regex "^vm hostile: odd accesses:.* pic-master [1-9][0-9]*\b"
expect_regex "^vm hostile: odd accesses:.* lapic [1-9][0-9]*\b"
expect_no_line "vm ok: odd accesses:"
expect_vm ok "ok: PASS"
for vm in arch mmio hostile ok; do
	expect_line "vm $vm: exited, code 0"
done
expect_line "bulkhead: stopping, status PASS"
cp "$LOG" "$dir/mixed.serial"

# The arch guest linked below 1 MiB, alone (one NMI-using guest per boot,
# above). Its PM-timer check compares the PM timer with the APIC timer's
# count read around it, so busy neighbours in the mixed boot above do not
# skew it (a fixed 10 ms sleep did: a slice of theirs counted on the PM
# timer only).
boot_vmx arch_low "build/guests/arch_low.elf vm=arch-low mem=16 testexit"
expect_vm arch-low "arch: PASS"
expect_line "vm arch-low: exited, code 0"
expect_line "bulkhead: stopping, status PASS"
cp "$LOG" "$dir/arch_low.serial"

# Isolation and containment (test_vm_isolation, test_vm_containment): B
# scans its RAM for A's pattern and then reads just past its RAM, which
# stops B only; a triple fault stops `crash` only, and the bystanders
# finish. The run ends with status FAIL because two VMs were stopped.
boot_vmx contain "build/guests/isolation_a.elf vm=A mem=16 testexit -- wait_ms=600" \
	"build/guests/isolation_b.elf vm=B mem=16 testexit -- wait_ms=100" \
	"build/guests/ok.elf vm=ok1 mem=8 testexit -- sleep_ms=50" \
	"build/guests/triple_fault.elf vm=crash mem=8 testexit" \
	"build/guests/ok.elf vm=ok2 mem=8 testexit -- sleep_ms=50"
expect_vm A "isolation: A filled [0-9]+ KiB above"
expect_vm A "isolation: A's pattern intact"
expect_vm A "isolation-a: PASS"
expect_line "vm A: exited, code 0"
expect_vm B "isolation: scanned 16384 KiB"
expect_vm B "isolation: scan clean"
expect_no_line "FOUND"
expect_vm B "isolation: reading 0x1000000, just past RAM"
expect_regex "^vm B: stopped: .*unbacked guest-physical memory at 0x0*1000000"
expect_no_line "read past RAM returned"
expect_no_line "vm B: exited"
expect_vm crash "triple-fault: loading an empty IDT, then int3"
expect_no_line "still running after int3"
expect_regex "^vm crash: stopped: .*triple fault"
expect_no_line "vm crash: exited"
for vm in ok1 ok2; do
	expect_vm $vm "ok: PASS"
	expect_line "vm $vm: exited, code 0"
done
n=$(grep -c "^isolation: vm .*: nested tables map only its own RAM (at its stop, " "$LOG")
[ "$n" -eq 5 ] && echo "ok: the nested tables of all 5 VMs checked at their stop" ||
	fail "$n of 5 VMs had their nested tables checked at their stop"
expect_line "bulkhead: stopping, status FAIL"
cp "$LOG" "$dir/contain.serial"

# Two CPU-bound VMs (busy.c, as test_vm_fairness runs them): both are
# preempted and share the CPU. They run with RFLAGS.IF clear, when Bochs
# 2.7 never gives the external-interrupt exit (docs/architecture.md,
# "VT-x"): the VMX-preemption timer, one host tick per entry, preempts them.
# Bochs' TSC follows its instruction count (clock: sync=none): the deadline
# is 2e8 ticks, about 4 s of guest time at the 49 MHz Bochs reports, and a
# slice is 10 host ticks, about 490000 TSC ticks, so a gap of 200000 is
# another VM's slice.
boot_vmx busy "build/guests/busy.elf vm=busy1 mem=8 testexit -- deadline=200000000" \
	"build/guests/busy.elf vm=busy2 mem=8 testexit -- deadline=200000000"
expect_line "vm busy1: exited, code 0"
expect_line "vm busy2: exited, code 0"
progress() { # NAME: "N G", its loop count and how often it was descheduled
	vm_text "$1" | sed -n 's/.*busy: progress \([0-9]*\), descheduled \([0-9]*\) times.*/\1 \2/p'
}
read -r n1 g1 <<< "$(progress busy1)"
read -r n2 g2 <<< "$(progress busy2)"
if [ -z "$n1" ] || [ -z "$n2" ] || [ -z "$g1" ] || [ -z "$g2" ]; then
	fail "missing progress lines (busy1 '$n1'/'$g1', busy2 '$n2'/'$g2')"
else
	lo=$(( n1 < n2 ? n1 : n2 )); hi=$(( n1 < n2 ? n2 : n1 ))
	if [ "$lo" -gt 0 ] && [ $(( hi * 100 )) -le $(( lo * 125 )) ]; then
		echo "ok: progress $n1 vs $n2 (ratio $(( hi * 1000 / lo ))/1000 <= 1.25)"
	else
		fail "unfair on VMX: progress $n1 vs $n2 (want within a factor 1.25)"
	fi
	if [ "$g1" -ge 3 ] && [ "$g2" -ge 3 ]; then
		echo "ok: both interleaved (descheduled $g1 and $g2 times)"
	else
		fail "VMs did not interleave on VMX (descheduled $g1 and $g2 times, want >= 3 each)"
	fi
fi
expect_line "bulkhead: stopping, status PASS"
cp "$LOG" "$dir/busy.serial"

# Register isolation (regs.c, as test_vm_regs runs it, with the gap of a
# Bochs slice as above), and a VM reset back to the reset state. Bochs
# 2.7's XSAVEC stores the AVX state over the XSAVE header: the boot check
# in xstate.c sees it and the hypervisor saves with XSAVEOPT.
boot_vmx regs "build/guests/regs.elf vm=A mem=8 testexit -- seed=1 xcr0=7 slices=12 gap=200000" \
	"build/guests/regs.elf vm=B mem=8 testexit -- seed=2 xcr0=3 slices=12 gap=200000" \
	"build/guests/regs.elf vm=R mem=8 testexit -- seed=1 reset slices=0"
expect_line "xstate: XSAVEC puts the AVX state over the XSAVE header (XRSTOR would refuse the area): saving with XSAVEOPT"
for vm in A B; do
	expect_vm $vm "regs: reset state and XSETBV checked"
	expect_vm $vm "regs: PASS \([0-9]+ checks\)"
	expect_line "vm $vm: exited, code 0"
done
expect_vm A "regs: phase 2 \(xcr0 0x7\): [0-9]+ checks over 12 slices of the other VM, 0 bad"
expect_vm B "regs: phase 2 \(xcr0 0x3\): [0-9]+ checks over 12 slices of the other VM, 0 bad"
expect_line "vm R: reset by the guest, restarting"
expect_vm R "regs: started again after a reset"
expect_vm R "regs: PASS \([0-9]+ checks\)"
expect_line "vm R: exited, code 0"
expect_no_line "regs: FAIL"
expect_no_line "refused by XRSTOR"
expect_line "bulkhead: stopping, status PASS"
cp "$LOG" "$dir/regs.serial"
finish
