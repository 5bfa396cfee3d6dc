#!/usr/bin/env bash
# Device enrollment and signed check-in: a throw-away PostgreSQL cluster (an
# unprivileged user, unix socket under build/), bulkhead-checkin on loopback,
# a client that synced from nginx enrolls with a one-time token and reports
# what it runs. Bad input is refused with a clear error and writes nothing:
# a reused token, a bad signature, an unknown or revoked device, a replayed
# report, oversized or malformed JSON, SQL metacharacters; the service
# answers 503 while the database is down and works again after it restarts.
# The same service over HTTPS with a certificate the device is told to trust.
source "$(dirname "$0")/lib.sh"
CHECKIN=$FLEET_BIN/bulkhead-checkin
[ -x "$CHECKIN" ] || fail "missing $CHECKIN"
source "$ROOT/tests/fleet/pg.sh"
pg_init "$T/pg"
pg_start
CHECKIN_PID= TLS_PID=
cleanup_all() {
	[ -n "$CHECKIN_PID" ] && kill "$CHECKIN_PID" 2>/dev/null || true
	[ -n "$TLS_PID" ] && kill "$TLS_PID" 2>/dev/null || true
	pg_destroy
	cleanup
}
trap cleanup_all EXIT
DB=$PG_DB
sql() { psql "$DB" -qAtc "$1"; }
ok "throw-away PostgreSQL cluster on $PG/sock"

"$CHECKIN" migrate --db "$DB" | grep -q "applied migration 001_devices.sql" || fail "migration"
[ -z "$("$CHECKIN" migrate --db "$DB")" ] || fail "migration applied twice"
ok "schema migrations applied once"

CPORT=$(free_port)
"$CHECKIN" serve --db "$DB" --listen "127.0.0.1:$CPORT" --key "$T/checkin.key" -q >"$T/checkin.log" 2>&1 &
CHECKIN_PID=$!
wait_port "$CPORT"
C=http://127.0.0.1:$CPORT

# a device that synced v2 of corp
publish_pair "$T"
start_nginx "$T/www"
timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/dev" --image corp --root "$T/www/repo/1.root.json" -q

counts() { sql "select (select count(*) from devices), (select count(*) from reports), (select count(*) from enroll_tokens where used_at is not null)"; }
refused() { # refused WHAT CODE REGEX CURL-ARGS...: HTTP CODE, error matching REGEX, nothing written
	local what=$1 code=$2 re=$3 before after out; shift 3
	before=$(counts)
	out=$(curl -s -w '\n%{http_code}' "$@")
	after=$(counts)
	echo "  $what: $(echo "$out" | tr '\n' ' ')"
	[ "$(echo "$out" | tail -n1)" = "$code" ] && grep -Eq "\"error\":\".*$re" <<<"$out" &&
		[ "$before" = "$after" ] && ok "$what refused ($code), nothing written" || fail "$what"
}

tok=$("$CHECKIN" token --db "$DB")
name="x'); DROP TABLE devices; --\"\\"
timeout 30 "$SYNC" enroll --dir "$T/dev" --checkin "$C" --token "$tok" --name "$name" | grep -q "enrolled as device 1" ||
	fail "enroll"
[ "$(stat -c %a "$T/dev/device.json")" = 600 ] && [ "$(sql "select name from devices where id = 1")" = "$name" ] &&
	ok "device enrolled with a key made on it (device.json 0600); SQL metacharacters in its name stored verbatim" ||
	fail "enrolled device"
refused "a reused enrollment token" 403 "unknown or already used enrollment token" \
	-d "{\"token\":\"$tok\",\"pubkey\":\"$(printf 'ab%.0s' $(seq 1 32))\",\"name\":\"n\"}" "$C/v1/enroll"
refused "an enrollment with SQL in the token" 400 "enroll: want" \
	-d "{\"token\":\"'; DELETE FROM devices; --\",\"pubkey\":\"00\",\"name\":\"n\"}" "$C/v1/enroll"

