package engine

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Loop is one event loop's state. Only the loop's own goroutine touches it,
// except Stats, which scrapes read.
type Loop struct {
	ID  int
	CPU int // the CPU the loop's thread is pinned to, or -1

	eng *Engine
	el  gnet.EventLoop
	now int64 // the loop clock (ns since the engine started), set per event

	all     connList // every open connection
	wheel   wheel
	tickers connList // connections that want OnTick
	paused  connList // connections held back by backpressure

	lastSecond int64
	busyStart  int64
	busyWindow int64

	tick gnet.RunnableFunc

	Stats LoopStats
}

// LoopStats are the loop's counters. Only the loop writes them; atomics make
// the concurrent reads of a scrape safe without a lock shared by loops.
type LoopStats struct {
	Accepted  atomic.Uint64
	Closed    atomic.Uint64
	Open      atomic.Int64
	BytesIn   atomic.Uint64
	BytesOut  atomic.Uint64
	BusyNanos atomic.Uint64
	// BusyRatio is the share of the last second the loop spent in callbacks,
	// in parts per million.
	BusyRatio atomic.Uint64
	Timeouts  [TimeoutKinds]atomic.Uint64
	Paused    atomic.Uint64 // times a connection's input was held back
	_         [64]byte      // keep the next loop's counters off this cache line
}

// TimeoutKinds is the number of Timeout values, TimeoutNone included.
const TimeoutKinds = int(TimeoutDrainGrace) + 1

// Now is the loop clock in nanoseconds, monotonic, as of the current event.
func (l *Loop) Now() int64 { return l.now }

// Engine returns the engine the loop belongs to.
func (l *Loop) Engine() *Engine { return l.eng }

func newLoop(eng *Engine, id int, el gnet.EventLoop) *Loop {
	l := &Loop{ID: id, CPU: -1, eng: eng, el: el}
	l.all.of, l.tickers.of, l.paused.of = allLinks, tickLinks, pauseLinks
	l.wheel.init()
	l.wheel.tick = int64(tickInterval)
	l.now = eng.clock()
	l.wheel.at = l.now / l.wheel.tick
	l.lastSecond = l.now / int64(time.Second)
	l.tick = func(context.Context) error { l.onTick(); return nil }
	return l
}

// enter and leave bracket every callback: they keep the loop clock and the
// busy time.
func (l *Loop) enter() { l.now = l.eng.clock(); l.busyStart = l.now }

func (l *Loop) leave() {
	d := l.eng.clock() - l.busyStart
	l.busyWindow += d
	l.Stats.BusyNanos.Add(uint64(d))
}

func (l *Loop) setTimeout(c *Conn, kind Timeout) {
	if kind == TimeoutNone {
		c.timeout = TimeoutNone
		l.wheel.remove(c)
		return
	}
	d := l.eng.limits.Load().timeout(kind)
	deadline := l.now + int64(d)
	c.timeout = kind
	// Later deadlines are re-filed lazily when the old slot comes round;
	// earlier ones must move now.
	if c.slot >= 0 && deadline >= c.deadline {
		c.deadline = deadline
		return
	}
	l.wheel.remove(c)
	c.deadline = deadline
	l.wheel.add(c)
}

func (l *Loop) addConn(c *Conn)    { l.all.push(c) }
func (l *Loop) removeConn(c *Conn) { l.all.remove(c) }

func (l *Loop) setTicking(c *Conn, on bool) {
	if on == c.ticking {
		return
	}
	c.ticking = on
	if on {
		l.tickers.push(c)
	} else {
		l.tickers.remove(c)
	}
}

func (l *Loop) pause(c *Conn) {
	if c.paused {
		return
	}
	c.paused, c.pausedSince = true, l.now
	l.paused.push(c)
	l.Stats.Paused.Add(1)
}

func (l *Loop) unpause(c *Conn) {
	if c.paused {
		c.paused = false
		l.paused.remove(c)
	}
}

// onTick runs on the loop every tickInterval: deadlines, backpressure
// release, protocol ticks once a second, and the busy ratio.
func (l *Loop) onTick() {
	l.enter()
	defer l.leave()
	lim := l.eng.limits.Load()
	l.wheel.advance(l.now, func(c *Conn) {
		kind := c.timeout
		c.timeout = TimeoutNone
		l.Stats.Timeouts[kind].Add(1)
		c.proto.OnTimeout(kind)
		c.flush()
		_ = c.gc.Close()
	})
	l.paused.each(func(c *Conn) {
		switch {
		case c.gc.OutboundBuffered() <= lim.MaxOutput/2:
			l.unpause(c)
			_ = c.gc.Wake(nil) // offer the held input again
		case l.now-c.pausedSince > int64(lim.WriteStallTimeout):
			l.unpause(c)
			l.Stats.Timeouts[TimeoutWriteStall].Add(1)
			c.proto.OnTimeout(TimeoutWriteStall)
			_ = c.gc.Close()
		}
	})
	if sec := l.now / int64(time.Second); sec != l.lastSecond {
		l.lastSecond = sec
		l.Stats.BusyRatio.Store(uint64(l.busyWindow / 1000)) // ns per s → ppm
		l.busyWindow = 0
		l.tickers.each(func(c *Conn) {
			c.proto.OnTick(l.now)
			c.flush()
			if c.closing {
				_ = c.gc.Close()
			}
		})
	}
}

// NewTestLoop returns a loop detached from any engine's event loops, for
// driving protocols in tests and benchmarks.
func NewTestLoop() *Loop {
	e := &Engine{epoch: time.Now()}
	lim := Limits{}
	e.limits.Store(&lim)
	return newLoop(e, 0, nil)
}
