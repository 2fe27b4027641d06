package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
	"github.com/pqloop/pqloop/server/config"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// TestDrainUnderLoad drains while requests are in flight and others keep
// arriving: every request the server took must be answered in full.
func TestDrainUnderLoad(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.Engine.DrainTimeout = 10 * time.Second })

	// In flight when the drain starts: offloaded requests that take 300ms.
	const slow = 16
	var wg sync.WaitGroup
	slowErrs := make(chan error, slow)
	for range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dialRaw(t, ts.addr)
			c.send(get("/slow?300ms"))
			resp, err := http.ReadResponse(c.r, nil)
			if err != nil {
				slowErrs <- err
				return
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != 200 || string(b) != "slept" || !resp.Close {
				slowErrs <- errors.New("in-flight request failed: " + resp.Status + " " + string(b))
			}
		}()
	}
	// Background load on keep-alive connections until the server turns
	// them away.
	var stop atomic.Bool
	var served, broken atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for !stop.Load() {
				resp, err := client.Get(ts.url("/health"))
				if err != nil {
					return // refused or closed: the drain has begun
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || string(b) != `{"status":"ok"}` {
					broken.Add(1)
					return
				}
				served.Add(1)
			}
		}()
	}
	testutil.Eventually(t, 5*time.Second, "slow requests in flight", func() bool { return ts.eng.Pool().Active.Load() >= 8 })

	drained := make(chan error, 1)
	go func() { drained <- ts.Drain() }()
	testutil.Eventually(t, 5*time.Second, "readiness to drop", func() bool {
		resp, err := http.Get(ts.adminURL("/ready"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 503
	})
	select {
	case err := <-drained:
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("drain did not finish")
	}
	stop.Store(true)
	wg.Wait()
	close(slowErrs)
	for err := range slowErrs {
		t.Error(err)
	}
	if broken.Load() > 0 {
		t.Fatalf("%d background responses were broken", broken.Load())
	}
	if served.Load() == 0 {
		t.Fatal("background load never got through")
	}
	t.Logf("background requests served during the test: %d", served.Load())
}

func TestMetricsPassPromlint(t *testing.T) {
	ts := startServer(t, nil)
	for _, p := range []string{"/health", "/nope"} {
		resp, err := http.Get(ts.url(p))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(ts.adminURL("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	problems, err := promlint.New(resp.Body).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	for _, name := range []string{
		`pqloop_http_requests_total{code="200",method="GET",route="/health"}`,
		`pqloop_connections_accepted_total`,
		`pqloop_loop_busy_ratio{loop="0"}`,
	} {
		if ts.metric(t, name) == 0 && name != `pqloop_loop_busy_ratio{loop="0"}` {
			t.Errorf("metric %s missing or zero", name)
		}
	}
}

func TestAdminEndpoints(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.Server.AdminToken = "0123456789abcdef-token" })
	for path, want := range map[string]int{"/health": 200, "/ready": 200, "/metrics": 401, "/config": 401, "/debug/pprof/": 401} {
		resp, err := http.Get(ts.adminURL(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s without token: %d, want %d", path, resp.StatusCode, want)
		}
	}
	req, _ := http.NewRequest("GET", ts.adminURL("/config"), nil)
	req.Header.Set("Authorization", "Bearer 0123456789abcdef-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !json(b) {
		t.Fatalf("/config: %d %s", resp.StatusCode, b)
	}
	if containsBytes(b, "0123456789abcdef-token") {
		t.Fatal("/config shows the admin token")
	}
}

func json(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 1 && b[0] == '{' && b[len(b)-1] == '}'
}

func containsBytes(b []byte, s string) bool {
	return len(s) > 0 && len(b) >= len(s) && indexOf(string(b), s) >= 0
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestDrainServesRequestOnIdleConnection: a request that reaches an idle
// keep-alive connection just after a drain began is answered (and told to
// close), not met with a closed socket.
func TestDrainServesRequestOnIdleConnection(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	c.send(get("/health"))
	if resp, _ := c.read("GET"); resp.Close {
		t.Fatal("closed before the drain")
	}
	drained := make(chan error, 1)
	go func() { drained <- ts.Drain() }()
	testutil.Eventually(t, 5*time.Second, "the drain to begin", func() bool { return ts.eng.Draining() })
	c.send(get("/health"))
	resp, body := c.read("GET")
	if resp.StatusCode != 200 || body != `{"status":"ok"}` || !resp.Close {
		t.Fatalf("request during the drain grace: %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	c.expectClosed(2 * time.Second)
	if err := <-drained; err != nil {
		t.Fatal(err)
	}
}

// TestDurationHistogramIsCumulative: every bucket holds the requests at
// or under its bound, so the last bucket holds them all.
func TestDurationHistogramIsCumulative(t *testing.T) {
	ts := startServer(t, nil)
	for range 5 {
		resp, err := http.Get(ts.url("/health"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	name := `pqloop_http_request_duration_seconds`
	count := ts.metric(t, name+`_count{route="/health"}`)
	last := ts.metric(t, name+`_bucket{route="/health",le="10"}`)
	first := ts.metric(t, name+`_bucket{route="/health",le="0.0001"}`)
	if count != 5 || last != 5 || first > last {
		t.Fatalf("count %v, le=10 %v, le=0.0001 %v", count, last, first)
	}
}
