#!/usr/bin/env bash
# Chunk-size sweep: for each MIN:AVG:MAX, publish v1 then v2 into a fresh
# repository and report what a v1 client must download for v2 (new chunks,
# compressed, plus the v2 index). Used to choose the defaults in chunker.h.
#   [LEVEL=19] bench/fleet/sweep.sh V1 V2 OUTDIR "MIN:AVG:MAX ..."
set -euo pipefail
v1=$1 v2=$2 out=$3 params=$4
pub=$(cd "$(dirname "$0")/../.." && pwd)/build/fleet/bulkhead-publish
mkdir -p "$out"
for p in $params; do
	d=$out/sweep-${p//:/-}
	rm -rf "$d"
	"$pub" init --repo "$d/repo" --keys "$d/keys" -q
	t0=$(date +%s.%N)
	"$pub" add --repo "$d/repo" --keys "$d/keys" --image corp --version 1 --input "$v1" --chunk-size "$p" --level "${LEVEL:-19}" -q
	t1=$(date +%s.%N)
	s1=$(du -sb "$d/repo/store" | cut -f1)
	"$pub" add --repo "$d/repo" --keys "$d/keys" --image corp --version 2 --input "$v2" --chunk-size "$p" --level "${LEVEL:-19}" -q
	t2=$(date +%s.%N)
	s2=$(du -sb "$d/repo/store" | cut -f1)
	idx=$(stat -c %s "$d"/repo/targets/images/corp/*.corp-2.caibx)
	n=$("$pub" inspect "$d"/repo/targets/images/corp/*.corp-2.caibx | sed 's/.*"chunks":\([0-9]*\).*/\1/')
	# new chunk bytes: files added by v2 (du counts directories too: use find)
	newb=$(find "$d/repo/store" -name '*.cacnk' -newer "$d/repo/targets/images/corp/"*.corp-1.caibx -printf '%s\n' | awk '{s+=$1} END{print s+0}')
	printf '%s chunks=%s index=%s new_chunk_bytes=%s delta_total=%s publish_v1=%.1fs publish_v2=%.1fs\n' \
		"$p" "$n" "$idx" "$newb" $((newb + idx)) "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
	rm -rf "$d"
done
