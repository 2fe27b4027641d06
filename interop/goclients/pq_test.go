package goclients

import (
	"context"
	"net"
	"net/http"
	"os"
	"testing"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/pqkey"
	"github.com/pqloop/pqloop/pqnet"
)

// TestGoSDKThroughPQChannel runs the official Go SDK's flows with an
// http.Client whose connections go through pqloop's post-quantum channel
// (pqnet.Dial), over HTTP/1.1 and HTTP/2. It needs a pqloop pq listener:
// PQLOOP_PQ_ADDR (host:port) and PQLOOP_PQ_SERVER_KEY (its .pub file), which
// scripts/interop.sh provides.
func TestGoSDKThroughPQChannel(t *testing.T) {
	addr, keyFile := os.Getenv("PQLOOP_PQ_ADDR"), os.Getenv("PQLOOP_PQ_SERVER_KEY")
	if addr == "" || keyFile == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PQLOOP_PQ_ADDR and PQLOOP_PQ_SERVER_KEY are unset: scripts/interop.sh sets them")
		}
		t.Skip("no pq listener given (PQLOOP_PQ_ADDR, PQLOOP_PQ_SERVER_KEY)")
	}
	pub, err := pqkey.LoadPublicKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		proto string
		major int
	}{{"h1", "http/1.1", 1}, {"h2", "h2", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &pq.ClientConfig{ServerKey: pub, Protocols: []string{tc.proto}}
			tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return pqnet.Dial(ctx, network, addr, cfg)
			}}
			if tc.major == 2 {
				p := new(http.Protocols)
				p.SetUnencryptedHTTP2(true)
				tr.Protocols = p
			}
			defer tr.CloseIdleConnections()
			rec := &protoRecorder{base: tr, major: make(chan int, 64)}
			// The host in the URL is only a name: the dialer goes to addr.
			goSDKFlows(t, "http://pqloop.channel/mcp", rec, "")
			close(rec.major)
			for m := range rec.major {
				if m != tc.major {
					t.Fatalf("spoke HTTP/%d, want HTTP/%d", m, tc.major)
				}
			}
		})
	}
}
