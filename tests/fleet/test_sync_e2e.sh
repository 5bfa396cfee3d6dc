#!/usr/bin/env bash
# End to end: publish v1 and v2 of a small ext4 image, serve the repository
# with nginx on loopback, sync a client v1 -> v2 over HTTP, check bit-identity,
# delta size, casync interoperability both ways, the policy/lease state, and an
# offline sync from a directory mirror with no network at all.
source "$(dirname "$0")/lib.sh"

publish_pair "$T"
ok "published v1 and v2 ($(du -sh "$T/www/repo" | cut -f1) repository)"
"$PUB" verify --repo "$T/www/repo" | grep -q "2 image(s), 1 policy" && ok "bulkhead-publish verify passes" || fail "check failed"
start_nginx "$T/www"

# first sync of a new client, from its pinned root: full download of v1
out=$(timeout 120 "$SYNC" --repo "$URL/repo" --dir "$T/client" --image corp --root "$T/www/repo/1.root.json" --json)
echo "$out"
cmp "$T/client/images/corp.img" "$T/v2.img" && [ "$(echo "$out" | json_get installed_version)" = 2 ] &&
	ok "a new client installs the latest version (v2) bit-identically" || fail "check failed"

# a client that is at v1: build it from the repository copy taken after v1
rm -rf "$T/client"
mkdir -p "$T/www/old"; cp -a "$T/repo-v1" "$T/www/old/repo"
out=$(timeout 120 "$SYNC" --repo "$URL/old/repo" --dir "$T/client" --image corp --root "$T/www/repo/1.root.json" --json)
cmp "$T/client/images/corp.img" "$T/v1.img" && ok "client at v1 is bit-identical to v1" || fail "check failed"
full=$(echo "$out" | json_get bytes_fetched)

out=$(timeout 120 "$SYNC" --repo "$URL/repo" --dir "$T/client" --image corp --json)
echo "$out"
cmp "$T/client/images/corp.img" "$T/v2.img" && ok "v1 -> v2 sync is bit-identical to v2" || fail "check failed"
cmp "$T/client/images/corp-1.img" "$T/v1.img" && ok "previous version v1 kept for rollback" || fail "check failed"
delta=$(echo "$out" | json_get bytes_fetched)
size=$(stat -c %s "$T/v2.img")
zsize=$(zstd -q -3 -c "$T/v2.img" | wc -c)
echo "image $size bytes, zstd -3 of image $zsize, full first sync $full, delta sync $delta"
[ "$delta" -lt $((size / 10)) ] && [ "$delta" -lt $((zsize / 3)) ] &&
	ok "delta download ($delta bytes) is far below the image ($size) and its zstd ($zsize)" || fail "check failed"
grep -q '"status":"updated"' <<<"$out" || fail "status not updated"
grep -q '"lease_expires"' "$T/client/state.json" && grep -q '"offline_lease_days": 14' "$T/client/state.json" &&
	ok "state file records check-in and the work policy's 14-day lease" || fail "check failed"
cmp "$T/client/policy/work.json" "$T/work.json" && ok "policy document installed" || fail "check failed"
[ "$(readlink "$T/client/images/corp.img")" = corp-2.img ] && ok "corp.img points at v2" || fail "check failed"

# bytes on the wire agree with what the client counted (nginx access log)
out=$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/client" --image corp --json)
grep -q '"status":"up-to-date"' <<<"$out" && ok "second sync: up to date" || fail "check failed"

# casync reads our repository: index and store over HTTP
idx=$(cd "$T/www/repo" && ls targets/images/corp/*.corp-2.caibx)
timeout 120 casync extract --store="$URL/repo/store" "$URL/repo/$idx" "$T/casync-v2.img"
cmp "$T/casync-v2.img" "$T/v2.img" && ok "casync extract over HTTP reproduces v2 from our store" || fail "check failed"
timeout 120 casync extract --store="$T/www/repo/store" "$T/www/repo/$idx" "$T/casync-v2b.img"
cmp "$T/casync-v2b.img" "$T/v2.img" && ok "casync extract from the local store reproduces v2" || fail "check failed"

# we read casync's: an index made by casync make (sha256 and default digest)
timeout 120 casync make --digest=sha256 --store="$T/castore" "$T/ca.caibx" "$T/v2.img" >/dev/null
info=$("$PUB" inspect "$T/ca.caibx"); echo "$info"
grep -q "\"size\":$size" <<<"$info" && grep -q '"digest":"sha256"' <<<"$info" &&
	ok "our parser reads casync's sha256 index (size $size)" || fail "check failed"
timeout 120 casync make --store="$T/castore2" "$T/ca2.caibx" "$T/v2.img" >/dev/null
"$PUB" inspect "$T/ca2.caibx" | grep -q '"digest":"sha512-256"' && ok "our parser reads casync's default (sha512-256) index" || fail "check failed"

# qcow2 input: v3 = v2 with one block changed, published from a qcow2 file
cp "$T/v2.img" "$T/v3.img"
printf 'version three' | dd of="$T/v3.img" bs=1 seek=$((20 << 20)) conv=notrunc status=none
qemu-img convert -f raw -O qcow2 "$T/v3.img" "$T/v3.qcow2"
"$PUB" add --repo "$T/www/repo" --keys "$T/keys" --image corp --version 3 --input "$T/v3.qcow2" --level 3 -q
out=$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/client" --image corp --json)
cmp "$T/client/images/corp.img" "$T/v3.img" && [ "$(echo "$out" | json_get chunks_fetched)" -le 2 ] &&
	ok "v3 published from qcow2 and synced bit-identically ($(echo "$out" | json_get chunks_fetched) chunk(s) fetched)" || fail "qcow2"
"$SYNC" rollback --dir "$T/client" -q
cmp "$T/client/images/corp.img" "$T/v2.img" && grep -q '"installed_version": 2' "$T/client/state.json" &&
	ok "local rollback switches back to the kept previous version (v2)" || fail "rollback"
set +e; err=$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/client" --image corp 2>&1); st=$?; set -e
[ $st -eq 0 ] && cmp -s "$T/client/images/corp.img" "$T/v3.img" && ok "the next sync moves forward to v3 again" || fail "after rollback: $err"
"$SYNC" status --dir "$T/client" --json | grep -q '"installed_version":3' && ok "status --json reports v3" || fail "status"

# offline: a directory mirror (USB stick) and no network at all
rm -rf "$T/client2" "$T/usb"
cp -a "$T/repo-v1" "$T/usb-v1"
timeout 60 "$SYNC" --repo "$T/usb-v1" --dir "$T/client2" --image corp --root "$T/www/repo/1.root.json" -q
cp -a "$T/www/repo" "$T/usb"
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=
if unshare -rn true 2>/dev/null; then
	timeout 60 unshare -rn "$SYNC" --repo "$T/usb" --dir "$T/client2" --image corp --json
	why="in a network namespace with no interfaces"
else
	timeout 60 "$SYNC" --repo "$T/usb" --dir "$T/client2" --image corp --json
	why="with nginx stopped"
fi
cmp "$T/client2/images/corp.img" "$T/v3.img" && ok "offline sync from a directory mirror $why" || fail "check failed"
[ "$checks" -eq 20 ] || fail "expected 20 checks, $checks passed"
echo "all $checks checks passed"
