package server

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
	"github.com/pqloop/pqloop/server/config"
)

func TestRoutesOverHTTP1(t *testing.T) {
	ts := startServer(t, nil)
	cases := []struct {
		method, path string
		status       int
		body, allow  string
	}{
		{"GET", "/health", 200, `{"status":"ok"}`, ""},
		{"GET", "/ready", 200, `{"status":"ready"}`, ""},
		{"GET", "/nope", 404, `{"error":"not found"}`, ""},
		{"POST", "/health", 405, `{"error":"method not allowed"}`, "GET, HEAD"},
		{"HEAD", "/health", 200, "", ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, ts.url(c.path), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || string(b) != c.body || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d %q allow=%q, want %d %q allow=%q", c.method, c.path, resp.StatusCode, b,
				resp.Header.Get("Allow"), c.status, c.body, c.allow)
		}
		if resp.Header.Get("Date") == "" || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: missing Date or X-Request-ID: %v", c.method, c.path, resp.Header)
		}
	}
}

func TestRequestIDHonouredWhenSane(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc-123\r\n\r\n")
	resp, _ := c.read("GET")
	if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Fatalf("sane id not echoed: %q", got)
	}
	c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-ID: bad id with spaces\r\n\r\n")
	resp, _ = c.read("GET")
	if got := resp.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Fatalf("insane id not replaced: %q", got)
	}
}

func TestKeepAliveAndHTTP10(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	for i := 0; i < 3; i++ {
		c.send(get("/health"))
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != `{"status":"ok"}` || resp.Close {
			t.Fatalf("request %d: %d %q close=%v", i, resp.StatusCode, body, resp.Close)
		}
	}
	// HTTP/1.0 without keep-alive: answered, then closed.
	c.send("GET /health HTTP/1.0\r\n\r\n")
	if resp, _ := c.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("1.0: %d", resp.StatusCode)
	}
	c.expectClosed(2 * time.Second)

	// HTTP/1.0 keep-alive opt-in stays open.
	c = dialRaw(t, ts.addr)
	c.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	c.read("GET")
	c.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if resp, _ := c.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("1.0 keep-alive second request: %d", resp.StatusCode)
	}

	// Connection: close is honoured.
	c = dialRaw(t, ts.addr)
	c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if resp, _ := c.read("GET"); !resp.Close {
		t.Fatal("response to Connection: close does not say close")
	}
	c.expectClosed(2 * time.Second)
}

func TestHundredPipelinedRequestsInOneWrite(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	var b strings.Builder
	for i := 0; i < 100; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-ID: r%d\r\n\r\n", i)
		case 1:
			body := "body-" + strconv.Itoa(i)
			fmt.Fprintf(&b, "POST /echo HTTP/1.1\r\nHost: x\r\nX-Request-ID: r%d\r\nContent-Length: %d\r\n\r\n%s", i, len(body), body)
		case 2: // offloaded: later requests must still be answered after it, in order
			fmt.Fprintf(&b, "GET /slow?1ms HTTP/1.1\r\nHost: x\r\nX-Request-ID: r%d\r\n\r\n", i)
		}
	}
	c.send(b.String())
	for i := 0; i < 100; i++ {
		method := "GET"
		resp, body := c.read(method)
		if id := resp.Header.Get("X-Request-Id"); id != "r"+strconv.Itoa(i) {
			t.Fatalf("response %d is for %q: out of order", i, id)
		}
		want := map[int]string{0: `{"status":"ok"}`, 1: "body-" + strconv.Itoa(i), 2: "slept"}[i%3]
		if resp.StatusCode != 200 || body != want {
			t.Fatalf("response %d: %d %q, want %q", i, resp.StatusCode, body, want)
		}
	}
}

func TestChunkedRequestBody(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: dropped\r\n\r\n")
	resp, body := c.read("POST")
	if resp.StatusCode != 200 || body != "hello world" {
		t.Fatalf("chunked echo: %d %q", resp.StatusCode, body)
	}
	// The same body in pieces, a byte at a time.
	msg := "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	for i := 0; i < len(msg); i++ {
		c.send(msg[i : i+1])
	}
	if resp, body := c.read("POST"); resp.StatusCode != 200 || body != "abc" {
		t.Fatalf("byte-at-a-time chunked echo: %d %q", resp.StatusCode, body)
	}
}

