package goclients

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	mcpgoserver "github.com/mark3labs/mcp-go/server"
	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/mcp"
)

// The same stateless tools/call echo through each server's net/http
// handler, in process, with no socket: what each costs per request before
// any transport. pqloop's figure here includes the net/http bridge; on its
// own event loops the bridge is gone (see BenchmarkEchoInline in proto/mcp).
const benchEcho = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello, post-quantum world"}}}`

func benchHandler(b *testing.B, h http.Handler) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/mcp", strings.NewReader(benchEcho))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "post-quantum") {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
}

func BenchmarkEchoHandler(b *testing.B) {
	b.Run("pqloop", func(b *testing.B) {
		s := mcp.New(mcp.Options{Stateless: true})
		defer s.Close()
		var rt httpx.Router
		s.Register(&rt)
		benchHandler(b, httpx.NetHTTP(rt.Handler(), 4<<20))
	})
	b.Run("mcp-go", func(b *testing.B) {
		s := mcpgoserver.NewMCPServer("bench", "1.0", mcpgoserver.WithToolCapabilities(false))
		s.AddTool(mcpgo.NewTool("echo", mcpgo.WithString("text", mcpgo.Required())),
			func(ctx context.Context, req mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
				return mcpgo.NewToolResultText(req.GetString("text", "")), nil
			})
		benchHandler(b, mcpgoserver.NewStreamableHTTPServer(s, mcpgoserver.WithStateLess(true)))
	})
}
