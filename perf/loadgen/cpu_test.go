package loadgen

import (
	"runtime"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/cputime"
)

func TestStealPercent(t *testing.T) {
	from := cpuTimes{total: 1000, steal: 10}
	to := cpuTimes{total: 1200, steal: 30}
	if got := stealPercent(from, to); got != 10 {
		t.Fatalf("stealPercent = %v, want 10", got)
	}
	if got := stealPercent(to, to); got != 0 {
		t.Fatalf("no time passed: stealPercent = %v, want 0", got)
	}
}

func TestReadCPUTimes(t *testing.T) {
	a, ok := readCPUTimes()
	if runtime.GOOS != "linux" {
		if ok {
			t.Fatal("readCPUTimes succeeded without /proc/stat")
		}
		return
	}
	if !ok || a.total == 0 || a.steal > a.total {
		t.Fatalf("readCPUTimes = %+v, %v", a, ok)
	}
}

// TestCPUWindow: a window in which this process burns CPU reports a busy
// tool; a window of no length reports unknown rather than dividing by zero.
func TestCPUWindow(t *testing.T) {
	from := sampleCPU()
	for start := cputime.Process(); cputime.Process()-start < 20*time.Millisecond; {
	}
	steal, self := cpuWindow(from, sampleCPU())
	if self <= 0 {
		t.Fatalf("tool CPU %v%% over a window spent computing", self)
	}
	if runtime.GOOS == "linux" && (steal < 0 || steal > 100) {
		t.Fatalf("steal %v%%", steal)
	}
	if _, self := cpuWindow(from, from); self != -1 {
		t.Fatalf("empty window: tool CPU %v, want -1", self)
	}
}
