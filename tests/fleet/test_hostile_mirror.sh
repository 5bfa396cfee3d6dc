#!/usr/bin/env bash
# A hostile or misconfigured mirror: slow retrieval, endless headers, 403 or an
# HTML page for the absent next root, an HTML page for a chunk, a signed index
# whose size differs from the signed image size. Each is refused quickly with
# a clear one-line error, or (for the absent root) the update goes through.
source "$(dirname "$0")/lib.sh"

publish_pair "$T"
R=$T/www/repo
mkdir -p "$T/www/old"; cp -a "$T/repo-v1" "$T/www/old/repo"
# Mirrors that answer 403 (S3 without list permission) or 200 with an HTML page
# (catch-all CDN rule) for files they do not have, and one that serves a valid
# but stale root as every absent N.root.json.
echo '<!DOCTYPE html><html><body>Welcome to our CDN</body></html>' >"$T/www/catchall.html"
for m in forbidden html oldroot; do cp -a "$R" "$T/www/$m"; done
NGINX_EXTRA='
	location ~ ^/forbidden/.*\.root\.json$ { try_files $uri =403; }
	location ~ ^/html/.*\.root\.json$ { try_files $uri /catchall.html; }
	location ~ ^/oldroot/.*\.root\.json$ { try_files $uri /oldroot/1.root.json; }'
start_nginx "$T/www"
PIN=$R/1.root.json
timeout 60 "$SYNC" --repo "$URL/old/repo" --dir "$T/base1" --image corp --root "$PIN" -q
cmp "$T/base1/images/corp.img" "$T/v1.img" || fail "baseline client at v1"
ok "baseline client at v1"
fresh() { rm -rf "$T/c-$1"; cp -a "$T/base1" "$T/c-$1"; echo "$T/c-$1"; }

hostile() { # hostile MODE REGEX: start hostile_http.py on $R; sets HURL, HPID
	local log=$T/hostile-$1.log
	timeout 300 /usr/bin/python3 tests/fleet/hostile_http.py --root "$T/www" --mode "$1" --match "$2" \
		>"$log" 2>&1 &
	HPID=$!
	for _ in $(seq 1 50); do
		grep -q '^port ' "$log" && break
		sleep 0.1
	done
	HURL=http://127.0.0.1:$(sed -n 's/^port //p' "$log")
}

slow_timestamp() {
	local c t0 t1
	c=$(fresh slow)
	hostile trickle 'timestamp\.json$'
	t0=$(date +%s)
	expect_fail "timestamp at 3 bytes/s" 'timestamp.json: not received within [0-9]+ s .*slow-retrieval' \
		timeout 120 "$SYNC" --repo "$HURL/repo" --dir "$c" --image corp
	t1=$(date +%s)
	kill "$HPID"
	echo "  gave up after $((t1 - t0)) s"
	# the bound for a 64 KiB timestamp at the minimum rate, plus slack
	[ $((t1 - t0)) -le 60 ]
	cmp "$c/images/corp.img" "$T/v1.img"
}

endless_headers() {
	local c
	c=$(fresh headers)
	hostile headers 'timestamp\.json$'
	expect_fail "endless headers" 'timestamp.json: response headers longer than [0-9]+ bytes' \
		timeout 60 "$SYNC" --repo "$HURL/repo" --dir "$c" --image corp
	kill "$HPID"
}

absent_root() { # absent_root MIRROR: next root absent, answered oddly; v2 installs
	local c out
	c=$(fresh "$1")
	curl -s -o /dev/null -w '  %{http_code} for 2.root.json\n' "$URL/$1/2.root.json"
	out=$(timeout 60 "$SYNC" --repo "$URL/$1" --dir "$c" --image corp --json)
	echo "  $out"
	grep -q '"status":"updated"' <<<"$out"
	cmp "$c/images/corp.img" "$T/v2.img"
}

stale_root_as_next() { # a 200 that parses as a signed root is verified, not skipped
	local c
	c=$(fresh oldroot)
	expect_fail "1.root.json served as 2.root.json" '2.root.json: holds root version 1' \
		timeout 60 "$SYNC" --repo "$URL/oldroot" --dir "$c" --image corp
	cmp "$c/images/corp.img" "$T/v1.img"
}

