// Package goclients drives pqloop's MCP endpoint with real Go clients: the
// official go-sdk and mark3labs/mcp-go, over HTTP/1.1 and h2c.
//
// The endpoint is PQLOOP_MCP_URL (and PQLOOP_MCP_URL_H2C for h2c, else the
// same URL) when set, as `make test` does against bin/pqloop; otherwise the
// tests start the server in process on a loopback socket through
// httpx.NetHTTP, speaking HTTP/1.1 and h2c.
package goclients

import (
	"net"
	"net/http"
	"os"
	"testing"

	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/mcp"
)

// endpoints returns the URLs for HTTP/1.1 and h2c.
func endpoints(t *testing.T) (h1, h2c string) {
	h1, h2c, _ = endpointsAndServer(t)
	return h1, h2c
}

// endpointsAndServer also returns the in-process server, or nil when the
// tests run against PQLOOP_MCP_URL.
func endpointsAndServer(t *testing.T) (h1, h2c string, s *mcp.Server) {
	t.Helper()
	if u := os.Getenv("PQLOOP_MCP_URL"); u != "" {
		h2 := os.Getenv("PQLOOP_MCP_URL_H2C")
		if h2 == "" {
			h2 = u
		}
		return u, h2, nil
	}
	s = mcp.New(mcp.Options{ConformanceFixtures: true})
	var rt httpx.Router
	s.Register(&rt)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: httpx.NetHTTP(rt.Handler(), 4<<20), Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); s.Close() })
	u := "http://" + ln.Addr().String() + "/mcp"
	return u, u, s
}

// clients returns an HTTP/1.1-only client and an h2c-only client.
func clients() (h1, h2c *http.Client) {
	p1 := new(http.Protocols)
	p1.SetHTTP1(true)
	p2 := new(http.Protocols)
	p2.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p1}},
		&http.Client{Transport: &http.Transport{Protocols: p2}}
}

// protoRecorder wraps a transport and records the HTTP versions used, so a
// test can prove it really spoke h2c.
type protoRecorder struct {
	base  http.RoundTripper
	major chan int
}

func (p *protoRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(r)
	if err == nil {
		select {
		case p.major <- resp.ProtoMajor:
		default:
		}
	}
	return resp, err
}
