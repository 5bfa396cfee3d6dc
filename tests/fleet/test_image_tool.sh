#!/usr/bin/env bash
# tools/bulkhead-image over Debian's qemu-img, checked with qemu-img and
# qemu-io: a layer over a master takes writes while the master stays
# byte-identical (qemu-img compare); info lists the chain; check refuses a
# truncated and a corrupted image; a missing file, a layer whose backing is
# not the named master, a chain that loops or escapes the image directory
# are refused; commit writes a layer into its backing (into a master only
# with --force); a safe rebase onto a new master keeps what the VM sees.
source "$(dirname "$0")/lib.sh"
IMG=$ROOT/build/tools/bulkhead-image
[ -x "$IMG" ] || fail "missing $IMG (run make all)"
command -v qemu-io >/dev/null || fail "missing qemu-io (qemu-utils)"
D=$T/disks
mkdir -p "$D" "$T/outside"
qio() { qemu-io "$@" >/dev/null; } # qemu-io exits non-zero when a read -P does not match
# refused CMD...: exit 1 and the message names the reason ($2 of the caller)
refused() {
	local want=$1 rc=0
	shift
	"$IMG" "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 1 ] && grep -q -- "$want" "$T/err" || { echo "  $* -> $rc: $(cat "$T/err")"; return 1; }
}
header_u32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}'; }

qemu-img create -q -f raw "$D/master.img" 8M
qio -f raw -c "write -P 0x5a 0 8M" "$D/master.img"
cp "$D/master.img" "$T/master.orig"
"$IMG" create-layer --master "$D/master.img" --layer "$D/work.qcow2" >"$T/out"
qio -f qcow2 -c "write -P 0xa5 1M 64k" -c "write -P 0xa6 7M 4k" "$D/work.qcow2"
qio -f qcow2 -c "read -P 0xa5 1M 64k" -c "read -P 0xa6 7M 4k" -c "read -P 0x5a 0 1M" -c "read -P 0x5a 2M 1M" "$D/work.qcow2"
[ "$(qemu-img info --output=json "$D/work.qcow2" | jq -r '.format + " " + ."backing-filename" + " " + ."backing-filename-format"')" = "qcow2 master.img raw" ] &&
	qemu-img compare -q -f raw -F raw "$D/master.img" "$T/master.orig" &&
	! qemu-img compare -q -f qcow2 -F raw "$D/work.qcow2" "$D/master.img" &&
	ok "a qcow2 layer over a raw master (backing format recorded) takes writes and reads the master elsewhere; the master stays byte-identical (qemu-img compare)" ||
	fail "layer over master"

