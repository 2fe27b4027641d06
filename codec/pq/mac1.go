package pq

import (
	"crypto/hmac"
	"crypto/sha256"
)

// mac1 works as in WireGuard (whitepaper §5.4.4): the last 16 bytes of
// message 1 are a MAC keyed by a hash of the server's public key. Anyone who
// knows the key can compute it, so it proves nothing about the client; it
// lets the server drop junk and messages meant for another key before it
// spends a decapsulation. WireGuard's keyed BLAKE2s becomes HMAC-SHA-256
// truncated to 16 bytes, keeping SHA-256 the only hash of the suite.
const labelMAC1 = "mac1----"

type mac1Key [sha256.Size]byte

func newMAC1Key(serverPublic []byte) (k mac1Key) {
	h := sha256.New()
	h.Write([]byte(labelMAC1))
	h.Write(serverPublic)
	h.Sum(k[:0])
	return k
}

// appendMAC1 appends mac1 over msg (everything before the MAC).
func (k *mac1Key) appendMAC1(msg []byte) []byte {
	m := hmac.New(sha256.New, k[:])
	m.Write(msg)
	var sum [sha256.Size]byte
	return append(msg, m.Sum(sum[:0])[:mac1Len]...)
}

// verify checks the trailing mac1 of msg in constant time.
func (k *mac1Key) verify(msg []byte) bool {
	if len(msg) < mac1Len {
		return false
	}
	body := msg[:len(msg)-mac1Len]
	m := hmac.New(sha256.New, k[:])
	m.Write(body)
	var sum [sha256.Size]byte
	return hmac.Equal(m.Sum(sum[:0])[:mac1Len], msg[len(body):])
}