func TestExpect100Continue(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	if blank, _ := c.r.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("100 Continue not terminated: %q", blank)
	}
	c.send("hello")
	if resp, body := c.read("POST"); resp.StatusCode != 200 || body != "hello" {
		t.Fatalf("after continue: %d %q", resp.StatusCode, body)
	}
	// net/http's client does the same dance.
	req, _ := http.NewRequest("POST", ts.url("/echo"), strings.NewReader("via net/http"))
	req.Header.Set("Expect", "100-continue")
	resp, err := (&http.Client{Transport: &http.Transport{ExpectContinueTimeout: 5 * time.Second}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "via net/http" {
		t.Fatalf("net/http 100-continue: %q", b)
	}
}

// TestRejections sends each kind of malformed request over a real socket
// and checks its status, that the connection closes, and its metric.
func TestRejections(t *testing.T) {
	ts := startServer(t, nil)
	long := strings.Repeat("a", 8<<10)
	manyFields := strings.Repeat("X-F: v\r\n", 100)
	bigField := "X-Big: " + strings.Repeat("b", 64<<10) + "\r\n"
	cases := []struct {
		name, req string
		status    int
		reason    string
	}{
		{"cl and te", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "cl_and_te"},
		{"two content-lengths", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400, "multiple_content_length"},
		{"te not chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, ""},
		{"bad chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "bad_chunk_size"},
		{"chunk size overflow", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400, "chunk_size_overflow"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400, "obs_fold"},
		{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n", 400, "space_before_colon"},
		{"control char in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", 400, "bad_field_value"},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400, "bare_lf"},
		{"bad method token", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_method"},
		{"bad field name", "GET / HTTP/1.1\r\nHost: x\r\nX@A: a\r\n\r\n", 400, "bad_field_name"},
		{"missing host", "GET / HTTP/1.1\r\n\r\n", 400, "missing_host"},
		{"unsupported version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "unsupported_version"},
		{"request line too long", "GET /" + long + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "request_line_too_long"},
		{"too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + manyFields + "\r\n", 431, "too_many_fields"},
		{"header block too large", "GET / HTTP/1.1\r\nHost: x\r\n" + bigField + "\r\n", 431, "header_too_large"},
		{"body too large", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n", 413, "body_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := dialRaw(t, ts.addr)
			conn.send(c.req)
			resp, _ := conn.read("GET")
			if c.status != 0 && resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if resp.StatusCode < 400 {
				t.Fatalf("accepted: %d", resp.StatusCode)
			}
			conn.expectClosed(2 * time.Second)
			if c.reason != "" {
				if n := ts.metric(t, `pqloop_http_bad_requests_total{reason="`+c.reason+`"}`); n < 1 {
					t.Fatalf("metric for %s not counted", c.reason)
				}
			}
		})
	}
}

func TestLimitsAtTheirBounds(t *testing.T) {
	ts := startServer(t, func(c *config.Config) {
		c.HTTP.MaxBody = 1024
		c.HTTP.MaxHeaderFields = 10
	})
	// Exactly at the body limit: accepted; one more byte: 413.
	c := dialRaw(t, ts.addr)
	c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + strings.Repeat("z", 1024))
	if resp, body := c.read("POST"); resp.StatusCode != 200 || len(body) != 1024 {
		t.Fatalf("body at limit: %d (%d bytes)", resp.StatusCode, len(body))
	}
	c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n")
	if resp, _ := c.read("POST"); resp.StatusCode != 413 {
		t.Fatalf("body over limit: %d", resp.StatusCode)
	}
	// Field count: Host plus 9 more is the limit of 10.
	c = dialRaw(t, ts.addr)
	c.send("GET /health HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-F: v\r\n", 9) + "\r\n")
	if resp, _ := c.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("fields at limit: %d", resp.StatusCode)
	}
	c.send("GET /health HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-F: v\r\n", 10) + "\r\n")
	if resp, _ := c.read("GET"); resp.StatusCode != 431 {
		t.Fatalf("fields over limit: %d", resp.StatusCode)
	}
}

func TestHeaderTimeoutStopsSlowloris(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.Engine.HeaderTimeout = 300 * time.Millisecond })
	c := dialRaw(t, ts.addr)
	start := time.Now()
	c.send("GET /health HTTP/1.1\r\nHost: x\r\n")
	// Keep trickling: a trickle must not extend the deadline.
	go func() {
		for i := 0; i < 20; i++ {
			time.Sleep(50 * time.Millisecond)
			if _, err := c.Write([]byte("X")); err != nil {
				return
			}
		}
	}()
	resp, _ := c.read("GET")
	if resp.StatusCode != 408 {
		t.Fatalf("slowloris got %d, want 408", resp.StatusCode)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("408 after %v", d)
	}
	c.expectClosed(2 * time.Second)
}

