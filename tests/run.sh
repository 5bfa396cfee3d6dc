#!/usr/bin/env bash
# Runs the whole suite and prints one summary line "N passed, N failed".
#   UNIT_TESTS    host unit-test binaries (cmocka), from make
#   FUZZ_TARGETS  libFuzzer binaries, each run FUZZ_SECONDS
#   tests/<area>/test_*.sh  script tests (system: QEMU boots; fleet: nginx...)
# A script test passes by exiting 0; its output is kept in build/tests/<area>/
# and printed when it fails. ONLY=<glob> runs just the script tests matching it.
set -u
cd "$(dirname "$0")/.."
out=build/tests
mkdir -p "$out"
passed=0
failed=0
failures=()

record() { # name status logfile
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS $1"
	else
		failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1 (status $2, log $3)"
		# the failed checks first: the tail alone may not reach them
		grep -a -m 20 '^FAIL: ' "$3" | sed 's/^/    ! /'
		sed 's/^/    | /' "$3" | tail -n 80
	fi
}

if [ -z "${ONLY:-}" ]; then
	for t in ${UNIT_TESTS:-}; do
		log="$out/logs/unit/$(basename "$t").log"; mkdir -p "$out/logs/unit"
		timeout 300 "$t" >"$log" 2>&1; st=$?
		record "unit/$(basename "$t")" $st "$log"
	done
fi

for t in tests/*/test_*.sh; do
	[ -e "$t" ] || continue
	area=$(basename "$(dirname "$t")"); name=$(basename "$t" .sh)
	case "$area/$name" in ${ONLY:-*}) ;; *) continue ;; esac
	mkdir -p "$out/logs/$area"; log="$out/logs/$area/$name.log"
	# 900 s at most, and nothing it started left running (tests/lib/bounded.py)
	/usr/bin/python3 tests/lib/bounded.py 900 bash "$t" >"$log" 2>&1; st=$?
	record "$area/$name" $st "$log"
done

if [ -z "${ONLY:-}" ]; then
	for f in ${FUZZ_TARGETS:-}; do
		name=$(basename "$f"); log="$out/logs/fuzz/$name.log"
		corpus="build/fuzz/corpus/$name"; mkdir -p "$out/logs/fuzz" "$corpus"
		seeds=tests/fuzz/seeds/$name; [ -d "$seeds" ] || seeds=""
		timeout $((${FUZZ_SECONDS:-30} + 60)) "$f" -max_total_time="${FUZZ_SECONDS:-30}" \
			-timeout=10 -rss_limit_mb=2048 "$corpus" $seeds >"$log" 2>&1; st=$?
		record "fuzz/$name" $st "$log"
	done
fi

[ $failed -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
