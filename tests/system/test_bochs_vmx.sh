#!/usr/bin/env bash
# The VMX backend on an Intel CPU: Bochs (cpu model corei7_skylake_x: VMX
# with EPT, VPID and unrestricted guest) boots the same bulkhead.elf through
# a GRUB ISO (Bochs has no direct kernel boot) with the test guests `ok` and
# `exits` (as test_vm_exits gives them), then `arch` and `arch_low`. The boot
# report must name the vmx backend, `ok` must pass, and the whole `exits`
# guest must pass: it makes its hypercall with VMCALL, Intel's instruction,
# as CPUID's vendor string says, and checks that AMD's VMMCALL raises #UD.
# Bochs has no exit device here: the run ends when the serial log shows the
# hypervisor stopping, or at the bound (about 5 s on an idle host, minutes
# when the cores are shared).
source "$(dirname "$0")/lib.sh"
command -v bochs >/dev/null || { fail "bochs not installed (scripts/deps.d/bochs.list)"; finish; }
dir=build/tests/system/bochs_vmx
# bochs_boot NAME "file args"...: a GRUB ISO with bulkhead.elf and these
# modules, booted in Bochs; the serial log in $LOG.
bochs_boot() {
	local name=$1 d=$dir/$1 f limit=${BOCHS_TIMEOUT:-480} start pid
	shift
	rm -rf "$d" && mkdir -p "$d/iso/boot/grub"
	cp build/bulkhead.elf "$d/iso/boot/"
	# gfxpayload=text and no VBE (vga: extension=none below): Bochs'
	# text-only term display stops on a graphics mode.
	{
		printf 'set timeout=0\nset default=0\nset gfxpayload=text\n'
		printf 'serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n'
		printf 'menuentry "Bulkhead" {\n\tmultiboot2 /boot/bulkhead.elf on-bochs\n'
		for m in "$@"; do
			f=${m%% *}
			cp "$f" "$d/iso/boot/"
			printf '\tmodule2 /boot/%s %s\n' "$(basename "$f")" "${m#* }"
		done
		printf '\tboot\n}\n'
	} > "$d/iso/boot/grub/grub.cfg"
	if ! grub-mkrescue -o "$d/bulkhead.iso" "$d/iso" > "$d/mkrescue.log" 2>&1; then
		cat "$d/mkrescue.log"
		fail "grub-mkrescue failed"
		return
	fi
	cat > "$d/bochsrc" <<CFG
megs: 512
cpu: model=corei7_skylake_x, count=1, ips=50000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$d/bulkhead.iso, status=inserted
boot: cdrom
display_library: term
com1: enabled=1, mode=file, dev=$LOG
log: $d/bochs.log
panic: action=fatal
clock: sync=none
speaker: enabled=0
vga: extension=none
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
CFG
	echo c > "$d/rc" # the debugger's first command: continue
	: > "$LOG"
	start=$(date +%s)
	TERM=xterm timeout -s KILL "$limit" bochs -q -f "$d/bochsrc" -rc "$d/rc" > "$d/bochs.out" 2>&1 &
	pid=$!
	# Bounded: the hypervisor's last line, Bochs exiting, or the time limit.
	while kill -0 "$pid" 2>/dev/null && ! grep -aq "^bulkhead: stopping, status" "$LOG"; do
		sleep 1
	done
	kill -KILL $(pgrep -P "$pid") "$pid" 2>/dev/null # Bochs ignores SIGTERM
	wait "$pid" 2>/dev/null
	echo "bochs $name: $(( $(date +%s) - start )) s (limit $limit s; log $LOG)"
}

size=$(stat -c %s build/guests/ok.elf)
bochs_boot exits "build/guests/ok.elf vm=ok mem=8 testexit" \
	"build/guests/exits.elf vm=exits mem=16 testexit testdev -- mem_mib=16 module=hello-module module_size=$size" \
	"build/guests/ok.elf vmmod=exits hello-module"
expect_line "boot: multiboot2, command line 'on-bochs'"
expect_line "cpu: vmx yes, ept yes"
expect_line "virt: Intel VMX with EPT and unrestricted guest available, backend vmx"
expect_regex "^\[ok\] ok: done, hash 0x[0-9a-f]+"
expect_line "vm ok: exited, code 0"
expect_line "[exits] exits: cpuid 0x40000000: max 0x40000001 signature \"BulkheadHV\""
expect_regex "^\[exits\] exits: one-shot hlt woke after [0-9]+ TSC ticks"
expect_line "[exits] exits: x2apic: MSR interface, timers and self-IPIs checked"
expect_line "[exits] exits: hypercall by vmcall checked"
bad=$(grep -a "^\[exits\] guests/tests/exits.c:[0-9]*: .* failed" "$LOG")
[ -z "$bad" ] && echo "ok: no failed exits check" || fail "exits checks failed on VMX: $bad"
expect_regex "^\[exits\] exits: PASS \([0-9]+ checks\)"
expect_line "vm exits: exited, code 0"
expect_line "isolation: 2 VM(s): nested tables map only each VM's own RAM (at the end"
expect_no_line "PANIC"
expect_no_line "EXCEPTION"
cp "$LOG" "$dir/exits.serial"

# NMIs (arch.c test_nmi: a second NMI waits for the handler's IRET, then
# comes) and the rest of the arch guest, high and below 1 MiB.
bochs_boot arch "build/guests/arch.elf vm=arch mem=16 testexit" \
	"build/guests/arch_low.elf vm=arch-low mem=16 testexit"
expect_regex "^\[arch\] arch: PASS"
expect_regex "^\[arch-low\] arch: PASS"
expect_line "vm arch: exited, code 0"
expect_line "vm arch-low: exited, code 0"
expect_line "bulkhead: stopping, status PASS"
finish
