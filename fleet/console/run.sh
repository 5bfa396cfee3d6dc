#!/usr/bin/env bash
# make console: the fleet web console with a fresh database, in one step.
# A throw-away PostgreSQL cluster (tests/fleet/pg.sh: unprivileged, unix
# socket only), the schema migrations, a first administrator, the check-in
# service in the background and the console in the foreground; Ctrl-C stops
# both and the cluster (as root its directory under /tmp is removed; else it
# stays in build/console/ until the next run starts afresh).
#   CONSOLE_LISTEN (127.0.0.1:8080)  CHECKIN_LISTEN (127.0.0.1:8081)
#   CONSOLE_ADMIN (admin)  BULKHEAD_ADMIN_PASSWORD (else one is made and printed)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BIN=$ROOT/build/fleet
CONSOLE_LISTEN=${CONSOLE_LISTEN:-127.0.0.1:8080}
CHECKIN_LISTEN=${CHECKIN_LISTEN:-127.0.0.1:8081}
CONSOLE_ADMIN=${CONSOLE_ADMIN:-admin}
W=$ROOT/build/console
source "$ROOT/tests/fleet/pg.sh"
rm -rf "$W"
mkdir -p "$W"
CHECKIN_PID=
# A second signal must not cut the clean-up short and leave the cluster:
# make passes a SIGTERM it gets on to this shell, which had it already from
# the process group's kill. Whichever handler runs first ignores both from
# then on; before that, bash holds the second one pending, and a pending
# signal whose trap is by then '' is dropped.
stop() {
	trap '' INT TERM
	[ -z "$CHECKIN_PID" ] || kill "$CHECKIN_PID" 2>/dev/null || true
	pg_destroy
}
trap stop EXIT
trap "trap '' INT TERM; exit 0" INT TERM
pg_init "$W/pg"
pg_start
"$BIN/bulkhead-console" migrate --db "$PG_DB" -q 2>/dev/null
"$BIN/bulkhead-console" admin --db "$PG_DB" --name "$CONSOLE_ADMIN"
SERVICE_KEY=$("$BIN/bulkhead-checkin" pubkey --key "$W/checkin.key") # made here, before serve
"$BIN/bulkhead-checkin" serve --db "$PG_DB" --listen "$CHECKIN_LISTEN" --key "$W/checkin.key" -q >"$W/checkin.log" 2>&1 &
CHECKIN_PID=$!
cat <<EOT
console:          http://$CONSOLE_LISTEN/  (log in as $CONSOLE_ADMIN)
check-in service: http://$CHECKIN_LISTEN/  (devices: bulkhead-sync enroll/checkin --checkin URL)
enrollment token: $BIN/bulkhead-checkin token --db "$PG_DB"
service key:      $SERVICE_KEY  (bulkhead-sync enroll --service-key)
database:         psql "$PG_DB"   (removed when this stops: Ctrl-C)
EOT
"$BIN/bulkhead-console" serve --db "$PG_DB" --listen "$CONSOLE_LISTEN" -q &
wait $!
