package server

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
	"github.com/pqloop/pqloop/server/config"
)

// Clients that never read must not make the server buffer without bound:
// their input is held back once their output passes
// engine.max_output_buffer, and they are closed when held input passes its
// bound (the largest request plus slack) or after
// engine.write_stall_timeout. Other clients are served meanwhile.

// smallBuffers is a configuration with the smallest output and request
// bounds, so a non-reading client reaches them in a moment.
func smallBuffers(c *config.Config) {
	c.Engine.MaxOutputBuffer = 64 << 10
	c.Engine.WriteStallTimeout = 500 * time.Millisecond
	c.HTTP.MaxBody = 1 << 10
	c.HTTP.MaxHeaderBytes = 4 << 10
}

// pollHealth makes one request on a fresh connection and fails the test
// unless it is answered.
func pollHealth(t *testing.T, ts *testServer) {
	t.Helper()
	c := dialRaw(t, ts.addr)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.send(get("/health"))
	if resp, body := c.read("GET"); resp.StatusCode != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("another client during the flood: %s %q", resp.Status, body)
	}
	c.Close()
}

// TestPipelineFloodWithoutReading: thousands of pipelined requests from a
// client that never reads. Its connection is closed, what the server holds
// for it stays bounded, and another client is served all along.
func TestPipelineFloodWithoutReading(t *testing.T) {
	ts := startServer(t, smallBuffers)
	lim := engineLimits(&ts.cfg)
	flood := testutil.DialSlowReader(t, ts.addr, 4096)
	req := []byte(strings.Repeat(get("/health"), 100))
	sent := 0
	floodDone := make(chan error, 1)
	go func() {
		flood.SetWriteDeadline(time.Now().Add(30 * time.Second))
		for {
			n, err := flood.Write(req)
			sent += n
			if err != nil {
				floodDone <- err
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	// Another client is served while the flood runs.
	var err error
	for err == nil {
		pollHealth(t, ts)
		select {
		case err = <-floodDone:
		default:
		}
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the flooding client was still being read after 30s (%d bytes sent)", sent)
	}
	if sent < lim.MaxHeldInput {
		t.Fatalf("closed after %d bytes, before its input could pass the held bound %d", sent, lim.MaxHeldInput)
	}
	if ts.metric(t, "pqloop_backpressure_pauses_total") == 0 {
		t.Fatal("the flooding connection's input was never held back")
	}
	// What the flood left queued on the server is gone with it: only the
	// client below holds a slot.
	testutil.Eventually(t, 5*time.Second, "the flood's connection released", func() bool { return ts.eng.OpenConns() == 0 })
	pollHealth(t, ts)
}

// TestPipelineOnceThenStall: a client pipelines tens of thousands of
// requests in one go and then neither reads nor sends. The answers pass
// what the kernel's socket buffers take plus engine.max_output_buffer, so
// the input is held back, and engine.write_stall_timeout closes the
// connection. (Held input stays under its bound here: max_body is raised.)
func TestPipelineOnceThenStall(t *testing.T) {
	ts := startServer(t, func(c *config.Config) {
		smallBuffers(c)
		c.HTTP.MaxBody = 4 << 20
	})
	c := testutil.DialSlowReader(t, ts.addr, 4096)
	const requests = 60000 // ~2 MB in, ~10 MB of answers
	in := strings.Repeat(get("/health"), requests)
	if len(in) >= engineLimits(&ts.cfg).MaxHeldInput {
		t.Fatalf("%d bytes of requests would pass the held-input bound", len(in))
	}
	go io.WriteString(c, in)
	testutil.Eventually(t, 5*time.Second, "the stalled connection closed", func() bool {
		return ts.metric(t, `pqloop_connection_timeouts_total{kind="write_stall"}`) == 1
	})
	testutil.Eventually(t, 5*time.Second, "the stalled connection's slot released", func() bool { return ts.eng.OpenConns() == 0 })
	// The client now reads what reached it: the answers stop short of
	// those it asked for, and the connection ends.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection is still open")
	}
	if n := bytes.Count(got, []byte("HTTP/1.1 200")); n >= requests {
		t.Fatalf("all %d answers were buffered for a client that did not read", n)
	}
	pollHealth(t, ts)
}

// TestSSESlowReader: an event stream whose client stops reading is dropped
// as too slow, not buffered without bound.
func TestSSESlowReader(t *testing.T) {
	ts := startServer(t, smallBuffers)
	c := testutil.DialSlowReader(t, ts.addr, 4096)
	const events = 5_000_000 // ~70 MB if it were all kept
	if _, err := io.WriteString(c, get("/events?5000000")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	deadline := time.Now().Add(30 * time.Second)
	for ts.eng.OpenConns() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stream to a client that does not read is still open after 30s")
		}
		pollHealth(t, ts) // served meanwhile
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("slow stream dropped after %v", time.Since(start))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection is still open")
	}
	if bytes.HasSuffix(got, []byte("\r\n0\r\n\r\n")) {
		t.Fatal("the stream ended normally: it was buffered in full")
	}
	if n := bytes.Count(got, []byte("data: ")); n >= events {
		t.Fatalf("all %d events reached a client that did not read", n)
	}
}
