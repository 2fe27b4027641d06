package mcp

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

// errorCode extracts the JSON-RPC error code of a reply body, or 0.
func errorCode(t *testing.T, body string) int {
	t.Helper()
	var v struct {
		Error *struct{ Code int } `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("reply is not JSON: %q", body)
	}
	if v.Error == nil {
		return 0
	}
	return v.Error.Code
}

// TestGuards covers every refusal the endpoint makes before dispatch, each
// with the status the transport specification asks for.
func TestGuards(t *testing.T) {
	_, hs := newTestServer(t, Options{MaxBody: 256})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	ping := `{"jsonrpc":"2.0","id":9,"method":"ping"}`
	pad := func(n int) string { // a ping of exactly n bytes
		return `{"jsonrpc":"2.0","id":9,"method":"ping","params":{"_meta":{"x":"` + strings.Repeat("a", n-len(ping)-len(`,"params":{"_meta":{"x":""}}`)) + `"}}}`
	}
	cases := []struct {
		name   string
		body   string
		hdr    []string
		status int
		code   int
	}{
		{"ok", ping, []string{"Mcp-Session-Id", sid}, 200, 0},
		{"foreign origin", ping, []string{"Mcp-Session-Id", sid, "Origin", "http://evil.example.com"}, 403, -32600},
		{"null origin", ping, []string{"Mcp-Session-Id", sid, "Origin", "null"}, 403, -32600},
		{"loopback origin", ping, []string{"Mcp-Session-Id", sid, "Origin", "http://localhost:1234"}, 200, 0},
		{"loopback v6 origin", ping, []string{"Mcp-Session-Id", sid, "Origin", "http://[::1]:80"}, 200, 0},
		{"lookalike origin", ping, []string{"Mcp-Session-Id", sid, "Origin", "http://localhost.evil.com"}, 403, -32600},
		{"accept json only", ping, []string{"Mcp-Session-Id", sid, "Accept", "application/json"}, 406, -32600},
		{"accept sse only", ping, []string{"Mcp-Session-Id", sid, "Accept", "text/event-stream"}, 406, -32600},
		{"accept wildcard", ping, []string{"Mcp-Session-Id", sid, "Accept", "*/*"}, 200, 0},
		{"no accept", ping, []string{"Mcp-Session-Id", sid, "Accept", ""}, 406, -32600},
		{"text content", ping, []string{"Mcp-Session-Id", sid, "Content-Type", "text/plain"}, 415, -32600},
		{"json charset", ping, []string{"Mcp-Session-Id", sid, "Content-Type", "application/json; charset=utf-8"}, 200, 0},
		{"body at limit", pad(256), []string{"Mcp-Session-Id", sid}, 200, 0},
		{"body over limit", pad(257), []string{"Mcp-Session-Id", sid}, 413, -32600},
		{"bad version", ping, []string{"Mcp-Session-Id", sid, "MCP-Protocol-Version", "2024-01-01"}, 400, CodeUnsupportedProtocolVersion},
		{"old version", ping, []string{"Mcp-Session-Id", sid, "MCP-Protocol-Version", "2024-11-05"}, 400, CodeUnsupportedProtocolVersion},
		{"no session", ping, nil, 400, -32600},
		{"unknown session", ping, []string{"Mcp-Session-Id", "00112233445566778899aabbccddeeff"}, 404, -32600},
		{"parse error", `{"jsonrpc":`, []string{"Mcp-Session-Id", sid}, 400, -32700},
		{"not a request", `{"jsonrpc":"2.0","id":{},"method":"ping"}`, []string{"Mcp-Session-Id", sid}, 400, -32600},
		{"wrong member type", `{"jsonrpc":"2.0","id":1,"method":7}`, []string{"Mcp-Session-Id", sid}, 400, -32600},
		{"batch in 2025-11-25", `[` + ping + `]`, []string{"Mcp-Session-Id", sid}, 400, -32600},
		{"unknown method", `{"jsonrpc":"2.0","id":9,"method":"nope/nope"}`, []string{"Mcp-Session-Id", sid}, 200, -32601},
		{"bad params", `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":5}}`, []string{"Mcp-Session-Id", sid}, 400, -32602},
		{"unknown tool", `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"nope"}}`, []string{"Mcp-Session-Id", sid}, 200, -32602},
		{"bad cursor", `{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"cursor":"zz"}}`, []string{"Mcp-Session-Id", sid}, 200, -32602},
		{"unknown resource", `{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"x://none"}}`, []string{"Mcp-Session-Id", sid}, 200, CodeResourceNotFound},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}`, []string{"Mcp-Session-Id", sid}, 202, 0},
		{"response", `{"jsonrpc":"2.0","id":"s99","result":{}}`, []string{"Mcp-Session-Id", sid}, 202, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := rpc(t, url, c.body, c.hdr...)
			body := readAll(t, resp)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if resp.StatusCode == 202 {
				if body != "" {
					t.Fatalf("202 with a body: %q", body)
				}
				return
			}
			if got := errorCode(t, body); got != c.code {
				t.Fatalf("error code %d, want %d: %s", got, c.code, body)
			}
		})
	}
}

func TestAllowedOrigins(t *testing.T) {
	_, hs := newTestServer(t, Options{Stateless: true, AllowedOrigins: []string{"https://app.example"}})
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	for origin, want := range map[string]int{"https://app.example": 200, "http://127.0.0.1:9": 200, "https://other.example": 403} {
		resp := rpc(t, hs.URL+"/mcp", ping, "Origin", origin)
		if readAll(t, resp); resp.StatusCode != want {
			t.Errorf("origin %s: %d, want %d", origin, resp.StatusCode, want)
		}
	}
}

// TestSetAllowedOrigins: a reload's new allow-list applies to the next
// request.
func TestSetAllowedOrigins(t *testing.T) {
	s, hs := newTestServer(t, Options{Stateless: true})
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	status := func() int {
		resp := rpc(t, hs.URL+"/mcp", ping, "Origin", "https://app.example")
		readAll(t, resp)
		return resp.StatusCode
	}
	if got := status(); got != 403 {
		t.Fatalf("before: %d, want 403", got)
	}
	s.SetAllowedOrigins([]string{"https://app.example"})
	if got := status(); got != 200 {
		t.Fatalf("after allowing: %d, want 200", got)
	}
	s.SetAllowedOrigins(nil)
	if got := status(); got != 403 {
		t.Fatalf("after removing: %d, want 403", got)
	}
}

func TestSessionLifecycle(t *testing.T) {
	s, hs := newTestServer(t, Options{MaxSessions: 2})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-06-18")
	if len(sid) != 2*sessionIDBytes {
		t.Fatalf("session id %q is not %d hex digits", sid, 2*sessionIDBytes)
	}
	if s.Stats().SessionsOpen.Load() != 1 {
		t.Fatalf("sessions open %d", s.Stats().SessionsOpen.Load())
	}
	other := initSession(t, url, "2025-06-18")
	if other == sid {
		t.Fatal("two sessions share an id")
	}
	// the limit: a third is refused
	resp := rpc(t, url, initBody)
	if body := readAll(t, resp); resp.StatusCode != 503 {
		t.Fatalf("third session: %d %s", resp.StatusCode, body)
	}
	// DELETE ends it; the id is then unknown
	del, _ := http.NewRequest("DELETE", url, nil)
	del.Header.Set("Mcp-Session-Id", sid)
	dresp, err := http.DefaultClient.Do(del)
	if err != nil {
		t.Fatal(err)
	}
	dresp.Body.Close()
	if dresp.StatusCode != 204 {
		t.Fatalf("DELETE: %d", dresp.StatusCode)
	}
	dresp, _ = http.DefaultClient.Do(del)
	dresp.Body.Close()
	if dresp.StatusCode != 404 {
		t.Fatalf("second DELETE: %d", dresp.StatusCode)
	}
	resp = rpc(t, url, `{"jsonrpc":"2.0","id":2,"method":"ping"}`, "Mcp-Session-Id", sid)
	if readAll(t, resp); resp.StatusCode != 404 {
		t.Fatalf("ended session: %d", resp.StatusCode)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	s, hs := newTestServer(t, Options{SessionIdleTimeout: 50 * time.Millisecond})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().SessionsOpen.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle session never expired")
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp := rpc(t, url, `{"jsonrpc":"2.0","id":2,"method":"ping"}`, "Mcp-Session-Id", sid)
	if readAll(t, resp); resp.StatusCode != 404 {
		t.Fatalf("expired session: %d", resp.StatusCode)
	}
	if s.Stats().SessionsExpired.Load() != 1 {
		t.Fatalf("expired count %d", s.Stats().SessionsExpired.Load())
	}
}

func TestStatelessIssuesNoSession(t *testing.T) {
	_, hs := newTestServer(t, Options{Stateless: true})
	url := hs.URL + "/mcp"
	resp := rpc(t, url, initBody)
	body := readAll(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Mcp-Session-Id") != "" {
		t.Fatalf("stateless initialize: %d, session %q, %s", resp.StatusCode, resp.Header.Get("Mcp-Session-Id"), body)
	}
	resp = rpc(t, url, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}`)
	if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `"text":"x"`) {
		t.Fatalf("stateless call: %d %s", resp.StatusCode, body)
	}
	get, _ := http.NewRequest("GET", url, nil)
	get.Header.Set("Accept", "text/event-stream")
	gresp, err := http.DefaultClient.Do(get)
	if err != nil {
		t.Fatal(err)
	}
	gresp.Body.Close()
	if gresp.StatusCode != 405 {
		t.Fatalf("stateless GET: %d", gresp.StatusCode)
	}
}

