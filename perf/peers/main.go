// Command peers runs the servers pqloop is measured against, one per
// process, chosen with -kind:
//
//	nethttp   Go net/http, HTTP/1.1 and cleartext HTTP/2 (http.Protocols)
//	fasthttp  valyala/fasthttp, HTTP/1.1
//	gosdk     the official MCP Go SDK, stateless, JSON responses (on net/http)
//	mcpgo     mark3labs/mcp-go, stateless (on net/http)
//
// Every kind answers GET /health with the same 13 bytes h2o serves and
// POST /mcp with an MCP server offering the `echo` tool ({"text": …} → the
// text as text content). nethttp and fasthttp answer /mcp with a minimal
// hand-written stateless JSON-RPC handler (mcpecho.go), the floor any MCP
// framework adds its cost to.
//
// This is its own module so the product never depends on these servers.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// healthBody is what h2o serves from perf/h2o/www/health.
var healthBody = []byte("Hello, world!")

func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(healthBody)
}

func main() {
	kind := flag.String("kind", "nethttp", "nethttp, fasthttp, gosdk or mcpgo")
	listen := flag.String("listen", "127.0.0.1:8080", "address to serve on")
	flag.Parse()

	if *kind == "fasthttp" {
		log.Fatal(newFastHTTPServer().ListenAndServe(*listen))
	}
	h, err := newHandler(*kind)
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(2)
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Addr:              *listen,
		Handler:           h,
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Fatal(srv.ListenAndServe())
}

// newHandler returns the net/http handler of kind: /health and /mcp.
func newHandler(kind string) (http.Handler, error) {
	var mcp http.Handler
	switch kind {
	case "nethttp":
		mcp = http.HandlerFunc(serveMCPEcho)
	case "gosdk":
		mcp = newGoSDKHandler()
	case "mcpgo":
		mcp = newMCPGoHandler()
	default:
		return nil, fmt.Errorf("unknown -kind %q", kind)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", health)
	mux.Handle("/mcp", mcp)
	return mux, nil
}
