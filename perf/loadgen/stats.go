package loadgen

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds from 1 µs to maxLatency with three
// significant digits, the precision wrk2 and HdrHistogram default to.
const (
	maxLatency     = 10 * time.Minute
	latencySigFigs = 3
)

// stats is one worker's tally; workers never share one, so recording takes
// no lock. Run merges them at the end.
type stats struct {
	latency  *hdrhistogram.Histogram
	status   map[int]uint64
	requests uint64 // measured responses
	errors   uint64 // requests lost to connection or protocol failures
	timeouts uint64 // requests unanswered within Config.Timeout
	bytes    uint64 // bytes read while measuring
	last     int64  // clock time of the last measured response
}

func newStats() *stats {
	return &stats{
		latency: hdrhistogram.New(1, maxLatency.Microseconds(), latencySigFigs),
		status:  make(map[int]uint64, 4),
	}
}

func (s *stats) merge(o *stats) {
	s.latency.Merge(o.latency)
	for k, v := range o.status {
		s.status[k] += v
	}
	s.requests += o.requests
	s.errors += o.errors
	s.timeouts += o.timeouts
	s.bytes += o.bytes
	s.last = max(s.last, o.last)
}
