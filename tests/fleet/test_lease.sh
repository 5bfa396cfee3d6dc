#!/usr/bin/env bash
# bulkhead-sync lease (fleet/sync_lease.c), offline: the work role's lease
# checked against the clock writes STATE_DIR/lease-expired, which
# bulkhead-svcd --lock-lease turns into the hypervisor's lock (reason
# "lease expired"; the lock itself is test_fleet_lock). A live lease writes
# nothing; another role's expired lease does not lock the work VMs; an
# expired (or unreadable) work lease writes the file naming it; a sync that
# renews the lease removes it; a device with nothing applied has no lease.
source "$(dirname "$0")/lib.sh"
R=$T/repo K=$T/keys D=$T/dev
make_images "$T" >/dev/null
policy_file "$T/work.json" work 14
policy_file "$T/personal.json" personal 0 # a zero-day lease: expired from the start
"$PUB" init --repo "$R" --keys "$K" -q
"$PUB" add --repo "$R" --keys "$K" --image corp --version 1 --input "$T/v1.img" \
	--policy "$T/work.json" --policy "$T/personal.json" --level 3 -q

case_nothing() {
	mkdir -p "$T/empty"
	out=$("$SYNC" lease --dir "$T/empty")
	echo "  $out"
	grep -q "no policy applied yet" <<<"$out" && [ ! -e "$T/empty/lease-expired" ]
}
run_case "a device with nothing applied has no lease and no lock file" case_nothing

timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp --root "$R/1.root.json" -q

case_live() {
	out=$("$SYNC" lease --dir "$D")
	echo "$out" | sed 's/^/  /'
	grep -qE "^work: lease expires [0-9T:-]+Z \((335|336) h [0-9]+ min left\)$" <<<"$out" &&
		grep -qE "^personal: lease expired \([0-9T:-]+Z\)$" <<<"$out" && [ ! -e "$D/lease-expired" ] &&
		[ "$("$SYNC" lease --dir "$D" --json | jq -c '[.lock, .roles.work.expired, .roles.personal.expired]')" = "[false,false,true]" ]
}
run_case "a live work lease writes no lock file; the personal role's expired lease does not lock" case_live

case_expired() {
	jq '.policies.work.lease_expires = "2026-01-02T03:04:05Z"' "$D/state.json" >"$T/s" && mv "$T/s" "$D/state.json"
	out=$("$SYNC" lease --dir "$D")
	echo "$out" | sed 's/^/  /'
	grep -qx "work: lease expired (2026-01-02T03:04:05Z): the work VMs are to be locked" <<<"$out" &&
		grep -qx "work 2026-01-02T03:04:05Z" "$D/lease-expired" &&
		[ "$("$SYNC" lease --dir "$D" --json | jq -c .lock)" = true ]
}
run_case "an expired work lease writes lease-expired naming it" case_expired

case_renewed() {
	timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp -q
	"$SYNC" lease --dir "$D" -q
	[ ! -e "$D/lease-expired" ]
}
run_case "a sync renews the lease and the lock file goes" case_renewed

case_garbage() {
	jq '.policies.work.lease_expires = "soon"' "$D/state.json" >"$T/s" && mv "$T/s" "$D/state.json"
	out=$("$SYNC" lease --dir "$D")
	echo "$out" | sed 's/^/  /'
	grep -qx "work soon" "$D/lease-expired"
}
run_case "a work lease that does not parse counts as expired" case_garbage
[ "$case_failures" -eq 0 ] || fail "$case_failures case(s) failed"
[ "$checks" -eq 5 ] || fail "expected 5 checks, $checks passed"
echo "all $checks checks passed"
