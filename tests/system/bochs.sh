# Boots build/bulkhead.elf in Bochs, the platform of the VMX backend (cpu
# model corei7_skylake_x: VMX with EPT, VPID and unrestricted guest), for
# test_bochs_vmx, test_bochs_linux and the Bochs benchmarks. Source this
# file.
#
# bochs_boot DIR LOG LIMIT "file args"...: a GRUB ISO in DIR with
# bulkhead.elf and these modules (Bochs has no direct kernel boot), booted
# with the serial port written to LOG. Bochs has no exit device here: the
# run ends when LOG shows the hypervisor stopping, when Bochs exits, or
# after LIMIT seconds; with BOCHS_UNTIL=REGEX, also when a line of LOG
# matches it. Returns 0 if the hypervisor's last line (or that line) came,
# 1 if not, 2 if the ISO could not be made. Bochs counts time in
# instructions (clock: sync=none): the TSC advances one tick per instruction
# and, while the CPU halts, skips ahead to the next timer event.
# BULKHEAD_ELF=path boots another build of the hypervisor (A/B runs).
bochs_boot() {
	local d=$1 log=$2 limit=$3 f
	shift 3
	rm -rf "$d" && mkdir -p "$d/iso/boot/grub"
	cp "${BULKHEAD_ELF:-build/bulkhead.elf}" "$d/iso/boot/bulkhead.elf"
	{
		bochs_grub_head
		printf 'menuentry "Bulkhead" {\n\tmultiboot2 /boot/bulkhead.elf on-bochs\n'
		for m in "$@"; do
			f=${m%% *}
			cp "$f" "$d/iso/boot/"
			printf '\tmodule2 /boot/%s %s\n' "$(basename "$f")" "${m#* }"
		done
		printf '\tboot\n}\n'
	} > "$d/iso/boot/grub/grub.cfg"
	bochs_run_iso "$d" "$log" "$limit"
}

# bochs_boot_linux DIR LOG LIMIT BZIMAGE INITRD CMDLINE: the same with GRUB
# booting a Linux kernel directly (no hypervisor), for comparisons.
bochs_boot_linux() {
	local d=$1 log=$2 limit=$3
	rm -rf "$d" && mkdir -p "$d/iso/boot/grub"
	cp "$4" "$d/iso/boot/bzImage"
	cp "$5" "$d/iso/boot/initrd"
	{
		bochs_grub_head
		printf 'menuentry "Linux" {\n\tlinux /boot/bzImage %s\n\tinitrd /boot/initrd\n\tboot\n}\n' "$6"
	} > "$d/iso/boot/grub/grub.cfg"
	bochs_run_iso "$d" "$log" "$limit"
}

# gfxpayload=text and no VBE (vga: extension=none below): Bochs' text-only
# term display stops on a graphics mode.
bochs_grub_head() {
	printf 'set timeout=0\nset default=0\nset gfxpayload=text\n'
	printf 'serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n'
}

# bochs_run_iso DIR LOG LIMIT: makes DIR/bulkhead.iso of DIR/iso and boots it.
bochs_run_iso() {
	local d=$1 log=$2 limit=$3 start pid
	if ! grub-mkrescue -o "$d/bulkhead.iso" "$d/iso" > "$d/mkrescue.log" 2>&1; then
		cat "$d/mkrescue.log"
		return 2
	fi
	cat > "$d/bochsrc" <<CFG
megs: 512
cpu: model=corei7_skylake_x, count=1, ips=50000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$d/bulkhead.iso, status=inserted
boot: cdrom
display_library: term
com1: enabled=1, mode=file, dev=$log
log: $d/bochs.log
panic: action=fatal
clock: sync=none
speaker: enabled=0
vga: extension=none
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
CFG
	echo c > "$d/rc" # the debugger's first command: continue
	: > "$log"
	start=$(date +%s)
	TERM=xterm timeout -s KILL "$limit" bochs -q -f "$d/bochsrc" -rc "$d/rc" > "$d/bochs.out" 2>&1 &
	pid=$!
	# Bounded: the hypervisor's last line, Bochs exiting, or the time limit.
	local until="^bulkhead: stopping, status${BOCHS_UNTIL:+|$BOCHS_UNTIL}"
	while kill -0 "$pid" 2>/dev/null && ! grep -aqE "$until" "$log"; do
		sleep 1
	done
	kill -KILL $(pgrep -P "$pid") "$pid" 2>/dev/null # Bochs ignores SIGTERM
	wait "$pid" 2>/dev/null
	echo "bochs $(basename "$d"): $(( $(date +%s) - start )) s (limit $limit s; log $log)"
	grep -aqE "$until" "$log"
}
