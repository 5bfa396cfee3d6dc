#!/usr/bin/env bash
# Boot modules are listed with their command lines and kept out of the
# page allocator; too many modules is a clear boot error, not a crash.
source "$(dirname "$0")/lib.sh"
dir=build/tests/system/modules
mkdir -p "$dir"
head -c 5000 /dev/urandom > "$dir/a.bin"
head -c 70000 /dev/urandom > "$dir/b.bin"
boot --module "$dir/a.bin name=alpha mem=64" --module "$dir/b.bin beta"
expect_status 0
expect_line "modules: 2"
expect_regex "^module 0: 0x[0-9a-f]+-0x[0-9a-f]+ \(5 KiB\) '$dir/a.bin name=alpha mem=64'"
expect_regex "^module 1: 0x[0-9a-f]+-0x[0-9a-f]+ \(69 KiB\) '$dir/b.bin beta'"

mods=()
for i in $(seq 1 17); do mods+=(--module "$dir/a.bin m$i"); done
boot "${mods[@]}"
expect_status 1
expect_line "boot: multiboot1: too many modules"
finish
