#!/usr/bin/env bash
# scripts/fuzz.sh FUZZTIME — runs every fuzz target in ./fuzz for FUZZTIME.
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded"
# failure when -fuzztime expires while a worker is mid-call (golang/go#75804,
# fixed in Go 1.27). Such a run found nothing: a real failure prints
# "Failing input written to …" or the target's own error. So a run that
# failed with only that message is run once more; anything else fails.
set -u
GO=${GO:-go}
FUZZTIME=${1:-4s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in $($GO test ./fuzz -list '^Fuzz' | grep '^Fuzz'); do
	for attempt in 1 2; do
		echo "fuzz $t ($FUZZTIME)"
		if $GO test ./fuzz -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" >"$log" 2>&1; then
			tail -1 "$log"
			break
		fi
		cat "$log"
		if [ $attempt = 1 ] && grep -q 'context deadline exceeded' "$log" &&
			! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"; then
			echo "fuzz $t: bare deadline at the -fuzztime boundary (golang/go#75804), running it again"
			continue
		fi
		exit 1
	done
done