BULKHEAD_CHECKIN_SAVE=$T/report1.json timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" -q
[ "$(sql "select report->'images'->0->>'image', report->'images'->0->>'version', report->'policies'->'work' ? 'lease_expires' from reports where device_id = 1 and seq = 1")" = "corp|2|t" ] &&
	[ -n "$(sql "select last_checkin from devices where id = 1")" ] &&
	ok "signed check-in stored: image corp v2, the work policy's lease, last check-in" || fail "check-in"

R=$T/report1.json
refused "a replayed report" 409 "not newer than the last one" --data-binary @"$R" "$C/v1/checkin"
jq -c '.signed.free_bytes += 1 | .signed.seq += 10' "$R" >"$T/bad-sig.json"
refused "a report with a bad signature" 403 "bad signature" --data-binary @"$T/bad-sig.json" "$C/v1/checkin"
jq -c '.signed.device = 999 | .signed.seq += 10' "$R" >"$T/unknown.json"
refused "a report from an unknown device" 403 "unknown device 999" --data-binary @"$T/unknown.json" "$C/v1/checkin"
jq -c ".signed.images[0].image = \"corp'; DROP TABLE reports; --\"" "$R" >"$T/sqli.json"
refused "a report with SQL in an image name" 400 "images\\[0\\] must be" --data-binary @"$T/sqli.json" "$C/v1/checkin"
jq -c '.signed.colour = "x"' "$R" >"$T/extra.json"
refused "a report with an unknown field" 400 "unknown field" --data-binary @"$T/extra.json" "$C/v1/checkin"
refused "malformed JSON" 400 "bad JSON" --data-binary '{"signed": {"device": 1,' "$C/v1/checkin"
head -c 100000 /dev/zero | tr '\0' ' ' >"$T/big.json"
refused "a 100 KB request" 413 "larger than 65536" --data-binary @"$T/big.json" "$C/v1/checkin"

# the hypervisor's version and its VMs' states, from --hv-status FILE
cat >"$T/hv.json" <<'JSON'
{"hypervisor": "bulkhead 0.9.1", "vms": [{"name": "work", "state": "running", "uptime_s": 3725, "locked": true},
 {"name": "personal", "state": "off", "uptime_s": 0}]}
JSON
timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" --hv-status "$T/hv.json" -q
[ "$(sql "select count(*) from reports where device_id = 1")" = 2 ] &&
	[ "$(sql "select report->>'hypervisor', jsonb_array_length(report->'vms'), report->'vms'->0->>'name', report->'vms'->0->>'state', report->'vms'->0->>'uptime_s', report->'vms'->1->>'state', report->'vms'->0->>'locked', coalesce(report->'vms'->1->>'locked', 'absent') from reports where device_id = 1 and seq = 2")" = "bulkhead 0.9.1|2|work|running|3725|off|true|absent" ] &&
	ok "a second report (seq 2) carries the hypervisor version and the VMs' name, state, uptime and lock" || fail "second report"
