package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// tickInterval is the loop timer resolution: deadlines fire within one
// tick of their time, and held-back connections are re-offered their input
// within one tick of their output draining.
const tickInterval = 50 * time.Millisecond

// Config is what the engine needs to start. Limits may change later with
// SetLimits; the rest needs a restart.
type Config struct {
	Loops          int  // event loops; 0 means GOMAXPROCS
	PinCPUs        bool // pin each loop's thread to its own CPU (Linux)
	ReadBufferCap  int  // gnet's per-loop read buffer
	OffloadWorkers int  // 0 means 4×GOMAXPROCS
	OffloadQueue   int
	Limits         Limits
	Logger         *slog.Logger
}

// Listener is one address the engine serves and the protocol it speaks.
type Listener struct {
	Name string // "http", "pq": log and metric label
	Addr string // host:port
	// NewProtocol makes a connection's protocol. It runs on the loop.
	NewProtocol func(Link) Protocol

	addr netip.AddrPort
}

// RefusedCounts counts refused connections by reason.
type RefusedCounts struct {
	MaxConns, MaxConnsPerIP, Draining atomic.Uint64
}

// Engine runs the event loops.
type Engine struct {
	cfg       Config
	listeners []*Listener
	log       *slog.Logger
	pool      *Pool
	limits    atomic.Pointer[Limits]
	limiter   connLimiter
	draining  atomic.Bool
	epoch     time.Time
	Refused   RefusedCounts

	mu     sync.Mutex
	loops  map[gnet.EventLoop]*Loop
	byID   []*Loop
	gnet   gnet.Engine
	booted chan struct{}
	done   chan error
	// pinTo is the CPU set loops are pinned to, empty when they are not.
	pinTo []int

	stopOnce sync.Once
}

// New prepares an engine; Start runs it.
func New(cfg Config, listeners ...*Listener) (*Engine, error) {
	if cfg.Loops <= 0 {
		cfg.Loops = runtime.GOMAXPROCS(0)
	}
	if cfg.OffloadWorkers <= 0 {
		cfg.OffloadWorkers = 4 * runtime.GOMAXPROCS(0)
	}
	if cfg.OffloadQueue <= 0 {
		cfg.OffloadQueue = 1024
	}
	if cfg.ReadBufferCap <= 0 {
		cfg.ReadBufferCap = 64 << 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Engine{
		cfg:       cfg,
		listeners: listeners,
		log:       cfg.Logger,
		epoch:     time.Now(),
		loops:     make(map[gnet.EventLoop]*Loop),
		booted:    make(chan struct{}),
		done:      make(chan error, 1),
	}
	lim := cfg.Limits
	e.limits.Store(&lim)
	for _, l := range listeners {
		ap, err := netip.ParseAddrPort(l.Addr)
		if err != nil {
			return nil, fmt.Errorf("listener %s: address %q: %w", l.Name, l.Addr, err)
		}
		l.addr = ap
	}
	return e, nil
}

// clock is the engine's monotonic clock in nanoseconds.
func (e *Engine) clock() int64 { return int64(time.Since(e.epoch)) }

// Loops returns the number of event loops.
func (e *Engine) Loops() int { return e.cfg.Loops }

// LoopStats calls fn for every loop that has started.
func (e *Engine) EachLoop(fn func(*Loop)) {
	e.mu.Lock()
	loops := append([]*Loop(nil), e.byID...)
	e.mu.Unlock()
	for _, l := range loops {
		fn(l)
	}
}

// Pool returns the offload pool.
func (e *Engine) Pool() *Pool { return e.pool }

// OpenConns is the number of open connections.
func (e *Engine) OpenConns() int64 { return e.limiter.total.Load() }

// SetLimits applies new live limits.
func (e *Engine) SetLimits(l Limits) { e.limits.Store(&l) }

// Start binds the listeners and runs the loops in the background. It
// returns once every loop is up (and pinned, if asked).
func (e *Engine) Start() error {
	e.pool = NewPool(e.cfg.OffloadWorkers, e.cfg.OffloadQueue, e.log)
	addrs := make([]string, len(e.listeners))
	for i, l := range e.listeners {
		// Bind once with the standard library first, so a busy address is
		// a clear error rather than a log line from inside gnet.
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			return fmt.Errorf("listener %s: %w", l.Name, err)
		}
		ln.Close()
		addrs[i] = "tcp://" + l.Addr
	}
	e.pinTo = nil
	if e.cfg.PinCPUs {
		e.pinTo = pinSet(allowedCPUs())
	}
	go func() {
		err := gnet.Rotate(&handler{e: e}, addrs,
			gnet.WithMulticore(true),
			gnet.WithNumEventLoop(e.cfg.Loops),
			gnet.WithLockOSThread(len(e.pinTo) > 0),
			gnet.WithReuseAddr(true),
			gnet.WithTicker(true),
			gnet.WithReadBufferCap(e.cfg.ReadBufferCap),
			gnet.WithTCPNoDelay(gnet.TCPNoDelay),
			gnet.WithLogger(gnetLogger{e.log}),
		)
		e.done <- err
	}()
	select {
	case <-e.booted:
	case err := <-e.done:
		return fmt.Errorf("engine: %w", err)
	}
	e.probeLoops()
	return nil
}

