#!/usr/bin/env bash
# Runs h2spec (generic, then strict) against a freshly started pqloop and
# fails on any failed case.
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null || echo 18443)
admin=$((port + 1))
log=$(mktemp)
./bin/pqloop serve --listen 127.0.0.1:$port --admin 127.0.0.1:$admin >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
status=0
for mode in generic strict; do
	args=(-h 127.0.0.1 -p "$port" -o 5)
	[ "$mode" = strict ] && args+=(-S)
	out=$(h2spec "${args[@]}" 2>&1) || true
	summary=$(echo "$out" | grep -E '^[0-9]+ tests, [0-9]+ passed' | tail -1)
	echo "h2spec $mode: $summary"
	if ! echo "$summary" | grep -qE ' 0 failed'; then
		echo "$out" | grep -B2 -A6 '×' | head -80
		status=1
	fi
done
exit $status
