package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/pqkey"
	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/internal/testutil"
	"github.com/pqloop/pqloop/pqnet"
	"github.com/pqloop/pqloop/server/config"
)

type pqFixture struct {
	*testServer
	pqAddr     string
	serverPub  string
	alice, bob string // key files: alice is authorised, bob is not
}

func startPQServer(t *testing.T, tweak func(*config.Config)) *pqFixture {
	t.Helper()
	dir := t.TempDir()
	f := &pqFixture{alice: filepath.Join(dir, "alice.key"), bob: filepath.Join(dir, "bob.key")}
	serverKey := filepath.Join(dir, "server.key")
	for _, k := range []string{serverKey, f.alice, f.bob} {
		if _, err := pqkey.Keygen(k, rand.Reader, ""); err != nil {
			t.Fatal(err)
		}
	}
	f.serverPub = serverKey + pqkey.PublicKeySuffix
	clients := filepath.Join(dir, "clients")
	if err := os.WriteFile(clients, []byte("# test clients\nalice alice.key.pub\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.pqAddr = testutil.FreeAddr(t)
	f.testServer = startServer(t, func(c *config.Config) {
		c.PQ.Listen = f.pqAddr
		c.PQ.PrivateKeyFile = serverKey
		c.PQ.ClientKeysFile = clients
		c.PQ.HandshakeRatePerIP = 10000
		if tweak != nil {
			tweak(c)
		}
	})
	return f
}

// client returns an http.Client whose connections go through the channel.
func (f *pqFixture) client(t *testing.T, keyFile string, h2 bool) *http.Client {
	t.Helper()
	pub, err := pqkey.LoadPublicKey(f.serverPub)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &pq.ClientConfig{ServerKey: pub, Protocols: []string{"http/1.1"}}
	if h2 {
		cfg.Protocols = []string{"h2"}
	}
	if keyFile != "" {
		if cfg.StaticKey, err = pqkey.LoadPrivateKey(keyFile); err != nil {
			t.Fatal(err)
		}
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return pqnet.Dial(ctx, network, f.pqAddr, cfg)
	}}
	if h2 {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = &p
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func getBody(c *http.Client, url string) (int, string, int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.ProtoMajor, err
}

func TestPQChannelServesHTTP(t *testing.T) {
	f := startPQServer(t, nil)
	for _, h2 := range []bool{false, true} {
		for _, key := range []string{"", f.alice} {
			c := f.client(t, key, h2)
			for i := 0; i < 3; i++ { // several requests on one channel
				status, body, major, err := getBody(c, "http://pqloop/health")
				if err != nil || status != 200 || body != `{"status":"ok"}` {
					t.Fatalf("h2=%v key=%q: %d %q %v", h2, key, status, body, err)
				}
				if want := map[bool]int{false: 1, true: 2}[h2]; major != want {
					t.Fatalf("h2=%v: spoke HTTP/%d", h2, major)
				}
			}
			// Bodies go through both ways.
			resp, err := c.Post("http://pqloop/echo", "text/plain", io.NopCloser(io.LimitReader(rand.Reader, 300<<10)))
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || n != 300<<10 {
				t.Fatalf("echo through the channel: %d, %d bytes", resp.StatusCode, n)
			}
		}
	}
	if n := f.metric(t, `pqloop_pq_handshakes_total{result="ok"}`); n < 4 {
		t.Fatalf("handshakes counted: %v", n)
	}
}

func TestPQClientIdentityReachesHandlers(t *testing.T) {
	f := startPQServer(t, nil)
	_, body, _, err := getBody(f.client(t, f.alice, true), "http://pqloop/whoami")
	if err != nil {
		t.Fatal(err)
	}
	if body != "secure=true name=alice" {
		t.Fatalf("alice seen as %q", body)
	}
	_, body, _, err = getBody(f.client(t, "", false), "http://pqloop/whoami")
	if err != nil || body != "secure=true name=" {
		t.Fatalf("anonymous seen as %q %v", body, err)
	}
	_, body, _, err = getBody(http.DefaultClient, f.url("/whoami"))
	if err != nil || body != "secure=false name=" {
		t.Fatalf("plaintext seen as %q %v", body, err)
	}
}

func TestPQRefusesUnauthorisedKeys(t *testing.T) {
	f := startPQServer(t, func(c *config.Config) { c.PQ.RequireClientAuth = true })
	if _, _, _, err := getBody(f.client(t, f.bob, false), "http://pqloop/health"); err == nil {
		t.Fatal("bob's unauthorised key was accepted")
	}
	if _, _, _, err := getBody(f.client(t, "", false), "http://pqloop/health"); err == nil {
		t.Fatal("an anonymous client was accepted with require_client_auth")
	}
	if status, _, _, err := getBody(f.client(t, f.alice, false), "http://pqloop/health"); err != nil || status != 200 {
		t.Fatalf("alice refused: %d %v", status, err)
	}
	testutil.Eventually(t, 5*time.Second, "refusals counted", func() bool { return f.metric(t, `pqloop_pq_handshakes_total{result="error"}`) >= 2 })
}

// TestPQHandshakeFloodDoesNotStarveEstablished floods the listener with
// handshakes while an established channel keeps making requests: every
// one of those requests must succeed.
func TestPQHandshakeFloodDoesNotStarveEstablished(t *testing.T) {
	f := startPQServer(t, func(c *config.Config) {
		c.Engine.OffloadWorkers = 2
		c.Engine.OffloadQueue = 8
	})
	steady := f.client(t, "", true)
	if _, _, _, err := getBody(steady, "http://pqloop/health"); err != nil {
		t.Fatal(err)
	}
	pub, _ := pqkey.LoadPublicKey(f.serverPub)
	cfg := &pq.ClientConfig{ServerKey: pub, Protocols: []string{"h2"}}
	var stop atomic.Bool
	var handshakes atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				c, err := pqnet.Dial(ctx, "tcp", f.pqAddr, cfg)
				cancel()
				if err == nil {
					handshakes.Add(1)
					c.Close()
				}
			}
		}()
	}
	deadline := time.Now().Add(3 * time.Second)
	served, worst := 0, time.Duration(0)
	for time.Now().Before(deadline) {
		start := time.Now()
		status, _, _, err := getBody(steady, "http://pqloop/health")
		if err != nil || status != 200 {
			t.Fatalf("established channel starved during the flood: %d %v", status, err)
		}
		worst = max(worst, time.Since(start))
		served++
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("during the flood: %d requests on the established channel (slowest %v), %d handshakes, %v shed",
		served, worst, handshakes.Load(), f.metric(t, `pqloop_pq_handshakes_total{result="shed"}`))
	if handshakes.Load() == 0 {
		t.Fatal("the flood made no handshakes: it tested nothing")
	}
}

func init() {
	extraRoutes = append(extraRoutes, func(rt *httpx.Router) {
		rt.Handle("GET", "/whoami", httpx.Inline, func(w *httpx.Response, r *httpx.Request) {
			w.Text(200, fmt.Sprintf("secure=%v name=%s", r.Peer.Secure, r.Peer.Name))
		})
	})
}

// TestPQForwardWithCurlAndH2load runs the forwarder behind `pqloop connect`
// and drives it with unmodified clients: curl (HTTP/1.1 and HTTP/2) and
// h2load.
func TestPQForwardWithCurlAndH2load(t *testing.T) {
	f := startPQServer(t, nil)
	pub, err := pqkey.LoadPublicKey(f.serverPub)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := &pq.ClientConfig{ServerKey: pub, Protocols: []string{"h2", "http/1.1"}}
	go pqnet.ForwardListener(ctx, ln, f.pqAddr, cfg)
	local := "http://" + ln.Addr().String()

	if out := run(t, "curl", "-sS", "--http1.1", "-w", " %{http_version}", local+"/health"); out != `{"status":"ok"} 1.1` {
		t.Fatal(out)
	}
	if out := run(t, "curl", "-sS", "--http2-prior-knowledge", "-w", " %{http_version}", local+"/whoami"); out != `secure=true name= 2` {
		t.Fatal(out)
	}
	for _, args := range [][]string{{"-c4", "-m8", "-n4000"}, {"--h1", "-c4", "-m8", "-n4000"}} {
		out := run(t, "h2load", append(args, local+"/health")...)
		if !strings.Contains(out, "4000 succeeded, 0 failed") {
			t.Fatalf("h2load %v through the channel:\n%s", args, out)
		}
	}
}
