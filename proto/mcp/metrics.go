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
	// Rejected counts requests refused before dispatch (guards, bad JSON).
	Rejected atomic.Uint64

	// calls counts answered requests by method and outcome, one shard per
	// event loop (httpx.Request.Loop): every call adds to it, and a counter
	// shared by the loops would bounce its cache line between their cores.
	calls []callShard
}

type callShard struct {
	n [methodCount][outcomeCount]atomic.Uint64
	_ [64]byte // keeps the next shard off this one's last cache line
}

func (s *Stats) init(loops int) { s.calls = make([]callShard, max(loops, 1)) }

// countCall adds one call of method idx with outcome o on the shard of the
// event loop that read the request (httpx.Request.Loop).
func (s *Stats) countCall(loop, idx int, o Outcome) {
	s.calls[uint(loop)%uint(len(s.calls))].n[idx][o].Add(1)
}

// Calls returns how many calls of the method MethodNames[method] ended with
// outcome o, summed over the loops.
func (s *Stats) Calls(method int, o Outcome) uint64 {
	var v uint64
	for i := range s.calls {
		v += s.calls[i].n[method][o].Load()
	}
	return v
}

// MethodNames lists the methods Stats.Calls is indexed by; the last entry
// counts every method this server does not know.
var MethodNames = [methodCount]string{}

// CallCount returns how many calls of method ended with outcome.
func (s *Stats) CallCount(method string, o Outcome) uint64 {
	for i, n := range MethodNames {
		if n == method {
			return s.Calls(i, o)
		}
	}
	return 0
}
