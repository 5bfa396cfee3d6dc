#!/usr/bin/env bash
# The web console end to end, with the real parts: a throw-away PostgreSQL
# cluster, nginx serving the update repository, the check-in service and the
# console. 100 simulated devices in one process (fleet-devices, their state
# kept between rounds) enroll, check in, and sync from nginx the version a
# signed check-in answer assigns them (TUF chain from their pinned root,
# every chunk verified), then report it. A rollout of corp 2 to 10% and then
# 100% of their group shows the right counts on the rollouts page as devices
# sync and report; a paused rollout assigns nothing; a real bulkhead-sync
# device with --assigned installs only the signed version its check-in
# answer assigned; a device revoked on the
# console is refused at its next check-in. Bad input: a forged session, a
# missing or wrong CSRF token, SQL metacharacters in every field of every
# action, markup in values, and the database restarting under the console:
# each refused cleanly, nothing written, and every acknowledged action kept.
# Also: a name with too many refused logins is locked out; over HTTPS the
# session cookie is Secure.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/fleet/pg.sh"
source "$ROOT/tests/fleet/console_lib.sh"
DEVICES=$FLEET_BIN/fleet-devices
pg_init "$T/pg"
pg_start
TLS_PID=
cleanup_all() { [ -z "$TLS_PID" ] || kill "$TLS_PID" 2>/dev/null || true; stop_fleet_services; pg_destroy; cleanup; }
trap cleanup_all EXIT
start_fleet_services
J=$T/jar
ACKED=0
act() { # act PATH FIELD=VALUE...: an action the console must acknowledge (303)
	local code
	code=$(post "$J" "$@" "csrf=$CSRF")
	[ "$code" = 303 ] || fail "$1 $*: HTTP $code: $(grep -o '<p class="error"[^<]*' "$T/last.html")"
	ACKED=$((ACKED + 1))
}
ok "PostgreSQL, check-in service ($C) and console ($K) started"

[ "$(login "$J" "$ADMIN" wrong-password-123)" = 403 ] && grep -q "wrong name or password" "$T/last.html" &&
	[ "$(sql "select count(*) from sessions")" = 0 ] || fail "a wrong password"
