# A throw-away PostgreSQL cluster for the fleet tests and benchmark (sourced).
#   pg_init DIR   initdb in DIR/data (as the postgres user when run as root:
#                 PostgreSQL refuses root), sockets in DIR/sock, no TCP
#   pg_start / pg_stop;  PG_DB: the conninfo (trust auth, user bulkhead)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
pg_asuser=()
pg_init() {
	PG=$1
	[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (scripts/deps.sh installs them)"; return 1; }
	mkdir -p "$PG/sock"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R postgres "$PG"
		pg_asuser=(runuser -u postgres --)
	fi
	timeout 120 "${pg_asuser[@]}" "$PGBIN/initdb" -D "$PG/data" -A trust -U bulkhead --no-sync -E UTF8 >/dev/null
	PG_DB="host=$PG/sock dbname=postgres user=bulkhead"
}
pgctl() { timeout 60 "${pg_asuser[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/log" "$@"; }
pg_start() { pgctl -w -t 30 -o "-k $PG/sock -c listen_addresses= -c fsync=off" start >/dev/null; }
pg_stop() { pgctl -m fast stop >/dev/null 2>&1 || true; }
