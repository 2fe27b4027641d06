package engine

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/pqloop/pqloop/internal/testutil"
)

func TestPinSet(t *testing.T) {
	for _, tc := range []struct {
		allowed, want []int
	}{
		{nil, nil},
		{[]int{3}, nil}, // confined to one CPU: nothing to choose, no locked threads
		{[]int{0, 1}, []int{0, 1}},
		{[]int{2, 5, 7}, []int{2, 5, 7}},
	} {
		if got := pinSet(tc.allowed); !slices.Equal(got, tc.want) {
			t.Errorf("pinSet(%v) = %v, want %v", tc.allowed, got, tc.want)
		}
	}
}

// TestEnginePinsLoops: with two CPUs or more, every loop reports the CPU
// its thread is pinned to, each a different one from the allowed set.
func TestEnginePinsLoops(t *testing.T) {
	allowed := allowedCPUs()
	if len(allowed) < 2 {
		t.Skipf("process may use %d CPU(s); pinning needs two", len(allowed))
	}
	addr := testutil.FreeAddr(t)
	e, err := New(Config{Loops: 2, PinCPUs: true, Limits: testLimits(), Logger: slog.New(slog.DiscardHandler)},
		&Listener{Name: "test", Addr: addr, NewProtocol: func(l Link) Protocol { return &lineProto{link: l, rec: &recorder{}} }})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	var cpus []int
	e.EachLoop(func(l *Loop) { cpus = append(cpus, l.CPU) })
	if len(cpus) != 2 || cpus[0] == cpus[1] || !slices.Contains(allowed, cpus[0]) || !slices.Contains(allowed, cpus[1]) {
		t.Fatalf("loop CPUs %v, want two distinct CPUs of %v", cpus, allowed)
	}
}
