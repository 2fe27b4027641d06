package noise

import (
	"crypto/rand"
	"testing"

	"github.com/cloudflare/circl/dh/x25519"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"
	"github.com/pqloop/pqloop/internal/testutil"
)

// cpuPerOp runs op b.N times and reports the process CPU time per op.
func cpuPerOp(b *testing.B, op func()) {
	cpu := testutil.StartCPU()
	for b.Loop() {
		op()
	}
	cpu.Report(b)
}

// BenchmarkXWing measures the primitives a handshake is made of, so the
// handshake benchmarks in codec/pq can be read against them.
func BenchmarkXWing(b *testing.B) {
	k, _ := NewPrivateKey(seeded("bench", PrivateKeySize))
	var ct [CiphertextSize]byte
	var ss [SharedKeySize]byte
	b.Run("keygen", func(b *testing.B) { cpuPerOp(b, func() { GeneratePrivateKey(rand.Reader) }) })
	b.Run("parse", func(b *testing.B) { cpuPerOp(b, func() { ParsePublicKey(k.Public.Bytes()) }) })
	b.Run("encapsulate", func(b *testing.B) {
		cpuPerOp(b, func() { k.Public.encapsulate(rand.Reader, ct[:], ss[:]) })
	})
	b.Run("decapsulate", func(b *testing.B) { cpuPerOp(b, func() { k.decapsulate(ss[:], ct[:]) }) })
}

// BenchmarkXWingParts splits X-Wing into its halves, circl's X25519 and
// ML-KEM-768, so the server's share of a pqNK handshake (decapsulate with
// the static key, parse the client's ephemeral key, encapsulate to it) can
// be read as a sum: three X25519 scalar multiplications (two
// variable-base, one fixed-base), one ML-KEM decapsulation, one key
// expansion and one encapsulation.
func BenchmarkXWingParts(b *testing.B) {
	var sk, pk, ss x25519.Key
	copy(sk[:], seeded("x25519", x25519.Size))
	x25519.KeyGen(&pk, &sk)
	b.Run("x25519/base", func(b *testing.B) { cpuPerOp(b, func() { x25519.KeyGen(&pk, &sk) }) })
	b.Run("x25519/shared", func(b *testing.B) { cpuPerOp(b, func() { x25519.Shared(&ss, &sk, &pk) }) })

	mpk, msk := mlkem768.NewKeyFromSeed(seeded("mlkem", mlkem768.KeySeedSize))
	var packed [mlkem768.PublicKeySize]byte
	mpk.Pack(packed[:])
	var ct [mlkem768.CiphertextSize]byte
	var mss [mlkem768.SharedKeySize]byte
	seed := seeded("encaps", mlkem768.EncapsulationSeedSize)
	b.Run("mlkem768/parse", func(b *testing.B) {
		var p mlkem768.PublicKey
		cpuPerOp(b, func() { p.Unpack(packed[:]); clearUpperVectorState() })
	})
	b.Run("mlkem768/encapsulate", func(b *testing.B) {
		cpuPerOp(b, func() { mpk.EncapsulateTo(ct[:], mss[:], seed); clearUpperVectorState() })
	})
	b.Run("mlkem768/decapsulate", func(b *testing.B) {
		cpuPerOp(b, func() { msk.DecapsulateTo(mss[:], ct[:]); clearUpperVectorState() })
	})
}
