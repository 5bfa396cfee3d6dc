#!/usr/bin/env bash
# dump-rips.sh REGS [ELF]: each CPU's RIP in a QEMU register dump (the
# REGS file tests/lib/qemu_shutdown_dump.py writes) with the hypervisor's
# function and source line there, one CPU per line: "RIP FUNC FILE:LINE".
# ELF defaults to BULKHEAD_ELF, else build/bulkhead.elf beside this script.
# A RIP outside the hypervisor (a guest's) shows as "?? ??:0".
set -u
regs=$1
elf=${2:-${BULKHEAD_ELF:-$(dirname "$0")/../build/bulkhead.elf}}
for rip in $(grep -oE "^RIP=[0-9a-f]+" "$regs" | cut -d= -f2); do
	echo "$rip $(addr2line -f -e "$elf" "0x$rip" 2>/dev/null | tr '\n' ' ')"
done
