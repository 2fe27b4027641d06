package noise

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudflare/circl/kem/xwing"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the fixed seeds")

// vector is one deterministic handshake: every random byte either side
// drew, every message byte, and the keys that came out. No published
// vectors exist for PQNoise over X-Wing, so these pin our own output; the
// X-Wing steps inside them are cross-checked against circl's
// EncapsulateDeterministically and Go's crypto/hpke separately.
type vector struct {
	ProtocolName       string `json:"protocol_name"`
	Prologue           string `json:"prologue"`
	ResponderStatic    string `json:"responder_static_seed"`
	InitiatorStatic    string `json:"initiator_static_seed,omitempty"`
	InitiatorRandom    string `json:"initiator_random"`
	ResponderRandom    string `json:"responder_random"`
	Payload1           string `json:"payload1"`
	Payload2           string `json:"payload2"`
	Message1           string `json:"message1"`
	Message2           string `json:"message2"`
	HandshakeHash      string `json:"handshake_hash"`
	InitiatorToRespKey string `json:"initiator_to_responder_key"`
	RespToInitiatorKey string `json:"responder_to_initiator_key"`
	TransportMessage   string `json:"transport_message_0"`
}

const vectorsFile = "testdata/vectors.json"

// seeded returns n bytes expanded from label, so the vectors need no
// randomness to regenerate.
func seeded(label string, n int) []byte {
	var out []byte
	for i := byte(0); len(out) < n; i++ {
		s := sha256.Sum256(append([]byte(label), i))
		out = append(out, s[:]...)
	}
	return out[:n]
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// randomNeeded is how many random bytes each side draws in a pattern.
func randomNeeded(p *Pattern, initiator bool) int {
	n := 0
	i := 1
	if initiator {
		i = 0
	}
	for _, t := range p.Messages[i] {
		switch t {
		case TokenE:
			n += ephemeralSeedSize
		case TokenEkem, TokenSkem:
			n += EncapsSeedSize
		}
	}
	return n
}

func makeVector(t *testing.T, p *Pattern) vector {
	v := vector{
		ProtocolName:    p.ProtocolName,
		Prologue:        hex.EncodeToString([]byte("pqloop test vector prologue")),
		ResponderStatic: hex.EncodeToString(seeded("responder static", PrivateKeySize)),
		InitiatorRandom: hex.EncodeToString(seeded(p.ProtocolName+" initiator random", randomNeeded(p, true))),
		ResponderRandom: hex.EncodeToString(seeded(p.ProtocolName+" responder random", randomNeeded(p, false))),
		Payload1:        hex.EncodeToString([]byte("message 1 payload")),
		Payload2:        hex.EncodeToString([]byte("message 2 payload")),
	}
	if p.InitiatorStatic {
		v.InitiatorStatic = hex.EncodeToString(seeded("initiator static", PrivateKeySize))
	}
	return v
}

// runVector performs the handshake the vector describes and fills in its
// outputs.
func runVector(t *testing.T, in vector) (out vector) {
	t.Helper()
	out = in
	pattern := PQNK
	if in.ProtocolName == ProtocolNamePQIK {
		pattern = PQIK
	}
	rs, err := NewPrivateKey(unhex(t, in.ResponderStatic))
	if err != nil {
		t.Fatal(err)
	}
	var is *PrivateKey
	if in.InitiatorStatic != "" {
		if is, err = NewPrivateKey(unhex(t, in.InitiatorStatic)); err != nil {
			t.Fatal(err)
		}
	}
	iRand := bytes.NewReader(unhex(t, in.InitiatorRandom))
	rRand := bytes.NewReader(unhex(t, in.ResponderRandom))
	init, err := NewHandshakeState(&Config{Pattern: pattern, Initiator: true, Prologue: unhex(t, in.Prologue),
		LocalStatic: is, RemoteStatic: &rs.Public, Rand: iRand})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := NewHandshakeState(&Config{Pattern: pattern, Prologue: unhex(t, in.Prologue),
		LocalStatic: rs, Rand: rRand})
	if err != nil {
		t.Fatal(err)
	}
	m1, err := init.WriteMessage(nil, unhex(t, in.Payload1))
	if err != nil {
		t.Fatal(err)
	}
	p1, err := resp.ReadMessage(nil, m1)
	if err != nil || !bytes.Equal(p1, unhex(t, in.Payload1)) {
		t.Fatalf("read message 1: %q, %v", p1, err)
	}
	m2, err := resp.WriteMessage(nil, unhex(t, in.Payload2))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := init.ReadMessage(nil, m2)
	if err != nil || !bytes.Equal(p2, unhex(t, in.Payload2)) {
		t.Fatalf("read message 2: %q, %v", p2, err)
	}
	if iRand.Len() != 0 || rRand.Len() != 0 {
		t.Fatalf("random bytes left over: initiator %d, responder %d", iRand.Len(), rRand.Len())
	}
	if len(m1) != pattern.MessageLen(0, len(p1)) || len(m2) != pattern.MessageLen(1, len(p2)) {
		t.Fatalf("message lengths %d, %d disagree with MessageLen", len(m1), len(m2))
	}
	if init.HandshakeHash() != resp.HandshakeHash() {
		t.Fatal("handshake hashes differ")
	}
	h := init.HandshakeHash()
	if is != nil && !bytes.Equal(resp.RemoteStatic().Bytes(), is.Public.Bytes()) {
		t.Fatal("responder did not learn the initiator's static key")
	}
	iSend, iRecv, err := init.Split()
	if err != nil {
		t.Fatal(err)
	}
	rSend, rRecv, err := resp.Split()
	if err != nil {
		t.Fatal(err)
	}
	if iSend.k != rRecv.k || iRecv.k != rSend.k || iSend.k == iRecv.k {
		t.Fatal("split keys do not pair up")
	}
	tm, err := iSend.EncryptWithAd(nil, nil, []byte("transport"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := rRecv.DecryptWithAd(nil, nil, tm); err != nil || string(pt) != "transport" {
		t.Fatalf("transport message: %q, %v", pt, err)
	}
	out.Message1 = hex.EncodeToString(m1)
	out.Message2 = hex.EncodeToString(m2)
	out.HandshakeHash = hex.EncodeToString(h[:])
	out.InitiatorToRespKey = hex.EncodeToString(iSend.k[:])
	out.RespToInitiatorKey = hex.EncodeToString(iRecv.k[:])
	out.TransportMessage = hex.EncodeToString(tm)
	return out
}

func TestVectors(t *testing.T) {
	if *update {
		var vs []vector
		for _, p := range []*Pattern{PQNK, PQIK} {
			vs = append(vs, runVector(t, makeVector(t, p)))
		}
		b, err := json.MarshalIndent(vs, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.FromSlash(vectorsFile))
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("%d vectors, want pqNK and pqIK", len(vs))
	}
	for _, want := range vs {
		t.Run(want.ProtocolName, func(t *testing.T) {
			if got := runVector(t, want); got != want {
				gj, _ := json.MarshalIndent(got, "", "  ")
				t.Fatalf("recomputed vector differs:\n%s", gj)
			}
			checkEncapsulations(t, want)
		})
	}
}

// checkEncapsulations recomputes each KEM ciphertext in the vector's
// messages with circl's generic EncapsulateDeterministically, independent of
// the HandshakeState code.
func checkEncapsulations(t *testing.T, v vector) {
	scheme := xwing.Scheme()
	iRand, rRand := unhex(t, v.InitiatorRandom), unhex(t, v.ResponderRandom)
	m1, m2 := unhex(t, v.Message1), unhex(t, v.Message2)
	rsPub, _ := scheme.DeriveKeyPair(unhex(t, v.ResponderStatic))
	ct := func(pk []byte, seed []byte) []byte {
		pub, err := scheme.UnmarshalBinaryPublicKey(pk)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := scheme.EncapsulateDeterministically(pub, seed)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rsBytes, _ := rsPub.MarshalBinary()
	switch v.ProtocolName {
	case ProtocolNamePQNK:
		// m1 = skem (clear: no key yet) ‖ e ‖ payload; m2 = ekem ‖ payload.
		if !bytes.Equal(m1[:CiphertextSize], ct(rsBytes, iRand[:EncapsSeedSize])) {
			t.Fatal("pqNK skem ciphertext differs from circl's")
		}
		ePub, _ := scheme.DeriveKeyPair(iRand[EncapsSeedSize:])
		eBytes, _ := ePub.MarshalBinary()
		if !bytes.Equal(m1[CiphertextSize:CiphertextSize+PublicKeySize], eBytes) {
			t.Fatal("pqNK e differs from circl's DeriveKeyPair")
		}
		if !bytes.Equal(m2[:CiphertextSize], ct(eBytes, rRand[:EncapsSeedSize])) {
			t.Fatal("pqNK ekem ciphertext differs from circl's")
		}
	case ProtocolNamePQIK:
		// m1 = e ‖ skem (clear) ‖ enc(s) ‖ payload; m2 = ekem ‖ enc(skem) ‖ payload.
		ePub, _ := scheme.DeriveKeyPair(iRand[:ephemeralSeedSize])
		eBytes, _ := ePub.MarshalBinary()
		if !bytes.Equal(m1[:PublicKeySize], eBytes) {
			t.Fatal("pqIK e differs from circl's DeriveKeyPair")
		}
		if !bytes.Equal(m1[PublicKeySize:PublicKeySize+CiphertextSize], ct(rsBytes, iRand[ephemeralSeedSize:])) {
			t.Fatal("pqIK skem ciphertext differs from circl's")
		}
		if !bytes.Equal(m2[:CiphertextSize], ct(eBytes, rRand[:EncapsSeedSize])) {
			t.Fatal("pqIK ekem ciphertext differs from circl's")
		}
	}
}
