#!/usr/bin/env bash
# Linux boot benchmark: time from starting QEMU to the guest's first userspace
# line "bulkhead-guest: userspace up" (guests/linux/init), for the same Debian
# kernel + initramfs (scripts/guest-linux.sh) booted two ways, side by side:
#   qemu      directly by QEMU (-kernel/-initrd, SeaBIOS), no hypervisor
#   bulkhead  as VM "linux" inside Bulkhead (itself in QEMU, scripts/qemu.sh)
# Wall: RUNS runs per arm (default 3), interleaved, median; the ratio is
# bulkhead/qemu. Deterministic: one run per arm under -icount shift=0,sleep=off
# where the guest TSC counts emulated instructions (1 tick = 1 ns of guest
# time) since the machine (qemu arm: includes SeaBIOS and decompression) or the
# VM (bulkhead arm) started; /init prints it with the kernel's uptime.
# Two guest command lines, each measured in full:
#   quiet    build/linux/cmdline ("quiet", Debian's default): errors only
#   verbose  the same with loglevel=7: the whole kernel log on the serial
#            console (about 20 KB, two port-I/O exits per character)
# An arm that cannot boot is reported as "not yet bootable" with the reason,
# not as a number. Results: bench/results/boot-<commit>.txt.
#   RUNS=3 QEMU_TIMEOUT=180 BH_TIMEOUT=600 ARMS="qemu bulkhead" \
#   CONFIGS="quiet verbose" bench/boot/run.sh
set -u
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-180}
BH_TIMEOUT=${BH_TIMEOUT:-600}
ARMS=${ARMS:-qemu bulkhead}
CONFIGS=${CONFIGS:-quiet verbose}
out=build/bench/boot
mkdir -p "$out" bench/results
py=/usr/bin/python3
scripts/guest-linux.sh >"$out/guest-linux.txt" 2>&1 || {
	cat "$out/guest-linux.txt" >&2; echo "bench/boot: building the Linux guest failed" >&2; exit 1; }
kernel=build/linux/bzImage initrd=build/linux/initramfs.cpio.gz
base_cmdline=$(cat build/linux/cmdline)
kver=$(cat build/linux/kernel-version)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- hv guests scripts/guest-linux.sh 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)
icount="-icount shift=0,sleep=off"

# The QEMU command line of an arm, for console.py (run with sh -c).
arm_cmd() { # arm icount-args
	case $1 in
	qemu)
		echo "exec timeout -k 5 $QEMU_TIMEOUT qemu-system-x86_64 -accel tcg -cpu EPYC -m 512M" \
			"-nographic -no-reboot -monitor none -serial stdio $2 -kernel $kernel" \
			"-initrd $initrd -append '$cmdline'" ;;
	bulkhead)
		# QEMU splits -initrd at commas; ",," is a literal comma.
		echo "exec scripts/qemu.sh --timeout $BH_TIMEOUT ${2:+--qemu '$2'}" \
			"--module '$kernel vm=linux mem=512 -- ${cmdline//,/,,}'" \
			"--module '$initrd vmmod=linux' --" ;;
	esac
}

# One boot: prints "WALL TSC UPTIME" (seconds, ticks, seconds) or fails;
# transcript in $out/ARM-TAG.log, driver messages in $out/ARM-TAG.steps.
boot_once() { # arm tag icount-args
	local arm=$1 tag=$2 t=$QEMU_TIMEOUT res
	local -a exits=()
	# Bulkhead: Ctrl-] d right after the line prints the VM's exits so far
	# (by reason, and I/O accesses by device) into the log.
	[ "$arm" = bulkhead ] && t=$BH_TIMEOUT exits=(--step 'sendraw \x1dd' \
		--step 'expect ^vm linux: mmio accesses: 30')
	# Under Bulkhead each guest line is printed as "[linux] text".
	res=$("$py" tests/lib/console.py --cmd "$(arm_cmd "$arm" "$3")" \
		--log "$out/$arm-$tag.log" --total $((t + 60)) \
		--step "expect ^(?:\[linux\] )?bulkhead-guest: userspace up$ $t" \
		--step "mark up" --step "elapsed start up" \
		--step "expect ^(?:\[linux\] )?bulkhead-guest: tsc (?P<tsc>\d+|unknown) uptime (?P<uptime>[0-9.]+)$ 60" \
		--step "print tsc" --step "print uptime" "${exits[@]}" 2>"$out/$arm-$tag.steps") || return 1
	echo "$res" | awk '
		/^elapsed start up / { w = $4 }
		/^tsc = / { gsub(/\047/, "", $3); k = $3 }
		/^uptime = / { gsub(/\047/, "", $3); u = $3 }
		END { print w, k, u }'
}

