#!/usr/bin/env bash
# The console in a real browser: Debian's headless chromium driven through
# chromium-driver by python3-selenium (tests/fleet/console_browser.py) logs
# in, sees the fleet, starts and pauses a rollout and revokes a device, over
# the real console, check-in service and PostgreSQL, with 20 simulated
# devices. Screenshots: build/tests/fleet/screenshots/console/. Debian's
# /usr/bin/python3 on purpose: python3-selenium is installed for it.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/fleet/pg.sh"
source "$ROOT/tests/fleet/console_lib.sh"
CCL=$FLEET_BIN/fleet-checkin-clients
SHOTS=$ROOT/build/tests/fleet/screenshots/console
for b in /usr/bin/chromium /usr/bin/chromedriver; do [ -x "$b" ] || fail "missing $b (scripts/deps.sh installs it)"; done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || fail "missing python3-selenium (scripts/deps.sh installs it)"
pg_init "$T/pg"
pg_start
cleanup_all() { stop_fleet_services; pg_destroy; cleanup; }
trap cleanup_all EXIT
start_fleet_services
"$CHECKIN" token --db "$PG_DB" --count 20 >"$T/tokens"
out=$(timeout 60 "$CCL" "$C" "$T/tokens" 20 1 8)
[ "$(json_get accepted <<<"$out")" = 20 ] || fail "devices: $out"
J=$T/jar
[ "$(login "$J")" = 303 ] || fail "login"
CSRF=$(csrf_of "$J")
for a in "/groups/new name=sales" "/groups/add-ungrouped group=1" "/images/new image=corp version=2" \
	"/policies/new name=work vm_role=work lease_days=14" "/policies/version policy=work version=1" \
	"/rollouts/new group=1 image_version=corp+2 policy_version=work+1 percent=10"; do
	set -- $a
	p=$1; shift
	f=()
	for x in "$@"; do f+=("${x//+/ }"); done
	[ "$(post "$J" "$p" "${f[@]}" "csrf=$CSRF")" = 303 ] || fail "setup $a"
done
[ "$(post "$J" /logout "csrf=$CSRF")" = 303 ] || fail "logout"
ok "20 devices checked in; a group, corp 2, a policy and a rollout (ready) set up"
rm -rf "$SHOTS"
timeout 180 /usr/bin/python3 "$ROOT/tests/fleet/console_browser.py" "$K" "$ADMIN" "$ADMIN_PW" 20 1 5 "$SHOTS" | tee "$T/browser.out"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "browser test"
rm -rf "$SHOTS/.profile"
checks=$((checks + $(grep -c '^ok - browser' "$T/browser.out")))
[ "$(sql "select state, percent from rollouts where id = 1")" = "paused|50" ] &&
	[ "$(sql "select count(*) from rollout_targets where rollout_id = 1")" = 10 ] &&
	[ "$(sql "select revoked_at is not null from devices where id = 5")" = t ] &&
	[ "$(ls "$SHOTS"/*.png | wc -l)" = 6 ] &&
	ok "the database agrees: rollout 1 paused at 50% (10 of 20 reached), device 5 revoked; 6 screenshots in $SHOTS" ||
	fail "database after the browser"
[ "$checks" -eq 9 ] || fail "expected 9 checks, $checks passed"
echo "all $checks checks passed"
