#!/usr/bin/env bash
# bulkhead-sync --assigned applies the policy the console assigned, only that
# one, and only upward: each `bulkhead-publish add --policy` of a role signs a
# new policy version (custom "version" in targets); a device run with
# --assigned and an assignment naming policy P applies the signed policy/P.json
# and leaves the other roles' policies as they were (their leases renewed);
# without an assignment it applies none; a signed policy version below the
# applied one is refused (rollback), as is an assigned policy the repository
# does not sign. The assignment is written here as bulkhead-sync checkin
# keeps it (STATE_DIR/assignment.json); how it gets there from a signed
# check-in answer is test_checkin_answers.sh and test_console.sh.
source "$(dirname "$0")/lib.sh"
R=$T/repo K=$T/keys D=$T/dev
make_images "$T" >/dev/null
policy_file "$T/work1.json" work 14
policy_file "$T/personal1.json" personal 30
"$PUB" init --repo "$R" --keys "$K" -q
"$PUB" add --repo "$R" --keys "$K" --image corp --version 1 --input "$T/v1.img" \
	--policy "$T/work1.json" --policy "$T/personal1.json" --level 3 -q
timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp --root "$R/1.root.json" -q
pv() { jq -r ".policies.$1.version" "$D/state.json"; }
[ "$(pv work) $(pv personal)" = "1 1" ] && cmp -s "$D/policy/work.json" "$T/work1.json" &&
	ok "first sync applies every signed policy, each at version 1" || fail "first sync: $(jq -c .policies "$D/state.json")"

# IT publishes version 2 of both policies
policy_file "$T/work2.json" work 7
policy_file "$T/personal2.json" personal 3
out=$("$PUB" add --repo "$R" --keys "$K" --policy "$T/work2.json" --policy "$T/personal2.json")
grep -q "added policy for VM role work, version 2" <<<"$out" &&
	[ "$(jq -r '.signed.targets["policy/personal.json"].custom.version' "$R/$(ls "$R" | grep -c targets.json).targets.json")" = 2 ] &&
	ok "re-adding a role's policy signs version 2" || fail "publisher policy version: $out"

unchanged() { # unchanged WHAT: work and personal still at version 1, files as they were
	[ "$(pv work) $(pv personal)" = "1 1" ] && cmp -s "$D/policy/work.json" "$T/work1.json" &&
		cmp -s "$D/policy/personal.json" "$T/personal1.json" || { echo "  $1: $(jq -c .policies "$D/state.json")"; return 1; }
}

case_no_assignment() {
	local before; before=$(jq -r .policies.work.lease_expires "$D/state.json")
	sleep 1.1
	timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp --assigned -q
	unchanged "no assignment" && [ "$(jq -r .policies.work.lease_expires "$D/state.json")" \> "$before" ]
}
run_case "--assigned without an assignment applies no policy (both stay v1, leases renewed)" case_no_assignment

# assign POLICY [POLICY-VERSION]: as a check-in answer's assignment (the
# version null, as for a rollout made before policy versions, if not given)
assign() {
	echo "{\"rollout\": 1, \"image\": \"corp\", \"version\": 1, \"policy\": \"$1\", \"policy_version\": ${2:-null}}" \
		>"$D/assignment.json"
}

case_unknown() {
	assign nosuch
	expect_fail "assigned policy not signed" 'no signed policy "nosuch" \(the assigned one\)' \
		timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp --assigned
	unchanged "unknown policy"
}
run_case "an assigned policy the repository does not sign is refused, nothing applied" case_unknown

case_other_version() {
	assign work 1
	expect_fail "assigned policy version not the signed one" \
		'policy/work.json: the repository signs version 2, the assignment is version 1 \(nothing applied\)' \
		timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp --assigned
	unchanged "other policy version"
	assign work 3
	expect_fail "assigned policy version not signed yet" \
		'policy/work.json: the repository signs version 2, the assignment is version 3 \(nothing applied\)' \
		timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp --assigned
	unchanged "unsigned policy version"
}
run_case "an assigned policy version other than the signed one (older or not yet signed) is refused, nothing applied" case_other_version

case_assigned() {
	assign work 2
	timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp --assigned -q
	[ "$(pv work) $(pv personal)" = "2 1" ] && cmp -s "$D/policy/work.json" "$T/work2.json" &&
		cmp -s "$D/policy/personal.json" "$T/personal1.json" &&
		[ "$(jq -r .policies.work.offline_lease_days "$D/state.json")" = 7 ] &&
		[ "$(jq -r .policies.personal.offline_lease_days "$D/state.json")" = 30 ] ||
		{ echo "  $(jq -c .policies "$D/state.json")"; return 1; }
}
run_case "assigned policy work: work goes to v2 (its 7-day lease), personal stays v1 though v2 is signed" case_assigned

case_rollback() {
	local targv f
	rm -rf "$T/rb" "$T/keys-rb"; cp -a "$R" "$T/rb"; cp -a "$K" "$T/keys-rb"
	targv=$(ls "$T/rb" | grep -c 'targets.json$')
	f=$T/rb/$targv.targets.json
	jq '.signed.targets["policy/work.json"].custom.version = 1' "$f" >"$f.new" && mv "$f.new" "$f"
	"$PUB" sign --repo "$T/rb" --keys "$T/keys-rb" --role targets -q
	before=$(sha256sum "$D/state.json" "$D/policy/work.json")
	expect_fail "signed policy rollback" 'policy/work.json: signed version 1 is older than applied v2 \(rollback refused\)' \
		timeout 60 "$SYNC" --repo "$T/rb" --dir "$D" --image corp --assigned
	[ "$(sha256sum "$D/state.json" "$D/policy/work.json")" = "$before" ]
}
run_case "a signed policy version below the applied one is refused (rollback), nothing changed" case_rollback

case_unassigned_mode() {
	rm -f "$D/assignment.json"
	timeout 60 "$SYNC" --repo "$R" --dir "$D" --image corp -q
	[ "$(pv work) $(pv personal)" = "2 2" ]
}
run_case "without --assigned every signed policy is applied (personal to v2)" case_unassigned_mode

[ "$case_failures" -eq 0 ] || fail "$case_failures case(s) failed"
[ "$checks" -eq 8 ] || fail "expected 8 checks, $checks passed"
echo "all $checks checks passed"
