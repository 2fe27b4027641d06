package noise

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"math"
	"testing"
)

// TestHKDFMatchesSpec checks that RFC 5869 Extract+Expand with empty info is
// Noise §4.3's HKDF, written out with HMAC as the spec does.
func TestHKDFMatchesSpec(t *testing.T) {
	mac := func(k, d []byte) []byte { m := hmac.New(sha256.New, k); m.Write(d); return m.Sum(nil) }
	ck, ikm := seeded("ck", HashLen), seeded("ikm", 77)
	temp := mac(ck, ikm)
	o1 := mac(temp, []byte{1})
	o2 := mac(temp, append(append([]byte{}, o1...), 2))
	o3 := mac(temp, append(append([]byte{}, o2...), 3))
	want := append(append(o1, o2...), o3...)
	if got := noiseHKDF(ck, ikm, 3); !bytes.Equal(got, want) {
		t.Fatal("HKDF differs from Noise §4.3")
	}
}

func testCipher(t *testing.T) (a, b CipherState) {
	k := seeded("cipher", KeyLen)
	a.InitializeKey(k)
	b.InitializeKey(k)
	return a, b
}

func TestCipherStateNonceLimit(t *testing.T) {
	a, b := testCipher(t)
	a.SetNonce(math.MaxUint64 - 1)
	b.SetNonce(math.MaxUint64 - 1)
	ct, err := a.EncryptWithAd(nil, nil, []byte("last"))
	if err != nil {
		t.Fatalf("nonce 2^64-2 must be usable: %v", err)
	}
	if pt, err := b.DecryptWithAd(nil, nil, ct); err != nil || string(pt) != "last" {
		t.Fatalf("decrypt at 2^64-2: %v", err)
	}
	if _, err := a.EncryptWithAd(nil, nil, []byte("x")); !errors.Is(err, ErrNonceExhausted) {
		t.Fatalf("nonce 2^64-1 (reserved, §5.1): err = %v", err)
	}
	if _, err := b.DecryptWithAd(nil, nil, ct); !errors.Is(err, ErrNonceExhausted) {
		t.Fatalf("receiving at 2^64-1: err = %v", err)
	}
}

func TestCipherStateRejectsReplayAndTamper(t *testing.T) {
	a, b := testCipher(t)
	c0, _ := a.EncryptWithAd(nil, []byte("ad"), []byte("zero"))
	c1, _ := a.EncryptWithAd(nil, []byte("ad"), []byte("one"))
	if _, err := b.DecryptWithAd(nil, []byte("ad"), c1); err == nil {
		t.Fatal("reordered message accepted")
	}
	if _, err := b.DecryptWithAd(nil, []byte("AD"), c0); err == nil {
		t.Fatal("changed associated data accepted")
	}
	if b.Nonce() != 0 {
		t.Fatal("failed decryption advanced the nonce")
	}
	if _, err := b.DecryptWithAd(nil, []byte("ad"), c0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DecryptWithAd(nil, []byte("ad"), c0); err == nil {
		t.Fatal("replayed message accepted")
	}
}

func TestRekeyKeepsCounterAndChangesKey(t *testing.T) {
	a, b := testCipher(t)
	a.EncryptWithAd(nil, nil, nil)
	old := a.k
	a.Rekey()
	if a.k == old || a.Nonce() != 1 {
		t.Fatalf("Rekey: key changed %v, nonce %d (want changed, 1)", a.k != old, a.Nonce())
	}
	b.SetNonce(1)
	ct, _ := a.EncryptWithAd(nil, nil, []byte("after"))
	if _, err := b.DecryptWithAd(nil, nil, ct); err == nil {
		t.Fatal("old key opened a message sealed after Rekey")
	}
	b.Rekey()
	if pt, err := b.DecryptWithAd(nil, nil, ct); err != nil || string(pt) != "after" {
		t.Fatalf("both sides rekeyed: %v", err)
	}
}

func TestHandshakeOutOfTurn(t *testing.T) {
	rs, _ := NewPrivateKey(seeded("rs", PrivateKeySize))
	resp, err := NewHandshakeState(&Config{Pattern: PQNK, LocalStatic: rs})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resp.WriteMessage(nil, nil); !errors.Is(err, ErrState) {
		t.Fatalf("responder writing first: %v", err)
	}
	if _, _, err := resp.Split(); !errors.Is(err, ErrState) {
		t.Fatalf("Split before the end: %v", err)
	}
	if _, err := NewHandshakeState(&Config{Pattern: PQIK, Initiator: true, RemoteStatic: &rs.Public}); !errors.Is(err, ErrNoLocalStatic) {
		t.Fatalf("pqIK initiator without a static key: %v", err)
	}
	if _, err := NewHandshakeState(&Config{Pattern: PQNK, Initiator: true}); !errors.Is(err, ErrNoRemoteStatic) {
		t.Fatalf("initiator without the responder key: %v", err)
	}
}

func TestMessageLenMatchesNotes(t *testing.T) {
	// Sizes with empty payloads, as documented for PQNoise over X-Wing.
	for _, c := range []struct {
		p      *Pattern
		m1, m2 int
	}{{PQNK, 2352, 1136}, {PQIK, 3584, 2272}} {
		if a, b := c.p.MessageLen(0, 0), c.p.MessageLen(1, 0); a != c.m1 || b != c.m2 {
			t.Errorf("%s: %d, %d; want %d, %d", c.p.ProtocolName, a, b, c.m1, c.m2)
		}
	}
}

func TestParsePublicKeyRejectsUnreducedKey(t *testing.T) {
	k, _ := NewPrivateKey(seeded("k", PrivateKeySize))
	bad := bytes.Clone(k.Public.Bytes())
	bad[0], bad[1] = 0xff, 0xff // first ML-KEM coefficient ≥ q
	if _, err := ParsePublicKey(bad); !errors.Is(err, ErrBadKey) {
		t.Fatalf("unreduced key: %v", err)
	}
	if _, err := ParsePublicKey(bad[:100]); !errors.Is(err, ErrBadKey) {
		t.Fatalf("short key: %v", err)
	}
}