// probeLoops opens one connection per loop so that each loop runs a
// callback, pins its thread and reports in; then it logs the loop→CPU map.
func (e *Engine) probeLoops() {
	addr := e.listeners[0].Addr
	conns := make([]net.Conn, 0, e.cfg.Loops)
	for range e.cfg.Loops {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			e.log.Warn("loop probe failed", "err", err)
			continue
		}
		conns = append(conns, c)
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		n := len(e.byID)
		e.mu.Unlock()
		if n >= e.cfg.Loops {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for _, c := range conns {
		c.Close()
	}
	var b strings.Builder
	e.EachLoop(func(l *Loop) {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%d→%d", l.ID, l.CPU)
	})
	e.log.Info("event loops started", "loops", e.cfg.Loops, "pin_cpus", len(e.pinTo) > 0, "loop_cpu", b.String())
}

// Draining reports whether Drain has begun.
func (e *Engine) Draining() bool { return e.draining.Load() }

// Drain stops taking connections, asks every connection to finish what it
// has in flight and close, and waits until all are closed or ctx ends.
// Then it stops the loops.
func (e *Engine) Drain(ctx context.Context) error {
	e.draining.Store(true)
	e.EachLoop(func(l *Loop) {
		_ = l.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			l.enter()
			defer l.leave()
			l.eng.eachConn(l, func(c *Conn) {
				c.proto.OnDrain()
				c.flush()
				if c.closing {
					_ = c.gc.Close()
				}
			})
			return nil
		}))
	})
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	var err error
wait:
	for e.OpenConns() > 0 {
		select {
		case <-ctx.Done():
			err = fmt.Errorf("drain: %d connections still open at the deadline", e.OpenConns())
			break wait
		case <-t.C:
		}
	}
	e.Stop()
	return err
}

// Stop stops the loops at once, closing every connection. It may be called
// more than once, and after Drain.
func (e *Engine) Stop() {
	e.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.gnet.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
			e.log.Debug("engine stop", "err", err)
		}
		<-e.done
		if e.pool != nil {
			e.pool.Close()
		}
	})
}

// eachConn visits the loop's open connections. It runs on the loop.
func (e *Engine) eachConn(l *Loop, fn func(*Conn)) { l.all.each(fn) }

// pinSet is the CPU set to pin loops to, given the CPUs the process may
// use: none when it is confined to one CPU (taskset, a cgroup cpuset).
// There every thread already runs on that CPU, so pinning buys nothing,
// while a locked thread costs two thread hand-offs (futex wake and sleep)
// each time gnet's idle loop yields with runtime.Gosched.
func pinSet(allowed []int) []int {
	if len(allowed) < 2 {
		return nil
	}
	return allowed
}

// loopOf returns the Loop for gnet's event loop, creating (and pinning) it
// on first sight. It runs on that loop's goroutine.
func (e *Engine) loopOf(el gnet.EventLoop) *Loop {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l, ok := e.loops[el]; ok {
		return l
	}
	l := newLoop(e, len(e.byID), el)
	if len(e.pinTo) > 0 {
		cpu := e.pinTo[l.ID%len(e.pinTo)]
		if err := pinThread(cpu); err != nil {
			e.log.Warn("cannot pin loop", "loop", l.ID, "cpu", cpu, "err", err)
		} else {
			l.CPU = cpu
		}
	}
	e.loops[el] = l
	e.byID = append(e.byID, l)
	return l
}

func (e *Engine) listenerFor(local net.Addr) *Listener {
	if len(e.listeners) == 1 {
		return e.listeners[0]
	}
	if ta, ok := local.(*net.TCPAddr); ok {
		for _, l := range e.listeners {
			if int(l.addr.Port()) == ta.Port {
				return l
			}
		}
	}
	return e.listeners[0]
}

func addrPort(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.AddrPort()
	}
	return netip.AddrPort{}
}
