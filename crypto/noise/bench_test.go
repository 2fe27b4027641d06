package noise

import (
	"crypto/rand"
	"testing"
)

// BenchmarkXWing measures the primitives a handshake is made of, so the
// handshake benchmarks in codec/pq can be read against them.
func BenchmarkXWing(b *testing.B) {
	k, _ := NewPrivateKey(seeded("bench", PrivateKeySize))
	var ct [CiphertextSize]byte
	var ss [SharedKeySize]byte
	b.Run("keygen", func(b *testing.B) {
		for b.Loop() {
			GeneratePrivateKey(rand.Reader)
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			ParsePublicKey(k.Public.Bytes())
		}
	})
	b.Run("encapsulate", func(b *testing.B) {
		for b.Loop() {
			k.Public.encapsulate(rand.Reader, ct[:], ss[:])
		}
	})
	b.Run("decapsulate", func(b *testing.B) {
		for b.Loop() {
			k.decapsulate(ss[:], ct[:])
		}
	})
}
