package engine

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
)

func TestPoolBoundedSubmitNeverBlocks(t *testing.T) {
	const workers, queue = 2, 4
	p := NewPool(workers, queue, slog.New(slog.DiscardHandler))
	defer p.Close()
	release := make(chan struct{})
	for range workers {
		if !p.Submit(func() { <-release }) {
			t.Fatal("submit to an idle pool refused")
		}
	}
	testutil.Eventually(t, 10*time.Second, "both workers busy", func() bool { return p.Active.Load() == workers })
	for i := range queue { // the queue's bound is accepted
		if !p.Submit(func() {}) {
			t.Fatalf("queued job %d refused below the bound", i+1)
		}
	}
	// One past the bound: refused at once, counted, never run.
	returned := make(chan bool)
	ran := make(chan struct{}, 1)
	go func() { returned <- p.Submit(func() { ran <- struct{}{} }) }()
	select {
	case ok := <-returned:
		if ok {
			t.Fatal("a full pool accepted a job")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Submit blocked on a full pool")
	}
	if got := p.Rejected.Load(); got != 1 {
		t.Fatalf("Rejected = %d, want 1", got)
	}
	if got := p.Queued(); got != queue {
		t.Fatalf("Queued = %d, want %d", got, queue)
	}
	close(release)
	testutil.Eventually(t, 10*time.Second, "every accepted job done", func() bool { return p.Done.Load() == workers+queue })
	select {
	case <-ran:
		t.Fatal("the rejected job ran")
	default:
	}
	if p.Active.Load() != 0 {
		t.Fatalf("Active = %d after all jobs finished", p.Active.Load())
	}
}

func TestPoolPanicKeepsWorker(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	p := NewPool(1, 8, slog.New(slog.NewTextHandler(logs, nil)))
	defer p.Close()
	for range 3 {
		if !p.Submit(func() { panic("job bug") }) {
			t.Fatal("submit refused")
		}
	}
	done := make(chan struct{})
	if !p.Submit(func() { close(done) }) {
		t.Fatal("submit refused")
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the only worker died with the panicking job")
	}
	testutil.Eventually(t, 10*time.Second, "four jobs counted", func() bool { return p.Done.Load() == 4 })
	if p.Active.Load() != 0 {
		t.Fatalf("Active = %d: a panicking job leaked its count", p.Active.Load())
	}
	if s := logs.String(); strings.Count(s, "offloaded job panicked") != 3 || !strings.Contains(s, "job bug") {
		t.Fatalf("panics not logged with their value:\n%s", s)
	}
}
