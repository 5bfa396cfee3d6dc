#!/usr/bin/env bash
# Fleet benchmark. Builds (or reuses) a realistic pair with bench/fleet/mkpair.sh:
# v1 = Debian bookworm minbase (debootstrap) in a 1 GiB ext4 image, v2 = v1 plus
# upgrades and a handful of packages. Then, in one run, on the same pair:
#   - Bulkhead: publish v1 and v2 (time, all cores, default zstd level), a new
#     client installs v1 (requests and seconds), a v1 client syncs v2 from
#     nginx on loopback (bytes and requests from nginx's log, apply time)
#   - casync with default settings: make both indexes in one store, a v1
#     client extracts v2 with v1 as seed over HTTP (bytes from nginx's log)
#   - the whole v2 image compressed with zstd (-3 default and -19)
#   - CLIENTS (default 1000) concurrent clients in one process syncing v1->v2
#   - the check-in service over a throw-away PostgreSQL cluster: DEVICES
#     (default 1000) simulated devices enroll, then send 5 signed reports
#     each, 64 requests in flight (reports per second, p50/p99 latency)
# Results: bench/results/fleet.json and a line appended to bench/results/fleet.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source tests/lib/ports.sh
B=$ROOT/build/bench/fleet
CLIENTS=${CLIENTS:-1000}
PUB=$ROOT/build/fleet/bulkhead-publish SYNC=$ROOT/build/fleet/bulkhead-sync
CL=$ROOT/build/fleet/fleet-clients
CHK=$ROOT/build/fleet/bulkhead-checkin CCL=$ROOT/build/fleet/fleet-checkin-clients
DEVICES=${DEVICES:-1000}
bench/fleet/mkpair.sh "$B"
W=$B/run; rm -rf "$W"; mkdir -p "$W/www" "$W/nginx/logs" "$W/nginx/tmp"
now() { date +%s.%N; }
secs() { printf '%.2f' "$(echo "$2 - $1" | bc)"; }
logbytes() { awk '{s += $3} END {print s + 0}' "$W/nginx/logs/access.log"; }
lognreq() { wc -l <"$W/nginx/logs/access.log"; }

# nginx on a free loopback port
user=""; [ "$(id -u)" -eq 0 ] && user="user root root;"
PORT=$(free_port)
cat >"$W/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
worker_rlimit_nofile 65536;
error_log $W/nginx/logs/error.log warn;
pid $W/nginx/nginx.pid;
events { worker_connections 8192; }
http {
	default_type application/octet-stream;
	log_format bytes '\$request_uri \$status \$body_bytes_sent';
	access_log $W/nginx/logs/access.log bytes buffer=1m;
	client_body_temp_path $W/nginx/tmp/body; proxy_temp_path $W/nginx/tmp/proxy;
	fastcgi_temp_path $W/nginx/tmp/fastcgi; uwsgi_temp_path $W/nginx/tmp/uwsgi; scgi_temp_path $W/nginx/tmp/scgi;
	sendfile on; tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 300;
	# no open_file_cache: timestamp.json is replaced by rename and must be seen at once
	server { listen 127.0.0.1:$PORT backlog=4096; root $W/www; }
}
CONF
nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -g 'daemon off;' &
NG=$!
CS=
source tests/fleet/pg.sh
trap 'kill $NG 2>/dev/null || true; [ -z "$CS" ] || kill $CS 2>/dev/null || true; [ -z "${PG:-}" ] || pg_destroy' EXIT
wait_port "$PORT"
URL=http://127.0.0.1:$PORT
reopen() { kill -USR1 "$NG"; sleep 0.5; }  # flush the log buffer, reopen the log
reset_log() { reopen; : >"$W/nginx/logs/access.log"; }  # flush first, then empty

echo "== Bulkhead publish"
R=$W/www/repo
"$PUB" init --repo "$R" --keys "$W/keys" -q
t0=$(now); "$PUB" add --repo "$R" --keys "$W/keys" --image corp --version 1 --input "$B/v1.img" -q; t1=$(now)
pub_v1=$(secs "$t0" "$t1")
echo "== Bulkhead client: first install of v1"
reset_log
t0=$(now); "$SYNC" --repo "$URL/repo" --dir "$W/client" --image corp --root "$R/1.root.json" -q; t1=$(now)
install_v1=$(secs "$t0" "$t1")
reopen
install_req=$(lognreq); install_bytes=$(logbytes)
cmp "$W/client/images/corp.img" "$B/v1.img"
cp "$(ls "$R"/targets/images/corp/*.corp-1.caibx)" "$W/v1-index.caibx"
t0=$(now); "$PUB" add --repo "$R" --keys "$W/keys" --image corp --version 2 --input "$B/v2.img" -q; t1=$(now)
pub_v2=$(secs "$t0" "$t1")
echo "== Bulkhead client: v1 -> v2"
sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
reset_log
t0=$(now); out=$("$SYNC" --repo "$URL/repo" --dir "$W/client" --image corp --json); t1=$(now)
apply_v2=$(secs "$t0" "$t1")
cmp "$W/client/images/corp.img" "$B/v2.img"
reopen
bh_client=$(echo "$out" | sed 's/.*"bytes_fetched":\([0-9]*\).*/\1/')
bh_wire=$(logbytes); bh_req=$(lognreq)
echo "$out"

