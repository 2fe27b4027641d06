package loadgen

// pacer hands a worker the send time of its next request. In closed loop
// (interval 0) a request may go whenever a slot is free, at "now". In open
// loop requests are due at offset + k·interval whether or not the server
// kept up; a request that waits for a free slot keeps its intended time, so
// the wait shows in its latency (the coordinated-omission correction).
type pacer struct {
	interval float64 // nanoseconds between sends; 0 means closed loop
	offset   int64
	sent     int64
}

// newPacer spreads rate requests/s over connections, offsetting worker i so
// the connections do not fire in lockstep.
func newPacer(rate float64, connections, i int) pacer {
	if rate <= 0 {
		return pacer{}
	}
	interval := 1e9 * float64(connections) / rate
	return pacer{interval: interval, offset: int64(interval * float64(i) / float64(connections))}
}

func (p *pacer) openLoop() bool { return p.interval > 0 }

// next is the intended time of the next request.
func (p *pacer) next() int64 { return p.offset + int64(float64(p.sent)*p.interval) }

// due returns the next send time if a request is due at now.
func (p *pacer) due(now int64) (int64, bool) {
	if !p.openLoop() {
		return now, true
	}
	at := p.next()
	if at > now {
		return 0, false
	}
	p.sent++
	return at, true
}
