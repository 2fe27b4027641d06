package fuzz

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/noise"
	"github.com/pqloop/pqloop/crypto/pqkey"
)

// The pq fuzz targets run both roles of codec/pq with fixed keys and a
// deterministic random source, so each seed in testdata is a genuine
// message the fuzzer mutates from. Regenerate the seeds with
//
//	go test ./fuzz -run TestWritePQCorpus -pq.corpus
//
// Inputs are kilobytes long and many run a KEM, so Go's default 60 s
// minimisation of each new input stalls progress; fuzz with, say,
//
//	go test ./fuzz -run XXX -fuzz '^FuzzPQServerHandshake$' -fuzztime 60s -fuzzminimizetime 3s
var writePQCorpus = flag.Bool("pq.corpus", false, "rewrite the FuzzPQ* seed corpora")

// detRand is a deterministic byte stream: SHA-256 of a label and a counter.
type detRand struct {
	label string
	n     uint64
	buf   []byte
}

func (r *detRand) Read(p []byte) (int, error) {
	for i := range p {
		if len(r.buf) == 0 {
			s := sha256.Sum256(fmt.Appendf(nil, "%s/%d", r.label, r.n))
			r.n++
			r.buf = s[:]
		}
		p[i], r.buf = r.buf[0], r.buf[1:]
	}
	return len(p), nil
}

const pqFuzzNow = int64(1_700_000_000_000_000_000)

var pqFuzzRemote = netip.MustParseAddr("192.0.2.7")

func pqFuzzKey(label string) *noise.PrivateKey {
	k, err := noise.GeneratePrivateKey(&detRand{label: label})
	if err != nil {
		panic(err)
	}
	return k
}

var (
	pqServerKey = pqFuzzKey("fuzz server")
	pqClientKey = pqFuzzKey("fuzz client")
	pqClients   = func() *pqkey.AuthorizedSet {
		s, err := pqkey.NewAuthorizedSet(pqkey.Client{Name: "fuzz", Key: &pqClientKey.Public})
		if err != nil {
			panic(err)
		}
		return s
	}()
)

// pqServerConfig is fresh per call: configs hold a replay history.
func pqServerConfig() *pq.ServerConfig {
	return &pq.ServerConfig{StaticKey: pqServerKey, AuthorizedClients: pqClients,
		Protocols: []string{"h2", "http/1.1"}, Limiter: pq.NewRateLimiter(1e12, 1e12, 0),
		Rand: &detRand{label: "fuzz server rand"}}
}

func pqClientConfig(ik bool) *pq.ClientConfig {
	c := &pq.ClientConfig{ServerKey: &pqServerKey.Public, Protocols: []string{"http/1.1", "h2"},
		Rand: &detRand{label: "fuzz client rand"}}
	if ik {
		c.StaticKey = pqClientKey
	}
	return c
}

// remac rewrites the trailing mac1 of message 1 as docs/PROTOCOL.md
// defines it (HMAC-SHA-256 keyed by SHA-256("mac1----" ‖ server key),
// first 16 bytes), so mutated messages get past the cheap filter into the
// Noise layer.
func remac(m []byte) []byte {
	if len(m) < 16 {
		return m
	}
	key := sha256.Sum256(append([]byte("mac1----"), pqServerKey.Public.Bytes()...))
	h := hmac.New(sha256.New, key[:])
	h.Write(m[:len(m)-16])
	return h.Sum(m[:len(m)-16])[:len(m)]
}

// pqFeedAll feeds in to a role until it stops consuming, checking the
// contract every call: consumed within bounds, no plaintext with an error,
// and errors final. It returns the plaintext delivered and the last error.
func pqFeedAll(t *testing.T, feed func([]byte, int64) (int, []byte, error), in []byte) ([]byte, error) {
	var got []byte
	for {
		n, pt, err := feed(in, pqFuzzNow)
		if n < 0 || n > len(in) {
			t.Fatalf("consumed %d of %d bytes", n, len(in))
		}
		if err != nil {
			if pt != nil {
				t.Fatalf("plaintext released with error %v", err)
			}
			if n2, pt2, err2 := feed(in[n:], pqFuzzNow); err2 == nil || pt2 != nil || n2 != 0 {
				t.Fatalf("error %v was not final: then %d, %q, %v", err, n2, pt2, err2)
			}
			return got, err
		}
		if n == 0 {
			return got, nil
		}
		got = append(got, pt...)
		in = in[n:]
	}
}

// pqMessage1 builds a genuine message 1.
func pqMessage1(ik bool) (*pq.Client, []byte) {
	c, err := pq.NewClient(pqClientConfig(ik), pqFuzzNow)
	if err != nil {
		panic(err)
	}
	m := bytes.Clone(c.Output())
	c.Advance(len(m))
	return c, m
}

// FuzzPQServerHandshake feeds arbitrary bytes to a fresh server as the
// start of a connection: message 1 and maybe records. remac lets mutations
// reach the Noise layer. The server must never panic, never release
// plaintext, and either refuse or answer with exactly one message 2.
func FuzzPQServerHandshake(f *testing.F) {
	for _, ik := range []bool{false, true} {
		_, m := pqMessage1(ik)
		f.Add(m, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, fixMAC bool) {
		if fixMAC {
			data = remac(bytes.Clone(data))
		}
		s := pq.NewServer(pqServerConfig(), pqFuzzRemote)
		got, err := pqFeedAll(t, s.Feed, data)
		if len(got) != 0 {
			t.Fatalf("server released %d bytes of plaintext from a client that never had keys", len(got))
		}
		if err != nil && len(s.Output()) != 0 {
			t.Fatalf("refused (%v) but queued %d bytes", err, len(s.Output()))
		}
		if s.Established() && len(s.Output()) == 0 {
			t.Fatal("established without a message 2")
		}
	})
}

