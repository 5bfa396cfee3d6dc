#!/usr/bin/env bash
# Signed check-in answers: a network attacker on plain HTTP (a forged service,
# tests/fleet/fixed_answer.py) cannot make a device take an assignment or a
# revocation. The device pins the service key at enrollment and acts only on
# an answer signed by it for the report it just sent (device id, seq and the
# report's hash): an unsigned, tampered, wrongly signed, replayed or another
# device's answer is refused with one line and nothing on the device changes.
source "$(dirname "$0")/lib.sh"
CHECKIN=$FLEET_BIN/bulkhead-checkin
[ -x "$CHECKIN" ] || fail "missing $CHECKIN"
source "$ROOT/tests/fleet/pg.sh"
pg_init "$T/pg"
pg_start
PIDS=()
cleanup_all() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	pg_destroy
	cleanup
}
trap cleanup_all EXIT
DB=$PG_DB
"$CHECKIN" migrate --db "$DB" -q >/dev/null

serve() { # serve KEYFILE: a check-in service with that key; sets URL_OUT
	local port; port=$(free_port)
	"$CHECKIN" serve --db "$DB" --listen "127.0.0.1:$port" --key "$1" -q >>"$T/checkin.log" 2>&1 &
	PIDS+=($!)
	wait_port "$port"
	URL_OUT=http://127.0.0.1:$port
}
serve "$T/service.key"; C=$URL_OUT
serve "$T/other.key"; OTHER=$URL_OUT
echo 200 >"$T/code"; echo '{}' >"$T/body"
python3 "$ROOT/tests/fleet/fixed_answer.py" "$T/code" "$T/body" >"$T/forged.port" &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q port "$T/forged.port" && break; sleep 0.1; done
FORGED=http://127.0.0.1:$(awk '{print $2}' "$T/forged.port")

dev=$T/dev dev2=$T/dev2
# what a forged answer must not change on the device (its report counter,
# saved before a report leaves, goes up by design)
snapshot() { (cd "$dev" && for f in state.json assignment.json revoked; do
	[ -e "$f" ] && sha256sum "$f" || echo "no $f"; done); }
checkin() { timeout 30 "$SYNC" checkin --dir "$1" --checkin "$2" "${@:3}"; }

case_pin() {
	timeout 30 "$SYNC" enroll --dir "$dev" --checkin "$C" --token "$("$CHECKIN" token --db "$DB")" --name one -q
	[ "$(jq -r .service_key "$dev/device.json")" = "$("$CHECKIN" pubkey --key "$T/service.key")" ]
}
run_case "enrollment pins the check-in service key (device.json)" case_pin

case_pin_mismatch() {
	expect_fail "enroll with another --service-key" "not the --service-key given" \
		timeout 30 "$SYNC" enroll --dir "$dev2" --checkin "$C" --token "$("$CHECKIN" token --db "$DB")" \
		--name two --service-key "$("$CHECKIN" pubkey --key "$T/other.key")"
	[ ! -e "$dev2/device.json" ]
	timeout 30 "$SYNC" enroll --dir "$dev2" --checkin "$C" --token "$("$CHECKIN" token --db "$DB")" \
		--name two --service-key "$("$CHECKIN" pubkey --key "$T/service.key")" -q
}
run_case "enroll --service-key: a service with another key is refused, the right one pinned" case_pin_mismatch

case_genuine() {
	BULKHEAD_CHECKIN_SAVE_ANSWER=$T/answer1.json checkin "$dev" "$C" -q
	BULKHEAD_CHECKIN_SAVE_ANSWER=$T/answer-dev2.json checkin "$dev2" "$C" -q
	[ "$(jq -r '.signed.type + " " + .signed.status + " " + (.signed.seq|tostring) + " " + (.signed.assignment|tostring)' "$T/answer1.json")" = "checkin-answer ok 1 null" ] &&
		[ "$(jq -r '.sig | length' "$T/answer1.json")" = 128 ]
}
run_case "a genuine answer is signed, bound to report 1, and accepted" case_genuine

