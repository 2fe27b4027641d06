package noise

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
)

// CipherState is Noise §5.1's CipherState with AESGCM (§12.4): a key k and a
// 64-bit counter n that is the nonce. n only moves forward, and the value
// 2^64-1 is never used to send, so a nonce is never reused under one key.
//
// Encryption and decryption append to dst and allocate nothing once the key
// is set; to decrypt in place pass ciphertext[:0] as dst.
type CipherState struct {
	aead   cipher.AEAD
	k      [KeyLen]byte
	n      uint64
	nonce  [nonceLen]byte // scratch kept here so it does not escape per call
	hasKey bool
}

// InitializeKey sets the key and resets the nonce to zero (§5.1).
func (c *CipherState) InitializeKey(k []byte) {
	copy(c.k[:], k)
	c.n = 0
	c.hasKey = true
	block, err := aes.NewCipher(c.k[:])
	if err != nil {
		panic(err) // unreachable: the key is always KeyLen bytes
	}
	c.aead, err = cipher.NewGCM(block)
	if err != nil {
		panic(err) // unreachable: standard nonce and tag sizes
	}
}

// HasKey reports whether a key has been set (§5.1).
func (c *CipherState) HasKey() bool { return c.hasKey }

// Nonce returns the counter the next message will use.
func (c *CipherState) Nonce() uint64 { return c.n }

// SetNonce sets the counter (§5.1). The record layer uses it only in tests,
// to start near the end of the nonce space.
func (c *CipherState) SetNonce(n uint64) { c.n = n }

func (c *CipherState) nonceBytes(n uint64) []byte {
	// First four bytes stay zero (§12.4).
	binary.BigEndian.PutUint64(c.nonce[4:], n)
	return c.nonce[:]
}

// EncryptWithAd appends ENCRYPT(k, n++, ad, plaintext) to dst (§5.1). Without
// a key it appends the plaintext unchanged, as the spec requires during the
// first tokens of a handshake.
func (c *CipherState) EncryptWithAd(dst, ad, plaintext []byte) ([]byte, error) {
	if !c.hasKey {
		return append(dst, plaintext...), nil
	}
	if c.n == maxNonce {
		return dst, ErrNonceExhausted
	}
	out := c.aead.Seal(dst, c.nonceBytes(c.n), plaintext, ad)
	c.n++
	return out, nil
}

// DecryptWithAd appends DECRYPT(k, n, ad, ciphertext) to dst and advances n
// only if the tag verifies (§5.1). On failure dst's new bytes are not
// released (Go's GCM checks the whole tag before writing plaintext).
func (c *CipherState) DecryptWithAd(dst, ad, ciphertext []byte) ([]byte, error) {
	if !c.hasKey {
		return append(dst, ciphertext...), nil
	}
	if c.n == maxNonce {
		return dst, ErrNonceExhausted
	}
	out, err := c.aead.Open(dst, c.nonceBytes(c.n), ciphertext, ad)
	if err != nil {
		return dst, ErrAuth
	}
	c.n++
	return out, nil
}

// Rekey replaces k with the first 32 bytes of ENCRYPT(k, 2^64-1, "", zeros)
// (§4.2 REKEY, §11.3). The counter is not reset, so nonces stay unique for
// the whole life of the direction.
func (c *CipherState) Rekey() {
	var zeros [KeyLen]byte
	var out [KeyLen + TagLen]byte
	c.aead.Seal(out[:0], c.nonceBytes(maxNonce), zeros[:], nil)
	n := c.n
	c.InitializeKey(out[:KeyLen])
	c.n = n
	clear(out[:])
}

// Wipe erases the key. The AES key schedule inside crypto/aes cannot be
// reached from here; dropping the last reference is all Go allows.
func (c *CipherState) Wipe() {
	clear(c.k[:])
	c.aead = nil
	c.hasKey = false
}
