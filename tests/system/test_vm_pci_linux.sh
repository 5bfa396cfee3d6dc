#!/usr/bin/env bash
# Debian's kernel in a VM with pci-testdev (the testdev option): it uses
# ECAM at 0xe0000000 for bus 00 (MCFG + e820 reservation), takes the host
# bridge's windows from the DSDT's _CRS, finds 00:1f.0 with the BARs the
# firmware placed there, reads its capability list, and routes its INTA#
# to GSI 19 by the _PRT (tests/linux/pci.steps).
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
out=$LOGDIR/$TEST.out
rm -f "$out"
cmdline=$(cat build/linux/cmdline)
qemu="scripts/qemu.sh --timeout 600 --mem 2G --module 'build/linux/bzImage vm=linux mem=512 testdev -- $cmdline' --module 'build/linux/initramfs.cpio.gz vmmod=linux'"
timeout 660 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script tests/linux/pci.steps \
	--strip-prefix "[linux] " --log "$LOG" --out "$out" --timeout 120 --total 620
STATUS=$?
[ "$STATUS" -eq 0 ] || fail "the console session failed (see above)"
expect_no_line "vm linux: stopped"
finish
