#!/usr/bin/env bash
# The publisher on all cores: the index and the chunk store do not depend on
# the thread count (chunk boundaries and ids are the same; duplicates within an
# image are stored once); bad --level and --threads are refused.
source "$(dirname "$0")/lib.sh"

make_images "$T"
# the same image twice in a row: chunks that occur twice, and a second
# version whose chunks are all in the store already
cat "$T/v1.img" "$T/v2.img" "$T/v1.img" >"$T/dup.img"
for n in 1 4; do
	"$PUB" init --repo "$T/r$n" --keys "$T/k$n" -q
	"$PUB" add --repo "$T/r$n" --keys "$T/k$n" --image corp --version 1 --input "$T/dup.img" --threads $n --level 3 |
		tee "$T/out$n"
	"$PUB" add --repo "$T/r$n" --keys "$T/k$n" --image corp --version 2 --input "$T/v2.img" --threads $n --level 3 |
		tee -a "$T/out$n"
done
grep -q "4 threads" "$T/out4" && ok "publisher ran with --threads 4" || fail "threads not reported"
for v in 1 2; do
	cmp "$T"/r1/targets/images/corp/*.corp-$v.caibx "$T"/r4/targets/images/corp/*.corp-$v.caibx ||
		fail "index v$v differs between 1 and 4 threads"
done
ok "indexes of v1 and v2 are identical with 1 and 4 threads"
diff <(cd "$T/r1/store" && find . -type f | sort) <(cd "$T/r4/store" && find . -type f | sort) ||
	fail "stores differ"
[ -z "$(find "$T/r4/store" -name '*.tmp*')" ] || fail "temp files left in the store"
ok "stores hold the same chunk files, no temp files ($(find "$T/r4/store" -type f | wc -l) chunks)"
# the counts reported are distinct chunks (dup.img holds v1 twice): what
# both versions report as new adds up to the files in the store
newc() { sed -n "$1s/.* chunks, \([0-9]*\) new.*/\1/p" "$2"; }
files=$(find "$T/r4/store" -type f | wc -l)
for n in 1 4; do
	[ $(($(newc 1 "$T/out$n") + $(newc 3 "$T/out$n"))) -eq "$files" ] ||
		fail "$n thread(s): new chunks $(newc 1 "$T/out$n") + $(newc 3 "$T/out$n"), files $files"
done
[ "$(newc 1 "$T/out4")" -lt "$(sed -n '1s/.*bytes, \([0-9]*\) chunks.*/\1/p' "$T/out4")" ] || fail "no duplicates in dup.img"
ok "new-chunk counts count each distinct chunk once ($(newc 1 "$T/out4") + $(newc 3 "$T/out4") = $files)"
timeout 120 "$PUB" verify --repo "$T/r4" | grep -q "2 image(s)" && ok "verify passes on the parallel-published repository" ||
	fail "verify"

for bad in "--level 0" "--level 23" "--level x" "--threads 0" "--threads 65" "--threads -2"; do
	set +e
	err=$("$PUB" add --repo "$T/r4" --keys "$T/k4" --image corp --version 3 --input "$T/v2.img" $bad 2>&1 >/dev/null)
	st=$?
	set -e
	echo "  $bad: exit $st: $err"
	[ $st -eq 2 ] && grep -q "wants an integer" <<<"$err" || fail "$bad accepted"
done
ok "bad --level and --threads refused"
[ "$checks" -eq 6 ] || fail "expected 6 checks, $checks passed"
echo "all $checks checks passed"
