package mcp

import (
	"testing"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/httpx"
)

var echoBody = []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello, post-quantum world"}}}`)

// echoRequest builds the request the benchmark replays, headers as a real
// client sends them.
func echoRequest(extra ...header.Field) *httpx.Request {
	h := header.List{
		{Name: []byte("content-type"), Value: []byte("application/json")},
		{Name: []byte("accept"), Value: []byte("application/json, text/event-stream")},
		{Name: []byte("mcp-protocol-version"), Value: []byte("2025-11-25")},
	}
	return &httpx.Request{Method: []byte("POST"), Path: []byte("/mcp"), Header: append(h, extra...), Body: echoBody, Proto: httpx.HTTP11}
}

// BenchmarkEchoInline drives tools/call echo through the endpoint handler
// with httpx values directly, as the event loop does: the inline path.
func BenchmarkEchoInline(b *testing.B) {
	for _, stateless := range []bool{true, false} {
		name := "stateless"
		if !stateless {
			name = "session"
		}
		b.Run(name, func(b *testing.B) {
			s := New(Options{Stateless: stateless})
			defer s.Close()
			var extra []header.Field
			if !stateless {
				ss := &session{id: newSessionID(), rev: Rev20251125}
				s.sessions.add(ss, 0)
				extra = append(extra, header.Field{Name: []byte("mcp-session-id"), Value: []byte(ss.id)})
			}
			r := echoRequest(extra...)
			w := &httpx.Response{}
			b.ReportAllocs()
			b.SetBytes(int64(len(echoBody)))
			for b.Loop() {
				w.Bind(nil)
				s.servePost(w, r)
				if w.Status != 200 {
					b.Fatalf("status %d: %s", w.Status, w.Body)
				}
			}
		})
	}
}

// TestEchoInlineAllocs holds the hot path to its budget: at most 6
// allocations per tools/call echo.
func TestEchoInlineAllocs(t *testing.T) {
	const budget = 6
	s := New(Options{Stateless: true})
	defer s.Close()
	r := echoRequest()
	w := &httpx.Response{}
	w.Bind(nil)
	s.servePost(w, r)
	want := `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello, post-quantum world"}]}}`
	if string(w.Body) != want {
		t.Fatalf("body %s", w.Body)
	}
	n := testing.AllocsPerRun(1000, func() {
		w.Bind(nil)
		s.servePost(w, r)
	})
	if n > budget {
		t.Fatalf("tools/call echo allocates %.1f times, budget %d", n, budget)
	}
	t.Logf("tools/call echo: %.1f allocations", n)
}

// TestCallsCountedPerLoop: each loop's calls land on its own shard and the
// totals add them up; a loop index past Loops wraps instead of panicking.
func TestCallsCountedPerLoop(t *testing.T) {
	s := New(Options{Stateless: true, Loops: 2})
	defer s.Close()
	w := &httpx.Response{}
	for _, loop := range []int{0, 1, 1, 5} {
		r := echoRequest()
		r.Loop = loop
		w.Bind(nil)
		s.servePost(w, r)
		if w.Status != 200 {
			t.Fatalf("loop %d: status %d: %s", loop, w.Status, w.Body)
		}
	}
	st := s.Stats()
	if got := st.CallCount("tools/call", OutcomeOK); got != 4 {
		t.Fatalf("tools/call ok = %d, want 4", got)
	}
	if a, b := st.calls[0].n[mToolsCall][OutcomeOK].Load(), st.calls[1].n[mToolsCall][OutcomeOK].Load(); a != 1 || b != 3 {
		t.Fatalf("shards hold %d and %d, want 1 and 3", a, b)
	}
}
