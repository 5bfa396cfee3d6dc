#!/usr/bin/env bash
# The check-in rate with the console's schema: a throw-away PostgreSQL
# cluster, the check-in service and the console. DEVICES (default 1000)
# simulated devices in one process enroll and check in once; on the console
# an administrator puts them in one group, registers corp 2 and a policy, and
# starts a rollout to 50% of them; then every device sends REPORTS (default
# 5) signed reports, 64 requests in flight: each is verified, stored as the
# device's latest with its lease, and answered with the device's assignment.
# Measured: reports per second, p50/p99 latency, and how long the console's
# fleet and rollouts pages take with that many devices.
# Results: bench/results/fleet-checkin.json, a line in bench/results/fleet-checkin.md
# (the commit's; with CHECKIN=BINARY the figures are printed only).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BIN=$ROOT/build/fleet
# CHECKIN=another build of the service, to compare: printed, not recorded
RECORD=1; [ -z "${CHECKIN:-}" ] || RECORD=
CHECKIN=${CHECKIN:-$BIN/bulkhead-checkin}
DEVICES=${DEVICES:-1000} REPORTS=${REPORTS:-5}
W=$ROOT/build/bench/fleet-checkin
rm -rf "$W"; mkdir -p "$W"
source tests/fleet/pg.sh
source tests/lib/ports.sh
CS= KS=
trap '[ -z "$CS" ] || kill $CS 2>/dev/null; [ -z "$KS" ] || kill $KS 2>/dev/null; [ -z "${PG:-}" ] || pg_destroy' EXIT
pg_init "$W/pg"
pg_start
"$BIN/bulkhead-console" migrate --db "$PG_DB" -q
BULKHEAD_ADMIN_PASSWORD=bench-password-1234 "$BIN/bulkhead-console" admin --db "$PG_DB" --name bench >/dev/null
CP=$(free_port); "$CHECKIN" serve --db "$PG_DB" --listen "127.0.0.1:$CP" --key "$W/checkin.key" -q >"$W/checkin.log" 2>&1 & CS=$!
KP=$(free_port); "$BIN/bulkhead-console" serve --db "$PG_DB" --listen "127.0.0.1:$KP" -q >"$W/console.log" 2>&1 & KS=$!
wait_port "$CP"; wait_port "$KP"
K=http://127.0.0.1:$KP

echo "== $DEVICES devices enroll and check in once"
"$BIN/bulkhead-checkin" token --db "$PG_DB" --count "$DEVICES" >"$W/tokens"
"$BIN/fleet-checkin-clients" "http://127.0.0.1:$CP" "$W/tokens" "$DEVICES" 1 64 "$W/devices.state"

echo "== console: one group, corp 2, a policy, a rollout to 50%"
J=$W/jar
tok=$(curl -s -c "$J" -b "$J" "$K/login" | grep -o '[0-9a-f]\{64\}' | head -n1)
curl -s -o /dev/null -c "$J" -b "$J" -d "csrf=$tok&name=bench&password=bench-password-1234" "$K/login"
csrf=$(curl -s -b "$J" "$K/groups" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n1 | grep -o '[0-9a-f]\{64\}')
for f in "groups/new|name=all" "groups/add-ungrouped|group=1" "images/new|image=corp&version=2" \
	"policies/new|name=work&vm_role=work&lease_days=14" "policies/version|policy=work&version=1" \
	"rollouts/new|group=1&image_version=corp+2&policy_version=work+1&percent=50" "rollouts/start|rollout=1&percent=50"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "$J" -d "${f#*|}&csrf=$csrf" "$K/${f%%|*}")
	[ "$code" = 303 ] || { echo "console action ${f%%|*}: HTTP $code"; exit 1; }
done

echo "== $DEVICES devices, $REPORTS reports each, 64 in flight"
checkin=$("$BIN/fleet-checkin-clients" "http://127.0.0.1:$CP" "$W/tokens" "$DEVICES" "$REPORTS" 64 "$W/devices.state")
echo "$checkin"
fleet_s=$(curl -s -o "$W/fleet.html" -w '%{time_total}' -b "$J" "$K/")
rollouts_s=$(curl -s -o "$W/rollouts.html" -w '%{time_total}' -b "$J" "$K/rollouts")
rows=$(grep -o '<tr class="device">' "$W/fleet.html" | wc -l)
updated=$(grep -o '<td class="updated">[0-9]*' "$W/rollouts.html" | grep -o '[0-9]*$')
echo "console: fleet page ($rows devices) ${fleet_s} s, rollouts page ${rollouts_s} s ($updated updated)"

[ -n "$RECORD" ] || exit 0
commit=$(git rev-parse --short HEAD 2>/dev/null || echo uncommitted)
mkdir -p bench/results
cat >bench/results/fleet-checkin.json <<JSON
{"commit":"$commit","date":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","cpus":$(nproc),
 "checkin":$checkin,
 "console":{"fleet_page_s":$fleet_s,"fleet_page_devices":$rows,"rollouts_page_s":$rollouts_s,"rollout_updated":$updated}}
JSON
cat bench/results/fleet-checkin.json
[ -s bench/results/fleet-checkin.md ] || cat >bench/results/fleet-checkin.md <<'EOT'
# Fleet check-in benchmark results

`bench/fleet/checkin.sh` (`DEVICES=N REPORTS=R` to change): simulated devices
in one process check in to bulkhead-checkin over a throw-away PostgreSQL
cluster while a console rollout to 50% of them runs (every answer carries the
device's assignment); then the console's fleet and rollouts pages are timed.

| date | commit | devices | reports | reports/s | p50 ms | p99 ms | fleet page s | rollouts page s |
|------|--------|---------|---------|-----------|--------|--------|--------------|-----------------|
EOT
printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%F)" "$commit" "$DEVICES" \
	"$(echo "$checkin" | sed 's/.*"accepted":\([0-9]*\).*/\1/')" \
	"$(echo "$checkin" | sed 's/.*"reports_per_second":\([0-9]*\).*/\1/')" \
	"$(echo "$checkin" | sed 's/.*"p50_ms":\([0-9.]*\).*/\1/')" \
	"$(echo "$checkin" | sed 's/.*"p99_ms":\([0-9.]*\).*/\1/')" "$fleet_s" "$rollouts_s" >>bench/results/fleet-checkin.md
