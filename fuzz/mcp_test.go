package fuzz

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/jsonrpc"
	"github.com/pqloop/pqloop/proto/mcp"
)

// syncExchange runs offloaded handlers at once, on the calling goroutine,
// and collects a streamed body: enough driver to run the MCP endpoint
// without sockets.
type syncExchange struct {
	mu     sync.Mutex
	stream bytes.Buffer
	done   chan struct{}
	closed bool
}

func (x *syncExchange) Go(w *httpx.Response, r *httpx.Request, fn httpx.Handler) bool {
	fn(w, r.Clone())
	return true
}

func (x *syncExchange) Stream(w *httpx.Response) httpx.StreamWriter { return x }

func (x *syncExchange) Write(p []byte) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return httpx.ErrStreamClosed
	}
	x.stream.Write(p)
	return nil
}

func (x *syncExchange) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.closed {
		x.closed = true
		close(x.done)
	}
	return nil
}

func (x *syncExchange) Done() <-chan struct{} { return x.done }

// serveMCP runs one exchange through the router.
func serveMCP(rt *httpx.Router, method string, h header.List, body []byte) (*httpx.Response, *syncExchange) {
	x := &syncExchange{done: make(chan struct{})}
	w := &httpx.Response{}
	w.Bind(x)
	r := &httpx.Request{Method: []byte(method), Path: []byte("/mcp"), Header: h, Body: body, Proto: httpx.HTTP11}
	rt.Serve(w, r)
	return w, x
}

// The methods the endpoint answers; others are the router's 405.
var mcpMethods = [...]string{"POST", "GET", "DELETE"}