func TestIdleTimeoutClosesKeepAlive(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.Engine.IdleTimeout = time.Second })
	c := dialRaw(t, ts.addr)
	c.send(get("/health"))
	c.read("GET")
	start := time.Now()
	c.expectClosed(3 * time.Second)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("closed after %v, before the idle timeout", d)
	}
	testutil.Eventually(t, 5*time.Second, "idle timeout metric", func() bool {
		return ts.metric(t, `pqloop_connection_timeouts_total{kind="idle"}`) >= 1
	})
}

func TestConnectionLimits(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.Engine.MaxConnsPerIP = 2 })
	a, b := dialRaw(t, ts.addr), dialRaw(t, ts.addr)
	a.send(get("/health"))
	a.read("GET")
	b.send(get("/health"))
	b.read("GET")
	c := dialRaw(t, ts.addr)
	c.expectClosed(2 * time.Second)
	if n := ts.metric(t, `pqloop_connections_refused_total{reason="max_conns_per_ip"}`); n != 1 {
		t.Fatalf("refused metric = %v", n)
	}
	a.Close()
	testutil.Eventually(t, 5*time.Second, "slot freed", func() bool { return ts.eng.OpenConns() < 2 })
	d := dialRaw(t, ts.addr)
	d.send(get("/health"))
	if resp, _ := d.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("after a slot freed: %d", resp.StatusCode)
	}
}

func TestOffloadPoolFullAnswers503(t *testing.T) {
	ts := startServer(t, func(c *config.Config) {
		c.Engine.OffloadWorkers = 1
		c.Engine.OffloadQueue = 1
	})
	// One job running, one queued: the pool is full.
	busy := []*rawConn{dialRaw(t, ts.addr), dialRaw(t, ts.addr)}
	for _, c := range busy {
		c.send(get("/block"))
	}
	testutil.Eventually(t, 5*time.Second, "pool full", func() bool { p := ts.eng.Pool(); return p.Active.Load() == 1 && p.Queued() == 1 })
	c := dialRaw(t, ts.addr)
	c.send(get("/block"))
	resp, _ := c.read("GET")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("full pool: %d retry-after=%q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	close(ts.release)
	for _, c := range busy {
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "released" {
			t.Fatalf("blocked request: %d %q", resp.StatusCode, body)
		}
	}
}

func TestPanicCostsOnlyItsRequest(t *testing.T) {
	ts := startServer(t, nil)
	other := dialRaw(t, ts.addr)
	for _, path := range []string{"/panic", "/panic-offloaded"} {
		c := dialRaw(t, ts.addr)
		c.send(get(path))
		if resp, _ := c.read("GET"); resp.StatusCode != 500 {
			t.Fatalf("%s: %d, want 500", path, resp.StatusCode)
		}
		// The same connection keeps working.
		c.send(get("/health"))
		if resp, _ := c.read("GET"); resp.StatusCode != 200 {
			t.Fatalf("after %s: %d", path, resp.StatusCode)
		}
	}
	other.send(get("/health"))
	if resp, _ := other.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("another connection: %d", resp.StatusCode)
	}
	if !strings.Contains(ts.logs.String(), "handler panicked") || !strings.Contains(ts.logs.String(), "goroutine") {
		t.Fatal("panic not logged with its stack")
	}
	if n := ts.metric(t, "pqloop_http_handler_panics_total"); n != 2 {
		t.Fatalf("panics metric = %v", n)
	}
}

func TestServerSentEventsStream(t *testing.T) {
	ts := startServer(t, nil)
	resp, err := http.Get(ts.url("/events?100"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("stream not chunked: %v", resp.TransferEncoding)
	}
	b, _ := io.ReadAll(resp.Body)
	if n := strings.Count(string(b), "data: "); n != 100 || !strings.HasSuffix(string(b), "data: 99\n\n") {
		t.Fatalf("got %d events, tail %q", n, string(b[max(0, len(b)-20):]))
	}
}
