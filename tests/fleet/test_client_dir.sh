#!/usr/bin/env bash
# The client's state directory against planted symlinks and hostile names, and
# the administrator's mistakes: nothing outside the state directory is ever
# written, created or deleted; --image obeys the publisher's name rule;
# --root given to a client that already trusts a root says it is ignored;
# rotate-root refuses a threshold below 1.
source "$(dirname "$0")/lib.sh"

publish_pair "$T"
R=$T/www/repo
mkdir -p "$T/www/old"; cp -a "$T/repo-v1" "$T/www/old/repo"
start_nginx "$T/www"
PIN=$R/1.root.json
timeout 60 "$SYNC" --repo "$URL/old/repo" --dir "$T/base1" --image corp --root "$PIN" -q
cmp "$T/base1/images/corp.img" "$T/v1.img" || fail "baseline client at v1"
ok "baseline client at v1"
fresh() { rm -rf "$T/c-$1"; cp -a "$T/base1" "$T/c-$1"; echo "$T/c-$1"; }

# outside/: what an attacker points symlinks at; must come out unchanged
outside() {
	rm -rf "$T/outside"; mkdir -p "$T/outside/abcd"
	echo "precious" >"$T/outside/victim"
	echo "precious" >"$T/outside/abcd/file.cacnk"
}
outside_intact() {
	[ "$(cat "$T/outside/victim")" = precious ] && [ "$(cat "$T/outside/abcd/file.cacnk")" = precious ] &&
		[ "$(ls "$T/outside" | tr '\n' ' ')" = "abcd victim " ] ||
		{ echo "  outside/ changed: $(ls -lR "$T/outside")"; return 1; }
}

sync_v2() { # sync_v2 DIR: a v1 -> v2 sync that must succeed bit-identically
	timeout 60 "$SYNC" --repo "$URL/repo" --dir "$1" --image corp -q
	cmp "$1/images/corp.img" "$T/v2.img"
	[ ! -L "$1/images/corp-2.img" ]
}

tmp_symlink() {
	local c; c=$(fresh tmp); outside
	ln -s "$T/outside/victim" "$c/images/corp-2.img.tmp"
	sync_v2 "$c"
	outside_intact
}

store_symlink() {
	local c; c=$(fresh store); outside
	rm -rf "$c/store"; ln -s "$T/outside" "$c/store"
	sync_v2 "$c"
	outside_intact
	[ -d "$c/store" ] && [ ! -L "$c/store" ]
}

store_sub_symlink() { # store/XXXX -> outside/abcd, XXXX the prefix of a chunk v2 needs
	local c chunk; c=$(fresh storesub); outside
	chunk=$(comm -13 <(cd "$T/repo-v1/store" && find . -name '*.cacnk' | sort) \
		<(cd "$R/store" && find . -name '*.cacnk' | sort) | sed -n 1p) # not head: comm, still writing, would die of SIGPIPE
	mkdir -p "$c/store"; ln -s "$T/outside/abcd" "$c/store/$(basename "$(dirname "$chunk")")"
	ln -s "$T/outside/abcd" "$c/store/ffff"
	sync_v2 "$c"
	outside_intact
}

lock_symlink() {
	local c; c=$(fresh lock); outside
	ln -sf "$T/outside/created-by-lock" "$c/.lock"
	expect_fail ".lock symlink" '\.lock: is a symlink \(refused\)' \
		timeout 60 "$SYNC" --repo "$URL/repo" --dir "$c" --image corp
	outside_intact
}

# --image ../../outside/x with a validly signed targets entry of that name
image_name() {
	local d=$T/www/evilname keys=$T/keys-name c f sha idx
	rm -rf "$d" "$keys"; cp -a "$R" "$d"; cp -a "$T/keys" "$keys"; outside
	idx=$(cd "$d" && ls targets/images/corp/*.corp-2.caibx)
	sha=$(sha256sum "$d/$idx" | cut -c1-64)
	mkdir -p "$d/targets/images/x"; cp "$d/$idx" "$d/targets/images/x/$sha.x-3.caibx"
	f=$(ls "$d"/*.targets.json | sort -V | tail -n1)
	jq '.signed.targets["images/x/x-3.caibx"] = (.signed.targets["images/corp/corp-2.caibx"]
		| .custom.image = "../../outside/x" | .custom.version = 3)' "$f" >"$f.new" && mv "$f.new" "$f"
	"$PUB" sign --repo "$d" --keys "$keys" --role targets -q
	c=$T/c-name; rm -rf "$c"
	expect_fail "--image ../../outside/x" 'not a valid image name' \
		timeout 60 "$SYNC" --repo "$URL/evilname" --dir "$c" --image ../../outside/x --root "$PIN"
	outside_intact
}

root_again() {
	local c out; c=$(fresh root)
	out=$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$c" --image corp --root "$PIN" -q 2>&1)
	echo "  $out"
	grep -q -- "--root .* ignored: .* already trusts root v1" <<<"$out"
	cmp "$c/images/corp.img" "$T/v2.img"
}

threshold() {
	local d=$T/thr keys=$T/thr-keys t
	rm -rf "$d" "$keys"
	"$PUB" init --repo "$d" --keys "$keys" -q
	for t in -1 0 x 2; do
		expect_fail "rotate-root --threshold $t" 'threshold' \
			"$PUB" rotate-root --repo "$d" --keys "$keys" --count 1 --threshold "$t"
	done
	[ ! -e "$d/2.root.json" ]
	! ls "$keys" | grep -q -- "-v2-" # no key generated for a refused rotation
}

run_case "a symlink planted as images/corp-2.img.tmp is not followed" tmp_symlink
run_case "a symlinked store/ is replaced, the directory it pointed to is untouched" store_symlink
run_case "a symlinked store/XXXX is replaced, the directory it pointed to is untouched" store_sub_symlink
run_case "a symlinked .lock is refused and creates nothing" lock_symlink
run_case "--image with a path in it is refused even when a signed entry has that name" image_name
run_case "--root given to a client that already has trust says it is ignored" root_again
run_case "rotate-root refuses --threshold -1, 0, x and above --count" threshold
[ "$case_failures" -eq 0 ] || fail "$case_failures case(s) failed"
[ "$checks" -eq 8 ] || fail "expected 8 checks, $checks passed"
echo "all $checks checks passed"