[ "$(login "$J")" = 303 ] && CSRF=$(csrf_of "$J") && [ ${#CSRF} = 64 ] || fail "login"
hdr=$(tok=$(curl -s -c "$T/j2" "$K/login" | grep -o '[0-9a-f]\{64\}' | head -n1);
      curl -s -D - -o /dev/null -b "$T/j2" --data-urlencode "csrf=$tok" --data-urlencode "name=$ADMIN" \
	      --data-urlencode "password=$ADMIN_PW" "$K/login")
grep -qi '^set-cookie: bh_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800' <<<"$hdr" &&
	ok "a wrong password is refused; login sets an HttpOnly, SameSite=Strict session cookie with an expiry" ||
	fail "session cookie: $hdr"

# the repository on nginx: corp 1 and 2 signed; the devices start on corp 1
publish_pair "$T"
start_nginx "$T/www"
# 100 devices in one process enroll and check in; they run corp 1 until a
# rollout assigns 2, then sync it from nginx and report it
"$CHECKIN" token --db "$PG_DB" --count 100 >"$T/tokens"
V1IDX=$(ls "$T"/repo-v1/targets/images/corp/*.corp-1.caibx)
round() { # round R: every device sends R reports (syncing what is assigned); prints the JSON line
	local o
	set +e
	o=$(timeout 180 "$DEVICES" "$C" "$T/tokens" "$URL/repo" "$T/www/repo/1.root.json" "$V1IDX" 100 "$1" 16 \
		"$T/devices.state")
	set -e
	echo "  round: $o" >&2
	echo "$o"
}
out=$(round 1)
[ "$(json_get enrolled <<<"$out")" = 100 ] && [ "$(json_get accepted <<<"$out")" = 100 ] &&
	[ "$(json_get assigned <<<"$out")" = 0 ] && [ "$(json_get synced <<<"$out")" = 0 ] || fail "first check-in: $out"
fleet=$(page "$J" /)
[ "$(grep -o '<tr class="device">' <<<"$fleet" | wc -l)" = 100 ] &&
	[ "$(grep -o 'class="versions">corp 1<' <<<"$fleet" | wc -l)" = 100 ] &&
	[ "$(grep -o 'class="health-ok health">ok<' <<<"$fleet" | wc -l)" = 100 ] &&
	ok "100 devices enrolled and checked in; the fleet page shows each with corp 1, healthy" || fail "fleet page"

act /groups/new name=engineering
G=$(sql "select id from device_groups where name = 'engineering'")
act /groups/add-ungrouped "group=$G"
act /images/new image=corp version=2 "note=bookworm point release"
act /policies/new name=work vm_role=work lease_days=14
act /policies/version policy=work version=1 "note=as publish_pair signed it"
act /rollouts/new "group=$G" "image_version=corp 2" "policy_version=work 1" percent=10
R=$(sql "select max(id) from rollouts")
act /rollouts/start "rollout=$R" percent=10
ro=$(page "$J" /rollouts)
[ "$(cell "$ro" "rollout-$R" group-size)" = 100 ] && [ "$(cell "$ro" "rollout-$R" reached)" = 10 ] &&
	[ "$(cell "$ro" "rollout-$R" updated)" = 0 ] && [ "$(cell "$ro" "rollout-$R" state)" = running ] &&
	ok "rollout of corp 2 started at 10%: 10 of 100 devices reached, none updated yet" || fail "10% stage"
FIRST10=$(sql "select string_agg(device_id::text, ',') from rollout_targets where rollout_id = $R")
out=$(round 2)
ro=$(page "$J" /rollouts)
[ "$(json_get assigned <<<"$out")" = 10 ] && [ "$(json_get synced <<<"$out")" = 10 ] &&
	[ "$(json_get sync_failed <<<"$out")" = 0 ] && [ "$(json_get accepted <<<"$out")" = 200 ] &&
	[ "$(cell "$ro" "rollout-$R" updated)" = 10 ] &&
	[ "$(grep -o 'class="versions">corp 2<' <<<"$(page "$J" /)" | wc -l)" = 10 ] &&
	ok "10 assigned devices synced corp 2 from nginx (every chunk verified) and reported it: the rollouts page shows 10 updated, the fleet page 10 on corp 2" ||
	fail "10% progress: $out; updated $(cell "$ro" "rollout-$R" updated)"
act /rollouts/pause "rollout=$R"
out=$(round 2)
ro=$(page "$J" /rollouts)
[ "$(json_get assigned <<<"$out")" = 0 ] && [ "$(json_get synced <<<"$out")" = 0 ] &&
	[ "$(cell "$ro" "rollout-$R" state)" = paused ] &&
	[ "$(cell "$ro" "rollout-$R" updated)" = 10 ] && ok "a paused rollout assigns nothing" || fail "pause"
act /rollouts/start "rollout=$R" percent=100
out=$(round 2)
ro=$(page "$J" /rollouts)
[ "$(cell "$ro" "rollout-$R" reached)" = 100 ] && [ "$(cell "$ro" "rollout-$R" updated)" = 100 ] &&
	[ "$(json_get synced <<<"$out")" = 90 ] && [ "$(json_get sync_failed <<<"$out")" = 0 ] &&
	[ "$(sql "select count(*) from rollout_targets where rollout_id = $R")" = 100 ] &&
	[ "$(sql "select count(*) from rollout_targets where rollout_id = $R and device_id in ($FIRST10)")" = 10 ] &&
	[ "$(grep -o 'class="versions">corp 2<' <<<"$(page "$J" /)" | wc -l)" = 100 ] &&
	grep -q "<tr><td>$R</td><td>corp 2</td><td>work 1</td><td>running</td>" <<<"$(page "$J" "/device?id=$(sql "select min(id) from devices")")" &&
	ok "widened to 100%: the other 90 synced corp 2; 100 reached, 100 updated (the first 10 kept); a device's page lists the rollout" ||
	fail "100% stage: $out"

# a real device (bulkhead-sync) installs only what the console assigned, from the signed repository
timeout 60 "$SYNC" --repo "$T/repo-v1" --dir "$T/dev" --image corp --root "$T/www/repo/1.root.json" -q
timeout 30 "$SYNC" enroll --dir "$T/dev" --checkin "$C" --token "$("$CHECKIN" token --db "$PG_DB")" --name pilot-1 -q
timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" -q
timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/dev" --image corp --assigned -q
[ ! -e "$T/dev/assignment.json" ] && [ "$(jq -r .installed_version "$T/dev/state.json")" = 1 ] &&
	ok "a device on corp 1 without an assignment stays on 1 with --assigned, though the repository signs 2" ||
	fail "unassigned device moved: $(jq -c . "$T/dev/state.json")"
act /groups/new name=pilot
PG_=$(sql "select id from device_groups where name = 'pilot'")
act /groups/add-ungrouped "group=$PG_"
act /rollouts/new "group=$PG_" "image_version=corp 2" "policy_version=work 1" percent=100
RP=$(sql "select max(id) from rollouts")
act /rollouts/start "rollout=$RP" percent=100
timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" -q
timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/dev" --image corp --assigned -q
timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" -q
ro=$(page "$J" /rollouts)
[ "$(jq -r '.image + " " + (.version | tostring)' "$T/dev/assignment.json")" = "corp 2" ] &&
	cmp -s "$T/dev/images/corp.img" "$T/v2.img" && [ "$(cell "$ro" "rollout-$RP" updated)" = 1 ] &&
	[ "$(cell "$ro" "rollout-$R" state)" = running ] &&
	ok "assigned corp 2 in its check-in answer, it installed the signed v2 (bit-identical) and the pilot rollout shows it updated" ||
	fail "assigned device"
# policy versions: the device reports the version of each policy it applied;
# its page shows it beside the one its rollout assigns, the policies page
# lists each version with the devices reporting it
PD=$(jq .device "$T/dev/device.json")
dp=$(page "$J" "/device?id=$PD")
pp=$(page "$J" /policies)
[ "$(cell "$dp" policy-work reported)" = 1 ] && [ "$(cell "$dp" policy-work assigned)" = 1 ] &&
	[ "$(cell "$dp" policy-work match)" = "as assigned" ] &&
	[ "$(cell "$pp" policy-work-v1 registered)" = yes ] && [ "$(cell "$pp" policy-work-v1 devices)" = 1 ] &&
	[ "$(cell "$ro" "rollout-$RP" policy)" = "work 1" ] &&
	[ "$(cell "$(page "$J" "/device?id=$(sql "select min(id) from devices")")" policy-work reported)" = "no version" ] &&
	ok "the device reports policy work v1, its page shows it as assigned; the policies page lists work 1 with 1 device reporting it (reports without a version are not counted)" ||
	fail "policy version as reported: $(grep -o '<table id="device-policies">.*</table>' <<<"$dp" | sed 's,</table>.*,,')"
n_audit=$(sql "select count(*) from audit_log where action = 'register policy version' and detail = 'policy work version 2'")
act /policies/version policy=work version=2
[ "$(post "$J" /policies/version policy=work version=2 "csrf=$CSRF")" = 409 ] &&
	[ "$(post "$J" /policies/version policy=nosuch version=1 "csrf=$CSRF")" = 409 ] &&
	[ "$(post "$J" /rollouts/new "group=$PG_" "image_version=corp 2" "policy_version=work 9" percent=100 "csrf=$CSRF")" = 409 ] &&
	[ "$(sql "select count(*) from audit_log where action = 'register policy version' and detail = 'policy work version 2'")" = $((n_audit + 1)) ] ||
	fail "policy version registration: $(cat "$T/last.html")"
act /rollouts/new "group=$PG_" "image_version=corp 2" "policy_version=work 2" percent=100
RP2=$(sql "select max(id) from rollouts")
act /rollouts/start "rollout=$RP2" percent=100
timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" -q
dp=$(page "$J" "/device?id=$PD")
pp=$(page "$J" /policies)
[ "$(cell "$dp" policy-work reported)" = 1 ] && [ "$(cell "$dp" policy-work assigned)" = 2 ] &&
	[ "$(cell "$dp" policy-work match)" = differs ] && [ "$(cell "$pp" policy-work-v2 registered)" = yes ] &&
	[ "$(cell "$pp" policy-work-v2 devices)" = 0 ] && [ "$(sql "select policy_version from rollouts where id = $RP2")" = 2 ] &&
	grep -q '<td class="action">register policy version</td><td>policy work version 2</td>' <<<"$(page "$J" /audit)" &&
	ok "policy work v2 registered (audited; a second time, an unregistered policy or version: 409); a rollout assigning it shows the device's v1 against the assigned v2" ||
	fail "policy version assigned: $(grep -o '<table id="device-policies">.*' <<<"$dp" | sed 's,</table>.*,,')"
# the check-in answer carries the assigned policy version; the repository
# signs only work v1, so the device applies nothing
before=$(sha256sum "$T/dev/state.json" "$T/dev/policy/work.json")
set +e
err=$(timeout 60 "$SYNC" --repo "$URL/repo" --dir "$T/dev" --image corp --assigned -q 2>&1)
st=$?
set -e
[ "$st" != 0 ] && [ "$(jq -c '[.policy, .policy_version]' "$T/dev/assignment.json")" = '["work",2]' ] &&
	grep -q 'policy/work.json: the repository signs version 1, the assignment is version 2 (nothing applied)' <<<"$err" &&
	[ "$(sha256sum "$T/dev/state.json" "$T/dev/policy/work.json")" = "$before" ] &&
	ok "the signed check-in answer carries policy work version 2; the repository signs v1, so bulkhead-sync --assigned refuses and applies nothing" ||
	fail "assigned policy version on the device: exit $st: $err"

# its page shows the hypervisor's version and its VMs (from --hv-status), markup escaped
cat >"$T/hv.json" <<'JSON'
{"hypervisor": "bulkhead 0.9.1 <b>", "vms": [{"name": "work", "state": "running", "uptime_s": 93784, "locked": true},
 {"name": "scratch", "state": "stopped", "uptime_s": 5}]}
JSON
timeout 30 "$SYNC" checkin --dir "$T/dev" --checkin "$C" --hv-status "$T/hv.json" -q
dp=$(page "$J" "/device?id=$(jq .device "$T/dev/device.json")")
grep -q '<td id="hypervisor">bulkhead 0.9.1 &lt;b&gt;</td>' <<<"$dp" &&
	grep -q '<tr class="vm"><td>work</td><td>running (locked)</td><td>1 day 02:03:04</td></tr>' <<<"$dp" &&
	grep -q '<tr class="vm"><td>scratch</td><td>stopped</td><td>00:00:05</td></tr>' <<<"$dp" &&
	grep -q '<td id="hypervisor">not reported</td>' <<<"$(page "$J" "/device?id=$(sql "select min(id) from devices")")" &&
	ok "the device page shows the reported hypervisor version and each VM's state (locked or not) and uptime" ||
	fail "hypervisor and VMs on the device page: $(grep -A3 'id="hypervisor"' <<<"$dp")"

D=$(sql "select min(id) + 6 from devices")
act /devices/revoke "device=$D"
out=$(round 1)
[ "$(json_get accepted <<<"$out")" = 99 ] && [ "$(json_get revoked <<<"$out")" = 1 ] &&
	[ "$(sql "select count(*) from reports where device_id = $D")" = 7 ] &&
	[ "$(grep -o '<tr class="device">' <<<"$(page "$J" "/?health=revoked")" | wc -l)" = 1 ] &&
	[ "$(cell "$(page "$J" /rollouts)" "rollout-$R" group-size)" = 99 ] &&
	ok "device $D revoked on the console: its check-in is refused as revoked (nothing stored), the others go on" ||
	fail "revoke"

# bad input: a forged session and missing or wrong CSRF tokens change nothing
snapshot() { sql "select (select count(*) from device_groups), (select count(*) from devices where revoked_at is not null),
	(select count(*) from image_versions), (select count(*) from policies), (select count(*) from policy_versions),
	(select count(*) from rollouts), (select string_agg(coalesce(policy_version, 0)::text, ',' order by id) from rollouts),
	(select string_agg(state || percent, ',' order by id) from rollouts), (select count(*) from rollout_targets),
	(select count(*) from audit_log), (select count(*) from sessions), (select string_agg(coalesce(group_id, 0)::text, ',' order by id) from devices)"; }
before=$(snapshot)
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tbh_session\t%s\n' "$(head -c 32 /dev/urandom | xxd -p -c 64)" >"$T/forged"
[ "$(post "$T/forged" /devices/revoke device=1 "csrf=$CSRF")" = 403 ] && grep -q "no valid session" "$T/last.html" &&
	[ "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$T/forged" "$K/")" = "303 $K/login" ] &&
	[ "$(snapshot)" = "$before" ] && ok "a forged session: GET goes to the login page, POST refused (403), nothing written" ||
	fail "forged session"
[ "$(post "$J" /devices/revoke device=1)" = 403 ] && grep -q "missing or wrong CSRF token" "$T/last.html" &&
	[ "$(post "$J" /rollouts/pause "rollout=$R" "csrf=$(printf '0%.0s' $(seq 64))")" = 403 ] &&
	[ "$(post "$J" /groups/new name=x csrf=)" = 403 ] &&
	[ "$(post "$J" /policies/version policy=work version=7)" = 403 ] &&
	[ "$(post "$T/forged" /policies/version policy=work version=7 "csrf=$CSRF")" = 403 ] &&
	[ "$(post "$T/forged" /login name=alice "password=$ADMIN_PW")" = 403 ] &&
	[ "$(snapshot)" = "$before" ] && ok "a missing, empty or wrong CSRF token (and a login without one): 403, nothing written" ||
	fail "csrf"

# SQL metacharacters in every field of every action
M="x'); DROP TABLE devices; --\"\\"
valid=(
	"/groups/new|name=g2"
	"/groups/add-ungrouped|group=$G"
	"/devices/group|device=1|group=$G"
	"/devices/revoke|device=2"
	"/images/new|image=corp|version=3|note=n"
	"/policies/new|name=p2|vm_role=work|lease_days=7"
	"/policies/version|policy=work|version=3|note=n"
	"/rollouts/new|group=$G|image_version=corp 2|policy_version=work 1|percent=50"
	"/rollouts/start|rollout=$R|percent=100"
	"/rollouts/pause|rollout=$R"
)
refused=0 stored=0
for spec in "${valid[@]}"; do
	IFS='|' read -r -a parts <<<"$spec"
	path=${parts[0]}
	for ((i = 1; i < ${#parts[@]}; i++)); do
		fields=()
		for ((j = 1; j < ${#parts[@]}; j++)); do
			if [ "$i" = "$j" ]; then fields+=("${parts[j]%%=*}=$M"); else fields+=("${parts[j]}"); fi
		done
		before=$(snapshot)
		code=$(post "$J" "$path" "${fields[@]}" "csrf=$CSRF")
		field=${parts[i]%%=*}
		if [ "$path:$field" = "/groups/new:name" ] || [ "$path:$field" = "/images/new:note" ] ||
			[ "$path:$field" = "/policies/version:note" ]; then
			# free text: stored verbatim, as a parameter
			[ "$code" = 303 ] || fail "$path $field: HTTP $code"
			ACKED=$((ACKED + 1))
			stored=$((stored + 1))
		else
			[ "$code" = 400 ] && [ "$(snapshot)" = "$before" ] || fail "$path with SQL in $field: HTTP $code"
			refused=$((refused + 1))
		fi
	done
done
[ "$(sql "select count(*) from device_groups where name = \$\$$M\$\$")" = 1 ] &&
	[ "$(sql "select count(*) from image_versions where note = \$\$$M\$\$")" = 1 ] &&
	[ "$(sql "select count(*) from policy_versions where note = \$\$$M\$\$")" = 1 ] &&
	[ "$(sql "select count(*) from pg_tables where tablename in ('devices', 'reports', 'admins', 'audit_log', 'rollouts')")" = 5 ] &&
	ok "SQL metacharacters in every field of every action: $refused refused (400, nothing written), $stored stored verbatim" ||
	fail "metacharacters"
q=$(page "$J" "/?q=%27%20OR%201%3D1%20--")
[ "$(grep -o '<tr class="device">' <<<"$q" | wc -l)" = 0 ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$J" "$K/device?id=1%3BDROP")" = 400 ] &&
	ok "SQL metacharacters in query arguments match nothing or are refused (400)" || fail "query arguments"

act /groups/new "name=<script>alert(1)</script>"
g=$(page "$J" /groups)
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' <<<"$g" && ! grep -q '<script>alert' <<<"$g" &&
	grep -q "x&#39;); DROP TABLE devices; --&quot;" <<<"$g" &&
	curl -s -D - -o /dev/null -b "$J" "$K/groups" | grep -qi "^content-security-policy: default-src 'none'" &&
	ok "markup in a value is shown escaped, under a content security policy" || fail "escaping"

# the database restarts under the console: requests fail cleanly, then work again
pg_stop
c1=$(curl -s -o "$T/down.html" -w '%{http_code}' -b "$J" "$K/")
c2=$(post "$J" /groups/new name=during-outage "csrf=$CSRF")
pg_start
c3=$(curl -s -o /dev/null -w '%{http_code}' -b "$J" "$K/rollouts")
act /groups/new name=after-restart
echo "  database down: GET $c1, POST $c2; back: GET $c3"
[ "$c1" = 503 ] && [ "$c2" = 503 ] && grep -q 'class="error"' "$T/down.html" && [ "$c3" = 200 ] &&
	[ "$(sql "select count(*) from device_groups where name = 'during-outage'")" = 0 ] &&
	[ "$(sql "select count(*) from device_groups where name = 'after-restart'")" = 1 ] &&
	ok "database down: 503 for pages and actions, nothing written; after it restarts the same session works again" ||
	fail "database restart"
n=$(sql "select count(*) from audit_log where admin = '$ADMIN' and action not in ('login', 'login refused', 'logout', 'administrator set')")
[ "$n" = "$ACKED" ] && ok "every acknowledged action ($ACKED) is in the audit log, and nothing else" ||
	fail "audit log has $n actions, $ACKED acknowledged"
# a name guessed too often is locked out for a while, even with the right password
BULKHEAD_ADMIN_PASSWORD=bob-password-12345 "$CONSOLE" admin --db "$PG_DB" --name bob >/dev/null
codes=$(for _ in $(seq 1 10); do login "$T/jb" bob wrong-password-x; echo; done | sort | uniq -c | tr -s ' ')
[ "$codes" = " 10 403" ] && [ "$(login "$T/jb" bob bob-password-12345)" = 429 ] && grep -q "too many refused logins" "$T/last.html" &&
	[ "$(login "$T/ja")" = 303 ] && ok "10 refused logins lock that name out (429, even with its password); others log in" ||
	fail "lockout: $codes"
# the console over HTTPS: cookies marked Secure
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/tls.key" \
	-out "$T/tls.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
SP=$(free_port)
"$CONSOLE" serve --db "$PG_DB" --listen "127.0.0.1:$SP" --tls-cert "$T/tls.pem" --tls-key "$T/tls.key" -q \
	>"$T/console-tls.log" 2>&1 &
TLS_PID=$!
wait_port "$SP"
tok=$(curl -s --cacert "$T/tls.pem" -c "$T/jt" "https://127.0.0.1:$SP/login" | grep -o '[0-9a-f]\{64\}' | head -n1)
hdr=$(curl -s --cacert "$T/tls.pem" -D - -o /dev/null -b "$T/jt" --data-urlencode "csrf=$tok" --data-urlencode "name=$ADMIN" \
	--data-urlencode "password=$ADMIN_PW" "https://127.0.0.1:$SP/login")
kill "$TLS_PID"
TLS_PID=
grep -qi '^set-cookie: bh_session=[0-9a-f]\{64\}; .*HttpOnly; SameSite=Strict; .*; Secure' <<<"$hdr" &&
	ok "over HTTPS (--tls-cert) login works and the session cookie is Secure" || fail "https: $hdr"
[ "$(post "$J" /logout "csrf=$CSRF")" = 303 ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$J" "$K/")" = 303 ] &&
	ok "after logout the session is gone" || fail "logout"
[ "$checks" -eq 24 ] || fail "expected 24 checks, $checks passed"
echo "all $checks checks passed"
