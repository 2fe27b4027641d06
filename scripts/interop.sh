#!/usr/bin/env bash
# Runs the MCP real-client suites (interop/run.sh: official Go SDK, mcp-go,
# TypeScript SDK, official conformance suite, and the Go SDK through the PQ
# channel) against a freshly started pqloop serving the conformance
# fixtures and a pq listener.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
pqport=$(free_port)
log=$(mktemp)
state=$(mktemp -d)
PID=
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$log" "$state"' EXIT
start_pqloop "$log" --conformance --pq-listen 127.0.0.1:$pqport \
	--set pq.state_dir=$state --set pq.handshake_rate_per_ip=1000 || exit 1
export PQLOOP_PQ_ADDR=127.0.0.1:$pqport PQLOOP_PQ_SERVER_KEY=$state/pq.key.pub
PQLOOP_MCP_URL="http://127.0.0.1:$PORT/mcp" PQLOOP_MCP_URL_H2C="http://127.0.0.1:$PORT/mcp" interop/run.sh || {
	echo "--- server log"; tail -50 "$log"; exit 1; }