func TestInitializeNegotiates(t *testing.T) {
	_, hs := newTestServer(t, Options{Stateless: true})
	for asked, want := range map[string]string{"2025-03-26": "2025-03-26", "2025-06-18": "2025-06-18", "2025-11-25": "2025-11-25", "2024-11-05": "2025-11-25", "1999-01-01": "2025-11-25"} {
		body := readAll(t, rpc(t, hs.URL+"/mcp", strings.Replace(initBody, "2025-11-25", asked, 1)))
		if !strings.Contains(body, `"protocolVersion":"`+want+`"`) {
			t.Errorf("asked %s: %s", asked, body)
		}
	}
}

func TestBatches(t *testing.T) {
	_, hs := newTestServer(t, Options{})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-03-26")
	batch := `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},` +
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"b"}}},{"jsonrpc":"2.0","id":3,"method":"nope"},{"bad":1}]`
	resp := rpc(t, url, batch, "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-03-26")
	body := readAll(t, resp)
	var replies []map[string]any
	if err := json.Unmarshal([]byte(body), &replies); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if len(replies) != 4 {
		t.Fatalf("%d replies, want 4 (no reply to the notification): %s", len(replies), body)
	}
	// notifications only: 202
	resp = rpc(t, url, `[{"jsonrpc":"2.0","method":"notifications/x"}]`, "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-03-26")
	if readAll(t, resp); resp.StatusCode != 202 {
		t.Fatalf("notification batch: %d", resp.StatusCode)
	}
	// empty batch: invalid request
	resp = rpc(t, url, `[]`, "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-03-26")
	if body := readAll(t, resp); resp.StatusCode != 400 || errorCode(t, body) != -32600 {
		t.Fatalf("empty batch: %d %s", resp.StatusCode, body)
	}
	// the batch route takes batches in any revision
	resp = rpc(t, hs.URL+"/mcp/v1/batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-11-25")
	if body := readAll(t, resp); resp.StatusCode != 200 || !strings.HasPrefix(body, "[") {
		t.Fatalf("batch route: %d %s", resp.StatusCode, body)
	}
	// and the single-message alias works
	resp = rpc(t, hs.URL+"/mcp/v1/jsonrpc", `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Mcp-Session-Id", sid)
	if body := readAll(t, resp); resp.StatusCode != 200 || errorCode(t, body) != 0 {
		t.Fatalf("jsonrpc route: %d %s", resp.StatusCode, body)
	}
}

