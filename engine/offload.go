package engine

import (
	"log/slog"
	"runtime/debug"
	"sync/atomic"
)

// Pool is the bounded offload pool: a fixed set of workers and a bounded
// queue. Submit never blocks and never grows the queue: a full pool is the
// caller's to answer (503 with Retry-After), not a backlog to hide.
type Pool struct {
	jobs     chan func()
	quit     chan struct{}
	closed   atomic.Bool
	log      *slog.Logger
	Rejected atomic.Uint64
	Done     atomic.Uint64
	Active   atomic.Int64
}

// NewPool starts workers goroutines serving a queue of size queue.
func NewPool(workers, queue int, log *slog.Logger) *Pool {
	p := &Pool{jobs: make(chan func(), queue), quit: make(chan struct{}), log: log}
	for range workers {
		go p.work()
	}
	return p
}

// Submit queues fn, or reports false when the queue is full or the pool
// is closed.
func (p *Pool) Submit(fn func()) bool {
	if p.closed.Load() {
		p.Rejected.Add(1)
		return false
	}
	select {
	case p.jobs <- fn:
		return true
	default:
		p.Rejected.Add(1)
		return false
	}
}

// Queued is how many jobs wait for a worker.
func (p *Pool) Queued() int { return len(p.jobs) }

// Close stops the workers; jobs still queued are dropped. Submit after
// Close reports false.
func (p *Pool) Close() {
	if p.closed.CompareAndSwap(false, true) {
		close(p.quit)
	}
}

func (p *Pool) work() {
	for {
		select {
		case fn := <-p.jobs:
			p.run(fn)
		case <-p.quit:
			return
		}
	}
}

func (p *Pool) run(fn func()) {
	p.Active.Add(1)
	defer func() {
		p.Active.Add(-1)
		p.Done.Add(1)
		// A job is expected to recover its own panics (the HTTP driver
		// answers 500); this is the last line, so a worker never dies.
		if v := recover(); v != nil {
			p.log.Error("offloaded job panicked", "panic", v, "stack", string(debug.Stack()))
		}
	}()
	fn()
}
