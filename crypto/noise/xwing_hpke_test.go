package noise

import (
	"bytes"
	"crypto/hpke"
	"testing"

	circlhpke "github.com/cloudflare/circl/hpke"
)

// TestXWingAgainstGoHPKE checks the X-Wing implementation we use (circl)
// against Go's independent one in crypto/hpke (MLKEM768X25519, KEM id
// 0x647a): the same seed gives the same public key, and a message Go seals
// to our key opens with our private key, and the other way round.
func TestXWingAgainstGoHPKE(t *testing.T) {
	kem := hpke.MLKEM768X25519()
	if kem.ID() != 0x647a {
		t.Fatalf("Go KEM id %#x, want X-Wing 0x647a", kem.ID())
	}
	ours, err := NewPrivateKey(seeded("hpke cross-check", PrivateKeySize))
	if err != nil {
		t.Fatal(err)
	}
	goPriv, err := kem.NewPrivateKey(ours.Seed())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(goPriv.PublicKey().Bytes(), ours.Public.Bytes()) {
		t.Fatal("same seed, different X-Wing public keys in circl and crypto/hpke")
	}

	suite := circlhpke.NewSuite(circlhpke.KEM_XWING, circlhpke.KDF_HKDF_SHA256, circlhpke.AEAD_AES256GCM)
	info, msg := []byte("pqloop x-wing cross-check"), []byte("sealed by one, opened by the other")

	// Go seals to our public key; circl opens with our private key.
	goPub, err := kem.NewPublicKey(ours.Public.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	ct, err := hpke.Seal(goPub, hpke.HKDFSHA256(), hpke.AES256GCM(), info, msg)
	if err != nil {
		t.Fatal(err)
	}
	enc, sealed := ct[:CiphertextSize], ct[CiphertextSize:]
	circlPriv, err := circlhpke.KEM_XWING.Scheme().UnmarshalBinaryPrivateKey(ours.Seed())
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := suite.NewReceiver(circlPriv, info)
	if err != nil {
		t.Fatal(err)
	}
	opener, err := rcv.Setup(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := opener.Open(sealed, nil); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("circl could not open Go's message: %v", err)
	}

	// circl seals to our public key; Go opens with the same seed.
	circlPub, err := circlhpke.KEM_XWING.Scheme().UnmarshalBinaryPublicKey(ours.Public.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	snd, err := suite.NewSender(circlPub, info)
	if err != nil {
		t.Fatal(err)
	}
	enc, sealer, err := snd.Setup(nil)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err = sealer.Seal(msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := hpke.Open(goPriv, hpke.HKDFSHA256(), hpke.AES256GCM(), info, append(enc, sealed...))
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("Go could not open circl's message: %v", err)
	}
}
