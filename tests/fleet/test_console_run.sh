#!/usr/bin/env bash
# `make console` starts the console with a fresh database in one step: the
# administrator it makes can log in, the check-in service answers, and
# stopping it (SIGTERM, as Ctrl-C) stops both services and removes the cluster.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/fleet/pg.sh"
source "$ROOT/tests/fleet/console_lib.sh"
KP=$(free_port) CP=$(free_port)
[ "$KP" != "$CP" ] || CP=$(free_port)
RUN_PID=
cleanup_all() { [ -z "$RUN_PID" ] || kill -TERM -- "-$RUN_PID" 2>/dev/null || true; cleanup; }
trap cleanup_all EXIT
CONSOLE_LISTEN=127.0.0.1:$KP CHECKIN_LISTEN=127.0.0.1:$CP CONSOLE_ADMIN=$ADMIN BULKHEAD_ADMIN_PASSWORD=$ADMIN_PW \
	setsid make -C "$ROOT" --no-print-directory console >"$T/run.log" 2>&1 &
RUN_PID=$!
for _ in $(seq 1 300); do
	(exec 3<>"/dev/tcp/127.0.0.1/$KP") 2>/dev/null && break
	kill -0 "$RUN_PID" 2>/dev/null || { cat "$T/run.log"; fail "make console ended"; }
	sleep 0.2
done
K=http://127.0.0.1:$KP
cat "$T/run.log"
[ "$(login "$T/jar")" = 303 ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" "$K/")" = 200 ] &&
	ok "make console: the console listens and its first administrator logs in" || fail "login"
wait_port "$CP"
[ "$(curl -s -o /dev/null -w '%{http_code}' -d '{}' "http://127.0.0.1:$CP/v1/enroll")" = 400 ] &&
	grep -q "enrollment token: .*bulkhead-checkin token --db" "$T/run.log" &&
	ok "make console: the check-in service answers, and the log says how to make an enrollment token" || fail "check-in"
pgdir=$(sed -n 's/.*host=\([^ ]*\)\/sock .*/\1/p' "$T/run.log" | head -n1)
[ -d "$pgdir/data" ] || fail "no cluster at $pgdir"
kill -TERM -- "-$RUN_PID"
timeout 30 tail --pid="$RUN_PID" -f /dev/null
RUN_PID=
# make may exit before the recipe's clean-up (stopping PostgreSQL, removing
# the cluster) has finished: wait for it, bounded.
stopped() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$KP") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$CP") 2>/dev/null &&
		{ [ ! -d "$pgdir/data" ] || [ "$(id -u)" -ne 0 ]; }
}
for _ in $(seq 1 150); do stopped && break; sleep 0.2; done
stopped && ok "stopped: both services gone$([ "$(id -u)" -eq 0 ] && echo ", the cluster removed")" || fail "stop"
[ "$checks" -eq 3 ] || fail "expected 3 checks, $checks passed"
echo "all $checks checks passed"
