package pq

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pqloop/pqloop/internal/testutil"
)

// forPatterns runs bench once per handshake pattern.
func forPatterns(b *testing.B, bench func(b *testing.B, ik bool)) {
	b.Run("pqNK", func(b *testing.B) { bench(b, false) })
	b.Run("pqIK", func(b *testing.B) { bench(b, true) })
}

// BenchmarkServerHandshake measures the server's CPU for one handshake:
// parsing and checking message 1, the KEM work, and writing message 2. The
// same message 1 is replayed; the replay guard only refuses it after a
// confirmed handshake, which this loop never reaches.
func BenchmarkServerHandshake(b *testing.B) {
	forPatterns(b, func(b *testing.B, ik bool) {
		f := newFixture(b, ik)
		_, m1 := f.newMsg1(b, testNow)
		b.ReportAllocs()
		cpu := testutil.StartCPU()
		for b.Loop() {
			s := NewServer(f.scfg, testRemote)
			if _, _, err := s.Feed(m1, testNow); err != nil {
				b.Fatal(err)
			}
		}
		cpu.Report(b)
	})
}

// BenchmarkClientHandshake measures the client's CPU: building message 1
// and processing message 2.
func BenchmarkClientHandshake(b *testing.B) {
	forPatterns(b, func(b *testing.B, ik bool) {
		f := newFixture(b, ik)
		b.ReportAllocs()
		for b.Loop() {
			c, err := NewClient(f.ccfg, testNow)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s := NewServer(f.scfg, testRemote)
			if _, _, err := s.Feed(c.Output(), testNow); err != nil {
				b.Fatal(err)
			}
			c.Advance(len(c.Output()))
			b.StartTimer()
			if _, _, err := c.Feed(s.Output(), testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var recordSizes = []int{64, 1024, 16384}

func BenchmarkSeal(b *testing.B) {
	for _, size := range recordSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c, _ := newFixture(b, false).handshake(b)
			p := bytes.Repeat([]byte{'x'}, size)
			buf := make([]byte, 0, size+RecordOverhead)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = c.Seal(buf[:0], p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen measures Feed on data records, opened in place. Records
// are sealed in batches outside the timer because opening consumes them.
func BenchmarkOpen(b *testing.B) {
	const batch = 256
	for _, size := range recordSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c, s := newFixture(b, false).handshake(b)
			p := bytes.Repeat([]byte{'x'}, size)
			wire := make([]byte, 0, batch*(size+RecordOverhead))
			var in []byte
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if len(in) == 0 {
					b.StopTimer()
					wire = wire[:0]
					for range batch {
						wire, _ = c.Seal(wire, p)
					}
					in = wire
					b.StartTimer()
				}
				n, pt, err := s.Feed(in, testNow)
				if err != nil || len(pt) != size && pt != nil {
					b.Fatal(n, err)
				}
				in = in[n:] // a rekey record (every 2^20) yields no plaintext
			}
		})
	}
}
