#!/usr/bin/env bash
# Lists the warning-like lines of a guest's dmesg that docs/linux-dmesg.md
# does not explain; exits 1 if there are any. The allowlist is the set of
# lines in that file between "<!-- allow -->" and "<!-- /allow -->", one
# extended regex each (matched against the message, without the timestamp).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
dmesg=$1
allow=$(sed -n '/<!-- allow -->/,/<!-- \/allow -->/p' "$here/docs/linux-dmesg.md" | sed '1d;$d' | sed -n 's/^    //p')
suspicious='warn|error|fail|unchecked|doesn.t support|\bbug\b|\binvalid\b|broken|unable|cannot|can.t|not supported|mismatch|timed out|unstable|inconsistent|not consistent|skew'
bad=$(sed 's/^\[ *[0-9.]*\] //' "$dmesg" | grep -iE "$suspicious" | grep -vxE "$(echo "$allow" | paste -sd'|')" || true)
if [ -n "$bad" ]; then
	echo "dmesg lines not explained in docs/linux-dmesg.md:"
	echo "$bad" | sed 's/^/    /'
	exit 1
fi
echo "dmesg audit: every warning-like line is explained"
