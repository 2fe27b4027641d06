package tlscompare

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/noise"
	"github.com/pqloop/pqloop/crypto/pqkey"
	"github.com/pqloop/pqloop/internal/testutil"
	"github.com/pqloop/pqloop/pqnet"
)

// tlsConfigs returns a TLS 1.3-only pair restricted to X25519MLKEM768, with
// an ECDSA P-256 certificate the client verifies (as a pinned root), and
// without session tickets, so every handshake is a full one.
func tlsConfigs(tb testing.TB) (server, client *tls.Config) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pq.test"},
		DNSNames: []string{"pq.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	curves := []tls.CurveID{tls.X25519MLKEM768}
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion: tls.VersionTLS13, CurvePreferences: curves, SessionTicketsDisabled: true, NextProtos: []string{"h2"}}
	client = &tls.Config{RootCAs: roots, ServerName: "pq.test", MinVersion: tls.VersionTLS13,
		CurvePreferences: curves, SessionTicketsDisabled: true, NextProtos: []string{"h2"}}
	return server, client
}

// pqConfigs returns a pair for pqNK, or pqIK with an authorised client key.
func pqConfigs(tb testing.TB, ik bool) (*pq.ServerConfig, *pq.ClientConfig) {
	sk, err := noise.GeneratePrivateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	ck, _ := noise.GeneratePrivateKey(rand.Reader)
	set, _ := pqkey.NewAuthorizedSet(pqkey.Client{Name: "bench", Key: &ck.Public})
	scfg := &pq.ServerConfig{StaticKey: sk, AuthorizedClients: set, Protocols: []string{"h2"},
		Limiter: pq.NewRateLimiter(1e12, 1e12, 0)}
	ccfg := &pq.ClientConfig{ServerKey: &sk.Public, Protocols: []string{"h2"}}
	if ik {
		ccfg.StaticKey = ck
	}
	return scfg, ccfg
}

type handshaker interface {
	net.Conn
	HandshakeContext(context.Context) error
}

// handshakePair runs one full handshake over an in-memory pipe, so the
// figure is the CPU of both sides, not the kernel's. The pipe ends are
// closed directly: a close alert or record on a pipe nobody reads would
// only measure a write timeout.
func handshakePair(tb testing.TB, client, server handshaker, rawClient, rawServer net.Conn) {
	errc := make(chan error, 1)
	go func() { errc <- server.HandshakeContext(context.Background()) }()
	if err := client.HandshakeContext(context.Background()); err != nil {
		tb.Fatal(err)
	}
	if err := <-errc; err != nil {
		tb.Fatal(err)
	}
	rawClient.Close()
	rawServer.Close()
}

// BenchmarkHandshake: one full handshake, both sides, per op; cpu-µs/op is
// the process CPU per handshake.
func BenchmarkHandshake(b *testing.B) {
	b.Run("tls13-X25519MLKEM768-ECDSA", func(b *testing.B) {
		scfg, ccfg := tlsConfigs(b)
		b.ReportAllocs()
		cpu := testutil.StartCPU()
		for b.Loop() {
			c, s := net.Pipe()
			tc, ts := tls.Client(c, ccfg), tls.Server(s, scfg)
			handshakePair(b, tc, ts, c, s)
			if tc.ConnectionState().CurveID != tls.X25519MLKEM768 {
				b.Fatalf("negotiated %v", tc.ConnectionState().CurveID)
			}
		}
		cpu.Report(b)
	})
	for _, ik := range []bool{false, true} {
		name := map[bool]string{false: "pq-pqNK", true: "pq-pqIK"}[ik]
		b.Run(name, func(b *testing.B) {
			scfg, ccfg := pqConfigs(b, ik)
			b.ReportAllocs()
			cpu := testutil.StartCPU()
			for b.Loop() {
				c, s := net.Pipe()
				pc, err := pqnet.Client(c, ccfg)
				if err != nil {
					b.Fatal(err)
				}
				handshakePair(b, pc, pqnet.Server(s, scfg), c, s)
			}
			cpu.Report(b)
		})
	}
}

// loopbackPair returns the two ends of an established channel over real
// loopback TCP.
func loopbackPair(b *testing.B, wrapServer func(net.Conn) handshaker, wrapClient func(net.Conn) handshaker) (client, server handshaker) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan handshaker, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		s := wrapServer(raw)
		s.HandshakeContext(context.Background())
		accepted <- s
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	client = wrapClient(raw)
	if err := client.HandshakeContext(context.Background()); err != nil {
		b.Fatal(err)
	}
	if server = <-accepted; server == nil {
		b.Fatal("accept failed")
	}
	return client, server
}

// BenchmarkBulk: one direction, writes of the given size, over loopback.
func BenchmarkBulk(b *testing.B) {
	for _, size := range []int{1024, 16384} {
		b.Run(fmt.Sprintf("tls13/%d", size), func(b *testing.B) {
			scfg, ccfg := tlsConfigs(b)
			c, s := loopbackPair(b,
				func(r net.Conn) handshaker { return tls.Server(r, scfg) },
				func(r net.Conn) handshaker { return tls.Client(r, ccfg) })
			bulk(b, c, s, size)
		})
		b.Run(fmt.Sprintf("pq/%d", size), func(b *testing.B) {
			scfg, ccfg := pqConfigs(b, false)
			c, s := loopbackPair(b,
				func(r net.Conn) handshaker { return pqnet.Server(r, scfg) },
				func(r net.Conn) handshaker {
					pc, err := pqnet.Client(r, ccfg)
					if err != nil {
						b.Fatal(err)
					}
					return pc
				})
			bulk(b, c, s, size)
		})
	}
}

func bulk(b *testing.B, w, r net.Conn, size int) {
	defer w.Close()
	defer r.Close()
	buf := make([]byte, size)
	done := make(chan int64, 1)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := testutil.StartCPU()
	defer cpu.Report(b)
	go func() {
		n, _ := io.Copy(io.Discard, r)
		done <- n
	}()
	for i := 0; i < b.N; i++ {
		if _, err := w.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	if n := <-done; n != int64(b.N)*int64(size) {
		b.Fatalf("received %d of %d bytes", n, int64(b.N)*int64(size))
	}
}