// FuzzPQClientHandshake feeds arbitrary bytes to a client waiting for
// message 2. Only the genuine message 2 may establish the channel.
func FuzzPQClientHandshake(f *testing.F) {
	for _, ik := range []bool{false, true} {
		f.Add(pqMessage2(ik), ik)
	}
	f.Fuzz(func(t *testing.T, data []byte, ik bool) {
		c, _ := pqMessage1(ik)
		got, err := pqFeedAll(t, c.Feed, data)
		if len(got) != 0 {
			t.Fatalf("client released %d bytes before a genuine handshake", len(got))
		}
		genuine := pqMessage2(ik)
		if c.Established() && !bytes.HasPrefix(data, genuine) {
			t.Fatalf("established by a forged message 2 (err %v)", err)
		}
	})
}

// pqMessage2 is the server's answer to pqMessage1(ik).
func pqMessage2(ik bool) []byte {
	_, m1 := pqMessage1(ik)
	s := pq.NewServer(pqServerConfig(), pqFuzzRemote)
	if _, _, err := s.Feed(m1, pqFuzzNow); err != nil {
		panic(err)
	}
	return bytes.Clone(s.Output())
}

// pqGenuinePlaintext is what the genuine client sends in the record fuzzer.
var pqGenuinePlaintext = []byte("GET / HTTP/1.1\r\nHost: pq\r\n\r\nsecond record after a rekey")

// pqEstablished runs a deterministic pqNK handshake in memory.
func pqEstablished() (*pq.Client, *pq.Server) {
	c, m1 := pqMessage1(false)
	s := pq.NewServer(pqServerConfig(), pqFuzzRemote)
	if _, _, err := s.Feed(m1, pqFuzzNow); err != nil {
		panic(err)
	}
	if _, _, err := c.Feed(s.Output(), pqFuzzNow); err != nil {
		panic(err)
	}
	s.Advance(len(s.Output()))
	return c, s
}

// pqGenuineStream is the client's records after the handshake: data, a
// rekey forced by time, more data, a close.
func pqGenuineStream() []byte {
	c, _ := pqEstablished()
	w, _ := c.Seal(nil, pqGenuinePlaintext[:28])
	c.Tick(pqFuzzNow + int64(pq.DefaultRekeyAfterTime)) // queues a rekey record
	w, _ = c.Seal(w, pqGenuinePlaintext[28:])
	w, _ = c.CloseWrite(w)
	return w
}

// FuzzPQRecord feeds arbitrary bytes to an established server as records.
// Whatever it delivers must be a prefix of what the genuine client sealed:
// no forged, reordered or partial record may release plaintext.
func FuzzPQRecord(f *testing.F) {
	f.Add(pqGenuineStream())
	f.Fuzz(func(t *testing.T, data []byte) {
		_, s := pqEstablished()
		got, err := pqFeedAll(t, s.Feed, data)
		if !bytes.HasPrefix(pqGenuinePlaintext, got) {
			t.Fatalf("delivered %q, not a prefix of the genuine plaintext (err %v)", got, err)
		}
		if errors.Is(err, io.EOF) && !bytes.Equal(got, pqGenuinePlaintext) {
			t.Fatalf("orderly close after only %q", got)
		}
	})
}

// TestPQSeedsAreGenuine keeps the generated seeds honest: each must take
// its target down the success path.
func TestPQSeedsAreGenuine(t *testing.T) {
	for _, ik := range []bool{false, true} {
		_, m1 := pqMessage1(ik)
		s := pq.NewServer(pqServerConfig(), pqFuzzRemote)
		if n, _, err := s.Feed(m1, pqFuzzNow); err != nil || n != len(m1) {
			t.Fatalf("message 1 seed (ik=%v): %d, %v", ik, n, err)
		}
		c, _ := pqMessage1(ik)
		m2 := pqMessage2(ik)
		if _, _, err := c.Feed(m2, pqFuzzNow); err != nil || !c.Established() {
			t.Fatalf("message 2 seed (ik=%v): %v", ik, err)
		}
	}
	_, s := pqEstablished()
	got, err := pqFeedAll(t, s.Feed, pqGenuineStream())
	if !bytes.Equal(got, pqGenuinePlaintext) || !errors.Is(err, io.EOF) {
		t.Fatalf("record seed: %q, %v", got, err)
	}
}

func TestWritePQCorpus(t *testing.T) {
	if !*writePQCorpus {
		t.Skip("run with -pq.corpus to rewrite the seeds")
	}
	write := func(target, name string, values ...any) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.WriteString("go test fuzz v1\n")
		for _, v := range values {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(&b, "[]byte(%q)\n", v)
			case bool:
				fmt.Fprintf(&b, "bool(%v)\n", v)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ik := range []bool{false, true} {
		name := map[bool]string{false: "pqNK", true: "pqIK"}[ik]
		_, m1 := pqMessage1(ik)
		write("FuzzPQServerHandshake", name, m1, false)
		bad := bytes.Clone(m1)
		bad[len(bad)/2] ^= 0x40
		write("FuzzPQServerHandshake", name+"-flipped-remac", bad, true)
		write("FuzzPQClientHandshake", name, pqMessage2(ik), ik)
	}
	write("FuzzPQRecord", "data-rekey-close", pqGenuineStream())
	write("FuzzPQRecord", "truncated", pqGenuineStream()[:40])
}
