package mcp

import "testing"

func TestSmoke(t *testing.T) {
	_, hs := newTestServer(t, Options{ConformanceFixtures: true})
	url := hs.URL + "/mcp"
	sid := initSession(t, url, "2025-11-25")
	for _, b := range []string{
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"hash","arguments":{"text":"hi"}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"time","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":7}}}`,
		`{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"test://template/123/data"}}`,
	} {
		resp := rpc(t, url, b, "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-11-25")
		t.Logf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), readAll(t, resp))
	}
}
