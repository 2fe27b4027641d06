package pq

import "sync"

// replayGuard keeps, per authorised client, the TAI64N timestamp of its
// latest completed handshake. A message 1 whose timestamp is not newer is a
// replay and is dropped before the expensive step (WireGuard whitepaper
// §5.1). Unlike WireGuard's, a KEM message 1 does not authenticate its
// sender, so the timestamp is recorded only once the client has proved its
// key with a valid record: a forged message 1 cannot lock a client out.
// Memory is bounded by the authorised set. Safe for concurrent use.
type replayGuard struct {
	mu     sync.Mutex
	latest map[string]tai64n // keyed by packed public key
}

func (g *replayGuard) fresh(key []byte, ts tai64n) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	last, ok := g.latest[string(key)]
	return !ok || ts.after(last)
}

func (g *replayGuard) confirm(key []byte, ts tai64n) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.latest == nil {
		g.latest = make(map[string]tai64n)
	}
	if last, ok := g.latest[string(key)]; !ok || ts.after(last) {
		g.latest[string(key)] = ts
	}
}
