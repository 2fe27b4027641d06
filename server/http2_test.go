package server

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}, Timeout: 10 * time.Second}
}

func TestHTTP2PriorKnowledgeGoClient(t *testing.T) {
	ts := startServer(t, nil)
	client := h2cClient()
	var wg sync.WaitGroup
	errs := make(chan string, 300)
	for i := range 300 { // many concurrent streams on the client's connection
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, want := "/health", `{"status":"ok"}`
			var body io.Reader
			method := "GET"
			switch i % 3 {
			case 1:
				method, path, want, body = "POST", "/echo", "stream body", strings.NewReader("stream body")
			case 2:
				path, want = "/slow?2ms", "slept"
			}
			req, _ := http.NewRequest(method, ts.url(path), body)
			resp, err := client.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.ProtoMajor != 2 || resp.StatusCode != 200 || string(b) != want {
				errs <- resp.Proto + " " + resp.Status + " " + string(b)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestHTTP2StreamAndPanic(t *testing.T) {
	ts := startServer(t, nil)
	client := h2cClient()
	resp, err := client.Get(ts.url("/events?50"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || strings.Count(string(b), "data: ") != 50 {
		t.Fatalf("h2 stream: %s, %d events", resp.Proto, strings.Count(string(b), "data: "))
	}
	resp, err = client.Get(ts.url("/panic"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("h2 panic: %d", resp.StatusCode)
	}
}

// requireTool finds a command-line client; make test installs them, so in
// CI a missing one is a failure, not a skip.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed (make tools installs it)", name)
		}
		t.Skipf("%s not installed; make tools installs it", name)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, requireTool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestRealClients(t *testing.T) {
	ts := startServer(t, nil)
	t.Run("curl http1.1", func(t *testing.T) {
		if out := run(t, "curl", "-sS", "--http1.1", "-w", " %{http_version}", ts.url("/health")); out != `{"status":"ok"} 1.1` {
			t.Fatal(out)
		}
	})
	t.Run("curl prior knowledge", func(t *testing.T) {
		if out := run(t, "curl", "-sS", "--http2-prior-knowledge", "-w", " %{http_version}", ts.url("/health")); out != `{"status":"ok"} 2` {
			t.Fatal(out)
		}
	})
	t.Run("curl upgrade h2c", func(t *testing.T) {
		out := run(t, "curl", "-sS", "--http2", "-w", " %{http_version}", ts.url("/health"))
		if out != `{"status":"ok"} 2` {
			t.Fatal(out)
		}
		out = run(t, "curl", "-sS", "--http2", "--data-binary", "upgraded body", "-w", " %{http_version}", ts.url("/echo"))
		if out != `upgraded body 2` {
			t.Fatal(out)
		}
	})
	t.Run("nghttp", func(t *testing.T) {
		out := run(t, "nghttp", "-n", "-s", ts.url("/health"), ts.url("/ready"), ts.url("/nope"))
		if !strings.Contains(out, "/health") || !strings.Contains(out, "/nope") {
			t.Fatal(out)
		}
		if out := run(t, "nghttp", ts.url("/health")); out != `{"status":"ok"}` {
			t.Fatal(out)
		}
	})
	t.Run("h2load", func(t *testing.T) {
		out := run(t, "h2load", "-c4", "-m8", "-n2000", ts.url("/health"))
		if !strings.Contains(out, "2000 succeeded, 0 failed") {
			t.Fatal(out)
		}
		out = run(t, "h2load", "--h1", "-c4", "-m8", "-n2000", ts.url("/health"))
		if !strings.Contains(out, "2000 succeeded, 0 failed") {
			t.Fatal(out)
		}
	})
	t.Run("wrk", func(t *testing.T) {
		out := run(t, "wrk", "-t1", "-c8", "-d1s", ts.url("/health"))
		if !strings.Contains(out, "Requests/sec") || strings.Contains(out, "Non-2xx") || strings.Contains(out, "Socket errors") {
			t.Fatal(out)
		}
	})
}
