#!/usr/bin/env bash
# perf/profile.sh — CPU profile of pqloop under load (make profile).
#
# Starts bin/pqloop on core 0, drives it from core 1 with bin/loadgen, takes
# a PROFILE_SECONDS CPU profile from the admin port's /debug/pprof/profile
# and prints `go tool pprof -top`. The profile is kept in results/ for
# `go tool pprof -http=: bin/pqloop results/cpu-*.pprof`.
#
# Environment: PROTO (h1 | h2c, default h1), TARGET (/health, or /mcp for the tools/call echo),
# PROFILE_SECONDS (10), PQLOOP (bin/pqloop), PORT (18480), ADMIN_PORT (18490),
# ADMIN_TOKEN (sent as a bearer token when the admin port requires one).
set -u
cd "$(dirname "$0")/.."
PROTO=${PROTO:-h1}
TARGET=${TARGET:-/health}
PROFILE_SECONDS=${PROFILE_SECONDS:-10}
PQLOOP=${PQLOOP:-bin/pqloop}
PORT=${PORT:-18480}
ADMIN_PORT=${ADMIN_PORT:-18490}
die() { echo "profile: $*" >&2; exit 1; }

[ -x "$PQLOOP" ] || go build -o bin/pqloop ./cmd/pqloop || die "cannot build pqloop"
go build -o bin/loadgen ./perf/cmd/loadgen || die "cannot build loadgen"
mkdir -p results
out=results/cpu-$PROTO-$(date -u +%Y%m%dT%H%M%S).pprof

PQLOOP_ENGINE_MAX_CONNS_PER_IP=20000 PQLOOP_MCP_STATELESS=true GOMAXPROCS=1 PQLOOP_ENGINE_LOOPS=1 \
	taskset -c 0 "$PQLOOP" serve --listen 127.0.0.1:$PORT --admin 127.0.0.1:$ADMIN_PORT >results/profile-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
kill -0 $server 2>/dev/null || die "pqloop did not start: $(tail -c 300 results/profile-server.log)"

args=(-c 64)
[ "$PROTO" = h2c ] && args=(-proto h2c -c 16 -m 16)
[ "$TARGET" = /mcp ] && args+=(-method POST -body-file perf/call.json -H 'Accept: application/json, text/event-stream'
	-H 'Content-Type: application/json' -H 'MCP-Protocol-Version: 2025-11-25')
taskset -c 1 bin/loadgen "${args[@]}" -d $((PROFILE_SECONDS + 3))s -url "http://127.0.0.1:$PORT$TARGET" >results/profile-load.txt 2>&1 &
load=$!
sleep 1
auth=()
[ -n "${ADMIN_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $ADMIN_TOKEN")
curl -sf "${auth[@]}" -o "$out" "http://127.0.0.1:$ADMIN_PORT/debug/pprof/profile?seconds=$PROFILE_SECONDS" ||
	die "no profile from http://127.0.0.1:$ADMIN_PORT/debug/pprof/profile"
wait $load
echo "load during the profile:"
cat results/profile-load.txt
echo
echo "profile: $out"
go tool pprof -top -nodecount=40 "$PQLOOP" "$out"
