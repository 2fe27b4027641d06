package pq

import (
	"bytes"
	"errors"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, ik := range []bool{false, true} {
		f := newFixture(t, ik)
		c, s := f.handshake(t)
		if c.Protocol() != "h2" || s.Protocol() != "h2" {
			t.Fatalf("protocol: client %q server %q, want server preference h2", c.Protocol(), s.Protocol())
		}
		msg := bytes.Repeat([]byte("abcdefgh"), 5000) // 40000 B: three records
		wire, err := c.Seal(nil, msg)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(msg) + 3*RecordOverhead; len(wire) != want {
			t.Fatalf("wire %d bytes, want %d", len(wire), want)
		}
		got, err := drain(s, wire)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("server got %d bytes, err %v", len(got), err)
		}
		fp, name, auth := s.Peer()
		if ik != (name == "alice") || ik != auth || ik != (fp != "") {
			t.Fatalf("Peer() = %q %q %v with ik=%v", fp, name, auth, ik)
		}
		wire, err = s.Seal(nil, []byte("reply"))
		if err != nil {
			t.Fatal(err)
		}
		got, err = drain(c, wire)
		if err != nil || string(got) != "reply" {
			t.Fatalf("client got %q, %v", got, err)
		}
	}
}

func TestHandshakeReady(t *testing.T) {
	f := newFixture(t, false)
	_, m1 := f.newMsg1(t, testNow)
	s := NewServer(f.scfg, testRemote)
	if s.HandshakeReady(m1[:len(m1)-1]) || s.HandshakeReady(nil) {
		t.Fatal("ready before message 1 is complete")
	}
	if !s.HandshakeReady(m1) {
		t.Fatal("not ready with a complete message 1")
	}
	if _, _, err := s.Feed(m1, testNow); err != nil {
		t.Fatal(err)
	}
	if s.HandshakeReady(m1) {
		t.Fatal("ready again after the handshake")
	}
}

func TestServerWithoutKey(t *testing.T) {
	f := newFixture(t, false)
	_, m1 := f.newMsg1(t, testNow)
	s := NewServer(&ServerConfig{Protocols: []string{"h2"}}, testRemote)
	if _, _, err := s.Feed(m1, testNow); err == nil {
		t.Fatal("a server without a key accepted a handshake")
	}
}

func TestWipe(t *testing.T) {
	c, s := newFixture(t, false).handshake(t)
	w, _ := c.Seal(nil, []byte("x"))
	s.Wipe()
	if got, err := drain(s, w); err == nil || got != nil {
		t.Fatalf("wiped server opened a record: %q, %v", got, err)
	}
	c.Wipe()
	if _, err := c.Seal(nil, []byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("wiped client sealed: %v", err)
	}
}
