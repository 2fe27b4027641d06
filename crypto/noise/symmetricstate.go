package noise

import (
	"crypto/hkdf"
	"crypto/sha256"
)

// SymmetricState is Noise §5.2's SymmetricState over SHA-256: the chaining
// key ck, the handshake hash h and the CipherState of the handshake.
type SymmetricState struct {
	cs CipherState
	ck [HashLen]byte
	h  [HashLen]byte
}

// InitializeSymmetric sets h to the protocol name, padded or hashed to
// HashLen, and ck to h (§5.2).
func (s *SymmetricState) InitializeSymmetric(protocolName string) {
	if len(protocolName) <= HashLen {
		s.h = [HashLen]byte{}
		copy(s.h[:], protocolName)
	} else {
		s.h = sha256.Sum256([]byte(protocolName))
	}
	s.ck = s.h
}

// noiseHKDF is Noise's HKDF (§4.3): RFC 5869 Extract with ck as the salt,
// then Expand with empty info, which yields exactly HMAC(temp_key, 0x01),
// HMAC(temp_key, output1 ‖ 0x02), and so on.
func noiseHKDF(ck, ikm []byte, outputs int) []byte {
	prk, err := hkdf.Extract(sha256.New, ikm, ck)
	if err != nil {
		panic(err) // unreachable: SHA-256 with fixed sizes
	}
	out, err := hkdf.Expand(sha256.New, prk, "", outputs*HashLen)
	if err != nil {
		panic(err) // unreachable: at most 3 outputs
	}
	clear(prk)
	return out
}

// MixKey folds new key material into ck and starts a fresh cipher key (§5.2).
func (s *SymmetricState) MixKey(ikm []byte) {
	out := noiseHKDF(s.ck[:], ikm, 2)
	copy(s.ck[:], out[:HashLen])
	s.cs.InitializeKey(out[HashLen : HashLen+KeyLen])
	clear(out)
}

// MixHash sets h = HASH(h ‖ data) (§5.2).
func (s *SymmetricState) MixHash(data []byte) {
	d := sha256.New()
	d.Write(s.h[:])
	d.Write(data)
	d.Sum(s.h[:0])
}

// MixKeyAndHash folds key material into ck, h and a fresh cipher key (§5.2).
func (s *SymmetricState) MixKeyAndHash(ikm []byte) {
	out := noiseHKDF(s.ck[:], ikm, 3)
	copy(s.ck[:], out[:HashLen])
	s.MixHash(out[HashLen : 2*HashLen])
	s.cs.InitializeKey(out[2*HashLen : 2*HashLen+KeyLen])
	clear(out)
}

// HandshakeHash returns h, which binds everything sent so far (§5.2).
func (s *SymmetricState) HandshakeHash() [HashLen]byte { return s.h }

// EncryptAndHash appends the encryption of plaintext (with h as associated
// data) to dst and mixes the ciphertext into h (§5.2).
func (s *SymmetricState) EncryptAndHash(dst, plaintext []byte) ([]byte, error) {
	start := len(dst)
	out, err := s.cs.EncryptWithAd(dst, s.h[:], plaintext)
	if err != nil {
		return dst, err
	}
	s.MixHash(out[start:])
	return out, nil
}

// DecryptAndHash appends the decryption of ciphertext to dst and mixes the
// ciphertext into h (§5.2). The ciphertext is hashed before it is decrypted,
// so dst may be ciphertext[:0] (decryption in place).
func (s *SymmetricState) DecryptAndHash(dst, ciphertext []byte) ([]byte, error) {
	ad := s.h
	s.MixHash(ciphertext)
	return s.cs.DecryptWithAd(dst, ad[:], ciphertext)
}

// Split derives the two transport CipherStates (§5.2): the first encrypts
// initiator-to-responder, the second responder-to-initiator.
func (s *SymmetricState) Split() (c1, c2 CipherState) {
	out := noiseHKDF(s.ck[:], nil, 2)
	c1.InitializeKey(out[:KeyLen])
	c2.InitializeKey(out[HashLen : HashLen+KeyLen])
	clear(out)
	return c1, c2
}

// Wipe erases the chaining key and the handshake cipher key.
func (s *SymmetricState) Wipe() {
	clear(s.ck[:])
	s.cs.Wipe()
}