"$IMG" info "$D/work.qcow2" >"$T/info"
[ "$(cat "$T/info")" = "$D/work.qcow2: format qcow2, virtual size 8388608 bytes, backing master.img (raw)
$D/master.img: format raw, virtual size 8388608 bytes, backing none" ] &&
	ok "info lists the chain, one line per file: format, virtual size, backing" || fail "info: $(cat "$T/info")"

"$IMG" check "$D/work.qcow2" >"$T/out" && "$IMG" check --master "$D/master.img" "$D/work.qcow2" >>"$T/out" &&
	cp "$D/master.img" "$D/other.img" && refused "not the named master" check --master "$D/other.img" "$D/work.qcow2" &&
	refused "No such file" info "$D/nope.qcow2" && refused "exists already" create-layer --master "$D/master.img" --layer "$D/work.qcow2" &&
	ok "check passes a sound chain, refuses a layer whose backing is not the named master; a missing file and an existing layer are refused" ||
	fail "check and missing files"

# truncated and corrupted images
cp "$D/work.qcow2" "$D/trunc-meta.qcow2"
truncate -s 100K "$D/trunc-meta.qcow2"
cp "$D/work.qcow2" "$D/trunc-data.qcow2"
truncate -s $(($(stat -c %s "$D/work.qcow2") - 65536)) "$D/trunc-data.qcow2"
: >"$D/empty.qcow2"
cp "$D/work.qcow2" "$D/bad-header.qcow2"
printf '\x00\x00\x00\x28' | dd of="$D/bad-header.qcow2" bs=1 seek=20 conv=notrunc status=none # cluster_bits 40
cp "$D/work.qcow2" "$D/bad-l1.qcow2"
L1=$(header_u32 "$D/bad-l1.qcow2" 44) # low half of l1_table_offset (big-endian u64 at 40)
printf '\x80\x00\x00\x00\x00\x01\x23\x45' | dd of="$D/bad-l1.qcow2" bs=1 seek="$L1" conv=notrunc status=none
head -c 1000 "$D/master.img" >"$D/trunc.img"
refused "truncated or corrupt: the qcow2 L1 table lies outside" check "$D/trunc-meta.qcow2" &&
	refused "corrupt (qemu-img check found errors" check "$D/trunc-data.qcow2" &&
	refused "not a disk image" check "$D/empty.qcow2" &&
	refused "corrupt qcow2 header (cluster size" check "$D/bad-header.qcow2" &&
	refused "corrupt (qemu-img check found errors" check "$D/bad-l1.qcow2" &&
	refused "raw image is a non-zero multiple of 512" check "$D/trunc.img" &&
	"$IMG" check "$D/work.qcow2" >/dev/null &&
	ok "refused with a clear message: truncated metadata, truncated data, an empty file, a corrupt header, a corrupt L1 table, a truncated raw image" ||
	fail "corrupt images"

# chains that are missing a file, loop or escape the directory
qemu-img create -q -f raw "$D/gone.img" 1M
"$IMG" create-layer --master "$D/gone.img" --layer "$D/orphan.qcow2" >/dev/null
rm "$D/gone.img"
qemu-img create -q -f qcow2 "$D/a.qcow2" 1M
qemu-img create -q -f qcow2 -b a.qcow2 -F qcow2 "$D/b.qcow2"
qemu-img rebase -u -f qcow2 -b b.qcow2 -F qcow2 "$D/a.qcow2"
qemu-img create -q -f raw "$T/outside/x.img" 1M
qemu-img create -q -f qcow2 -b ../outside/x.img -F raw "$D/escape.qcow2"
ln -s ../outside/x.img "$D/link.img"
qemu-img create -q -f qcow2 -b link.img -F raw "$D/via-link.qcow2"
qemu-img create -q -f qcow2 -b "$D/master.img" -F raw "$D/proto.qcow2"
qemu-img rebase -u -f qcow2 -b "nbd:127.0.0.1:1" -F raw "$D/proto.qcow2"
refused "its backing file gone.img is missing" info "$D/orphan.qcow2" &&
	refused "backing chain loops" check "$D/b.qcow2" &&
	refused "escapes the image directory" info "$D/escape.qcow2" &&
	refused "escapes the image directory" check "$D/via-link.qcow2" &&
	refused "is not a plain file name" check "$D/proto.qcow2" &&
	refused "lies outside the image directory" create-layer --master "$T/outside/x.img" --layer "$D/out.qcow2" &&
	[ ! -e "$D/out.qcow2" ] &&
	ok "refused: a missing backing file, a chain that loops, a backing outside the directory (by path, by symlink, by protocol), a master outside it" ||
	fail "bad chains"

# commit: into a master only with --force; into an intermediate layer without
"$IMG" create-layer --master "$D/master.img" --layer "$D/mid.qcow2" >/dev/null
"$IMG" create-layer --master "$D/mid.qcow2" --layer "$D/top.qcow2" >/dev/null
qio -f qcow2 -c "write -P 0xc1 3M 64k" "$D/top.qcow2"
refused "is a master" commit "$D/work.qcow2" && qemu-img compare -q -f raw -F raw "$D/master.img" "$T/master.orig" &&
	"$IMG" commit "$D/top.qcow2" >"$T/out" &&
	qio -f qcow2 -c "read -P 0xc1 3M 64k" "$D/mid.qcow2" && qio -f qcow2 -c "read -P 0xc1 3M 64k" "$D/top.qcow2" &&
	qemu-img compare -q -f raw -F raw "$D/master.img" "$T/master.orig" &&
	[ "$(qemu-img map --output=json -f qcow2 "$D/top.qcow2" | jq '[.[] | select(.depth == 0 and .data)] | length')" = 0 ] &&
	ok "commit into a master is refused without --force; a layer commits into its intermediate backing (which now has the data; the layer is empty; the master untouched)" ||
	fail "commit: $(cat "$T/err" "$T/out")"
mkdir "$T/forced"
cp "$T/master.orig" "$T/forced/m.img"
"$IMG" create-layer --master "$T/forced/m.img" --layer "$T/forced/l.qcow2" >/dev/null
qio -f qcow2 -c "write -P 0xd1 5M 64k" "$T/forced/l.qcow2"
"$IMG" commit --force "$T/forced/l.qcow2" >"$T/out" && qio -f raw -c "read -P 0xd1 5M 64k" -c "read -P 0x5a 0 5M" "$T/forced/m.img" &&
	ok "commit --force writes the layer into its master" || fail "commit --force"

# rebase onto a new master: the VM's view is kept
cp "$T/master.orig" "$D/master2.img"
qio -f raw -c "write -P 0x77 4M 128k" "$D/master2.img"
cp "$D/master2.img" "$T/master2.orig"
"$IMG" create-layer --master "$D/master.img" --layer "$D/r.qcow2" >/dev/null
qio -f qcow2 -c "write -P 0x33 2M 64k" "$D/r.qcow2"
qemu-img convert -f qcow2 -O raw "$D/r.qcow2" "$T/r-before.raw"
refused "contains the layer" rebase --layer "$D/mid.qcow2" --master "$D/top.qcow2" &&
	refused "lies outside the image directory" rebase --layer "$D/r.qcow2" --master "$T/outside/x.img" &&
	"$IMG" rebase --layer "$D/r.qcow2" --master "$D/master2.img" >"$T/out" &&
	[ "$(head -n1 "$T/out")" = "$D/r.qcow2: format qcow2, virtual size 8388608 bytes, backing master2.img (raw)" ] &&
	qemu-img compare -q -f qcow2 -F raw "$D/r.qcow2" "$T/r-before.raw" &&
	qemu-img compare -q -f raw -F raw "$D/master2.img" "$T/master2.orig" &&
	qemu-img compare -q -f raw -F raw "$D/master.img" "$T/master.orig" &&
	ok "rebase onto a new master: backing is master2.img, the guest sees the same bytes as before (qemu-img compare), both masters unchanged; a loop or a master outside the directory refused" ||
	fail "rebase: $(cat "$T/err" "$T/out")"
[ "$checks" -eq 8 ] || fail "expected 8 checks, $checks passed"
echo "all $checks checks passed"
