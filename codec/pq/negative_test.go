package pq

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/pqloop/pqloop/crypto/noise"
)

// newMsg1 returns a fresh client and its message 1.
func (f *fixture) newMsg1(t testing.TB, now int64) (*Client, []byte) {
	t.Helper()
	c, err := NewClient(f.ccfg, now)
	if err != nil {
		t.Fatal(err)
	}
	m := bytes.Clone(c.Output())
	c.Advance(len(m))
	return c, m
}

// remac recomputes mac1, as anyone who knows the server's public key can:
// it makes a tampered message 1 reach the Noise layer.
func (f *fixture) remac(m []byte) []byte {
	k := newMAC1Key(f.serverKey.Public.Bytes())
	return k.appendMAC1(bytes.Clone(m[:len(m)-mac1Len]))
}

// assertRejected feeds in to a fresh server and requires that it is not
// accepted: an error, or a frame still incomplete; never a message 2.
func assertRejected(t *testing.T, s *Server, in []byte, what string) {
	t.Helper()
	n, pt, err := s.Feed(in, testNow)
	if err == nil && n != 0 || pt != nil || len(s.Output()) != 0 || s.Established() {
		t.Fatalf("%s: Feed = %d, %q, %v; output %d bytes", what, n, pt, err, len(s.Output()))
	}
}

// raceEnabled is set by race_test.go: the race detector slows the KEMs
// about tenfold.
var raceEnabled bool

// positionStep is the stride of the every-position tests: 1 (every byte) in
// a normal run; under -short or -race a prime stride samples all regions
// after always covering the first 16 bytes (headers, version, suite).
func positionStep(i int) int {
	if (testing.Short() || raceEnabled) && i >= 16 {
		return 13
	}
	return 1
}

func TestMessage1BitFlips(t *testing.T) {
	t.Parallel()
	for _, ik := range []bool{false, true} {
		f := newFixture(t, ik)
		_, m1 := f.newMsg1(t, testNow)
		for i := 0; i < len(m1); i += positionStep(i) {
			bad := bytes.Clone(m1)
			bad[i] ^= 1 << (i % 8)
			assertRejected(t, NewServer(f.scfg, testRemote), bad, "flipped bit")
			if i >= frameHeaderLen && i < len(m1)-mac1Len {
				// Past mac1: Noise itself must notice.
				assertRejected(t, NewServer(f.scfg, testRemote), f.remac(bad), "flipped bit, mac1 recomputed")
			}
		}
	}
}

func TestMessage2BitFlips(t *testing.T) {
	t.Parallel()
	for _, ik := range []bool{false, true} {
		f := newFixture(t, ik)
		for i := 0; ; i += positionStep(i) {
			c, m1 := f.newMsg1(t, testNow+int64(i))
			s := NewServer(f.scfg, testRemote)
			if _, _, err := s.Feed(m1, testNow); err != nil {
				t.Fatal(err)
			}
			m2 := bytes.Clone(s.Output())
			if i >= len(m2) {
				break
			}
			m2[i] ^= 1 << (i % 8)
			n, pt, err := c.Feed(m2, testNow)
			if err == nil && n != 0 || pt != nil || c.Established() {
				t.Fatalf("message 2 byte %d flipped: Feed = %d, %v; established %v", i, n, err, c.Established())
			}
		}
	}
}

func TestRecordTampering(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	c, _ := f.handshake(t)
	rec, err := c.Seal(nil, bytes.Repeat([]byte{'r'}, 64))
	if err != nil {
		t.Fatal(err)
	}
	for bit := 0; bit < 8*len(rec); bit += positionStep(bit / 8) {
		bad := bytes.Clone(rec)
		bad[bit/8] ^= 1 << (bit % 8)
		// Each try needs a receiver at the same counter: re-handshake.
		_, s := f.handshake(t)
		n, pt, err := s.Feed(bad, testNow)
		if pt != nil || err == nil && n != 0 {
			t.Fatalf("bit %d: Feed = %d, %q, %v", bit, n, pt, err)
		}
		if err != nil {
			if _, _, again := s.Feed(rec, testNow); again == nil {
				t.Fatalf("bit %d: channel still open after an authentication failure", bit)
			}
		}
	}
}