# Why an arm did not boot: the hypervisor's "vm linux:" line, else the
# driver's failure line.
why() { # arm tag
	local r
	r=$(tr -d '\r' <"$out/$1-$2.log" 2>/dev/null | grep -m1 -e '^vm linux: ' -e 'bulkhead: stopping' || true)
	[ -n "$r" ] || r=$(grep -m1 'console: FAIL' "$out/$1-$2.steps" 2>/dev/null | sed 's/^console: //' || true)
	echo "${r:-unknown}"
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

ratio() { # a b
	awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'
}

# The Ctrl-] d lines of a Bulkhead run's log, as "PREFIX_exits: ..." etc.
exits_of() { # tag prefix
	tr -d '\r' <"$out/bulkhead-$1.log" | sed -n 's/^vm linux: \(exits\|port accesses\|mmio accesses\): /\1: /p' |
		sed "s/^port accesses/port_accesses/; s/^mmio accesses/mmio_accesses/; s/^/$2_/"
}

# One configuration: RUNS interleaved wall runs and one icount run per arm;
# appends its result lines to $report.
declare -A walls ok reason tsc up
measure() { # config
	local c=$1 arm i r
	for arm in $ARMS; do ok[$arm]=1; walls[$arm]=""; done
	if [ "${ok[bulkhead]:-0}" = 1 ] && [ ! -f build/bulkhead.elf ]; then
		ok[bulkhead]=0; reason[bulkhead]="build/bulkhead.elf missing (make all)"
	fi
	for i in $(seq 1 "$RUNS"); do
		for arm in $ARMS; do
			[ "${ok[$arm]}" = 1 ] || continue
			if r=$(boot_once "$arm" "$c-wall$i" ""); then
				walls[$arm]="${walls[$arm]} ${r%% *}"
				echo "bench/boot: $c: $arm run $i: $(echo "$r" | cut -d' ' -f1) s to userspace"
			else
				ok[$arm]=0; reason[$arm]=$(why "$arm" "$c-wall$i")
				echo "bench/boot: $c: $arm run $i: not yet bootable: ${reason[$arm]}"
			fi
		done
	done
	for arm in $ARMS; do
		[ "${ok[$arm]}" = 1 ] || continue
		if r=$(boot_once "$arm" "$c-icount" "$icount"); then
			read -r _ tsc[$arm] up[$arm] <<<"$r"
			echo "bench/boot: $c: $arm icount: tsc ${tsc[$arm]} uptime ${up[$arm]}"
		else
			ok[$arm]=0; reason[$arm]="icount run: $(why "$arm" "$c-icount")"
			echo "bench/boot: $c: $arm icount: failed: ${reason[$arm]}"
		fi
	done
	{
		echo "## $c: guest command line: $cmdline"
		for arm in $ARMS; do
			if [ "${ok[$arm]}" = 1 ]; then
				echo "$c $arm wall_median_s $(echo "${walls[$arm]}" | median) runs${walls[$arm]}"
				echo "$c $arm icount_tsc ${tsc[$arm]}"
				echo "$c $arm icount_uptime_s ${up[$arm]}"
				if [ "$arm" = bulkhead ]; then
					exits_of "$c-wall$RUNS" "$c $arm wall$RUNS"
					exits_of "$c-icount" "$c $arm icount"
				fi
			else
				echo "$c $arm not yet bootable: ${reason[$arm]}"
			fi
		done
		if [ "${ok[qemu]:-0}" = 1 ] && [ "${ok[bulkhead]:-0}" = 1 ]; then
			echo "$c ratio wall bulkhead/qemu $(ratio "$(echo "${walls[bulkhead]}" | median)" "$(echo "${walls[qemu]}" | median)")"
			echo "$c ratio icount_tsc bulkhead/qemu $(ratio "${tsc[bulkhead]}" "${tsc[qemu]}")"
			echo "$c ratio icount_uptime bulkhead/qemu $(ratio "${up[bulkhead]}" "${up[qemu]}")"
		else
			echo "$c ratio n/a (needs both arms, booted)"
		fi
	} >>"$report"
	[ "${ok[qemu]:-1}" = 1 ] || failed=1
}

res=bench/results/boot-$commit.txt
report=$out/report.txt
failed=0
{
	echo "# Linux guest boot: QEMU start to first userspace line ('bulkhead-guest: userspace up')."
	echo "# commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(qemu-system-x86_64 --version | head -1)"
	echo "# kernel $kver ($(cat build/linux/kernel/.extracted 2>/dev/null)), unmodified;" \
		"initramfs $(stat -c %s "$initrd") bytes (busybox-static + virtio modules)"
	echo "# qemu = direct boot (qemu-system-x86_64 -accel tcg -cpu EPYC -m 512M -kernel/-initrd, SeaBIOS);"
	echo "# bulkhead = VM 'linux' (mem=512) inside Bulkhead, itself under the same QEMU (scripts/qemu.sh);"
	echo "# both from QEMU start, so bulkhead includes SeaBIOS and the hypervisor's own boot."
	echo "# wall: host seconds, median of $RUNS interleaved runs (shared machine: compare ratios)."
	echo "# icount: $icount, 1 run: guest TSC at the line = emulated instructions (1 ns each) since"
	echo "# machine start (qemu: includes SeaBIOS + decompression) or VM start (bulkhead);"
	echo "# uptime = the kernel's /proc/uptime there (from its timekeeping start, 10 ms steps)."
	echo "# _exits / _port_accesses / _mmio_accesses: the VM's exits by reason and I/O accesses by"
	echo "# device up to that line (Ctrl-] d), in the last wall run and in the icount run (where"
	echo "# PIT reads look fast to the guest, so Linux's PIT calibration loops read it far more often)."
} >"$report"
for c in $CONFIGS; do
	case $c in
	quiet) cmdline=$base_cmdline ;;
	verbose) cmdline=$(echo "$base_cmdline" | sed 's/\bquiet\b/loglevel=7/') ;;
	*) echo "bench/boot: unknown configuration '$c' (quiet, verbose)" >&2; exit 2 ;;
	esac
	measure "$c"
done
cp "$report" "$res"
cat "$res"
echo "bench/boot: wrote $res (logs in $out/)"
# The benchmark fails only when the reference arm (direct QEMU) fails.
[ "$failed" = 0 ]
