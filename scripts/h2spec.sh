#!/usr/bin/env bash
# Runs h2spec (generic, then strict) against a freshly started pqloop and
# fails on any failed case, showing what failed and the server's log.
set -uo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
port=$(free_port)
admin=$(free_port)
log=$(mktemp)
./bin/pqloop serve --listen 127.0.0.1:$port --admin 127.0.0.1:$admin >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT
up=0
for _ in $(seq 300); do
	if curl -sf "http://127.0.0.1:$port/ready" >/dev/null; then up=1; break; fi
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if [ $up = 0 ]; then
	echo "h2spec: pqloop did not come up on 127.0.0.1:$port; its log:"
	cat "$log"
	exit 1
fi
status=0
for mode in generic strict; do
	args=(-h 127.0.0.1 -p "$port" -o 5)
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
