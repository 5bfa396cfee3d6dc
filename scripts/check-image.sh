#!/usr/bin/env bash
# Checks what boot loaders rely on in bulkhead.elf: the Multiboot1 header in
# the first 8 KiB, the Multiboot2 header in the first 32 KiB, and a file
# layout that mirrors memory from the header to the end of .data (QEMU loads
# it as one block because of Multiboot1 flag bit 16).
set -euo pipefail
elf=$1
fail() { echo "check-image: $elf: $*" >&2; exit 1; }
# od prints zero-padded decimal offsets; awk's +0 makes them plain numbers.
off() { od -A d -t x4 -v -w4 "$elf" | awk -v m="$1" '$2 == m && !f { print $1 + 0; f = 1 }'; }
mb1=$(off 1badb002); mb2=$(off e85250d6)
[ -n "$mb1" ] && [ "$mb1" -lt 8192 ] || fail "no Multiboot1 header in the first 8 KiB"
[ -n "$mb2" ] && [ "$mb2" -lt 32768 ] && [ $((mb2 % 8)) -eq 0 ] || fail "no aligned Multiboot2 header in the first 32 KiB"
# Every PT_LOAD with file contents must satisfy offset - mb1 == vaddr - load_addr.
load=$(readelf -lW "$elf" | awk '$1 == "LOAD" { print $2, $3, $5 }')
# (no pipe into head: under pipefail, head's early exit can kill the writer
# with SIGPIPE, which failed a build once with status 141)
first_va=$(awk 'NR == 1 { print $2 }' <<< "$load")
while read -r o va fsz; do
	[ $((fsz)) -eq 0 ] && continue
	[ $((o - mb1)) -eq $((va - first_va)) ] || fail "segment at $va is not at its memory offset in the file"
done <<< "$load"
