package loadgen

import (
	"runtime"
	"testing"
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
