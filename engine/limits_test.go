package engine

import (
	"net/netip"
	"sync"
	"testing"
)

func (cl *connLimiter) perIPCount(ip netip.Addr) int32 {
	s := cl.shard(ip)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[ip]
}

func TestLimiterPerIPBound(t *testing.T) {
	var cl connLimiter
	lim := &Limits{MaxConns: 100, MaxConnsPerIP: 3}
	a := netip.MustParseAddr("127.0.0.1")
	b := netip.MustParseAddr("::1")
	for i := range 3 { // the limit is accepted
		if refused, perIP := cl.acquire(a, lim); refused != "" || !perIP {
			t.Fatalf("connection %d from a: refused %q perIP %v", i+1, refused, perIP)
		}
	}
	if refused, _ := cl.acquire(a, lim); refused != RefusedMaxConnsPerIP { // limit+1
		t.Fatalf("4th connection from a: refused %q, want %q", refused, RefusedMaxConnsPerIP)
	}
	if refused, _ := cl.acquire(b, lim); refused != "" {
		t.Fatalf("another address is refused %q", refused)
	}
	if got := cl.total.Load(); got != 4 {
		t.Fatalf("total %d after a refusal, want 4", got)
	}
	cl.release(a, true)
	if refused, _ := cl.acquire(a, lim); refused != "" {
		t.Fatalf("after a release: refused %q", refused)
	}
	for range 3 {
		cl.release(a, true)
	}
	cl.release(b, true)
	if got := cl.total.Load(); got != 0 {
		t.Fatalf("total %d after releasing all, want 0", got)
	}
	if n := len(cl.shard(a).m) + len(cl.shard(b).m); n != 0 {
		t.Fatalf("%d per-address entries left after releasing all: the map would grow with every client", n)
	}
}

func TestLimiterTotalBound(t *testing.T) {
	var cl connLimiter
	lim := &Limits{MaxConns: 5, MaxConnsPerIP: 100}
	for i := range 5 {
		ip := netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})
		if refused, _ := cl.acquire(ip, lim); refused != "" {
			t.Fatalf("connection %d refused %q", i+1, refused)
		}
	}
	ip := netip.MustParseAddr("10.0.0.99")
	if refused, perIP := cl.acquire(ip, lim); refused != RefusedMaxConns || perIP {
		t.Fatalf("6th connection: refused %q perIP %v, want %q", refused, perIP, RefusedMaxConns)
	}
	if cl.total.Load() != 5 || cl.perIPCount(ip) != 0 {
		t.Fatalf("a refused connection holds a slot: total %d, per-ip %d", cl.total.Load(), cl.perIPCount(ip))
	}
	cl.release(netip.AddrFrom4([4]byte{10, 0, 0, 0}), true)
	if refused, _ := cl.acquire(ip, lim); refused != "" {
		t.Fatalf("after a release: refused %q", refused)
	}
}

func TestLimiterPerIPOff(t *testing.T) {
	var cl connLimiter
	lim := &Limits{MaxConns: 10}
	ip := netip.MustParseAddr("127.0.0.1")
	for range 10 {
		if refused, perIP := cl.acquire(ip, lim); refused != "" || perIP {
			t.Fatalf("refused %q perIP %v with the per-address limit off", refused, perIP)
		}
	}
	// Turning the per-address limit on (a reload) while these are open:
	// their release must not drive the new count below zero.
	for range 10 {
		cl.release(ip, false)
	}
	if cl.total.Load() != 0 || cl.perIPCount(ip) != 0 {
		t.Fatalf("total %d per-ip %d after release", cl.total.Load(), cl.perIPCount(ip))
	}
}

func TestLimiterConcurrentAtBound(t *testing.T) {
	var cl connLimiter
	lim := &Limits{MaxConns: 1000, MaxConnsPerIP: 50}
	ip := netip.MustParseAddr("192.0.2.1")
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if refused, _ := cl.acquire(ip, lim); refused == "" {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if granted != 50 || cl.perIPCount(ip) != 50 || cl.total.Load() != 50 {
		t.Fatalf("granted %d, per-ip %d, total %d; want exactly the bound, 50", granted, cl.perIPCount(ip), cl.total.Load())
	}
}
