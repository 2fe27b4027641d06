#!/usr/bin/env bash
# Runs h2spec (generic, then strict) against a freshly started pqloop and
# fails on any failed case, showing what failed and the server's log.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
log=$(mktemp)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -f "$log"' EXIT
start_pqloop "$log" || exit 1
status=0
for mode in generic strict; do
	args=(-h 127.0.0.1 -p "$PORT" -o 5)
	[ "$mode" = strict ] && args+=(-S)
	out=$(h2spec "${args[@]}" 2>&1)
	summary=$(echo "$out" | grep -E '^[0-9]+ tests, [0-9]+ passed' | tail -1)
	echo "h2spec $mode: ${summary:-no summary}"
	if [ -z "$summary" ]; then
		echo "$out" | tail -30
		status=1
	elif ! echo "$summary" | grep -qE ' 0 failed'; then
		echo "$out" | grep -B2 -A6 '×' | head -80
		status=1
	fi
done
if [ $status != 0 ]; then
	echo "--- server log"
	tail -30 "$log"
fi
exit $status
