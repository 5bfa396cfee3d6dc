#!/usr/bin/env bash
# The VM configuration file (docs/configuration.md), on the host and at boot:
# 1. tools/bulkhead-config accepts every example in configs/;
# 2. configs/test-guests.conf boots: its two autostart VMs run with their
#    names and memory, the third (autostart = no) does not start;
# 3. a configuration naming exits.elf with memory, an initrd module, a
#    command line and devices: the guest checks its memory map, the module's
#    command line and size and the test device itself (exits: PASS);
# 4. each refusal the issue lists (unknown key, duplicate name, bad value,
#    memory over the machine's, too many vCPUs, missing module, too many
#    VMs): the host tool and the hypervisor print the same exact message,
#    the hypervisor starts no VM and stops with failure;
# 5. config= naming no module, and a configuration beside vm= words, are
#    refused the same way.
# The config= word on the hypervisor command line names the module in part 4;
# the default name vms.conf is used in parts 2 and 3.
source "$(dirname "$0")/lib.sh"
TOOL=build/tools/bulkhead-config
DIR=$LOGDIR/vm_config
rm -rf "$DIR"
mkdir -p "$DIR"

# 1. the examples
for f in configs/*.conf; do
	if out=$("$TOOL" check --mem 1000 "$f" 2>&1); then
		echo "ok: $TOOL check $f"
	else
		fail "$TOOL check $f: $out"
	fi
done
scripts/demo-disks.sh >/dev/null || fail "scripts/demo-disks.sh"
if out=$("$TOOL" check --mem 1000 --module build/linux/bzImage \
	--module build/linux/initramfs.cpio.gz --module build/linux/initramfs-svc.cpio.gz \
	configs/demo.conf 2>&1); then
	echo "ok: demo.conf with its modules named"
else
	fail "demo.conf with its modules: $out"
fi

# 2. the example of two test guests
boot --module "build/guests/ok.elf" --module "configs/test-guests.conf name=vms.conf" --
expect_status 0
expect_line "vms: configuration vms.conf: 3 VM(s)"
expect_line "vm alpha: role work, label #3070d0, 1 vCPU(s) configured, on_crash stop, autostart yes, weight 100"
expect_line "vm alpha: 32 MiB, 0 module(s), started"
expect_line "vm beta: 8 MiB, 0 module(s), started"
expect_line "vm spare: role personal, label #30a040, 1 vCPU(s) configured, on_crash stop, autostart no, weight 100"
expect_no_line "vm spare: 16 MiB"
expect_regex "^\[alpha\] ok: PASS"
expect_regex "^\[beta\] ok: PASS"
expect_line "vm alpha: exited, code 0"
expect_line "vm beta: exited, code 0"
expect_regex "^vms: 2"
cp "$LOG" "$DIR/test-guests.serial"

# 3. memory, initrd, command line and devices reach the guest
MOD=build/guests/ok.elf
size=$(stat -c %s "$MOD")
cat > "$DIR/vms.conf" <<EOF
[vm checker]
role    = service
memory  = 48 MiB
kernel  = exits.elf
initrd  = ok.elf
cmdline = "mem_mib=48 module=hello-module module_size=$size"
devices = serial, testexit, testdev
EOF
boot --module "build/guests/exits.elf" --module "$MOD hello-module" --module "$DIR/vms.conf" \
     --qemu "-icount shift=0,sleep=off" --
expect_status 0
expect_line "vm checker: role service, label #808080, 1 vCPU(s) configured, on_crash restart, autostart yes, weight 100"
expect_line "vm checker: 48 MiB, 1 module(s), started"
expect_line "[checker] exits: start, command line \"mem_mib=48 module=hello-module module_size=$size\""
expect_regex "^\[checker\] exits: module 0x[0-9a-f]+-0x[0-9a-f]+ \"hello-module\""
expect_regex "^\[checker\] exits: PASS \([0-9]+ checks\)"
expect_no_line "[checker] exits: FAIL"
expect_line "vm checker: exited, code 0"
cp "$LOG" "$DIR/exits.serial"

# 4. refusals: NAME, the file's text, the exact message (as a regex for the
# machine's free memory, which depends on the build)
GOOD_VM='role = work
kernel = ok.elf'
refusal() { # NAME TEXT MESSAGE-REGEX
	local name=$1 text=$2 want=$3 tool_out st
	printf '%s\n' "$text" > "$DIR/$name.conf"
	tool_out=$("$TOOL" check --mem 1000 --module build/guests/ok.elf "$DIR/$name.conf" 2>&1)
	st=$?
	if [ "$st" -eq 1 ] && grep -qxE -- "$want" <<<"$tool_out"; then
		echo "ok: $name: host tool: $tool_out"
	else
		fail "$name: host tool status $st, output '$tool_out', want /$want/"
	fi
	LOG=$DIR/$name.serial
	boot --module "build/guests/ok.elf" --module "$DIR/$name.conf" -- "config=$name.conf"
	expect_status 1
	expect_regex "^$want"$'\r?$'
	expect_line "vms: configuration refused, no VM started"
	if grep -qE '^vm [^ ]+: .*started' "$LOG"; then fail "$name: a VM started"; else echo "ok: no VM started"; fi
	# the same message on both, except the free memory (host: --mem 1000)
	if [ "$name" != memory-over ]; then
		expect_line "$tool_out"
	fi
}
refusal unknown-key "[vm a]
$GOOD_VM
colour = red" \
	"unknown-key\.conf:4:1: unknown key 'colour' \(expected role, label, memory, vcpus, kernel, initrd, cmdline, devices, on_crash, autostart, weight, disks, vconsole, rng, display, nic, mac or passthrough\)"
refusal duplicate-name "[vm a]
$GOOD_VM
[vm a]
$GOOD_VM" \
	"duplicate-name\.conf:4:5: a VM named 'a' is already defined on line 1"
refusal bad-value "[vm a]
$GOOD_VM
memory = lots" \
	"bad-value\.conf:4:10: expected a number of MiB, found 'lots'"
refusal memory-over "[vm a]
$GOOD_VM
memory = 1024" \
	"memory-over\.conf:4:10: VM 'a' needs 1024 MiB: the VMs need 1024 MiB together, the machine has [0-9]+ MiB free"
refusal too-many-vcpus "[vm a]
$GOOD_VM
vcpus = 9" \
	"too-many-vcpus\.conf:4:9: expected 1 to 8 vCPUs, found 9"
refusal missing-module "[vm a]
role = work
kernel = vmlinuz" \
	"missing-module\.conf:3:10: expected the name of a boot module, found 'vmlinuz' \(no module has that name\)"
text=""
for i in 1 2 3 4 5 6 7 8 9; do text+="[vm v$i]
$GOOD_VM
memory = 2
"; done
refusal too-many-vms "$text" "too-many-vms\.conf:33:5: too many VMs: at most 8"

# 5. finding the configuration: config= naming no module; a configuration
# and vm= words at once
LOG=$DIR/no-such-config.serial
boot --module "build/guests/ok.elf vm=a testexit" -- config=nothing.conf
expect_status 1
expect_line "vms: bad VM description: config= names no boot module"
expect_line "vms: configuration refused, no VM started"
expect_no_line "vm a: 16 MiB, 0 module(s), started"
LOG=$DIR/both-forms.serial
boot --module "build/guests/ok.elf vm=a testexit" --module "configs/test-guests.conf name=vms.conf" --
expect_status 1
expect_line "vms: bad VM description: a configuration file and vm=/vmmod= module words: give one or the other"
expect_no_line "vm a: 16 MiB, 0 module(s), started"
finish