forged() { # forged WHAT REGEX CODE BODY-FILE: the forged service answers it; refused, nothing changed
	local before after
	echo "$3" >"$T/code"; cp "$4" "$T/body"
	before=$(snapshot)
	expect_fail "$1" "$2" checkin "$dev" "$FORGED" || return 1
	after=$(snapshot)
	[ "$before" = "$after" ] || { echo "  device state changed: $before -> $after"; return 1; }
}
ASSIGN='{"rollout":7,"image":"corp","version":9,"policy":"work"}'

case_unsigned() {
	echo "{\"status\":\"ok\",\"seq\":2,\"assignment\":$ASSIGN}" >"$T/unsigned.json"
	forged "an unsigned assignment" "not signed \(refused; nothing changed\)" 200 "$T/unsigned.json"
}
run_case "an unsigned answer with an assignment is refused, nothing changed" case_unsigned

case_unsigned_revoked() {
	echo '{"error":"device 1 is revoked","revoked":true,"lease":"not renewed"}' >"$T/revoked.json"
	forged "an unsigned revocation" "HTTP 403: device 1 is revoked; check-in answer: not signed" 403 "$T/revoked.json"
	[ ! -e "$dev/revoked" ]
}
run_case "an unsigned revocation is refused: the device does not record it" case_unsigned_revoked

case_tampered() {
	jq -c ".signed.assignment = $ASSIGN" "$T/answer1.json" >"$T/tampered.json"
	forged "a tampered signed answer" "bad signature for the pinned check-in service key" 200 "$T/tampered.json"
}
run_case "a signed answer with an assignment added is refused (bad signature)" case_tampered

case_other_key() {
	local before after
	before=$(snapshot)
	expect_fail "an answer signed by another service key" "bad signature for the pinned check-in service key" \
		checkin "$dev" "$OTHER"
	after=$(snapshot)
	[ "$before" = "$after" ]
}
run_case "an answer signed by a key the device did not pin is refused" case_other_key

case_replay() {
	forged "a replayed answer (report 1's)" "signed for another report than report [0-9]+ of device 1 \(replayed" \
		200 "$T/answer1.json"
}
run_case "a replayed earlier answer is refused" case_replay

case_other_device() {
	forged "another device's answer" "signed for another report" 200 "$T/answer-dev2.json"
}
run_case "another device's answer is refused" case_other_device

case_still_works() {
	BULKHEAD_CHECKIN_SAVE_ANSWER=$T/answer-n.json checkin "$dev" "$C" -q
	[ "$(jq -r .signed.seq "$T/answer-n.json")" = "$(jq -r .seq "$dev/device.json")" ]
}
run_case "the genuine service is still accepted afterwards" case_still_works

case_revoked() {
	"$CHECKIN" revoke --db "$DB" --device 1
	BULKHEAD_CHECKIN_SAVE_ANSWER=$T/answer-rev.json expect_fail "revoked" "HTTP 403: device 1 is revoked: this device is revoked" \
		checkin "$dev" "$C"
	[ -f "$dev/revoked" ] && [ "$(jq -r .signed.status "$T/answer-rev.json")" = revoked ]
}
run_case "a signed revocation is recorded" case_revoked

case_revoked_replay() {
	# device 1's signed revocation, replayed to device 2 (not revoked)
	local before after
	echo 403 >"$T/code"; cp "$T/answer-rev.json" "$T/body"
	before=$(cd "$dev2" && ls)
	expect_fail "a replayed revocation" "signed for another report" checkin "$dev2" "$FORGED"
	after=$(cd "$dev2" && ls)
	[ "$before" = "$after" ] && [ ! -e "$dev2/revoked" ]
}
run_case "another device's signed revocation is refused" case_revoked_replay

[ "$case_failures" -eq 0 ] || fail "$case_failures case(s) failed"
[ "$checks" -eq 12 ] || fail "expected 12 checks, $checks passed"
echo "all $checks checks passed"
