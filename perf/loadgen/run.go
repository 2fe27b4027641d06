package loadgen

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Run drives the server as cfg says and returns what it measured. It fails
// early if the first connection cannot be opened; later failures are
// counted in the result. Cancelling ctx ends the run and reports what was
// measured so far.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	probe, err := cfg.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("loadgen: cannot reach %s: %w", cfg.URL.Host, err)
	}
	probe.Close()

	r := &run{cfg: &cfg, warmupEnd: int64(cfg.Warmup), end: noEnd}
	if cfg.Duration > 0 {
		r.end = int64(cfg.Warmup + cfg.Duration)
	}
	r.budget.Store(cfg.Requests)
	if cfg.Protocol == H2C {
		r.h2 = newH2Request(&cfg)
	} else {
		r.h1 = encodeH1Request(&cfg)
	}

	workers := make([]*worker, cfg.Connections)
	for i := range workers {
		workers[i] = &worker{
			run:   r,
			pace:  newPacer(cfg.Rate, cfg.Connections, i),
			stats: newStats(),
			in:    make([]byte, 0, readBufferSize),
		}
	}
	var wg sync.WaitGroup
	r.clock = clock{start: time.Now()}
	for _, w := range workers {
		wg.Go(func() { w.loop(ctx) })
	}
	// CPU accounting over the measured window: sampled when warmup ends.
	windowStart := make(chan cpuSample, 1)
	warmupDone := time.AfterFunc(cfg.Warmup, func() { windowStart <- sampleCPU() })
	wg.Wait()
	stopped := r.clock.now()
	warmupDone.Stop()
	steal, self := -1.0, -1.0
	select {
	case from := <-windowStart:
		steal, self = cpuWindow(from, sampleCPU())
	default:
	}

	total := newStats()
	var firstErr error
	for _, w := range workers {
		total.merge(w.stats)
		if firstErr == nil {
			firstErr = w.firstErr
		}
	}
	// The measured window runs from the end of warmup to the end of the run,
	// or to the last response when the request count ended it sooner.
	window := min(stopped, r.end) - r.warmupEnd
	if cfg.Requests > 0 && r.budget.Load() <= 0 && total.last > r.warmupEnd {
		window = total.last - r.warmupEnd
	}
	res := newResult(&cfg, total, time.Duration(window), firstErr)
	res.StealPercent = steal
	res.ToolCPUPercent = self
	return res, nil
}