// sealThree returns a fresh pair and three records from the client.
func sealThree(t *testing.T) (*Server, [3][]byte) {
	f := newFixture(t, false)
	c, s := f.handshake(t)
	var r [3][]byte
	for i := range r {
		var err error
		if r[i], err = c.Seal(nil, []byte{byte('a' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	return s, r
}

func TestRecordOrder(t *testing.T) {
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	for name, build := range map[string]func(r [3][]byte) []byte{
		"reordered":  func(r [3][]byte) []byte { return cat(r[1], r[0]) },
		"duplicated": func(r [3][]byte) []byte { return cat(r[0], r[0]) },
		"dropped":    func(r [3][]byte) []byte { return cat(r[0], r[2]) },
		"truncated":  func(r [3][]byte) []byte { return cat(r[0], r[1][:len(r[1])-1], r[2]) },
		"replayed":   func(r [3][]byte) []byte { return cat(r[0], r[1], r[2], r[1]) },
	} {
		s, r := sealThree(t)
		got, err := drain(s, build(r))
		if !errors.Is(err, ErrAuth) {
			t.Errorf("%s: err = %v, want ErrAuth", name, err)
		}
		// Only records before the bad one are delivered, each whole.
		if !bytes.HasPrefix([]byte("abc"), got) {
			t.Errorf("%s: delivered %q", name, got)
		}
		if _, _, err := s.Feed(r[0], testNow); err == nil {
			t.Errorf("%s: channel still open", name)
		}
	}
}

func TestReplayedMessage1(t *testing.T) {
	f := newFixture(t, true)
	c, m1 := f.newMsg1(t, testNow)
	s := NewServer(f.scfg, testRemote)
	if _, _, err := s.Feed(m1, testNow); err != nil {
		t.Fatal(err)
	}
	m2 := bytes.Clone(s.Output())
	// A replay is answered while the genuine handshake is unconfirmed: a
	// forged message 1 must not lock the client out, and the replayer
	// cannot finish without the client's keys anyway.
	if _, _, err := NewServer(f.scfg, testRemote).Feed(m1, testNow); err != nil {
		t.Fatalf("replay before completion: %v", err)
	}
	if _, err := drain(c, m2); err != nil {
		t.Fatal(err)
	}
	rec, _ := c.Seal(nil, []byte("confirm"))
	if _, err := drain(s, rec); err != nil {
		t.Fatal(err)
	}
	if _, _, auth := s.Peer(); !auth {
		t.Fatal("client not authenticated after its first record")
	}
	// Once the client has proved its key, the message 1 is dead.
	replay := NewServer(f.scfg, testRemote)
	if _, _, err := replay.Feed(m1, testNow); !errors.Is(err, ErrReplay) || len(replay.Output()) != 0 {
		t.Fatalf("replay after completion: %v", err)
	}
}

func TestReplayHistoryAllowsParallelConnections(t *testing.T) {
	f := newFixture(t, true)
	// Two message 1s built in order, completed in the opposite order.
	c1, m1 := f.newMsg1(t, testNow)
	c2, m2 := f.newMsg1(t, testNow)
	complete := func(c *Client, m []byte) error {
		s := NewServer(f.scfg, testRemote)
		if _, _, err := s.Feed(m, testNow); err != nil {
			return err
		}
		if _, err := drain(c, bytes.Clone(s.Output())); err != nil {
			return err
		}
		rec, _ := c.Seal(nil, []byte("x"))
		_, err := drain(s, rec)
		return err
	}
	if err := complete(c2, m2); err != nil {
		t.Fatal(err)
	}
	if err := complete(c1, m1); err != nil {
		t.Fatalf("older but unused timestamp refused: %v", err)
	}
	if _, _, err := NewServer(f.scfg, testRemote).Feed(m2, testNow); !errors.Is(err, ErrReplay) {
		t.Fatalf("reused timestamp: %v", err)
	}
}

func TestHandshakeRejections(t *testing.T) {
	f := newFixture(t, true)
	stranger := testKey(t, "stranger")
	_, good := f.newMsg1(t, testNow)
	set := func(m []byte, i int, v byte) []byte { m = bytes.Clone(m); m[i] = v; return f.remac(m) }

	cases := []struct {
		name string
		cfg  func(*ClientConfig, *ServerConfig)
		msg  func() []byte
		want error
	}{
		{"wrong server key", func(c *ClientConfig, _ *ServerConfig) { c.ServerKey = &stranger.Public }, nil, ErrMAC1},
		{"unauthorised client", func(c *ClientConfig, _ *ServerConfig) { c.StaticKey = stranger }, nil, ErrUnauthorized},
		{"anonymous client, auth required", func(c *ClientConfig, s *ServerConfig) { c.StaticKey = nil; s.RequireClientAuth = true }, nil, ErrPattern},
		{"no common protocol", func(c *ClientConfig, _ *ServerConfig) { c.Protocols = []string{"smtp"} }, nil, ErrNoCommonProtocol},
		{"changed version", nil, func() []byte { return set(good, 3, 2) }, ErrVersion},
		{"changed suite", nil, func() []byte { return set(good, 5, 2) }, ErrSuite},
		{"unknown pattern", nil, func() []byte { return set(good, 6, 9) }, ErrPattern},
		{"pattern downgraded IK to NK", nil, func() []byte { return set(good, 6, PatternNK) }, ErrFrameTooLong},
		{"not a handshake", nil, func() []byte { return set(good, 0, recordData) }, ErrUnexpectedFrame},
	}
	for _, tc := range cases {
		f := newFixture(t, true)
		if tc.cfg != nil {
			tc.cfg(f.ccfg, f.scfg)
		}
		var m []byte
		if tc.msg != nil {
			m = tc.msg()
		} else {
			_, m = f.newMsg1(t, testNow)
		}
		s := NewServer(f.scfg, testRemote)
		n, pt, err := s.Feed(m, testNow)
		if !errors.Is(err, tc.want) || n != 0 || pt != nil || len(s.Output()) != 0 {
			t.Errorf("%s: Feed = %d, %v; want %v and no output", tc.name, n, err, tc.want)
		}
	}
}

func TestRateLimitBound(t *testing.T) {
	f := newFixture(t, false)
	const burst = 3
	f.scfg.Limiter = NewRateLimiter(1, burst, 0)
	for i := 0; i <= burst; i++ {
		_, m := f.newMsg1(t, testNow)
		_, _, err := NewServer(f.scfg, testRemote).Feed(m, testNow)
		if i < burst && err != nil || i == burst && !errors.Is(err, ErrRateLimited) {
			t.Fatalf("handshake %d of burst %d: %v", i+1, burst, err)
		}
	}
	// One second later one token has come back.
	_, m := f.newMsg1(t, testNow)
	if _, _, err := NewServer(f.scfg, testRemote).Feed(m, testNow+1e9); err != nil {
		t.Fatalf("after refill: %v", err)
	}
	// Junk without a valid mac1 is dropped before it costs a token.
	l := NewRateLimiter(1, 1, 0)
	f.scfg = &ServerConfig{StaticKey: f.serverKey, Protocols: []string{"h2"}, Limiter: l}
	bad := bytes.Clone(m)
	bad[len(bad)-1] ^= 1
	NewServer(f.scfg, testRemote).Feed(bad, testNow)
	if !l.Allow(testRemote, testNow) {
		t.Fatal("a message with a bad mac1 spent a rate-limit token")
	}
}

func TestLimiterTableBound(t *testing.T) {
	l := NewRateLimiter(1, 1, 2)
	a, b, c := testRemote, testRemote.Next(), testRemote.Next().Next()
	if !l.Allow(a, testNow) || !l.Allow(b, testNow) {
		t.Fatal("first two sources refused")
	}
	if l.Allow(c, testNow) {
		t.Fatal("third source admitted into a full table with no idle entries")
	}
	if !l.Allow(c, testNow+2e9) {
		t.Fatal("idle entries were not swept")
	}
}

func TestFrameBounds(t *testing.T) {
	// Message 1: the largest legal body is accepted as incomplete, one more
	// byte is refused at once.
	f := newFixture(t, true)
	max := maxInitBody(noise.PQIK)
	for n, want := range map[int]error{max: nil, max + 1: ErrFrameTooLong} {
		_, _, err := NewServer(f.scfg, testRemote).Feed([]byte{frameInit, byte(n >> 8), byte(n)}, testNow)
		if !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Errorf("message 1 length %d: %v, want %v", n, err, want)
		}
	}
	// Records: MaxRecordPlaintext fills one record, one byte more needs two.
	c, s := f.handshake(t)
	for size, records := range map[int]int{MaxRecordPlaintext: 1, MaxRecordPlaintext + 1: 2} {
		w, err := c.Seal(nil, make([]byte, size))
		if err != nil || len(w) != size+records*RecordOverhead {
			t.Fatalf("Seal(%d) = %d bytes, %v", size, len(w), err)
		}
		if got, err := drain(s, w); err != nil || len(got) != size {
			t.Fatalf("open %d: %d, %v", size, len(got), err)
		}
	}
	n := maxRecordBody + 1
	if _, _, err := s.Feed([]byte{recordData, byte(n >> 8), byte(n)}, testNow); !errors.Is(err, ErrFrameTooLong) {
		t.Fatalf("record body %d: %v", n, err)
	}
}

func TestOfferBounds(t *testing.T) {
	f := newFixture(t, false)
	name := string(bytes.Repeat([]byte{'p'}, MaxProtocolLen))
	offers := []string{name, "b", "c", "d", "e", "f", "g", "h2"}
	f.ccfg.Protocols = offers
	if _, s := f.handshake(t); s.Protocol() != "h2" {
		t.Fatalf("8 offers with a %d-byte name: chose %q", MaxProtocolLen, s.Protocol())
	}
	for _, bad := range [][]string{append(offers, "i"), {name + "p"}, {""}, {"h 2"}, nil} {
		f.ccfg.Protocols = bad
		if _, err := NewClient(f.ccfg, testNow); err == nil {
			t.Errorf("offers %q accepted", bad)
		}
	}
}

func TestCounterExhaustion(t *testing.T) {
	f := newFixture(t, false)
	c, s := f.handshake(t)
	c.setNonces(math.MaxUint64-1, 0)
	s.setNonces(0, math.MaxUint64-1)
	w, err := c.Seal(nil, []byte("last"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drain(s, w); err != nil || string(got) != "last" {
		t.Fatalf("record at 2^64-2: %q, %v", got, err)
	}
	if w, err := c.Seal(nil, []byte("wrap")); err == nil || len(w) != 0 {
		t.Fatalf("Seal at 2^64-1 = %d bytes, %v; want an error and nothing", len(w), err)
	}
	if _, err := c.Seal(nil, []byte("again")); err == nil {
		t.Fatal("channel usable after nonce exhaustion")
	}
}

func TestReceiverKeyCeiling(t *testing.T) {
	f := newFixture(t, false)
	c, s := f.handshake(t)
	s.openedUnderKey = RejectAfterRecords - 1
	w, _ := c.Seal(nil, []byte("ok"))
	if _, err := drain(s, w); err != nil {
		t.Fatalf("record %d under one key: %v", RejectAfterRecords, err)
	}
	w, _ = c.Seal(nil, []byte("no"))
	if got, err := drain(s, w); !errors.Is(err, ErrKeyExhausted) || got != nil {
		t.Fatalf("record %d under one key: %q, %v", RejectAfterRecords+1, got, err)
	}
}

func TestRekeyByCount(t *testing.T) {
	f := newFixture(t, false)
	f.ccfg.RekeyAfterRecords = 3
	c, s := f.handshake(t)
	var wire []byte
	for i := 0; i < 10; i++ {
		var err error
		if wire, err = c.Seal(wire, []byte{byte('0' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := drain(s, wire)
	if err != nil || string(got) != "0123456789" {
		t.Fatalf("got %q, %v", got, err)
	}
	if c.sendEpoch != 3 || s.recvEpoch != 3 || s.sendEpoch != 3 {
		t.Fatalf("epochs: client send %d, server recv %d send %d; want 3", c.sendEpoch, s.recvEpoch, s.sendEpoch)
	}
	// The server answered each rekey with its own; the client follows.
	reply, err := s.Seal(nil, []byte("reply"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drain(c, reply); err != nil || string(got) != "reply" || c.recvEpoch != 3 || c.sendEpoch != 3 {
		t.Fatalf("client: %q, %v, epochs recv %d send %d", got, err, c.recvEpoch, c.sendEpoch)
	}
	if len(c.Output()) != 0 {
		t.Fatal("rekeys ping-pong")
	}
}

func TestRekeyByTime(t *testing.T) {
	f := newFixture(t, false)
	f.ccfg.RekeyAfterTime = 1e9
	c, s := f.handshake(t)
	if err := c.Tick(testNow + 1e9 - 1); err != nil || len(c.Output()) != 0 {
		t.Fatalf("rekey before its time: %v, %d bytes", err, len(c.Output()))
	}
	if err := c.Tick(testNow + 1e9); err != nil || len(c.Output()) == 0 {
		t.Fatalf("no rekey at its time: %v", err)
	}
	w, _ := c.Seal(nil, []byte("after"))
	if got, err := drain(s, w); err != nil || string(got) != "after" || s.recvEpoch != 1 {
		t.Fatalf("server: %q, %v, epoch %d", got, err, s.recvEpoch)
	}
}

func TestOrderlyClose(t *testing.T) {
	f := newFixture(t, false)
	c, s := f.handshake(t)
	w, _ := c.Seal(nil, []byte("bye"))
	w, err := c.CloseWrite(w)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Seal(nil, []byte("more")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Seal after CloseWrite: %v", err)
	}
	got, err := drain(s, w)
	if string(got) != "bye" || err != io.EOF {
		t.Fatalf("server read %q, %v; want bye, io.EOF", got, err)
	}
	// The other direction stays open.
	w, err = s.Seal(nil, []byte("still here"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drain(c, w); err != nil || string(got) != "still here" {
		t.Fatalf("half-close: %q, %v", got, err)
	}
}
