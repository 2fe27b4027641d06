// Package testutil holds what the integration tests of several packages
// share: free loopback addresses and a log buffer safe to read while a
// server writes to it.
package testutil

import (
	"bytes"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/cputime"
)

// FreeAddr returns a loopback address nobody listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// SyncBuffer collects a server's or process's output while it runs.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// DialSlowReader connects to addr with its receive buffer set to rcvbuf
// before connect, so the window it advertises stays small: a client that
// reads slowly, for backpressure tests. It is closed when the test ends.
func DialSlowReader(t testing.TB, addr string, rcvbuf int) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
		}); err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Dial connects to addr, gives the connection a deadline so a stuck test
// fails instead of hanging, and closes it when the test ends.
func Dial(t testing.TB, addr string, deadline time.Duration) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(deadline))
	return c
}

// CPUMeter measures the process CPU time of a benchmark's ops; see
// internal/cputime for why it is reported next to ns/op.
type CPUMeter struct{ start time.Duration }

// StartCPU starts a CPUMeter; call it right before the timed loop.
func StartCPU() CPUMeter { return CPUMeter{cputime.Process()} }

// Report adds the cpu-µs/op metric: the CPU time since StartCPU over b.N.
func (m CPUMeter) Report(b *testing.B) {
	b.ReportMetric(float64(cputime.Process()-m.start)/float64(b.N)/1e3, "cpu-µs/op")
}

// Eventually polls cond until it holds, failing t if within passes first.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
