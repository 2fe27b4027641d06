package mcp

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// openGet opens the session's GET stream.
func openGet(t *testing.T, url, sid, lastEventID string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", sid)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp
}

// nextData reads events until one whose data contains want, or fails.
func nextData(t *testing.T, sc *bufio.Scanner, want string) (id, data string) {
	t.Helper()
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "id: ") {
			id = line[4:]
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, want) {
			return id, line[6:]
		}
	}
	t.Fatalf("stream ended before %q: %v", want, sc.Err())
	return "", ""
}

func TestGetStreamNotifications(t *testing.T) {
	s, hs := newTestServer(t, Options{KeepAlive: 20 * time.Millisecond})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	resp := rpc(t, url, `{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"pqloop://server/info"}}`, "Mcp-Session-Id", sid)
	if body := readAll(t, resp); errorCode(t, body) != 0 {
		t.Fatal(body)
	}
	resp = rpc(t, url, `{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"warning"}}`, "Mcp-Session-Id", sid)
	readAll(t, resp)
	get := openGet(t, url, sid, "")
	defer get.Body.Close()
	sc := bufio.NewScanner(get.Body)
	// keep-alive comments arrive on their own
	for sc.Scan() && sc.Text() != ": keep-alive" {
	}
	s.NotifyResourceUpdated("pqloop://server/info")
	nextData(t, sc, `"method":"notifications/resources/updated","params":{"uri":"pqloop://server/info"}`)
	s.Log(LevelInfo, "t", "filtered out") // below warning
	s.Log(LevelError, "t", map[string]string{"k": "v"})
	_, d := nextData(t, sc, "notifications/message")
	if !strings.Contains(d, `"level":"error"`) {
		t.Fatalf("info message passed a warning filter: %s", d)
	}
	must(s.Registry().AddRawTool(Tool{Name: "late"}, Inline, func(*Call, []byte) (*ToolResult, error) { return nil, nil }))
	nextData(t, sc, "notifications/tools/list_changed")
}

// TestResumeAfterDrop covers SSE polling (SEP-1699): the tool drops the
// POST stream's connection; its result is fetched with GET and
// Last-Event-ID.
func TestResumeAfterDrop(t *testing.T) {
	_, hs := newTestServer(t, Options{ConformanceFixtures: true})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	resp := rpc(t, url, `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_reconnection","arguments":{}}}`, "Mcp-Session-Id", sid)
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content-type %s", resp.Header.Get("Content-Type"))
	}
	ids, data := sseEvents(t, resp.Body)
	resp.Body.Close()
	if len(ids) == 0 || data[0] != "" {
		t.Fatalf("no priming event first: %v %v", ids, data)
	}
	for _, d := range data {
		if strings.Contains(d, `"id":5`) {
			t.Fatal("the result came before the drop")
		}
	}
	get := openGet(t, url, sid, ids[len(ids)-1])
	defer get.Body.Close()
	_, d := nextData(t, bufio.NewScanner(get.Body), `"id":5`)
	if !strings.Contains(d, "Reconnection test completed") {
		t.Fatalf("resumed result %s", d)
	}
}

// TestSamplingRoundTrip sends sampling/createMessage on the POST stream and
// routes the client's POSTed answer back to the tool.
func TestSamplingRoundTrip(t *testing.T) {
	_, hs := newTestServer(t, Options{ConformanceFixtures: true})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25") // declares sampling and elicitation
	resp := rpc(t, url, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"p"}}}`, "Mcp-Session-Id", sid)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	_, req := nextData(t, sc, "sampling/createMessage")
	i := strings.Index(req, `"id":"`)
	reqID := req[i+6 : i+6+strings.IndexByte(req[i+6:], '"')]
	answer := `{"jsonrpc":"2.0","id":"` + reqID + `","result":{"role":"assistant","content":{"type":"text","text":"42"},"model":"m"}}`
	if r := rpc(t, url, answer, "Mcp-Session-Id", sid); r.StatusCode != 202 {
		t.Fatalf("answer: %d", r.StatusCode)
	}
	_, d := nextData(t, sc, `"id":7`)
	if !strings.Contains(d, "LLM response: 42") {
		t.Fatalf("result %s", d)
	}
}

