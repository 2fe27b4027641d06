package mcp

import "sync/atomic"

// Outcome classifies how a call ended, for metrics.
type Outcome uint8

const (
	OutcomeOK        Outcome = iota // a result
	OutcomeToolError                // a tools/call result with isError: true
	OutcomeError                    // a JSON-RPC error
	outcomeCount
)

func (o Outcome) String() string {
	return [...]string{"ok", "tool_error", "error"}[o]
}

// Stats are the counters the server keeps. All fields are safe to read at
// any time; the lead's metrics exporter reads them on scrape.
type Stats struct {
	SessionsOpen    atomic.Int64
	SessionsExpired atomic.Int64
	StreamsOpen     atomic.Int64
	// Calls counts requests by method (index in MethodNames) and outcome.
	Calls [methodCount][outcomeCount]atomic.Uint64
	// Rejected counts requests refused before dispatch (guards, bad JSON).
	Rejected atomic.Uint64
}

// MethodNames lists the methods Stats.Calls is indexed by; the last entry
// counts every method this server does not know.
var MethodNames = [methodCount]string{}

// CallCount returns how many calls of method ended with outcome.
func (s *Stats) CallCount(method string, o Outcome) uint64 {
	for i, n := range MethodNames {
		if n == method {
			return s.Calls[i][o].Load()
		}
	}
	return 0
}
