package main

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/pqkey"
	"github.com/pqloop/pqloop/perf/loadgen"
	"github.com/pqloop/pqloop/pqnet"
)

// A real net/http server behind a real pq listener on loopback, driven
// through the -proto pq path: key files, handshake, HTTP inside.
func TestLoadOverPQChannel(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "server.key")
	if _, err := pqkey.Keygen(keyFile, rand.Reader, "bench"); err != nil {
		t.Fatal(err)
	}
	serverKey, err := pqkey.LoadPrivateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := pqnet.Listen("tcp", "127.0.0.1:0", &pq.ServerConfig{
		StaticKey: serverKey,
		Protocols: []string{"h2", "http/1.1"},
		Limiter:   pq.NewRateLimiter(10000, 10000, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Proto))
	}), Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	u, _ := url.Parse("http://" + ln.Addr().String() + "/health")

	for _, tc := range []struct {
		inner     string
		reconnect bool
	}{{"h1", false}, {"h2c", false}, {"h1", true}} {
		opts := pqOptions{serverKey: keyFile + pqkey.PublicKeySuffix, inner: tc.inner}
		proto, dial, err := opts.dialer(u.Host)
		if err != nil {
			t.Fatal(err)
		}
		res, err := loadgen.Run(context.Background(), loadgen.Config{
			Protocol: proto, URL: u, Dial: dial, Connections: 2, Depth: 4,
			Requests: 20, Reconnect: tc.reconnect,
		})
		if err != nil {
			t.Fatalf("%s reconnect=%v: %v", tc.inner, tc.reconnect, err)
		}
		if res.Status["200"] != 20 || res.Errors != 0 {
			t.Fatalf("%s reconnect=%v: %+v", tc.inner, tc.reconnect, res)
		}
	}
}

func TestPQNeedsServerKey(t *testing.T) {
	if _, _, err := (pqOptions{}).dialer("127.0.0.1:1"); err == nil {
		t.Fatal("-proto pq without -server-key accepted")
	}
}
