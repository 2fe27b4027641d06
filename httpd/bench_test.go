package httpd

import (
	"net/netip"
	"testing"

	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpx"
)

// memLink is an in-memory engine.Link: what the protocol writes collects in
// out, posted work runs at once.
type memLink struct {
	out  []byte
	loop *engine.Loop
}

func (m *memLink) Write(p []byte)             { m.out = append(m.out, p...) }
func (m *memLink) Append(a engine.Appender)   { m.out = a.AppendTo(m.out) }
func (m *memLink) Post(fn func()) bool        { fn(); return true }
func (m *memLink) Offload(fn func()) bool     { fn(); return true }
func (m *memLink) Close()                     {}
func (m *memLink) SetTimeout(engine.Timeout)  {}
func (m *memLink) WantTicks(bool)             {}
func (m *memLink) Loop() *engine.Loop         { return m.loop }
func (m *memLink) RemoteAddr() netip.AddrPort { return netip.AddrPort{} }
func (m *memLink) Draining() bool             { return false }
func (m *memLink) Backlog() int               { return 0 }

func benchServer() *Server {
	rt := &httpx.Router{}
	rt.Handle("GET", "/health", httpx.Inline, func(w *httpx.Response, r *httpx.Request) {
		w.JSON(200, []byte(`{"status":"ok"}`))
	})
	return New(Config{Router: rt, H2C: true, MaxLoops: 1})
}

var wrkGET = []byte("GET /health HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")

// BenchmarkKeepAliveGET parses a keep-alive GET, routes it and writes the
// response, as the event loop does for each request.
func BenchmarkKeepAliveGET(b *testing.B) {
	s := benchServer()
	link := &memLink{loop: engine.NewTestLoop()}
	c := s.NewProtocol(link)
	b.ReportAllocs()
	b.SetBytes(int64(len(wrkGET)))
	for b.Loop() {
		link.out = link.out[:0]
		if n, err := c.OnData(wrkGET); n != len(wrkGET) || err != nil {
			b.Fatalf("consumed %d of %d: %v", n, len(wrkGET), err)
		}
	}
}

func TestKeepAliveGETAllocatesNothing(t *testing.T) {
	s := benchServer()
	link := &memLink{loop: engine.NewTestLoop()}
	c := s.NewProtocol(link)
	c.OnData(wrkGET) // warm up: pools and buffers
	if n := testing.AllocsPerRun(200, func() {
		link.out = link.out[:0]
		c.OnData(wrkGET)
	}); n != 0 {
		t.Fatalf("a keep-alive GET allocates %v times", n)
	}
}

// TestDurationBuckets: a duration lands in the first bucket whose bound
// holds it, a bound itself included, and past the last in none.
func TestDurationBuckets(t *testing.T) {
	for _, c := range []struct {
		nanos int64
		want  int
	}{{0, 0}, {100_000, 0}, {100_001, 1}, {1_000_000, 3}, {10_000_000_000, 15}, {10_000_000_001, 16}} {
		if got := bucketOf(c.nanos); got != c.want {
			t.Errorf("bucketOf(%d) = %d, want %d", c.nanos, got, c.want)
		}
	}
}
