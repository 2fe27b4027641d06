// Command mcp-fixture-server serves the MCP endpoint with the conformance
// fixtures through httpx.NetHTTP, for running the interop suites when no
// pqloop binary is at hand. It prints the endpoint URL on its first line
// and serves until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/mcp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	stateless := flag.Bool("stateless", false, "issue no sessions")
	flag.Parse()
	s := mcp.New(mcp.Options{ConformanceFixtures: true, Stateless: *stateless})
	defer s.Close()
	var rt httpx.Router
	s.Register(&rt)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "http://%s/mcp\n", ln.Addr())
	srv := &http.Server{Handler: httpx.NetHTTP(rt.Handler(), 4<<20), Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	log.Fatal(srv.Serve(ln))
}
