package http2

// rateCounter counts events in fixed windows of time: it allows max events
// per window and reports the first one over. Time comes from the caller.
type rateCounter struct {
	windowStart int64
	count       int
}

// allow records one event at now and reports whether the window still
// holds at most max of them.
func (r *rateCounter) allow(now, window int64, max int) bool {
	if now-r.windowStart >= window {
		r.windowStart, r.count = now, 0
	}
	r.count++
	return r.count <= max
}
