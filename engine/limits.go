package engine

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Limits are the settings that apply without a restart: SIGHUP swaps them
// in atomically and every loop reads the new ones at its next event.
type Limits struct {
	MaxConns          int
	MaxConnsPerIP     int
	HeaderTimeout     time.Duration
	IdleTimeout       time.Duration
	WriteStallTimeout time.Duration
	// MaxOutput bounds a connection's unflushed output: past it the engine
	// stops reading the connection until it drains below half.
	MaxOutput int
	// MaxHeldInput bounds the unconsumed input a connection may hold: input
	// waiting behind a held-back connection or a request not yet complete.
	// Past it the connection is closed. It must exceed the largest request
	// a protocol accepts.
	MaxHeldInput int
}

func (l *Limits) timeout(kind Timeout) time.Duration {
	switch kind {
	case TimeoutHeader:
		return l.HeaderTimeout
	case TimeoutIdle:
		return l.IdleTimeout
	case TimeoutWriteStall:
		return l.WriteStallTimeout
	case TimeoutDrainGrace:
		return DrainGrace
	}
	return 0
}

// DrainGrace is the life an idle connection keeps when a drain begins:
// enough for a request already in flight to arrive and be answered.
const DrainGrace = 500 * time.Millisecond

// Refusal reasons, the label values of the refused-connections metric.
const (
	RefusedMaxConns      = "max_conns"
	RefusedMaxConnsPerIP = "max_conns_per_ip"
	RefusedDraining      = "draining"
)

// RefusalReasons lists every reason a connection is refused.
var RefusalReasons = []string{RefusedMaxConns, RefusedMaxConnsPerIP, RefusedDraining}

// connLimiter counts open connections in total and per remote address. It is
// touched on accept and close only, never per request; the per-address
// counts are sharded so loops accepting at once rarely meet on a lock.
type connLimiter struct {
	total  atomic.Int64
	shards [64]ipShard
}

type ipShard struct {
	mu sync.Mutex
	m  map[netip.Addr]int32
	_  [40]byte
}

func (cl *connLimiter) shard(ip netip.Addr) *ipShard {
	b := ip.As16()
	h := uint32(2166136261)
	for _, x := range b {
		h = (h ^ uint32(x)) * 16777619
	}
	return &cl.shards[h%uint32(len(cl.shards))]
}

// acquire takes a slot for ip, or names why it cannot. perIP says whether
// the slot counts against ip (the per-address limit may be off), which
// release must be told.
func (cl *connLimiter) acquire(ip netip.Addr, lim *Limits) (refused string, perIP bool) {
	if n := cl.total.Add(1); lim.MaxConns > 0 && n > int64(lim.MaxConns) {
		cl.total.Add(-1)
		return RefusedMaxConns, false
	}
	if lim.MaxConnsPerIP <= 0 {
		return "", false
	}
	s := cl.shard(ip)
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[netip.Addr]int32)
	}
	if int(s.m[ip]) >= lim.MaxConnsPerIP {
		s.mu.Unlock()
		cl.total.Add(-1)
		return RefusedMaxConnsPerIP, false
	}
	s.m[ip]++
	s.mu.Unlock()
	return "", true
}

func (cl *connLimiter) release(ip netip.Addr, perIP bool) {
	cl.total.Add(-1)
	if !perIP {
		return
	}
	s := cl.shard(ip)
	s.mu.Lock()
	if s.m[ip] <= 1 {
		delete(s.m, ip)
	} else {
		s.m[ip]--
	}
	s.mu.Unlock()
}
