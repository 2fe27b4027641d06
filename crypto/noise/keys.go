package noise

import (
	"io"

	"github.com/cloudflare/circl/kem/xwing"
)

// PublicKey is an X-Wing encapsulation key, kept both as the 1216 bytes that
// go on the wire and in the expanded form encapsulation needs, so a key that
// is used many times (a pinned server key, an authorised client key) is
// parsed and checked once.
type PublicKey struct {
	packed [PublicKeySize]byte
	key    xwing.PublicKey
}

// ParsePublicKey checks and expands a packed X-Wing public key. It rejects an
// ML-KEM part whose coefficients are not reduced (FIPS 203 §7.2 input check).
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) != PublicKeySize {
		return nil, ErrBadKey
	}
	p := new(PublicKey)
	copy(p.packed[:], b)
	err := p.key.Unpack(p.packed[:])
	clearUpperVectorState()
	if err != nil {
		return nil, ErrBadKey
	}
	return p, nil
}

// Bytes returns the packed key. The caller must not modify it.
func (p *PublicKey) Bytes() []byte { return p.packed[:] }

// encapsulate fills ct and ss for this key, drawing the 64-byte
// encapsulation seed from rand.
func (p *PublicKey) encapsulate(rand io.Reader, ct, ss []byte) error {
	var seed [EncapsSeedSize]byte
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return err
	}
	p.key.EncapsulateTo(ct, ss, seed[:])
	clearUpperVectorState()
	clear(seed[:])
	return nil
}

// PrivateKey is an X-Wing key pair. The decapsulation key is the 32-byte seed
// of draft-connolly-cfrg-xwing-kem; both halves expand from it.
type PrivateKey struct {
	seed   [PrivateKeySize]byte
	key    xwing.PrivateKey
	Public PublicKey
}

// NewPrivateKey expands a key pair from its 32-byte seed.
func NewPrivateKey(seed []byte) (*PrivateKey, error) {
	if len(seed) != PrivateKeySize {
		return nil, ErrBadKey
	}
	k := new(PrivateKey)
	copy(k.seed[:], seed)
	sk, pk := xwing.DeriveKeyPair(k.seed[:])
	clearUpperVectorState()
	k.key = *sk
	*sk = xwing.PrivateKey{}
	pk.Pack(k.Public.packed[:])
	k.Public.key = *pk
	return k, nil
}

// GeneratePrivateKey draws a seed from rand and expands it.
func GeneratePrivateKey(rand io.Reader) (*PrivateKey, error) {
	var seed [PrivateKeySize]byte
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return nil, err
	}
	k, err := NewPrivateKey(seed[:])
	clear(seed[:])
	return k, err
}

// Seed returns the 32-byte seed, the form a key file stores. The caller must
// not modify it.
func (k *PrivateKey) Seed() []byte { return k.seed[:] }

// decapsulate fills ss from ct. X-Wing decapsulation never fails: a forged
// ciphertext yields an unrelated secret (ML-KEM's implicit rejection), which
// the next AEAD tag then rejects.
func (k *PrivateKey) decapsulate(ss, ct []byte) {
	k.key.DecapsulateTo(ss, ct)
	clearUpperVectorState()
}

// Wipe overwrites the seed and the expanded secret key in place. Copies that
// circl made on the stack while deriving are beyond reach, as in all Go code.
func (k *PrivateKey) Wipe() {
	clear(k.seed[:])
	k.key = xwing.PrivateKey{}
}
