package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/internal/testutil"
	"github.com/pqloop/pqloop/server/config"
)

// testServer is a real server on loopback with test routes added.
type testServer struct {
	*Server
	addr    string
	release chan struct{} // closes to let /block handlers finish
	logs    *testutil.SyncBuffer
}

func startServer(t testing.TB, tweak func(*config.Config)) *testServer {
	t.Helper()
	cfg := config.Default()
	cfg.Server.Listen = testutil.FreeAddr(t)
	cfg.Server.Admin = testutil.FreeAddr(t)
	cfg.Engine.Loops = 2
	cfg.MCP.Enabled = false
	if tweak != nil {
		tweak(&cfg)
	}
	ts := &testServer{addr: cfg.Server.Listen, release: make(chan struct{}), logs: &testutil.SyncBuffer{}}
	srv, err := New(cfg, Options{LogOutput: ts.logs, Extend: ts.routes})
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = srv
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-ts.release:
		default:
			close(ts.release)
		}
		srv.Stop()
	})
	return ts
}

// extraRoutes are added by other test files.
var extraRoutes []func(*httpx.Router)

// routes are the test handlers: echo, offloaded sleep, block-until-released,
// panic, and a server-sent event stream.
func (ts *testServer) routes(rt *httpx.Router) {
	for _, add := range extraRoutes {
		add(rt)
	}
	rt.Handle("POST", "/echo", httpx.Inline, func(w *httpx.Response, r *httpx.Request) {
		w.SetHeader("content-type", "application/octet-stream")
		w.Write(r.Body)
	})
	rt.Handle("GET", "/slow", httpx.Offload, func(w *httpx.Response, r *httpx.Request) {
		d, _ := time.ParseDuration(string(r.Query))
		time.Sleep(d)
		w.Text(200, "slept")
	})
	rt.Handle("GET", "/block", httpx.Offload, func(w *httpx.Response, r *httpx.Request) {
		<-ts.release
		w.Text(200, "released")
	})
	rt.Handle("GET", "/panic", httpx.Inline, func(w *httpx.Response, r *httpx.Request) {
		panic("handler bug")
	})
	rt.Handle("GET", "/panic-offloaded", httpx.Offload, func(w *httpx.Response, r *httpx.Request) {
		panic("offloaded handler bug")
	})
	rt.Handle("GET", "/events", httpx.Inline, func(w *httpx.Response, r *httpx.Request) {
		n, _ := strconv.Atoi(string(r.Query))
		w.SetHeader("content-type", "text/event-stream")
		s := w.Stream()
		go func() {
			for i := range n {
				if s.Write([]byte("data: "+strconv.Itoa(i)+"\n\n")) != nil {
					return
				}
			}
			s.Close()
		}()
	})
}

// rawConn is a raw TCP client that reads HTTP/1.1 responses.
type rawConn struct {
	t testing.TB
	net.Conn
	r *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	c := testutil.Dial(t, addr, 20*time.Second)
	return &rawConn{t: t, Conn: c, r: bufio.NewReader(c)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.Conn, s); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one response with net/http's parser.
func (c *rawConn) read(method string) (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading body: %v", err)
	}
	resp.Body.Close()
	return resp, string(b)
}

// expectClosed asserts the server closes the connection without sending
// anything more.
func (c *rawConn) expectClosed(within time.Duration) {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	b, err := c.r.ReadByte()
	if err == nil {
		rest, _ := c.r.Peek(c.r.Buffered())
		c.t.Fatalf("expected close, got %q", string(b)+string(rest))
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		c.t.Fatalf("connection still open after %v", within)
	}
}

func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n"
}

func (ts *testServer) url(path string) string { return "http://" + ts.addr + path }

func (ts *testServer) adminURL(path string) string { return "http://" + ts.AdminAddr() + path }

// metric returns the value of the sample whose line starts with prefix.
func (ts *testServer) metric(t testing.TB, prefix string) float64 {
	t.Helper()
	resp, err := http.Get(ts.adminURL("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, prefix)), 64)
			return v
		}
	}
	return 0
}
