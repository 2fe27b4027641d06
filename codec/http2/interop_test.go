package http2

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Real clients against the harness over loopback.

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install -y nghttp2-client curl)", name)
	}
	return p
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, needTool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%.2000s", name, err, out)
	}
	return string(out)
}

func TestCurlPriorKnowledge(t *testing.T) {
	srv := startServer(t, DefaultConfig())
	out := runTool(t, "curl", "-sS", "--http2-prior-knowledge", "-w", "|%{http_version}|%{http_code}", "http://"+srv.addr+"/health")
	if out != string(helloBody)+"|2|200" {
		t.Fatalf("curl GET: %q", out)
	}
	body := strings.Repeat("x", 200<<10) // beyond the default stream window both ways
	file := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out = runTool(t, "curl", "-sS", "--http2-prior-knowledge", "--data-binary", "@"+file, "http://"+srv.addr+"/echo")
	if out != body {
		t.Fatalf("curl POST echo: got %d bytes, want %d", len(out), len(body))
	}
}

func TestNghttp(t *testing.T) {
	srv := startServer(t, DefaultConfig())
	out := runTool(t, "nghttp", "-n", "-s", "-m", "20", "http://"+srv.addr+"/")
	if n := len(regexp.MustCompile(`(?m)\s200\s+10 /$`).FindAllString(out, -1)); n != 20 {
		t.Fatalf("nghttp -m 20: %d responses of 200 with 10 bytes, want 20\n%s", n, out)
	}
}

// TestH2CUpgrade has curl and nghttp start in HTTP/1.1 and upgrade (RFC
// 7540 §3.2): the request rides over as stream 1.
func TestH2CUpgrade(t *testing.T) {
	srv := startServer(t, DefaultConfig())
	out := runTool(t, "curl", "-sS", "--http2", "-w", "|%{http_version}|%{http_code}", "http://"+srv.addr+"/health")
	if out != string(helloBody)+"|2|200" {
		t.Fatalf("curl --http2 upgrade: %q", out)
	}
	out = runTool(t, "nghttp", "-u", "-v", "http://"+srv.addr+"/")
	if !strings.Contains(out, "HTTP Upgrade success") || !strings.Contains(out, ":status: 200") {
		t.Fatalf("nghttp -u:\n%s", out)
	}
}

func TestH2load(t *testing.T) {
	srv := startServer(t, DefaultConfig())
	out := runTool(t, "h2load", "-c4", "-m16", "-n20000", "http://"+srv.addr+"/")
	m := regexp.MustCompile(`requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored`).FindStringSubmatch(out)
	if m == nil || m[4] != "20000" || m[5] != "0" || m[6] != "0" {
		t.Fatalf("h2load:\n%s", out)
	}
	t.Log(regexp.MustCompile(`finished in .*`).FindString(out))
}

func TestGoClient(t *testing.T) {
	srv := startServer(t, DefaultConfig())
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: &http.Transport{Protocols: &protos}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	resp, err := client.Get("http://" + srv.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 || !bytes.Equal(got, helloBody) {
		t.Fatalf("GET: proto %d status %d body %q", resp.ProtoMajor, resp.StatusCode, got)
	}

	// Concurrent POSTs on one connection, bodies larger than a window.
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		go func(i int) {
			body := bytes.Repeat([]byte{byte('a' + i)}, 100<<10+i)
			resp, err := client.Post("http://"+srv.addr+"/echo", "application/octet-stream", bytes.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err == nil && !bytes.Equal(got, body) {
				err = fmt.Errorf("echo %d: got %d bytes, want %d", i, len(got), len(body))
			}
			errs <- err
		}(i)
	}
	for i := 0; i < 16; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	resp, err = client.Get("http://" + srv.addr + "/missing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("GET /missing: %d", resp.StatusCode)
	}
}
