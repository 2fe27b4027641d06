package mcp_test

import (
	"errors"
	"net/http/httptest"
	"strings"

	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/mcp"
)

type GreetIn struct {
	Name string `json:"name" jsonschema:"who to greet"`
}

type GreetOut struct {
	Greeting string `json:"greeting"`
}

// A typed tool: the schema comes from GreetIn, the result is structured.
func ExampleAddTool() {
	reg := mcp.NewRegistry()
	err := mcp.AddTool(reg, mcp.Tool{Name: "greet", Description: "Greets someone."}, mcp.Inline,
		func(c *mcp.Call, in GreetIn) (*mcp.ToolResult, GreetOut, error) {
			if strings.TrimSpace(in.Name) == "" {
				return nil, GreetOut{}, errors.New("name is empty") // an isError result
			}
			return nil, GreetOut{Greeting: "hello, " + in.Name}, nil
		})
	if err != nil {
		panic(err)
	}
	srv := mcp.New(mcp.Options{Registry: reg, Stateless: true})
	defer srv.Close()
	var rt httpx.Router
	srv.Register(&rt)
	hs := httptest.NewServer(httpx.NetHTTP(rt.Handler(), 1<<20))
	defer hs.Close()
	// … point an MCP client at hs.URL + "/mcp" …
}
