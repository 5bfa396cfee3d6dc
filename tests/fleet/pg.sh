# A throw-away PostgreSQL cluster for the fleet tests and benchmark (sourced).
#   pg_init DIR   initdb in DIR/data, sockets in DIR/sock, no TCP. As root
#                 the cluster runs as the postgres user (PostgreSQL refuses
#                 root) in a fresh directory under /tmp instead, since the
#                 checkout may sit where that user cannot go (/root)
#   pg_start / pg_stop / pg_destroy;  PG_DB: the conninfo (trust auth, user bulkhead)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
pg_asuser=()
pg_init() {
	PG=$1
	[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (scripts/deps.sh installs them)"; return 1; }
	if [ "$(id -u)" -eq 0 ]; then
		PG=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-pg.XXXXXX") && PG_TMP=$PG || return 1
		chmod 755 "$PG"
		mkdir -p "$PG/sock"
		chown -R postgres "$PG"
		pg_asuser=(runuser -u postgres --)
	else
		mkdir -p "$PG/sock"
	fi
	timeout 120 "${pg_asuser[@]}" "$PGBIN/initdb" -D "$PG/data" -A trust -U bulkhead --no-sync -E UTF8 >/dev/null
	PG_DB="host=$PG/sock dbname=postgres user=bulkhead"
}
pgctl() { timeout 60 "${pg_asuser[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/log" "$@"; }
pg_start() { pgctl -w -t 30 -o "-k $PG/sock -c listen_addresses= -c fsync=off" start >/dev/null; }
pg_stop() { pgctl -m fast stop >/dev/null 2>&1 || true; }
# Stops the cluster and removes the directory pg_init made under /tmp.
pg_destroy() {
	pg_stop
	[ -z "${PG_TMP:-}" ] || rm -rf "$PG_TMP"
	PG_TMP=
}
