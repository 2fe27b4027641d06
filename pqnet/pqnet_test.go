package pqnet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/noise"
	"github.com/pqloop/pqloop/crypto/pqkey"
)

func key(t testing.TB, label string) *noise.PrivateKey {
	seed := sha256.Sum256([]byte(label))
	k, err := noise.NewPrivateKey(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// serve runs a real net/http server (HTTP/1.1 and h2c) behind a pq listener
// on loopback and returns its address.
func serve(t *testing.T, cfg *pq.ServerConfig) string {
	t.Helper()
	ln, err := Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %d", r.Proto, r.URL.Path, len(body))
		}),
		Protocols: new(http.Protocols),
	}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type setup struct {
	serverKey, clientKey *noise.PrivateKey
	scfg                 *pq.ServerConfig
}

func newSetup(t *testing.T, requireAuth bool) *setup {
	s := &setup{serverKey: key(t, "server"), clientKey: key(t, "client")}
	set, err := pqkey.NewAuthorizedSet(pqkey.Client{Name: "alice", Key: &s.clientKey.Public})
	if err != nil {
		t.Fatal(err)
	}
	s.scfg = &pq.ServerConfig{StaticKey: s.serverKey, RequireClientAuth: requireAuth,
		AuthorizedClients: set, Protocols: []string{"h2", "http/1.1"}}
	return s
}

func httpClient(addr string, cfg *pq.ClientConfig, h2 bool) *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return Dial(ctx, network, addr, cfg)
		},
		Protocols: new(http.Protocols),
	}
	if h2 {
		tr.Protocols.SetUnencryptedHTTP2(true)
	} else {
		tr.Protocols.SetHTTP1(true)
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestHTTPOverChannel(t *testing.T) {
	s := newSetup(t, false)
	addr := serve(t, s.scfg)
	body := strings.Repeat("x", 100_000) // several records each way
	for _, tc := range []struct {
		name     string
		h2       bool
		identity *noise.PrivateKey
		proto    string
	}{
		{"http1-pqNK", false, nil, "HTTP/1.1"},
		{"h2c-pqNK", true, nil, "HTTP/2.0"},
		{"http1-pqIK", false, s.clientKey, "HTTP/1.1"},
		{"h2c-pqIK", true, s.clientKey, "HTTP/2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			offer := []string{"http/1.1"}
			if tc.h2 {
				offer = []string{"h2"}
			}
			cfg := &pq.ClientConfig{ServerKey: &s.serverKey.Public, StaticKey: tc.identity, Protocols: offer}
			c := httpClient(addr, cfg, tc.h2)
			defer c.CloseIdleConnections()
			for i := 0; i < 3; i++ {
				resp, err := c.Post("http://pq.test/echo", "text/plain", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := fmt.Sprintf("%s /echo %d", tc.proto, len(body)); string(got) != want {
					t.Fatalf("got %q, want %q", got, want)
				}
			}
		})
	}
}

func TestDialNegotiatesProtocol(t *testing.T) {
	s := newSetup(t, false)
	addr := serve(t, s.scfg)
	cfg := &pq.ClientConfig{ServerKey: &s.serverKey.Public, Protocols: []string{"http/1.1", "h2"}}
	c, err := Dial(context.Background(), "tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Protocol() != "h2" {
		t.Fatalf("Protocol() = %q, want the server's preference h2", c.Protocol())
	}
}

func TestDialRejections(t *testing.T) {
	s := newSetup(t, true)
	addr := serve(t, s.scfg)
	stranger := key(t, "stranger")
	for name, cfg := range map[string]*pq.ClientConfig{
		"wrong server key":    {ServerKey: &stranger.Public, StaticKey: s.clientKey, Protocols: []string{"h2"}},
		"unauthorised client": {ServerKey: &s.serverKey.Public, StaticKey: stranger, Protocols: []string{"h2"}},
		"anonymous client":    {ServerKey: &s.serverKey.Public, Protocols: []string{"h2"}},
		"no common protocol":  {ServerKey: &s.serverKey.Public, StaticKey: s.clientKey, Protocols: []string{"smtp"}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := Dial(ctx, "tcp", addr, cfg)
		cancel()
		if err == nil {
			c.Close()
			t.Errorf("%s: Dial succeeded", name)
		} else if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: server did not close the connection: %v", name, err)
		}
	}
}

func TestForward(t *testing.T) {
	s := newSetup(t, true)
	addr := serve(t, s.scfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cfg := &pq.ClientConfig{ServerKey: &s.serverKey.Public, StaticKey: s.clientKey, Protocols: []string{"h2", "http/1.1"}}
	go func() { done <- ForwardListener(ctx, ln, addr, cfg) }()

	for _, h2 := range []bool{false, true} {
		tr := &http.Transport{Protocols: new(http.Protocols)}
		if h2 {
			tr.Protocols.SetUnencryptedHTTP2(true)
		} else {
			tr.Protocols.SetHTTP1(true)
		}
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		resp, err := c.Post("http://"+ln.Addr().String()+"/fwd", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		want := "HTTP/1.1 /fwd 5"
		if h2 {
			want = "HTTP/2.0 /fwd 5"
		}
		if string(got) != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestTruncationIsNotEOF: a stream cut without a close record must not look
// like an orderly end.
func TestTruncationIsNotEOF(t *testing.T) {
	s := newSetup(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			return
		}
		c := Server(raw, s.scfg)
		c.Write([]byte("partial"))
		raw.Close() // no close record
	}()
	cfg := &pq.ClientConfig{ServerKey: &s.serverKey.Public, Protocols: []string{"h2"}}
	c, err := Dial(context.Background(), "tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := io.ReadAll(c)
	if string(got) != "partial" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ReadAll = %q, %v; want partial, unexpected EOF", got, err)
	}
}

// TestRekeyUnderBidirectionalLoad echoes a megabyte through a server while
// both sides rekey every few records: data must arrive intact and neither
// side may stall.
func TestRekeyUnderBidirectionalLoad(t *testing.T) {
	s := newSetup(t, false)
	s.scfg.RekeyAfterRecords = 4
	ln, err := Listen("tcp", "127.0.0.1:0", s.scfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
		c.(*Conn).CloseWrite()
	}()
	cfg := &pq.ClientConfig{ServerKey: &s.serverKey.Public, Protocols: []string{"h2"}, RekeyAfterRecords: 3}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, "tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	want := make([]byte, 1<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	go func() {
		for p := want; len(p) > 0; p = p[min(len(p), 1000):] {
			if _, err := c.Write(p[:min(len(p), 1000)]); err != nil {
				return
			}
		}
		c.CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("echoed %d of %d bytes intact=%v, err %v", len(got), len(want), bytes.Equal(got, want), err)
	}
}

func TestServerSeesAuthenticatedPeer(t *testing.T) {
	s := newSetup(t, true)
	ln, err := Listen("tcp", "127.0.0.1:0", s.scfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type peer struct {
		fp, name string
		auth     bool
		proto    string
	}
	got := make(chan peer, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.ReadFull(c, make([]byte, 5))
		pc := c.(*Conn)
		fp, name, auth := pc.Peer()
		got <- peer{fp, name, auth, pc.Protocol()}
	}()
	cfg := &pq.ClientConfig{ServerKey: &s.serverKey.Public, StaticKey: s.clientKey, Protocols: []string{"http/1.1"}}
	c, err := Dial(context.Background(), "tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	p := <-got
	if want := (peer{pqkey.Fingerprint(&s.clientKey.Public), "alice", true, "http/1.1"}); p != want {
		t.Fatalf("server saw %+v, want %+v", p, want)
	}
}
