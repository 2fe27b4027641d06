package mcp

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pqloop/pqloop/httpx"
)

// newTestServer serves s through httpx.NetHTTP on a real loopback socket.
func newTestServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s := New(opts)
	var rt httpx.Router
	s.Register(&rt)
	hs := httptest.NewServer(httpx.NetHTTP(rt.Handler(), 1<<30))
	t.Cleanup(func() { hs.Close(); s.Close() })
	return s, hs
}

// rpc posts body to url with the usual MCP headers plus extra.
func rpc(t *testing.T, url, body string, extra ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			req.Header.Del(extra[i])
			continue
		}
		req.Header.Set(extra[i], extra[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// initSession runs the handshake and returns the session id.
func initSession(t *testing.T, url, rev string) string {
	t.Helper()
	resp := rpc(t, url, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"`+rev+`","capabilities":{"sampling":{},"elicitation":{}},"clientInfo":{"name":"t","version":"1"}}}`)
	body := readAll(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("initialize: %d %s", resp.StatusCode, body)
	}
	sid := resp.Header.Get("Mcp-Session-Id")
	if sid == "" {
		t.Fatalf("initialize: no session id: %s", body)
	}
	resp = rpc(t, url, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, "Mcp-Session-Id", sid, "MCP-Protocol-Version", rev)
	if readAll(t, resp); resp.StatusCode != 202 {
		t.Fatalf("initialized: %d", resp.StatusCode)
	}
	return sid
}

// sseEvents reads SSE events (their data lines) until the stream ends.
func sseEvents(t *testing.T, r io.Reader) (ids, data []string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var id, d string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			d = line[6:]
		case line == "":
			if id != "" || d != "" {
				ids, data = append(ids, id), append(data, d)
			}
			id, d = "", ""
		}
	}
	return ids, data
}