func TestMissingCapabilityIsAnError(t *testing.T) {
	_, hs := newTestServer(t, Options{ConformanceFixtures: true})
	url := hs.URL + "/mcp"
	resp := rpc(t, url, initBody) // no capabilities
	readAll(t, resp)
	sid := resp.Header.Get("Mcp-Session-Id")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"test_elicitation","arguments":{"message":"m"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", sid)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, r)
	if !strings.Contains(body, `"isError":true`) || !strings.Contains(body, "does not support") {
		t.Fatalf("%s", body)
	}
}

func TestCancelledNotificationCancels(t *testing.T) {
	_, hs := newTestServer(t, Options{ConformanceFixtures: true})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	done := make(chan string, 1)
	go func() {
		r := rpc(t, url, `{"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"pqloop_sleep","arguments":{"ms":30000}}}`, "Mcp-Session-Id", sid)
		done <- readAll(t, r)
	}()
	start := time.Now()
	for {
		time.Sleep(20 * time.Millisecond)
		r := rpc(t, url, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1","reason":"test"}}`, "Mcp-Session-Id", sid)
		readAll(t, r)
		select {
		case body := <-done:
			if !strings.Contains(body, "context canceled") {
				t.Fatalf("cancelled call answered %s", body)
			}
			return
		default:
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("cancellation never reached the tool")
		}
	}
}

func TestCloseEndsStreams(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	get := openGet(t, url, sid, "")
	defer get.Body.Close()
	ended := make(chan struct{})
	go func() { sseEvents(t, get.Body); close(ended) }()
	s.Close()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("Close left the GET stream open")
	}
	resp := rpc(t, url, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Mcp-Session-Id", sid)
	if readAll(t, resp); resp.StatusCode != 503 {
		t.Fatalf("after Close: %d", resp.StatusCode)
	}
}

// TestListen covers 2026-07-28 subscriptions/listen: acknowledged, then
// list changes and resource updates arrive on the open stream.
func TestListen(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	body := `{"jsonrpc":"2.0","id":"L1","method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true,"resourceSubscriptions":["pqloop://server/info"]},` +
		`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`
	resp := rpc(t, hs.URL+"/mcp", body, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "subscriptions/listen")
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("listen: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	_, ack := nextData(t, sc, "notifications/subscriptions/acknowledged")
	if !strings.Contains(ack, `"io.modelcontextprotocol/subscriptionId":"L1"`) {
		t.Fatalf("ack %s", ack)
	}
	must(s.Registry().AddRawTool(Tool{Name: "late"}, Inline, func(*Call, []byte) (*ToolResult, error) { return nil, nil }))
	nextData(t, sc, "notifications/tools/list_changed")
	s.NotifyResourceUpdated("pqloop://server/info")
	nextData(t, sc, "notifications/resources/updated")
}

func TestMissingCapability2026(t *testing.T) {
	_, hs := newTestServer(t, Options{ConformanceFixtures: true})
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"p"},` +
		`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}`
	resp := rpc(t, hs.URL+"/mcp", body, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "test_sampling")
	if got := errorCode(t, readAll(t, resp)); got != CodeMissingRequiredClientCapability {
		t.Fatalf("code %d", got)
	}
}

// TestProgressTokenIsChecked: a token that is not a well-formed string or
// number is never echoed into a notification.
func TestProgressTokenIsChecked(t *testing.T) {
	_, hs := newTestServer(t, Options{Stateless: true, ConformanceFixtures: true})
	for token, streamed := range map[string]bool{`"ok"`: true, `7`: true, `null`: false, `{"a":1}`: false, `[1]`: false} {
		resp := rpc(t, hs.URL+"/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":`+token+`}}}`)
		body := readAll(t, resp)
		if got := strings.Contains(body, "notifications/progress"); got != streamed {
			t.Errorf("token %s: progress sent %v: %s", token, got, body)
		}
	}
}
