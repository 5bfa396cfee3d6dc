#!/usr/bin/env bash
# Fewer requests: a first install and a delta fetch runs of chunks from the
# version's pack with HTTP range requests (counted in nginx's access log)
# instead of one request per chunk; the store stays casync's. A mirror that
# ignores ranges, a damaged pack or a missing one cost requests, never
# correctness: the client falls back to single chunks.
source "$(dirname "$0")/lib.sh"

publish_pair "$T"
R=$T/www/repo
mkdir -p "$T/www/old"; cp -a "$T/repo-v1" "$T/www/old/repo"
for m in noranges damaged nopack; do cp -a "$R" "$T/www/$m"; done
pack=$(cd "$R" && ls targets/packs/corp/*.corp-2.pack)
n=$(stat -c %s "$T/www/damaged/$pack")
printf '\x5a\x5a\x5a\x5a' | dd of="$T/www/damaged/$pack" bs=1 seek=$((n / 2)) conv=notrunc status=none
rm "$T/www/nopack/$pack"
NGINX_EXTRA='location ^~ /noranges/ { max_ranges 0; }'
start_nginx "$T/www"
PIN=$R/1.root.json
LOG=$T/nginx/logs/access.log
requests() { wc -l <"$LOG"; }
chunks=$("$PUB" inspect "$(ls "$R"/targets/images/corp/*.corp-2.caibx)" | sed 's/.*"chunks":\([0-9]*\).*/\1/')

first_install() {
	local out before req
	before=$(requests)
	out=$(timeout 120 "$SYNC" --repo "$URL/repo" --dir "$T/c-first" --image corp --root "$PIN" --json)
	req=$(($(requests) - before))
	echo "  $out"
	echo "  first install: $req requests for $chunks chunks"
	cmp "$T/c-first/images/corp.img" "$T/v2.img"
	grep -q '"pack":"used"' <<<"$out"
	[ "$req" -le $((chunks / 20)) ]
	[ "$(echo "$out" | json_get requests)" -eq "$req" ] # the client counts what nginx saw
}

delta() {
	local out before req fetched
	timeout 120 "$SYNC" --repo "$URL/old/repo" --dir "$T/c-delta" --image corp --root "$PIN" -q
	before=$(requests)
	out=$(timeout 120 "$SYNC" --repo "$URL/repo" --dir "$T/c-delta" --image corp --json)
	req=$(($(requests) - before))
	fetched=$(echo "$out" | json_get chunks_fetched)
	echo "  $out"
	echo "  delta: $req requests for $fetched chunks"
	cmp "$T/c-delta/images/corp.img" "$T/v2.img"
	grep -q '"pack":"used"' <<<"$out"
	[ "$req" -lt "$fetched" ]
}

fallback() { # fallback MIRROR REGEX: no usable pack; v2 still installs, chunk by chunk
	local out c=$T/c-$1
	out=$(timeout 120 "$SYNC" --repo "$URL/$1" --dir "$c" --image corp --root "$PIN" --json)
	echo "  $out"
	cmp "$c/images/corp.img" "$T/v2.img"
	grep -Eq "\"pack\":\"$2" <<<"$out"
}

run_case "a first install fetches its chunks from the pack in a few range requests" first_install
run_case "a v1 -> v2 delta takes fewer requests than chunks" delta
run_case "a mirror that ignores ranges: falls back to single chunks" fallback noranges 'pack: the server ignores range requests'
run_case "a damaged pack: its bad chunk is refused, the rest come singly" fallback damaged 'chunk .*(corrupt|hash mismatch|not a zstd)'
run_case "a missing pack: falls back to single chunks" fallback nopack 'pack: HTTP status 404'
[ "$case_failures" -eq 0 ] || fail "$case_failures case(s) failed"
[ "$checks" -eq 5 ] || fail "expected 5 checks, $checks passed"
echo "all $checks checks passed"
