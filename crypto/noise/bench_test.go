package noise

import (
	"crypto/rand"
	"syscall"
	"testing"
	"time"
)

// cpuPerOp runs op b.N times and reports the process CPU time per op next
// to ns/op: on a shared, busy machine wall time mostly measures waiting.
func cpuPerOp(b *testing.B, op func()) {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(cpu()-start)/float64(b.N)/1e3, "cpu-µs/op")
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
