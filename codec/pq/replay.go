package pq

import (
	"slices"
	"sync"
)

// replayHistoryLen is how many completed-handshake timestamps are kept per
// client key. A client may open connections in parallel whose message 1s
// arrive out of order; any of them is accepted unless its timestamp was
// already used or is older than the oldest one kept.
const replayHistoryLen = 32

// replayGuard remembers, per authorised client key, the TAI64N timestamps
// of its latest completed handshakes, and rejects a message 1 that reuses
// one or predates them all (WireGuard whitepaper §5.1 keeps just the
// greatest; a channel with parallel connections needs a short history).
// A KEM message 1 does not authenticate its sender, so a timestamp is
// recorded only once the client has proved its key with a valid record: a
// forged message 1 cannot lock a client out. Memory is bounded by
// replayHistoryLen per authorised key. Safe for concurrent use.
type replayGuard struct {
	mu    sync.Mutex
	byKey map[string]*replayHistory // keyed by packed public key
}

type replayHistory struct {
	floor  tai64n   // every timestamp at or before floor is refused
	recent []tai64n // completed, after floor
}

func (g *replayGuard) fresh(key []byte, ts tai64n) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.byKey[string(key)]
	if h == nil {
		return true
	}
	return ts.after(h.floor) && !slices.Contains(h.recent, ts)
}

func (g *replayGuard) confirm(key []byte, ts tai64n) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.byKey == nil {
		g.byKey = make(map[string]*replayHistory)
	}
	h := g.byKey[string(key)]
	if h == nil {
		h = &replayHistory{recent: make([]tai64n, 0, replayHistoryLen+1)}
		g.byKey[string(key)] = h
	}
	h.recent = append(h.recent, ts)
	if len(h.recent) > replayHistoryLen {
		oldest := 0
		for i := range h.recent {
			if h.recent[oldest].after(h.recent[i]) {
				oldest = i
			}
		}
		if h.recent[oldest].after(h.floor) {
			h.floor = h.recent[oldest]
		}
		h.recent = slices.Delete(h.recent, oldest, oldest+1)
	}
}
