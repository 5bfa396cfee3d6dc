# Shared helpers for the fleet script tests (sourced, not run).
# Everything lives under build/tests/fleet/<test>/; nginx listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
FLEET_BIN=${FLEET_BIN:-$ROOT/build/fleet} # another build, to check a test fails on old code
PUB=$FLEET_BIN/bulkhead-publish
SYNC=$FLEET_BIN/bulkhead-sync
for b in "$PUB" "$SYNC"; do
	[ -x "$b" ] || { echo "missing $b (run make all)"; exit 1; }
done
T=$ROOT/build/tests/fleet/work/$(basename "$0" .sh)
rm -rf "$T"
mkdir -p "$T"
NGINX_PID=
checks=0

ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }
fail() { echo "FAIL: $*"; exit 1; }

cleanup() {
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null || true
		timeout 10 tail --pid="$NGINX_PID" -f /dev/null 2>/dev/null || true
	fi
}
trap cleanup EXIT

# start_nginx DOCROOT: serve DOCROOT on a free loopback port; sets PORT, URL.
# NGINX_EXTRA: more directives for the server block (locations of a test).
start_nginx() {
	local docroot=$1 prefix=$T/nginx user=""
	mkdir -p "$prefix/logs" "$prefix/tmp"
	[ "$(id -u)" -eq 0 ] && user="user root root;"
	for _ in $(seq 1 20); do
		PORT=$(free_port)
		cat >"$prefix/nginx.conf" <<CONF
$user
worker_processes 2;
error_log $prefix/logs/error.log warn;
pid $prefix/nginx.pid;
events { worker_connections 4096; }
http {
	default_type application/octet-stream;
	log_format bytes '\$request_uri \$status \$body_bytes_sent';
	access_log $prefix/logs/access.log bytes;
	client_body_temp_path $prefix/tmp/body;
	proxy_temp_path $prefix/tmp/proxy;
	fastcgi_temp_path $prefix/tmp/fastcgi;
	uwsgi_temp_path $prefix/tmp/uwsgi;
	scgi_temp_path $prefix/tmp/scgi;
	sendfile on;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$PORT;
		root $docroot;
		${NGINX_EXTRA:-}
	}
}
CONF
		nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' &
		NGINX_PID=$!
		for _ in $(seq 1 50); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
				URL=http://127.0.0.1:$PORT
				echo "nginx $NGINX_PID on $URL serving $docroot"
				return 0
			fi
			kill -0 "$NGINX_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$NGINX_PID" 2>/dev/null || true
		NGINX_PID=
	done
	fail "could not start nginx"
}

# free_port, wait_port; under set -e a failure ends the test
source "$ROOT/tests/lib/ports.sh"

# make_images DIR: v1.img and v2.img, small ext4 images (mkfs.ext4 -d).
# v2 changes a few files, adds some and deletes one, as a package upgrade would.
make_images() {
	local d=$1 i
	mkdir -p "$d/root1/usr/bin" "$d/root1/etc" "$d/root1/var/lib"
	for i in $(seq 1 24); do
		head -c $((20000 + i * 23000)) /dev/urandom >"$d/root1/usr/bin/prog$i"
	done
	for i in $(seq 1 40); do
		seq 1 $((i * 150)) | sed "s/^/config line $i /" >"$d/root1/etc/conf$i"
	done
	seq 1 50000 >"$d/root1/var/lib/status"
	cp -a "$d/root1" "$d/root2"
	head -c 300000 /dev/urandom >"$d/root2/usr/bin/prog3"
	head -c 150000 /dev/urandom >"$d/root2/usr/bin/newprog"
	echo "upgraded" >>"$d/root2/etc/conf7"
	sed -i 's/^4999/X4999/' "$d/root2/var/lib/status"
	rm "$d/root2/usr/bin/prog20"
	for v in 1 2; do
		E2FSPROGS_FAKE_TIME=1700000000 mkfs.ext4 -q -F -U 0b0c0a0e-1111-4222-8333-444455556666 \
			-E hash_seed=5e5e5e5e-1111-4222-8333-444455556666 -d "$d/root$v" "$d/v$v.img" 32M
	done
}

# policy_file PATH ROLE LEASE_DAYS
policy_file() {
	cat >"$1" <<JSON
{"vm_role":"$2","network":{"default":"deny","rules":[{"action":"allow","host":"10.0.0.0/8","ports":[443]}]},
 "usb":{"default":"deny","rules":[{"action":"allow","vendor":"046d","product":"c52b"}]},
 "clipboard":"none","offline_lease_days":$3}
JSON
}

# publish_pair DIR: repo with v1 then v2 of image "corp" (+ a policy); keeps
# a copy of the repository as it was after v1 in DIR/repo-v1.
publish_pair() {
	local d=$1
	make_images "$d"
	policy_file "$d/work.json" work 14
	"$PUB" init --repo "$d/www/repo" --keys "$d/keys" -q
	"$PUB" add --repo "$d/www/repo" --keys "$d/keys" --image corp --version 1 --input "$d/v1.img" \
		--policy "$d/work.json" --level 3 -q
	cp -a "$d/www/repo" "$d/repo-v1"
	"$PUB" add --repo "$d/www/repo" --keys "$d/keys" --image corp --version 2 --input "$d/v2.img" --level 3 -q
}

json_get() { # json_get KEY < json
	sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | tr -d '"' | head -n1
}

# run_case NAME FUNCTION: run one case in a subshell; it passes by exiting 0.
# Normally the first failing case ends the test; with KEEP_GOING=1 every case
# runs and the test fails at the end (to see each case fail on old binaries).
case_failures=0
run_case() {
	local name=$1 st; shift
	echo "--- $name"
	set +e # not `if ( ... )`: errexit would be off inside the subshell
	( set -e; "$@" )
	st=$?
	set -e
	if [ "$st" -eq 0 ]; then
		ok "$name"
	elif [ -n "${KEEP_GOING:-}" ]; then
		echo "FAIL: $name"; case_failures=$((case_failures + 1))
	else
		fail "$name"
	fi
}

# expect_fail WHAT REGEX CMD...: CMD must exit non-zero with one stderr line
# matching REGEX; sets ERR.
expect_fail() {
	local what=$1 re=$2 st; shift 2
	set +e
	ERR=$("$@" 2>&1 >/dev/null)
	st=$?
	set -e
	echo "  $what: exit $st: $ERR"
	[ "$st" -ne 0 ] || { echo "  $what: accepted"; return 1; }
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || { echo "  $what: error is not one line"; return 1; }
	grep -Eq "$re" <<<"$ERR" || { echo "  $what: wanted /$re/"; return 1; }
}
