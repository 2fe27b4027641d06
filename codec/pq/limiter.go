package pq

import (
	"net/netip"
	"sync"
	"time"
)

// RateLimiter bounds handshakes per source address with a token bucket, so
// replayed or junk message 1s cost at most Burst decapsulations at once and
// PerSecond after that. IPv6 sources are grouped by /64, the block one host
// usually owns. It is sans-IO (callers pass now) and safe for concurrent use
// by all connections of a listener.
//
// Memory is bounded: at most MaxSources addresses are tracked. When the
// table is full, addresses whose bucket has refilled are forgotten; if none
// has, new addresses are refused until some do (fail closed).
type RateLimiter struct {
	perSecond  float64
	burst      float64
	maxSources int

	mu        sync.Mutex
	buckets   map[netip.Addr]bucket
	lastSweep int64
}

type bucket struct {
	tokens float64
	last   int64 // Unix nanoseconds of the last update
}

// Limiter defaults.
const (
	DefaultHandshakesPerSecond = 20
	DefaultHandshakeBurst      = 40
	DefaultMaxSources          = 1 << 16
)

// NewRateLimiter allows burst handshakes at once and perSecond sustained per
// source, tracking at most maxSources sources. Zero values take the defaults.
func NewRateLimiter(perSecond, burst float64, maxSources int) *RateLimiter {
	if perSecond <= 0 {
		perSecond = DefaultHandshakesPerSecond
	}
	if burst < 1 {
		burst = DefaultHandshakeBurst
	}
	if maxSources <= 0 {
		maxSources = DefaultMaxSources
	}
	return &RateLimiter{perSecond: perSecond, burst: burst, maxSources: maxSources,
		buckets: make(map[netip.Addr]bucket)}
}

func sourceKey(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

func (l *RateLimiter) refill(b bucket, now int64) bucket {
	if elapsed := now - b.last; elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+float64(elapsed)*l.perSecond/float64(time.Second))
		b.last = now
	}
	return b
}

// Allow spends one token of src's bucket at time now (Unix nanoseconds) and
// reports whether there was one.
func (l *RateLimiter) Allow(src netip.Addr, now int64) bool {
	key := sourceKey(src)
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxSources && !l.sweep(now) {
			return false
		}
		b = bucket{tokens: l.burst, last: now}
	}
	b = l.refill(b, now)
	if b.tokens < 1 {
		l.buckets[key] = b
		return false
	}
	b.tokens--
	l.buckets[key] = b
	return true
}

// sweep forgets sources whose bucket is full again: they are
// indistinguishable from new ones. It reports whether room was made. It
// walks the table at most once per second, so a flood of new sources cannot
// turn every handshake into a full scan.
func (l *RateLimiter) sweep(now int64) bool {
	if now-l.lastSweep < int64(time.Second) {
		return false
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if l.refill(b, now).tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	return len(l.buckets) < l.maxSources
}
