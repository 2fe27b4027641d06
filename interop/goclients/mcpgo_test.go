package goclients

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

func TestMCPGo(t *testing.T) {
	h1URL, h2URL := endpoints(t)
	h1, h2 := clients()
	for _, tc := range []struct {
		name string
		url  string
		hc   *http.Client
	}{{"h1", h1URL, h1}, {"h2c", h2URL, h2}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c, err := client.NewStreamableHttpClient(tc.url, transport.WithHTTPBasicClient(tc.hc))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Start(ctx); err != nil {
				t.Fatal(err)
			}
			init := mcp.InitializeRequest{}
			init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
			init.Params.ClientInfo = mcp.Implementation{Name: "pqloop-interop", Version: "1.0"}
			ir, err := c.Initialize(ctx, init)
			if err != nil {
				t.Fatalf("initialize: %v", err)
			}
			t.Logf("negotiated %s with %s", ir.ProtocolVersion, ir.ServerInfo.Name)
			tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
			if err != nil || len(tools.Tools) == 0 {
				t.Fatalf("tools/list: %v", err)
			}
			req := mcp.CallToolRequest{}
			req.Params.Name = "echo"
			req.Params.Arguments = map[string]any{"text": "from mcp-go"}
			res, err := c.CallTool(ctx, req)
			if err != nil {
				t.Fatalf("tools/call: %v", err)
			}
			if txt := res.Content[0].(mcp.TextContent).Text; txt != "from mcp-go" {
				t.Fatalf("echo returned %q", txt)
			}
		})
	}
}
