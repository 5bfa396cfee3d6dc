# Helpers for the console tests (sourced after lib.sh and pg.sh): the check-in
# service and the console on free loopback ports, an administrator's session
# kept in a curl cookie jar, forms posted with their CSRF token.
CONSOLE=$FLEET_BIN/bulkhead-console
CHECKIN=$FLEET_BIN/bulkhead-checkin
for b in "$CONSOLE" "$CHECKIN"; do [ -x "$b" ] || fail "missing $b (run make all)"; done
CONSOLE_PID= CHECKIN_PID=
ADMIN=alice ADMIN_PW=correct-horse-battery-staple

# start_fleet_services: migrations, the administrator, check-in ($C) and console ($K)
start_fleet_services() {
	"$CONSOLE" migrate --db "$PG_DB" -q 2>/dev/null
	BULKHEAD_ADMIN_PASSWORD=$ADMIN_PW "$CONSOLE" admin --db "$PG_DB" --name "$ADMIN" >/dev/null
	local cp kp
	cp=$(free_port)
	"$CHECKIN" serve --db "$PG_DB" --listen "127.0.0.1:$cp" --key "$T/checkin.key" -q >"$T/checkin.log" 2>&1 &
	CHECKIN_PID=$!
	wait_port "$cp"
	C=http://127.0.0.1:$cp
	kp=$(free_port)
	"$CONSOLE" serve --db "$PG_DB" --listen "127.0.0.1:$kp" -q >"$T/console.log" 2>&1 &
	CONSOLE_PID=$!
	wait_port "$kp"
	K=http://127.0.0.1:$kp
}
stop_fleet_services() {
	[ -z "$CONSOLE_PID" ] || kill "$CONSOLE_PID" 2>/dev/null || true
	[ -z "$CHECKIN_PID" ] || kill "$CHECKIN_PID" 2>/dev/null || true
	CONSOLE_PID= CHECKIN_PID=
}
sql() { psql "$PG_DB" -qAtc "$1"; }

# login JAR [NAME PASSWORD]: the HTTP code of the login POST (303 on success)
login() {
	local jar=$1 tok
	rm -f "$jar"
	tok=$(curl -s -m 30 -c "$jar" -b "$jar" "$K/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
	curl -s -m 30 -o "$T/last.html" -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "csrf=$tok" \
		--data-urlencode "name=${2:-$ADMIN}" --data-urlencode "password=${3:-$ADMIN_PW}" "$K/login"
}
# csrf_of JAR: the session's CSRF token, as the pages' forms carry it
csrf_of() {
	curl -s -m 30 -b "$1" "$K/groups" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n1 | grep -o '[0-9a-f]\{64\}'
}
# post JAR PATH FIELD=VALUE...: the HTTP code; the answer in $T/last.html.
# Values are URL-encoded as they are; no csrf field unless one is given.
post() {
	local jar=$1 path=$2 a=() f
	shift 2
	for f in "$@"; do a+=(--data-urlencode "$f"); done
	curl -s -m 30 -o "$T/last.html" -w '%{http_code}' -b "$jar" "${a[@]}" "$K$path"
}
page() { curl -s -m 30 -b "$1" "$K$2"; }
# cell PAGE-HTML ROW-ID CLASS: the text of <td class="CLASS"> in <tr id="ROW-ID">
cell() { grep -o "<tr class=\"[a-z]*\" id=\"$2\">.*" <<<"$1" | sed 's,</tr>.*,,' | grep -o "<td class=\"$3\">[^<]*" | sed 's/.*>//'; }
