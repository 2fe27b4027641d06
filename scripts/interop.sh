#!/usr/bin/env bash
# Runs the MCP real-client suites (interop/run.sh: official Go SDK, mcp-go,
# TypeScript SDK, official conformance suite) against a freshly started
# pqloop serving the conformance fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
admin=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
pqport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log=$(mktemp)
state=$(mktemp -d)
./bin/pqloop serve --listen 127.0.0.1:$port --admin 127.0.0.1:$admin --conformance \
	--pq-listen 127.0.0.1:$pqport --set pq.state_dir=$state --set pq.handshake_rate_per_ip=1000 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$log" "$state"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
export PQLOOP_PQ_ADDR=127.0.0.1:$pqport PQLOOP_PQ_SERVER_KEY=$state/pq.key.pub
PQLOOP_MCP_URL="http://127.0.0.1:$port/mcp" PQLOOP_MCP_URL_H2C="http://127.0.0.1:$port/mcp" interop/run.sh || {
	echo "--- server log"; tail -50 "$log"; exit 1; }