html_chunk() {
	local c chunk
	# sed reads to the end: head would close the pipe early and comm, on a
	# slow machine still writing, die of SIGPIPE (pipefail makes that fatal)
	chunk=$(comm -13 <(cd "$T/repo-v1/store" && find . -name '*.cacnk' | sort) \
		<(cd "$R/store" && find . -name '*.cacnk' | sort) | sed -n 1p)
	rm -rf "$T/www/htmlchunk"; cp -a "$R" "$T/www/htmlchunk"
	rm -rf "$T/www/htmlchunk/targets/packs" # chunk by chunk (a bad pack: test_packs.sh)
	cp "$T/www/catchall.html" "$T/www/htmlchunk/store/$chunk"
	c=$(fresh htmlchunk)
	expect_fail "HTML page as a chunk" 'chunk .*: not a zstd frame but text \(an HTML page' \
		timeout 60 "$SYNC" --repo "$URL/htmlchunk" --dir "$c" --image corp
}

# A signed index of 64 chunks of 128 MiB (one all-zero chunk) for an image
# signed as 16 MiB: refused before any chunk is fetched or any work done.
oversized_index() {
	local d=$T/www/big keys=$T/keys-big c t0 t1 id sha
	rm -rf "$d" "$keys"; cp -a "$R" "$d"; cp -a "$T/keys" "$keys"
	id=$(head -c 134217728 /dev/zero | sha256sum | cut -c1-64)
	mkdir -p "$d/store/${id:0:4}"
	head -c 134217728 /dev/zero | zstd -q -1 -c >"$d/store/${id:0:4}/$id.cacnk"
	/usr/bin/python3 - "$T/big.caibx" "$id" <<'PY'
import struct, sys
out, cid = sys.argv[1], bytes.fromhex(sys.argv[2])
big, n = 128 << 20, 64
hdr = struct.pack("<QQQQQQ", 48, 0x96824d9c7b129ff9, 0x9000000000000000, big, big, big)
tab = struct.pack("<QQ", 0xFFFFFFFFFFFFFFFF, 0xe75b9e112f17417d)
items = b"".join(struct.pack("<Q", big * (i + 1)) + cid for i in range(n))
total = 48 + 16 + 40 * n + 40
tail = struct.pack("<QQQQQ", 0, 0, 48, total - 48, 0x4b4f050e5549ecd1)
open(out, "wb").write(hdr + tab + items + tail)
PY
	sha=$(sha256sum "$T/big.caibx" | cut -c1-64)
	mkdir -p "$d/targets/images/big"; cp "$T/big.caibx" "$d/targets/images/big/$sha.big-1.caibx"
	f=$(ls "$d"/*.targets.json | sort -V | tail -n1)
	jq --arg sha "$sha" --argjson len "$(stat -c %s "$T/big.caibx")" \
		'.signed.targets["images/big/big-1.caibx"] = {"length": $len, "hashes": {"sha256": $sha},
		 "custom": {"kind": "image", "image": "big", "version": 1, "image_size": 16777216,
		 "image_sha256": $sha, "chunks": 64}}' "$f" >"$f.new" && mv "$f.new" "$f"
	"$PUB" sign --repo "$d" --keys "$keys" --role targets -q
	t0=$(date +%s)
	expect_fail "index of 8 GiB signed as 16 MiB" 'index describes 8589934592 bytes but the signed image size is 16777216' \
		timeout 60 "$SYNC" --repo "$URL/big" --dir "$T/c-big" --image big --root "$PIN"
	t1=$(date +%s)
	echo "  refused after $((t1 - t0)) s"
	[ $((t1 - t0)) -le 10 ]
	! grep -q "${id:0:12}" "$T/nginx/logs/access.log" # the chunk was never requested
}

run_case "slow retrieval: a timestamp trickled at 3 bytes/s is abandoned within its time bound" slow_timestamp
run_case "endless response headers end with a clear error" endless_headers
run_case "403 for the absent next root ends the root chain (v2 installed)" absent_root forbidden
run_case "200 with an HTML page for the absent next root ends the root chain (v2 installed)" absent_root html
run_case "a 200 that parses as a signed root is still verified (stale root refused)" stale_root_as_next
run_case "an HTML page served as a chunk is named as such" html_chunk
run_case "a signed index larger than the signed image size is refused before any download" oversized_index
[ "$case_failures" -eq 0 ] || fail "$case_failures case(s) failed"
[ "$checks" -eq 8 ] || fail "expected 8 checks, $checks passed"
echo "all $checks checks passed"