// FuzzMCPEndpoint sends arbitrary bodies and header fields to the MCP
// endpoint of a server with a live session. Whatever arrives, the answer
// is a valid HTTP status, a JSON body is valid JSON (a JSON-RPC error
// object when the status is 4xx/5xx), and every SSE event carries JSON.
// "$SID" in the header text stands for the live session's id.
func FuzzMCPEndpoint(f *testing.F) {
	const std = "content-type: application/json\naccept: application/json, text/event-stream\n"
	f.Add(byte(0), std+"mcp-session-id: $SID\nmcp-protocol-version: 2025-11-25\n", []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`))
	f.Add(byte(0), std, []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}`))
	f.Add(byte(0), std+"mcp-session-id: $SID\nmcp-protocol-version: 2025-03-26\n", []byte(`[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"2","method":"tools/list","params":{"cursor":"1"}}]`))
	f.Add(byte(0), std+"mcp-protocol-version: 2026-07-28\nmcp-method: tools/call\nmcp-name: hash\n", []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"hash","arguments":{"text":"x","algorithm":"sha512","encoding":"base64"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","progressToken":3}}}`))
	f.Add(byte(0), std+"mcp-session-id: $SID\n", []byte(`{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"pqloop://server/info"}}`))
	f.Add(byte(0), std+"mcp-session-id: $SID\n", []byte(`{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"summarize","arguments":{"text":"t"}}}`))
	f.Add(byte(0), std+"mcp-session-id: $SID\n", []byte(`{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"summarize"},"argument":{"name":"style","value":"b"}}}`))
	f.Add(byte(0), std+"mcp-session-id: $SID\n", []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"uuid","arguments":{"version":7,"count":3}}}`))
	f.Add(byte(0), std+"mcp-session-id: $SID\norigin: http://evil.example\n", []byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	f.Add(byte(0), std+"mcp-session-id: $SID\n", []byte(`{"jsonrpc":"2.0","id":{"x":1},"method":"tools/call","params":{"name":"echo","arguments":{"text":[[[[[[1]]]]]]}}}`))
	f.Add(byte(1), "accept: text/event-stream\nmcp-session-id: $SID\nlast-event-id: 1_0\n", []byte(nil))
	f.Add(byte(2), "mcp-session-id: $SID\n", []byte(nil))
	f.Add(byte(0), "content-type: text/plain\n", []byte("\xff\xfe{"))

	s := mcp.New(mcp.Options{MaxBody: 1 << 16})
	f.Cleanup(s.Close)
	var rt httpx.Router
	s.Register(&rt)
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"roots":{}},"clientInfo":{"name":"f","version":"1"}}}`
	w, _ := serveMCP(&rt, "POST", parseFields(std), []byte(init))
	sid := string(header.List(w.Header).Get("mcp-session-id"))
	if w.Status != 200 || sid == "" {
		f.Fatalf("initialize: %d %s", w.Status, w.Body)
	}

	f.Fuzz(func(t *testing.T, method byte, fields string, body []byte) {
		h := parseFields(strings.ReplaceAll(fields, "$SID", sid))
		w, x := serveMCP(&rt, mcpMethods[int(method)%len(mcpMethods)], h, body)
		if w.Status < 100 || w.Status > 599 {
			t.Fatalf("status %d", w.Status)
		}
		if w.Streaming() {
			x.Close() // a GET stream stays open: end it as a client would
			for _, line := range strings.Split(x.stream.String(), "\n") {
				if d, ok := strings.CutPrefix(line, "data: "); ok && d != "" && !json.Valid([]byte(d)) {
					t.Fatalf("SSE data is not JSON: %q", d)
				}
			}
			return
		}
		ct := string(header.List(w.Header).Get("content-type"))
		if len(w.Body) == 0 {
			return
		}
		if ct != "application/json" {
			t.Fatalf("body with content-type %q: %q", ct, w.Body)
		}
		if !json.Valid(w.Body) {
			t.Fatalf("body is not JSON: %q", w.Body)
		}
		if w.Status >= 400 {
			var e struct {
				JSONRPC string `json:"jsonrpc"`
				Error   *struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(w.Body, &e) != nil || e.JSONRPC != "2.0" || e.Error == nil || e.Error.Code == 0 || e.Error.Message == "" {
				t.Fatalf("status %d without a JSON-RPC error: %s", w.Status, w.Body)
			}
		}
	})
}

// parseFields reads "name: value" lines into lower-case header fields.
func parseFields(s string) header.List {
	var h header.List
	for _, line := range strings.Split(s, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		h = append(h, header.Field{Name: []byte(strings.ToLower(strings.TrimSpace(name))), Value: []byte(strings.TrimSpace(value))})
	}
	return h
}

// FuzzMCPJSONRPC feeds arbitrary bytes to the JSON-RPC codec. Decoding
// never panics; an id it accepts is echoed into replies that are valid
// JSON; any string survives AppendString as valid JSON.
func FuzzMCPJSONRPC(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":"x\u0000","method":"tools/call","params":{"name":"echo"}}`))
	f.Add([]byte(`[{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":2,"result":{}}]`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":-1.5e300,"error":{"code":-32600,"message":"m"}}`))
	f.Add([]byte("\xef\xbb\xbf{\"jsonrpc\":\"2.0\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs := [][]byte{data}
		if jsonrpc.IsBatch(data) {
			parts, err := jsonrpc.SplitBatch(data)
			if err != nil {
				return
			}
			msgs = msgs[:0]
			for _, p := range parts {
				msgs = append(msgs, p)
			}
		}
		for _, b := range msgs {
			var m jsonrpc.Message
			if jsonrpc.Decode(b, &m) != nil {
				continue
			}
			kind := m.Kind()
			if kind == jsonrpc.KindInvalid {
				continue
			}
			if !jsonrpc.ValidID(m.ID) && kind != jsonrpc.KindNotification {
				t.Fatalf("kind %d with id %q", kind, m.ID)
			}
			if kind == jsonrpc.KindRequest {
				for _, reply := range [][]byte{
					jsonrpc.AppendResult(nil, m.ID, []byte(`{}`)),
					jsonrpc.AppendError(nil, m.ID, jsonrpc.CodeMethodNotFound, m.Method, nil),
				} {
					if !json.Valid(reply) {
						t.Fatalf("reply is not JSON: %s", reply)
					}
				}
			}
		}
		if q := jsonrpc.AppendString(nil, string(data)); !json.Valid(q) {
			t.Fatalf("AppendString(%q) = %s", data, q)
		}
	})
}
