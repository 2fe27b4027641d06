#!/usr/bin/env bash
# Runs the MCP real-client suites (interop/run.sh: official Go SDK, mcp-go,
# TypeScript SDK, official conformance suite) against a freshly started
# pqloop serving the conformance fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
port=$(free_port)
admin=$(free_port)
pqport=$(free_port)
log=$(mktemp)
state=$(mktemp -d)
./bin/pqloop serve --listen 127.0.0.1:$port --admin 127.0.0.1:$admin --conformance \
	--pq-listen 127.0.0.1:$pqport --set pq.state_dir=$state --set pq.handshake_rate_per_ip=1000 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$log" "$state"' EXIT
up=0
for _ in $(seq 300); do
	if curl -sf "http://127.0.0.1:$port/ready" >/dev/null; then up=1; break; fi
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if [ $up = 0 ]; then
	echo "interop: pqloop did not come up on 127.0.0.1:$port; its log:"
	cat "$log"
	exit 1
fi
export PQLOOP_PQ_ADDR=127.0.0.1:$pqport PQLOOP_PQ_SERVER_KEY=$state/pq.key.pub
PQLOOP_MCP_URL="http://127.0.0.1:$port/mcp" PQLOOP_MCP_URL_H2C="http://127.0.0.1:$port/mcp" interop/run.sh || {
	echo "--- server log"; tail -50 "$log"; exit 1; }
