package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Every peer, on a real loopback socket, answers /health and the MCP echo
// call the benchmarks send.
func TestPeersAnswerHealthAndEcho(t *testing.T) {
	for _, kind := range []string{"nethttp", "fasthttp", "gosdk", "mcpgo"} {
		t.Run(kind, func(t *testing.T) {
			url := startPeer(t, kind)
			resp, err := http.Get(url + "/health")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "Hello, world!" {
				t.Fatalf("/health: %d %q", resp.StatusCode, body)
			}

			call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello world"}}}`
			req, _ := http.NewRequest("POST", url+"/mcp", strings.NewReader(call))
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("MCP-Protocol-Version", "2025-11-25")
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"text":"hello world"`) {
				t.Fatalf("/mcp: %d %s", resp.StatusCode, body)
			}
		})
	}
}

func startPeer(t *testing.T, kind string) string {
	if kind == "fasthttp" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := newFastHTTPServer()
		go s.Serve(ln)
		t.Cleanup(func() { s.Shutdown() })
		return "http://" + ln.Addr().String()
	}
	h, err := newHandler(kind)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestUnknownKind(t *testing.T) {
	if _, err := newHandler("apache"); err == nil {
		t.Fatal("unknown kind accepted")
	}
}