echo "== casync (default settings)"
C=$W/www/casync; mkdir -p "$C"
t0=$(now); casync make --store="$C/store" "$C/v1.caibx" "$B/v1.img" >/dev/null; t1=$(now)
ca_make_v1=$(secs "$t0" "$t1")
t0=$(now); casync make --store="$C/store" "$C/v2.caibx" "$B/v2.img" >/dev/null; t1=$(now)
ca_make_v2=$(secs "$t0" "$t1")
reset_log
t0=$(now); casync extract --store="$URL/casync/store" --seed="$B/v1.img" "$URL/casync/v2.caibx" "$W/casync-v2.img"; t1=$(now)
ca_apply=$(secs "$t0" "$t1")
cmp "$W/casync-v2.img" "$B/v2.img"
reopen
ca_wire=$(logbytes); ca_req=$(lognreq)
echo "casync: $ca_wire bytes in $ca_req requests"

echo "== zstd of the whole v2 image"
z3=$(zstd -q -3 -T2 -c "$B/v2.img" | wc -c)
z19=$(zstd -q -19 -T2 -c "$B/v2.img" | wc -c)

echo "== $CLIENTS concurrent clients (one process, libcurl multi)"
ulimit -n 65536 2>/dev/null || true
reset_log
clients=$("$CL" "$URL/repo" "$R/1.root.json" "$W/v1-index.caibx" corp "$CLIENTS")
echo "$clients"

echo "== check-in service: $DEVICES devices, 5 reports each"
pg_init "$W/pg"
pg_start
"$CHK" migrate --db "$PG_DB" -q
CPORT=$(free_port)
"$CHK" serve --db "$PG_DB" --listen "127.0.0.1:$CPORT" --key "$W/checkin.key" -q >"$W/checkin.log" 2>&1 &
CS=$!
wait_port "$CPORT"
"$CHK" token --db "$PG_DB" --count "$DEVICES" >"$W/tokens"
checkin=$("$CCL" "http://127.0.0.1:$CPORT" "$W/tokens" "$DEVICES" 5 64)
echo "$checkin"
kill "$CS"; CS=
pg_stop

commit=$(git rev-parse --short HEAD 2>/dev/null || echo uncommitted)
ratio=$(printf "%.3f" "$(echo "scale=4; $bh_wire / $ca_wire" | bc)")
mkdir -p bench/results
cat >bench/results/fleet.json <<JSON
{"commit":"$commit","date":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","image_bytes":$(stat -c %s "$B/v2.img"),
 "chunk_params":"$("$PUB" inspect "$(ls "$R"/targets/images/corp/*.corp-2.caibx)")",
 "bulkhead":{"bytes_wire":$bh_wire,"bytes_client":$bh_client,"requests":$bh_req,"publish_v1_s":$pub_v1,
   "publish_v2_s":$pub_v2,"first_install_s":$install_v1,"first_install_requests":$install_req,
   "first_install_bytes":$install_bytes,"apply_v2_s":$apply_v2,"threads":$(nproc)},
 "casync":{"bytes_wire":$ca_wire,"requests":$ca_req,"make_v1_s":$ca_make_v1,"make_v2_s":$ca_make_v2,"extract_v2_s":$ca_apply},
 "zstd_full_image":{"level3":$z3,"level19":$z19},
 "ratio_bulkhead_over_casync":$ratio,
 "clients":$clients,
 "checkin":$checkin}
JSON
sed -i 's/"chunk_params":"{\(.*\)}",/"chunk_params":{\1},/; s/\\"/"/g' bench/results/fleet.json
cat bench/results/fleet.json
printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%F)" "$commit" \
	"$bh_wire" "$ca_wire" "$ratio" "$z19" "$pub_v1 / $pub_v2 ($ca_make_v1 / $ca_make_v2)" "$apply_v2" \
	"$(echo "$clients" | sed 's/.*"verified":\([0-9]*\).*"seconds":\([0-9.]*\).*"requests_per_second":\([0-9]*\).*/\1 ok, \2 s, \3 req\/s/')" \
	"$CLIENTS" "$bh_req ($ca_req)" "$install_req, $install_v1 s" \
	"$(echo "$checkin" | sed 's/.*"reports_per_second":\([0-9]*\).*"p99_ms":\([0-9.]*\).*/\1 reports\/s, p99 \2 ms/') ($DEVICES devices)" \
	>>bench/results/fleet.md
