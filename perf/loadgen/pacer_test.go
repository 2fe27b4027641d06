package loadgen

import "testing"

func TestPacerClosedLoopIsAlwaysDue(t *testing.T) {
	p := newPacer(0, 8, 3)
	if at, ok := p.due(12345); !ok || at != 12345 || p.openLoop() {
		t.Fatalf("closed loop: %d %v", at, ok)
	}
}

func TestPacerOpenLoopKeepsIntendedTimes(t *testing.T) {
	// 1000 req/s over 2 connections: each sends every 2 ms, the second
	// offset by 1 ms.
	p := newPacer(1000, 2, 1)
	if _, ok := p.due(999_999); ok {
		t.Fatal("due before its offset")
	}
	// Late by 5 ms: every missed send is still handed out, each with its
	// own intended time, so the lateness shows up as latency.
	want := []int64{1e6, 3e6, 5e6}
	for _, w := range want {
		at, ok := p.due(6e6)
		if !ok || at != w {
			t.Fatalf("got %d %v, want %d", at, ok, w)
		}
	}
	if _, ok := p.due(6e6); ok {
		t.Fatal("handed out a send from the future")
	}
	if p.next() != 7e6 {
		t.Fatalf("next %d", p.next())
	}
}