jq -c '.signed.vms = [{"name": "work", "state": "exploded", "uptime_s": 1}] | .signed.seq += 10' "$R" >"$T/badvm.json"
refused "a report with an unknown VM state" 400 "vms\\[0\\] must be" --data-binary @"$T/badvm.json" "$C/v1/checkin"
jq -c '.signed.vms = [{"name": "work", "state": "running", "uptime_s": -1}] | .signed.seq += 10' "$R" >"$T/badup.json"
refused "a report with a negative uptime" 400 "vms\\[0\\] must be" --data-binary @"$T/badup.json" "$C/v1/checkin"
jq -c '.signed.vms = [{"name": "work", "state": "running", "uptime_s": 1, "locked": "yes"}] | .signed.seq += 10' "$R" >"$T/badlock.json"
refused "a report whose locked is not a boolean" 400 "vms\\[0\\] must be" --data-binary @"$T/badlock.json" "$C/v1/checkin"
jq -c '.signed.hypervisor = "<script>\u0007" | .signed.seq += 10' "$R" >"$T/badhv.json"
refused "a report with a control character in the hypervisor version" 400 "hypervisor" --data-binary @"$T/badhv.json" "$C/v1/checkin"
jq -c '.vms[0].state = "exploded"' "$T/hv.json" >"$T/hv-bad.json"
before=$(jq .seq "$T/dev/device.json")
set +e; err=$(timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" --hv-status "$T/hv-bad.json" 2>&1); st=$?; set -e
echo "  bad --hv-status: exit $st: $err"
[ $st -ne 0 ] && grep -q "vms\[0\] must be .* (in --hv-status" <<<"$err" &&
	[ "$(sql "select count(*) from reports where device_id = 1")" = 2 ] &&
	ok "a bad --hv-status file is refused on the device, no report sent" || fail "bad --hv-status"

# the database restarts under the service: a clean 503, then it works again
pg_stop
set +e; err=$(timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" 2>&1); st=$?; set -e
echo "  database down: exit $st: $err"
[ $st -ne 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -q "HTTP 503: database" <<<"$err" && ok "database down: check-in refused with 503" || fail "503"
pg_start
timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" -q
[ "$(sql "select count(*) from reports where device_id = 1")" = 3 ] && ok "after the database restarts, check-in works again" ||
	fail "after restart"

"$CHECKIN" revoke --db "$DB" --device 1
set +e; err=$(timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" 2>&1); st=$?; set -e
echo "  revoked: exit $st: $err"
[ $st -ne 0 ] && grep -q "HTTP 403: device 1 is revoked" <<<"$err" &&
	[ "$(sql "select count(*) from reports where device_id = 1")" = 3 ] && ok "a revoked device is refused, nothing written" ||
	fail "revoked"
# the answer tells the device; it records that and renews no lease from then on
lease() { jq -r '.policies.work.lease_expires' "$T/dev/state.json"; }
grep -q "its leases are no longer renewed and its managed VM locks" <<<"$err" && [ -f "$T/dev/revoked" ] &&
	ok "the revoked device recorded it (STATE_DIR/revoked)" || fail "revoked not recorded"
before=$(lease)
sleep 1.1
timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/dev" --image corp -q
[ -n "$before" ] && [ "$before" != null ] && [ "$(lease)" = "$before" ] &&
	ok "a sync after the revocation keeps the lease it had ($before), not renewed" || fail "lease renewed: $before -> $(lease)"
# over HTTPS (libmicrohttpd with GnuTLS): a self-signed certificate that the
# device trusts through --ca; a device without it refuses the connection
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/tls.key" \
	-out "$T/tls.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
SPORT=$(free_port)
"$CHECKIN" serve --db "$DB" --listen "127.0.0.1:$SPORT" --key "$T/checkin.key" --tls-cert "$T/tls.pem" --tls-key "$T/tls.key" -q \
	>"$T/checkin-tls.log" 2>&1 &
TLS_PID=$!
wait_port "$SPORT"
S=https://127.0.0.1:$SPORT
rm -rf "$T/dev2"; cp -a "$T/dev" "$T/dev2"; rm "$T/dev2/device.json"
tok=$("$CHECKIN" token --db "$DB")
set +e; err=$(timeout 30 "$SYNC" enroll --dir "$T/dev2" --checkin "$S" --token "$tok" --name second 2>&1); st=$?; set -e
echo "  https without --ca: exit $st: $err"
[ $st -ne 0 ] && grep -qi "certificate" <<<"$err" && [ ! -e "$T/dev2/device.json" ] &&
	ok "over HTTPS, a device that does not trust the service's certificate does not enroll" || fail "https without ca"
timeout 30 "$SYNC" enroll --dir "$T/dev2" --checkin "$S" --token "$tok" --name second --ca "$T/tls.pem" -q
timeout 30 "$SYNC" checkin --dir "$T/dev2" --checkin "$S" --ca "$T/tls.pem" -q
[ "$(sql "select count(*) from reports r join devices d on d.id = r.device_id where d.name = 'second'")" = 1 ] &&
	ok "over HTTPS with --ca: enrolled and checked in" || fail "https"
kill "$TLS_PID"

[ "$(sql "select count(*) from pg_tables where tablename in ('devices', 'reports', 'enroll_tokens')")" = 3 ] &&
	ok "all tables intact" || fail "tables"
[ "$checks" -eq 27 ] || fail "expected 27 checks, $checks passed"
echo "all $checks checks passed"
