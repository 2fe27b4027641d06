package goclients

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestGoSDK(t *testing.T) {
	h1URL, h2URL := endpoints(t)
	h1, h2 := clients()
	for _, tc := range []struct {
		name    string
		url     string
		hc      func() *protoRecorder
		version string // "" lets the SDK probe server/discover first
		major   int
	}{
		{"h1/2026-discover", h1URL, func() *protoRecorder { return &protoRecorder{base: h1.Transport, major: make(chan int, 64)} }, "", 1},
		{"h1/2025-11-25", h1URL, func() *protoRecorder { return &protoRecorder{base: h1.Transport, major: make(chan int, 64)} }, "2025-11-25", 1},
		{"h1/2025-06-18", h1URL, func() *protoRecorder { return &protoRecorder{base: h1.Transport, major: make(chan int, 64)} }, "2025-06-18", 1},
		{"h2c/2026-discover", h2URL, func() *protoRecorder { return &protoRecorder{base: h2.Transport, major: make(chan int, 64)} }, "", 2},
		{"h2c/2025-11-25", h2URL, func() *protoRecorder { return &protoRecorder{base: h2.Transport, major: make(chan int, 64)} }, "2025-11-25", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.hc()
			goSDKFlows(t, tc.url, rec, tc.version)
			close(rec.major)
			n := 0
			for m := range rec.major {
				n++
				if m != tc.major {
					t.Fatalf("spoke HTTP/%d, want HTTP/%d", m, tc.major)
				}
			}
			if n == 0 {
				t.Fatal("no exchange recorded")
			}
		})
	}
}

func goSDKFlows(t *testing.T, url string, rt *protoRecorder, version string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var progress []float64
	client := sdk.NewClient(&sdk.Implementation{Name: "pqloop-interop", Version: "1.0"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, req.Params.Progress)
			mu.Unlock()
		},
		CreateMessageHandler: func(_ context.Context, req *sdk.CreateMessageRequest) (*sdk.CreateMessageResult, error) {
			return &sdk.CreateMessageResult{Model: "test", Role: "assistant", Content: &sdk.TextContent{Text: "sampled"}}, nil
		},
	})
	var opts *sdk.ClientSessionOptions
	if version != "" {
		opts = &sdk.ClientSessionOptions{ProtocolVersion: version}
	}
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: rt}}, opts)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer cs.Close()
	got := cs.InitializeResult().ProtocolVersion
	want := version
	if want == "" {
		want = "2026-07-28"
	}
	if got != want {
		t.Fatalf("negotiated %s, want %s", got, want)
	}

	// list (with the SDK following cursors) and call
	names := map[string]bool{}
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatalf("tools: %v", err)
		}
		names[tool.Name] = true
	}
	for _, n := range []string{"echo", "hash", "uuid", "time", "test_simple_text"} {
		if !names[n] {
			t.Fatalf("tools/list lacks %s: %v", n, names)
		}
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "héllo \"pq\""}})
	if err != nil {
		t.Fatalf("echo: %v", err)
	}
	if txt := res.Content[0].(*sdk.TextContent).Text; txt != "héllo \"pq\"" || res.IsError {
		t.Fatalf("echo returned %q (isError %v)", txt, res.IsError)
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "hash", Arguments: map[string]any{"text": "abc"}})
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	sc, _ := res.StructuredContent.(map[string]any)
	if sc["digest"] != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("hash structuredContent = %v", res.StructuredContent)
	}
	// bad input is a tool error, not a protocol error
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "echo", Arguments: map[string]any{"text": 5}})
	if err != nil || !res.IsError {
		t.Fatalf("echo with a number: err %v, result %+v", err, res)
	}
	if _, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "no_such_tool"}); err == nil {
		t.Fatal("unknown tool: no error")
	}

	// progress
	p := &sdk.CallToolParams{Name: "test_tool_with_progress", Arguments: map[string]any{}}
	p.SetProgressToken("tok-1")
	if _, err = cs.CallTool(ctx, p); err != nil {
		t.Fatalf("progress tool: %v", err)
	}
	// The SDK delivers notifications asynchronously: the last may land
	// just after the result.
	for wait := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(progress)
		mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("got %d progress notifications, want 3", n)
		}
	}

	// cancellation: the server must see it and count it
	before := readText(t, ctx, cs, "pqloop://fixtures/cancelled")
	cctx, ccancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = cs.CallTool(cctx, &sdk.CallToolParams{Name: "pqloop_sleep", Arguments: map[string]any{"ms": 20000}})
	ccancel()
	if err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "context") {
		t.Fatalf("cancelled call: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for readText(t, ctx, cs, "pqloop://fixtures/cancelled") == before {
		if time.Now().After(deadline) {
			t.Fatal("the server never saw the cancellation")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// resources
	rl, err := cs.ListResources(ctx, nil)
	if err != nil || len(rl.Resources) == 0 {
		t.Fatalf("resources/list: %v %v", err, rl)
	}
	if txt := readText(t, ctx, cs, "test://template/42/data"); !strings.Contains(txt, `"id":"42"`) {
		t.Fatalf("template read: %s", txt)
	}
	tl, err := cs.ListResourceTemplates(ctx, nil)
	if err != nil || len(tl.ResourceTemplates) == 0 {
		t.Fatalf("resources/templates/list: %v", err)
	}
	if _, err = cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "test://nope"}); err == nil {
		t.Fatal("reading an unknown resource: no error")
	}

	// prompts
	pl, err := cs.ListPrompts(ctx, nil)
	if err != nil || len(pl.Prompts) == 0 {
		t.Fatalf("prompts/list: %v", err)
	}
	pr, err := cs.GetPrompt(ctx, &sdk.GetPromptParams{Name: "test_prompt_with_arguments", Arguments: map[string]string{"arg1": "a", "arg2": "b"}})
	if err != nil {
		t.Fatalf("prompts/get: %v", err)
	}
	if txt := pr.Messages[0].Content.(*sdk.TextContent).Text; txt != "Prompt with arguments: arg1='a', arg2='b'" {
		t.Fatalf("prompt text %q", txt)
	}

	// completion
	cr, err := cs.Complete(ctx, &sdk.CompleteParams{Ref: &sdk.CompleteReference{Type: "ref/prompt", Name: "test_prompt_with_arguments"},
		Argument: sdk.CompleteParamsArgument{Name: "arg1", Value: "par"}})
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if len(cr.Completion.Values) != 3 {
		t.Fatalf("completion values %v", cr.Completion.Values)
	}

	if err := cs.Ping(ctx, nil); err != nil {
		t.Fatalf("ping: %v", err)
	}

	// sampling goes back to the client: only with a session (2025 revisions)
	if version != "" {
		res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "test_sampling", Arguments: map[string]any{"prompt": "hi"}})
		if err != nil || res.IsError {
			t.Fatalf("sampling: %v %+v", err, res)
		}
		if txt := res.Content[0].(*sdk.TextContent).Text; txt != "LLM response: sampled" {
			t.Fatalf("sampling result %q", txt)
		}
		// the client declared no elicitation: a clear error, not a hang
		res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "test_elicitation", Arguments: map[string]any{"message": "x"}})
		if err != nil || !res.IsError {
			t.Fatalf("elicitation without the capability: %v %+v", err, res)
		}
	}
}

func readText(t *testing.T, ctx context.Context, cs *sdk.ClientSession, uri string) string {
	t.Helper()
	r, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatalf("read %s: %v", uri, err)
	}
	return r.Contents[0].Text
}
