package pq

import (
	"crypto/sha256"
	"net/netip"
	"testing"

	"github.com/pqloop/pqloop/crypto/noise"
	"github.com/pqloop/pqloop/crypto/pqkey"
)

// testKey derives a key pair from a label so tests are reproducible.
func testKey(t testing.TB, label string) *noise.PrivateKey {
	t.Helper()
	seed := sha256.Sum256([]byte(label))
	k, err := noise.NewPrivateKey(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	testRemote = netip.MustParseAddr("192.0.2.1")
	testNow    = int64(1_700_000_000_000_000_000)
)

type fixture struct {
	serverKey, clientKey *noise.PrivateKey
	scfg                 *ServerConfig
	ccfg                 *ClientConfig
}

// newFixture builds matching configs; ik selects pqIK with an authorised
// client key.
func newFixture(t testing.TB, ik bool) *fixture {
	t.Helper()
	f := &fixture{serverKey: testKey(t, "server"), clientKey: testKey(t, "client")}
	set, err := pqkey.NewAuthorizedSet(pqkey.Client{Name: "alice", Key: &f.clientKey.Public})
	if err != nil {
		t.Fatal(err)
	}
	f.scfg = &ServerConfig{
		StaticKey:         f.serverKey,
		AuthorizedClients: set,
		Protocols:         []string{"h2", "http/1.1"},
		Limiter:           NewRateLimiter(1e9, 1e9, 0),
	}
	f.ccfg = &ClientConfig{ServerKey: &f.serverKey.Public, Protocols: []string{"http/1.1", "h2"}}
	if ik {
		f.ccfg.StaticKey = f.clientKey
	}
	return f
}

// handshake runs both messages in memory and returns established peers.
func (f *fixture) handshake(t testing.TB) (*Client, *Server) {
	t.Helper()
	c, err := NewClient(f.ccfg, testNow)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(f.scfg, testRemote)
	msg1 := append([]byte(nil), c.Output()...)
	c.Advance(len(msg1))
	n, pt, err := s.Feed(msg1, testNow)
	if err != nil || n != len(msg1) || pt != nil {
		t.Fatalf("server Feed(msg1) = %d, %q, %v", n, pt, err)
	}
	msg2 := append([]byte(nil), s.Output()...)
	s.Advance(len(msg2))
	n, pt, err = c.Feed(msg2, testNow)
	if err != nil || n != len(msg2) || pt != nil {
		t.Fatalf("client Feed(msg2) = %d, %q, %v", n, pt, err)
	}
	return c, s
}

// feeder is what Server and Client share for the tests below.
type feeder interface {
	Feed(in []byte, now int64) (int, []byte, error)
}

// drain feeds in completely and returns all plaintext, or the first error.
func drain(p feeder, in []byte) ([]byte, error) {
	var got []byte
	for len(in) > 0 {
		n, pt, err := p.Feed(in, testNow)
		if err != nil {
			return got, err
		}
		if n == 0 {
			return got, errIncomplete
		}
		got = append(got, pt...)
		in = in[n:]
	}
	return got, nil
}

type incompleteError struct{}

func (incompleteError) Error() string { return "incomplete frame" }

var errIncomplete error = incompleteError{}