// TestStateless2026 checks the 2026-07-28 rules: server/discover, header
// and _meta agreement, Mcp-Method / Mcp-Name, resultType, 404 for unknown
// methods.
func TestStateless2026(t *testing.T) {
	_, hs := newTestServer(t, Options{})
	url := hs.URL + "/mcp"
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}`
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"n"},` + meta + `}}`
	hdr := func(extra ...string) []string {
		return append([]string{"MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "echo"}, extra...)
	}
	resp := rpc(t, url, `{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{`+meta+`}}`, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "server/discover")
	body := readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, `"supportedVersions":["2026-07-28","2025-11-25","2025-06-18","2025-03-26"]`) || !strings.Contains(body, `"resultType":"complete"`) {
		t.Fatalf("discover: %d %s", resp.StatusCode, body)
	}
	cases := []struct {
		name   string
		body   string
		hdr    []string
		status int
		code   int
	}{
		{"ok", call, hdr(), 200, 0},
		{"method header wrong", call, hdr("Mcp-Method", "tools/list"), 400, CodeHeaderMismatch},
		{"method header missing", call, hdr("Mcp-Method", ""), 400, CodeHeaderMismatch},
		{"name header wrong", call, hdr("Mcp-Name", "hash"), 400, CodeHeaderMismatch},
		{"name header base64", call, hdr("Mcp-Name", "=?base64?ZWNobw==?="), 200, 0},
		{"meta disagrees", strings.Replace(call, `"2026-07-28"`, `"2025-11-25"`, 1), hdr(), 400, CodeHeaderMismatch},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"nope","params":{` + meta + `}}`, hdr("Mcp-Method", "nope"), 404, -32601},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := rpc(t, url, c.body, c.hdr...)
			body := readAll(t, resp)
			if resp.StatusCode != c.status || errorCode(t, body) != c.code {
				t.Fatalf("%d %s, want %d / %d", resp.StatusCode, body, c.status, c.code)
			}
			if c.status == 200 && !strings.Contains(body, `"result":{"resultType":"complete","content"`) {
				t.Fatalf("no resultType: %s", body)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	_, hs := newTestServer(t, Options{Stateless: true, PageSize: 2, ConformanceFixtures: true})
	cursor, seen := "", map[string]bool{}
	for pages := 0; ; pages++ {
		params := `{}`
		if cursor != "" {
			params = `{"cursor":"` + cursor + `"}`
		}
		var v struct {
			Result struct {
				Tools      []struct{ Name string }
				NextCursor string
			}
		}
		body := readAll(t, rpc(t, hs.URL+"/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":`+params+`}`))
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Result.Tools) > 2 {
			t.Fatalf("page of %d", len(v.Result.Tools))
		}
		for _, tool := range v.Result.Tools {
			if seen[tool.Name] {
				t.Fatalf("%s listed twice", tool.Name)
			}
			seen[tool.Name] = true
		}
		if cursor = v.Result.NextCursor; cursor == "" {
			break
		}
	}
	if !seen["echo"] || !seen["test_reconnection"] || len(seen) < 10 {
		t.Fatalf("listed %d tools", len(seen))
	}
}

// TestListeningSessionStaysAlive: an open GET stream keeps an otherwise
// idle session from expiring.
func TestListeningSessionStaysAlive(t *testing.T) {
	s, hs := newTestServer(t, Options{SessionIdleTimeout: 100 * time.Millisecond, KeepAlive: 10 * time.Millisecond})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	get := openGet(t, url, sid, "")
	time.Sleep(1500 * time.Millisecond) // the sweeper runs every second
	if s.Stats().SessionsOpen.Load() != 1 {
		t.Fatal("a session with an open GET stream expired")
	}
	get.Body.Close()
}
