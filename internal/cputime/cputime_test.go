package cputime

import (
	"testing"
	"time"
)

// TestProcessAdvances: computing for a while shows up as CPU time, and the
// figure never goes backwards.
func TestProcessAdvances(t *testing.T) {
	start := Process()
	if start <= 0 {
		t.Fatalf("Process() = %v at start", start)
	}
	deadline := time.Now().Add(5 * time.Second)
	for Process()-start < 10*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("10 ms of CPU not seen in 5 s of spinning (now %v)", Process()-start)
		}
	}
	if Process() < start {
		t.Fatal("CPU time went backwards")
	}
}
