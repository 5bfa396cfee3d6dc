#!/usr/bin/env bash
# Crash safety: a v1 client syncing v2 from nginx is killed with SIGKILL at
# many distinct points (the BULKHEAD_SYNC_CRASH_AT hook raises SIGKILL after
# the k-th durable step: each stored chunk, each block of 256 image chunks,
# the image rename, index, each metadata file, the state file), and a few more
# times by an external kill -9 after a random delay. After every kill the
# client must still hold a consistent installed image, and a retry must end
# bit-identical to v2 with v1 kept, without fetching again the chunks that
# were already stored.
source "$(dirname "$0")/lib.sh"

publish_pair "$T"
mkdir -p "$T/www/old"; cp -a "$T/repo-v1" "$T/www/old/repo"
start_nginx "$T/www"
timeout 60 "$SYNC" --repo "$URL/old/repo" --dir "$T/base" --image corp --root "$T/www/repo/1.root.json" -q
cmp "$T/base/images/corp.img" "$T/v1.img" || fail "baseline"

# a clean run tells how many crash points a v1 -> v2 sync passes
cp -a "$T/base" "$T/probe"
out=$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/probe" --image corp --json)
total=$(echo "$out" | json_get crash_points)
delta=$(echo "$out" | json_get chunks_fetched)
echo "clean sync: $total crash points, $delta chunks fetched"
[ "$total" -ge 20 ] || fail "only $total crash points"

consistent() { # state.json (the commit point) names an intact image; the
	# corp.img link points at an intact v1 or v2 (repaired on the next run)
	local c=$1 v
	v=$(sed -n 's/.*"installed_version": \([0-9]*\).*/\1/p' "$c/state.json")
	case "$v" in 1|2) ;; *) return 1 ;; esac
	cmp -s "$c/images/corp-$v.img" "$T/v$v.img" || return 1
	cmp -s "$c/images/corp.img" "$T/v1.img" || cmp -s "$c/images/corp.img" "$T/v2.img"
}

# 24 points spread evenly from the first to the last (each run costs fsyncs)
points=$(awk -v n="$total" 'BEGIN { for (i = 0; i < 24; i++) print 1 + int(i * (n - 1) / 23) }' | uniq)
killed=0
for k in $points; do
	c=$T/c-$k
	rm -rf "$c"; cp -a "$T/base" "$c"
	set +e
	( BULKHEAD_SYNC_CRASH_AT=$k exec timeout 60 "$SYNC" --repo "$URL/repo" --dir "$c" --image corp --json >/dev/null 2>&1 )
	st=$?
	set -e
	[ "$st" -eq 137 ] || fail "point $k: expected SIGKILL (137), got $st"
	consistent "$c" || fail "point $k: installed image does not match state after the kill"
	stored=$(find "$c/store" -name '*.cacnk' | wc -l)
	out=$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$c" --image corp --json)
	refetched=$(echo "$out" | json_get chunks_fetched); refetched=${refetched:-0}
	cmp -s "$c/images/corp.img" "$T/v2.img" || fail "point $k: retry did not produce v2"
	cmp -s "$c/images/corp-1.img" "$T/v1.img" || fail "point $k: previous version v1 lost"
	grep -q '"installed_version": 2' "$c/state.json" || fail "point $k: state not at v2"
	[ $((refetched + stored)) -le "$delta" ] || [ "$(echo "$out" | json_get status)" = up-to-date ] ||
		fail "point $k: re-fetched $refetched chunks although $stored of $delta were stored"
	echo "point $k: killed; consistent; $stored chunks kept; retry fetched $refetched; v2 bit-identical"
	killed=$((killed + 1))
	rm -rf "$c"
done
[ "$killed" -ge 20 ] || fail "only $killed kill points"
ok "$killed distinct kill -9 points (hook), each retried to a bit-identical v2"

# external kill -9 at random moments
for i in $(seq 1 4); do
	c=$T/x-$i
	rm -rf "$c"; cp -a "$T/base" "$c"
	"$SYNC" --repo "$URL/repo" --dir "$c" --image corp -q & # the kill below bounds it
	pid=$!
	sleep "0.0$((RANDOM % 9))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	consistent "$c" || fail "external kill $i: inconsistent"
	timeout 60 "$SYNC" --repo "$URL/repo" --dir "$c" --image corp -q
	cmp -s "$c/images/corp.img" "$T/v2.img" || fail "external kill $i: retry did not produce v2"
	rm -rf "$c"
done
ok "4 external kill -9 at random delays, each retried to a bit-identical v2"
[ "$checks" -eq 2 ] || fail "expected 2 checks"
echo "all $checks checks passed"
