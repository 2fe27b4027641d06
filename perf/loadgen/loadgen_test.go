package loadgen

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/header"
)

// countingServer is a real net/http server on a loopback socket speaking
// HTTP/1.1 and cleartext HTTP/2, counting the requests it answered.
type countingServer struct {
	*httptest.Server
	served   atomic.Int64
	lastBody atomic.Value // string
	lastHdr  atomic.Value // string
}

func newCountingServer(t *testing.T, configure ...func(*http.Server)) *countingServer {
	cs := &countingServer{}
	cs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cs.lastBody.Store(string(body))
		cs.lastHdr.Store(r.Header.Get("X-Bench"))
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		case "/chunked":
			w.Write([]byte("part one, "))
			w.(http.Flusher).Flush()
			w.Write([]byte("part two"))
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		default:
			w.Write([]byte("Hello, world!"))
		}
		cs.served.Add(1)
	}))
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	cs.Config.Protocols = &p
	for _, c := range configure {
		c(cs.Config)
	}
	cs.Start()
	t.Cleanup(cs.Close)
	return cs
}

func (cs *countingServer) config(t *testing.T, proto Protocol, path string) Config {
	u, err := url.Parse(cs.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return Config{Protocol: proto, URL: u, Connections: 4, Depth: 4}
}

func TestRunCountsEveryResponse(t *testing.T) {
	for _, proto := range []Protocol{HTTP1, H2C} {
		t.Run(string(proto), func(t *testing.T) {
			cs := newCountingServer(t)
			cfg := cs.config(t, proto, "/health")
			cfg.Requests = 2000
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != 2000 || res.Status["200"] != 2000 || res.Errors != 0 || res.Timeouts != 0 {
				t.Fatalf("got %+v", res)
			}
			if got := cs.served.Load(); got != 2000 {
				t.Fatalf("server answered %d requests, want 2000", got)
			}
			if res.RPS <= 0 || res.P50Ms <= 0 || res.MaxMs < res.P99Ms || res.BytesPerSec <= 0 {
				t.Fatalf("implausible figures: %+v", res)
			}
		})
	}
}

func TestRunSendsMethodHeadersAndBody(t *testing.T) {
	for _, proto := range []Protocol{HTTP1, H2C} {
		t.Run(string(proto), func(t *testing.T) {
			cs := newCountingServer(t)
			cfg := cs.config(t, proto, "/mcp")
			cfg.Requests = 50
			cfg.Method = "POST"
			cfg.Header = header.List{{Name: []byte("X-Bench"), Value: []byte("yes")}}
			cfg.Body = []byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status["200"] != 50 {
				t.Fatalf("got %+v", res)
			}
			if b := cs.lastBody.Load(); b != string(cfg.Body) {
				t.Fatalf("server saw body %q", b)
			}
			if h := cs.lastHdr.Load(); h != "yes" {
				t.Fatalf("server saw X-Bench %q", h)
			}
		})
	}
}

func TestRunCountsStatusesAndChunkedBodies(t *testing.T) {
	for _, proto := range []Protocol{HTTP1, H2C} {
		t.Run(string(proto), func(t *testing.T) {
			cs := newCountingServer(t)
			cfg := cs.config(t, proto, "/missing")
			cfg.Requests = 100
			res, err := Run(context.Background(), cfg)
			if err != nil || res.Status["404"] != 100 || res.Non2xx != 100 {
				t.Fatalf("got %+v, %v", res, err)
			}
			cfg = cs.config(t, proto, "/chunked")
			cfg.Requests = 100
			res, err = Run(context.Background(), cfg)
			if err != nil || res.Status["200"] != 100 || res.Errors != 0 {
				t.Fatalf("got %+v, %v", res, err)
			}
		})
	}
}

func TestRunPipelinesHTTP1(t *testing.T) {
	cs := newCountingServer(t)
	cfg := cs.config(t, HTTP1, "/health")
	cfg.Connections, cfg.Depth, cfg.Requests = 2, 16, 1000
	res, err := Run(context.Background(), cfg)
	if err != nil || res.Status["200"] != 1000 || res.Errors != 0 {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestRunReconnectOpensAConnectionPerRequest(t *testing.T) {
	for _, proto := range []Protocol{HTTP1, H2C} {
		t.Run(string(proto), func(t *testing.T) {
			var opened atomic.Int64
			cs := newCountingServer(t, func(s *http.Server) {
				s.ConnState = func(_ net.Conn, s http.ConnState) {
					if s == http.StateNew {
						opened.Add(1)
					}
				}
			})
			cfg := cs.config(t, proto, "/health")
			cfg.Reconnect, cfg.Requests = true, 40
			res, err := Run(context.Background(), cfg)
			if err != nil || res.Status["200"] != 40 {
				t.Fatalf("got %+v, %v", res, err)
			}
			// 40 measured requests plus Run's reachability probe.
			if got := opened.Load(); got != 41 {
				t.Fatalf("server saw %d connections, want 41", got)
			}
		})
	}
}

func TestRunOpenLoopHoldsTheRate(t *testing.T) {
	cs := newCountingServer(t)
	cfg := cs.config(t, HTTP1, "/health")
	cfg.Rate, cfg.Duration = 2000, time.Second
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.RPS < 1600 || res.RPS > 2050 { // never above the rate; the low bound leaves room for a busy CI machine
		t.Fatalf("open loop at 2000/s achieved %.0f/s", res.RPS)
	}
}

func TestRunOpenLoopChargesQueueingToLatency(t *testing.T) {
	// One connection, one request in flight, a server taking 300 ms and an
	// intended 20 requests/s: requests queue behind each other, and
	// latency measured from the intended send time must show it.
	cs := newCountingServer(t)
	cfg := cs.config(t, HTTP1, "/slow")
	cfg.Connections, cfg.Depth, cfg.Rate, cfg.Duration = 1, 1, 20, 1500*time.Millisecond
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxMs < 600 {
		t.Fatalf("max latency %.0f ms: queueing behind a 300 ms server was not charged", res.MaxMs)
	}
}

func TestRunCountsTimeouts(t *testing.T) {
	cs := newCountingServer(t)
	cfg := cs.config(t, HTTP1, "/slow")
	cfg.Connections, cfg.Depth, cfg.Duration, cfg.Timeout = 1, 1, 500*time.Millisecond, 50*time.Millisecond
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Timeouts == 0 || res.Status["200"] != 0 {
		t.Fatalf("got %+v, want timeouts and no answers", res)
	}
}

func TestRunFailsFastWhenNothingListens(t *testing.T) {
	cs := newCountingServer(t)
	cfg := cs.config(t, HTTP1, "/")
	cfg.Duration = time.Second
	cs.Close()
	if _, err := Run(context.Background(), cfg); err == nil {
		t.Fatal("Run against a closed port succeeded")
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	cs := newCountingServer(t)
	cfg := cs.config(t, H2C, "/health")
	cfg.Duration = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second || res.Requests == 0 {
		t.Fatalf("cancel took %v, %d requests", time.Since(start), res.Requests)
	}
}

func TestConfigRejectsBadInput(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1/")
	for name, cfg := range map[string]Config{
		"no bound":             {URL: u, Connections: 1},
		"no connections":       {URL: u, Requests: 1},
		"https":                {URL: &url.URL{Scheme: "https", Host: "x:1"}, Connections: 1, Requests: 1},
		"bad method":           {URL: u, Connections: 1, Requests: 1, Method: "GE T"},
		"header with CR":       {URL: u, Connections: 1, Requests: 1, Header: header.List{{Name: []byte("X"), Value: []byte("a\rb")}}},
		"host header":          {URL: u, Connections: 1, Requests: 1, Header: header.List{{Name: []byte("Host"), Value: []byte("x")}}},
		"h2 connection header": {Protocol: H2C, URL: u, Connections: 1, Requests: 1, Header: header.List{{Name: []byte("Connection"), Value: []byte("close")}}},
		"unknown protocol":     {Protocol: "h3", URL: u, Connections: 1, Requests: 1},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseHeader("no colon"); err == nil {
		t.Error("ParseHeader accepted a header without a colon")
	}
	if f, err := ParseHeader("  X-A :  b c "); err != nil || string(f.Name) != "X-A" || string(f.Value) != "b c" {
		t.Errorf("ParseHeader: %q %q %v", f.Name, f.Value, err)
	}
}
