#!/usr/bin/env bash
# Bad input: every attack from the issue is served over HTTP to a client; each
# must be refused with a one-line error and leave the installed image and the
# state file untouched.
source "$(dirname "$0")/lib.sh"

publish_pair "$T"
R=$T/www/repo
mkdir -p "$T/www/old"; cp -a "$T/repo-v1" "$T/www/old/repo"
start_nginx "$T/www"
PIN=$R/1.root.json
timeout 60 "$SYNC" --repo "$URL/old/repo" --dir "$T/base1" --image corp --root "$PIN" -q
timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/base2" --image corp --root "$PIN" -q
cmp "$T/base1/images/corp.img" "$T/v1.img" && cmp "$T/base2/images/corp.img" "$T/v2.img" ||
	fail "baseline clients"
ok "baseline clients at v1 and at v2"

# v2 chunks that v1 does not have, and the v2 index / current targets
new_chunks=$(comm -13 <(cd "$T/repo-v1/store" && find . -name '*.cacnk' | sort) \
	<(cd "$R/store" && find . -name '*.cacnk' | sort))
chunk=$(echo "$new_chunks" | head -n1); chunk2=$(echo "$new_chunks" | sed -n 2p)
idx=$(cd "$R" && ls targets/images/corp/*.corp-2.caibx)
tver=$(sed -n 's/.*"version": \([0-9]*\).*/\1/p' "$R/timestamp.json" | head -1)
snapv=$(grep -o '"version": [0-9]*' "$R/timestamp.json" | head -1 | grep -o '[0-9]*$')
targv=$(grep -o '"version": [0-9]*' "$R/$snapv.snapshot.json" | head -1 | grep -o '[0-9]*$')
echo "delta chunks: $(echo "$new_chunks" | wc -l); snapshot v$snapv, targets v$targv (timestamp v$tver)"

flip() { # flip FILE: change one byte in the middle
	local n; n=$(stat -c %s "$1")
	printf '\x5a' | dd of="$1" bs=1 seek=$((n / 2)) conv=notrunc status=none
	cmp -s "$1" "$1.orig" 2>/dev/null && printf '\xa5' | dd of="$1" bs=1 seek=$((n / 2)) conv=notrunc status=none
	true
}

# attack NAME BASE REGEX: serve $T/www/NAME to a copy of client BASE; must fail
# with one line matching REGEX and change nothing.
attack() {
	local name=$1 base=$2 re=$3 c=$T/c-$1 before after err st
	rm -rf "$c"; cp -a "$T/$base" "$c"
	before=$(cd "$c" && sha256sum state.json images/corp.img metadata/*.json && readlink images/corp.img)
	set +e
	err=$(timeout 60 "$SYNC" --repo "$URL/$name" --dir "$c" --image corp 2>&1 >/dev/null)
	st=$?
	set -e
	after=$(cd "$c" && sha256sum state.json images/corp.img metadata/*.json && readlink images/corp.img)
	echo "  $name: exit $st: $err"
	[ "$st" -ne 0 ] || fail "$name: accepted"
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$name: error is not one line"
	grep -Eq "$re" <<<"$err" || fail "$name: unexpected error (wanted /$re/)"
	[ "$before" = "$after" ] || fail "$name: installed image, state or trusted metadata changed"
	ls "$c/images" | grep -q tmp && fail "$name: temp file left behind"
	ok "$name refused: $err"
}

# Without its packs, so that the client reads the store chunk by chunk and
# meets the damage there (a damaged pack: test_packs.sh).
copy() { rm -rf "$T/www/$1"; cp -a "$R" "$T/www/$1"; rm -rf "$T/www/$1/targets/packs"; }

copy tampered-chunk; flip "$T/www/tampered-chunk/store/$chunk"
attack tampered-chunk base1 'chunk .*(corrupt|hash mismatch)'

copy swapped-chunk; cp "$R/store/$chunk2" "$T/www/swapped-chunk/store/$chunk"
attack swapped-chunk base1 'chunk .*(corrupt|hash mismatch|larger than)'

copy truncated-chunk; truncate -s $(($(stat -c %s "$R/store/$chunk") / 2)) "$T/www/truncated-chunk/store/$chunk"
attack truncated-chunk base1 'chunk .*corrupt or truncated'

copy tampered-index; flip "$T/www/tampered-index/$idx"
attack tampered-index base1 'differs from signed targets'

copy truncated-index; truncate -s 1000 "$T/www/truncated-index/$idx"
attack truncated-index base1 'differs from signed targets'

copy tampered-targets; sed -i 's/"image_size": \([0-9]*\)/"image_size": 1\1/' "$T/www/tampered-targets/$targv.targets.json"
attack tampered-targets base1 'targets.json: (length or hash differs|larger than)'

copy tampered-timestamp; sed -i 's/"expires": "2/"expires": "3/' "$T/www/tampered-timestamp/timestamp.json"
attack tampered-timestamp base1 'timestamp metadata: 0 valid signature'

copy truncated-timestamp; truncate -s 100 "$T/www/truncated-timestamp/timestamp.json"
attack truncated-timestamp base1 'timestamp metadata: bad JSON'

# rollback: the repository as it was at v1, to a client that has seen v2
copy rollback-meta; rm -rf "$T/www/rollback-meta"; cp -a "$T/repo-v1" "$T/www/rollback-meta"
attack rollback-meta base2 'older than trusted .*rollback'

# rollback of the image: validly signed targets that only offer v1
copy rollback-image; cp -a "$T/keys" "$T/keys-rb"
f=$T/www/rollback-image/$targv.targets.json
jq '.signed.targets |= with_entries(select(.key | test("corp-2") | not))' "$f" >"$f.new" && mv "$f.new" "$f"
"$PUB" sign --repo "$T/www/rollback-image" --keys "$T/keys-rb" --role targets -q
attack rollback-image base2 'older than installed v2 \(rollback refused\)'

# freeze: a timestamp that has expired
copy freeze; cp -a "$T/keys" "$T/keys-fr"
"$PUB" sign --repo "$T/www/freeze" --keys "$T/keys-fr" --role timestamp --expires 2001-01-01T00:00:00Z -q
attack freeze base1 'timestamp metadata expired .*freeze'

# mix-and-match: current timestamp, older snapshot / targets under the current names
copy mix-targets; cp "$R/$((targv - 1)).targets.json" "$T/www/mix-targets/$targv.targets.json"
attack mix-targets base1 'targets.json: (length or hash differs|larger than)'
copy mix-snapshot; cp "$R/$((snapv - 1)).snapshot.json" "$T/www/mix-snapshot/$snapv.snapshot.json"
attack mix-snapshot base1 'snapshot.json: (length or hash differs|larger than)'

# wrong key: metadata from a repository with other keys
"$PUB" init --repo "$T/evil" --keys "$T/evil-keys" -q
"$PUB" add --repo "$T/evil" --keys "$T/evil-keys" --image corp --version 9 --input "$T/v2.img" --level 1 -q
copy wrong-key; cp -a "$T/evil/." "$T/www/wrong-key/"
attack wrong-key base1 'timestamp metadata: 0 valid signature'

# revoked key: rotate the timestamp key; a client learns the new root; the
# thief of the old key then signs a fresh timestamp with it
copy rotated; cp -a "$T/keys" "$T/keys-rot"; cp -a "$T/keys" "$T/keys-stolen"; cp -a "$R" "$T/stolen"
"$PUB" rotate-root --repo "$T/www/rotated" --keys "$T/keys-rot" --role timestamp -q
rm -rf "$T/base1r"; cp -a "$T/base1" "$T/base1r"
timeout 60 "$SYNC" --repo "$URL/rotated" --dir "$T/base1r" --image corp -q
cmp "$T/base1r/images/corp.img" "$T/v2.img" && grep -q '"version": 2' "$T/base1r/metadata/root.json" &&
	ok "client follows the root rotation (root v2, new timestamp key)" || fail "rotation"
"$PUB" sign --repo "$T/stolen" --keys "$T/keys-stolen" --role timestamp -q
rm -rf "$T/www/revoked-key"; cp -a "$T/stolen" "$T/www/revoked-key"
attack revoked-key base1r 'timestamp metadata: 0 valid signature'

# root thresholds: 2 of 3 root keys
"$PUB" init --repo "$T/www/thr" --keys "$T/thr-keys" --root-keys 3 --root-threshold 2 -q
mkdir -p "$T/thr-one"; cp "$T/thr-keys"/root-1.key "$T/thr-keys"/[tsn]*.key "$T/thr-one/"
set +e; err=$("$PUB" rotate-root --repo "$T/www/thr" --keys "$T/thr-one" 2>&1); st=$?; set -e
[ $st -ne 0 ] && grep -Eq "1 valid signature.*threshold 2" <<<"$err" && [ ! -e "$T/thr-one/root-v2-1.key" ] && ok "publisher refuses to sign root with 1 of 2 keys: $err" ||
	fail "threshold publisher"
"$PUB" add --repo "$T/www/thr" --keys "$T/thr-keys" --image corp --version 1 --input "$T/v1.img" --level 1 -q
timeout 60 "$SYNC" --repo "$URL/thr" --dir "$T/thr-client" --image corp --root "$T/www/thr/1.root.json" -q
"$PUB" rotate-root --repo "$T/www/thr" --keys "$T/thr-keys" --count 3 --threshold 2 -q
jq '.signatures |= .[:1]' "$T/www/thr/2.root.json" >"$T/r2" && cp "$T/r2" "$T/www/thr/2.root.json"
attack thr thr-client 'root metadata: 1 valid signature\(s\) from trusted root keys, threshold 2'

# full disk: the client's directory on a tmpfs with too little room for v2
used=$(du -sk "$T/base1" | cut -f1)
cat >"$T/full.sh" <<SH
set -e
mount -t tmpfs -o size=$((used + 1024))k tmpfs "$T/fullmnt"
cp -a "$T/base1/." "$T/fullmnt/"
before=\$(cd "$T/fullmnt" && sha256sum state.json images/corp.img && readlink images/corp.img)
set +e
err=\$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/fullmnt" --image corp 2>&1 >/dev/null); st=\$?
set -e
after=\$(cd "$T/fullmnt" && sha256sum state.json images/corp.img && readlink images/corp.img)
echo "  full-disk: exit \$st: \$err (df: \$(df -k "$T/fullmnt" | tail -1))"
[ \$st -ne 0 ] && [ "\$(printf '%s\n' "\$err" | wc -l)" -eq 1 ] && grep -q "No space left on device" <<<"\$err" &&
	[ "\$before" = "\$after" ] && ! ls "$T/fullmnt/images" | grep -q tmp
SH
mkdir -p "$T/fullmnt"
if unshare -rm true 2>/dev/null; then
	timeout 120 unshare -rm bash "$T/full.sh" && ok "full disk refused, image and state untouched" || fail "full disk"
else
	fail "full disk: needs unshare (user and mount namespaces)"
fi
[ "$checks" -eq 20 ] || fail "expected 20 checks, $checks passed"
echo "all $checks checks passed"
