package goclients

import (
	"context"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/pqloop/pqloop/proto/mcp"
)

// TestGoSDKListChanged connects the go-sdk in 2026-07-28 with a list-changed
// handler, which makes it open subscriptions/listen, and (in process)
// checks that a tool added to the registry reaches the handler.
func TestGoSDKListChanged(t *testing.T) {
	url, _, srv := endpointsAndServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	changed := make(chan struct{}, 4)
	client := sdk.NewClient(&sdk.Implementation{Name: "pqloop-interop", Version: "1.0"}, &sdk.ClientOptions{
		ToolListChangedHandler: func(context.Context, *sdk.ToolListChangedRequest) { changed <- struct{}{} },
	})
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: url}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer cs.Close()
	if v := cs.InitializeResult().ProtocolVersion; v != "2026-07-28" {
		t.Fatalf("negotiated %s", v)
	}
	if _, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "x"}}); err != nil {
		t.Fatalf("call while listening: %v", err)
	}
	if srv == nil {
		return // against another process the registry cannot be changed from here
	}
	// Connect fires subscriptions/listen without waiting for it: wait until
	// the server holds the subscription before changing the list.
	for srv.Stats().CallCount("subscriptions/listen", mcp.OutcomeOK) == 0 {
		if ctx.Err() != nil {
			t.Fatal("subscriptions/listen never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	err = srv.Registry().AddRawTool(mcp.Tool{Name: "added_later"}, mcp.Inline,
		func(c *mcp.Call, _ []byte) (*mcp.ToolResult, error) { return c.Text("late"), nil })
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-ctx.Done():
		t.Fatal("notifications/tools/list_changed never reached the client")
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "added_later"})
	if err != nil || res.Content[0].(*sdk.TextContent).Text != "late" {
		t.Fatalf("new tool: %v %+v", err, res)
	}
}
