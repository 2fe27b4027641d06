package engine

import (
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/panjf2000/gnet/v2"
	"github.com/valyala/bytebufferpool"
)

// Conn is the engine's side of one TCP connection. It is the Link the
// listener's Protocol writes to. Every field but the mailbox belongs to the
// connection's loop.
type Conn struct {
	gc       gnet.Conn
	loop     *Loop
	proto    Protocol
	listener *Listener
	remote   netip.AddrPort
	perIP    bool // the slot counts against the remote address

	// in holds inbound bytes the protocol left unconsumed, so they survive
	// to the next event and may be rewritten in place (chunked bodies,
	// records opened in place). Empty in the common case where every read
	// holds whole messages, which are handed over straight from gnet.
	in *bytebufferpool.ByteBuffer

	// out collects what the protocol writes during one event; it comes from
	// the pool on the first Write and goes back after the flush.
	out *bytebufferpool.ByteBuffer

	closing bool // Close was called: close after the next flush
	dead    bool // OnClose ran

	// Deadline bookkeeping for the loop's timing wheel.
	timeout    Timeout
	deadline   int64
	slot       int // wheel slot the conn is filed under, or -1
	wheelLinks links

	allLinks links // on the loop's list of open connections

	ticking   bool
	tickLinks links

	paused      bool  // input held back: output over the backpressure bound
	pausedSince int64 // loop clock when paused
	pauseLinks  links

	// The mailbox: work posted from other goroutines, run on the loop.
	mu     sync.Mutex
	posted []func()
	spare  []func()
	woken  bool
	gone   atomic.Bool
}

var _ Link = (*Conn)(nil)

// Write queues p for the peer.
func (c *Conn) Write(p []byte) {
	if c.out == nil {
		c.out = bytebufferpool.Get()
	}
	c.out.B = append(c.out.B, p...)
}

// Append lets a append to the pooled output buffer.
func (c *Conn) Append(a Appender) {
	if c.out == nil {
		c.out = bytebufferpool.Get()
	}
	c.out.B = a.AppendTo(c.out.B)
}

// Post runs fn on the loop. Safe from any goroutine.
func (c *Conn) Post(fn func()) bool {
	c.mu.Lock()
	if c.gone.Load() {
		c.mu.Unlock()
		return false
	}
	c.posted = append(c.posted, fn)
	wake := !c.woken
	c.woken = true
	c.mu.Unlock()
	if wake {
		if err := c.gc.Wake(nil); err != nil {
			// The loop is gone (shutdown): un-mark, so that a later Post
			// does not wait on a wake-up that never comes.
			c.mu.Lock()
			c.woken = false
			c.mu.Unlock()
			return false
		}
	}
	return true
}

// Offload runs fn on the engine's offload pool.
func (c *Conn) Offload(fn func()) bool { return c.loop.eng.pool.Submit(fn) }

// Close closes the connection after the pending output is flushed.
func (c *Conn) Close() { c.closing = true }

// SetTimeout arms the connection's deadline.
func (c *Conn) SetTimeout(kind Timeout) { c.loop.setTimeout(c, kind) }

// WantTicks subscribes the connection to OnTick.
func (c *Conn) WantTicks(on bool) { c.loop.setTicking(c, on) }

// Loop returns the connection's loop.
func (c *Conn) Loop() *Loop { return c.loop }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() netip.AddrPort { return c.remote }

// Draining reports whether the engine is draining.
func (c *Conn) Draining() bool { return c.loop.eng.draining.Load() }

// Backlog is how many bytes wait to be written to the socket.
func (c *Conn) Backlog() int {
	n := c.gc.OutboundBuffered()
	if c.out != nil {
		n += len(c.out.B)
	}
	return n
}

// runPosted runs the mailbox on the loop and reports whether it ran
// anything.
func (c *Conn) runPosted() bool {
	c.mu.Lock()
	fns := c.posted
	c.posted = c.spare[:0]
	c.woken = false
	c.mu.Unlock()
	for i, fn := range fns {
		fn()
		fns[i] = nil
	}
	c.mu.Lock()
	c.spare = fns[:0]
	c.mu.Unlock()
	return len(fns) > 0
}

// flush hands the event's output to gnet (which writes it now or keeps a
// copy until the socket is writable) and returns the buffer to the pool.
// gnet closes a connection whose write fails from inside Write, running
// OnClose before Write returns, so the buffer is detached first and the
// caller checks c.dead afterwards.
func (c *Conn) flush() {
	c.proto.Flush()
	out := c.out
	if out == nil {
		return
	}
	c.out = nil
	if n := len(out.B); n > 0 {
		_, _ = c.gc.Write(out.B)
		c.loop.Stats.BytesOut.Add(uint64(n))
	}
	bytebufferpool.Put(out)
}

// take appends newly read bytes to what was held and returns the bytes to
// offer the protocol.
func (c *Conn) take(fresh []byte) []byte {
	if c.in == nil {
		return fresh
	}
	c.in.B = append(c.in.B, fresh...)
	return c.in.B
}

// keep holds data[n:] for the next event; data is what take returned.
func (c *Conn) keep(data []byte, n int) {
	rest := len(data) - n
	switch {
	case rest == 0:
		if c.in != nil {
			bytebufferpool.Put(c.in)
			c.in = nil
		}
	case c.in == nil:
		c.in = bytebufferpool.Get()
		c.in.B = append(c.in.B[:0], data[n:]...)
	case n > 0:
		c.in.B = c.in.B[:copy(c.in.B, c.in.B[n:])]
	}
}

func (c *Conn) held() int {
	if c.in == nil {
		return 0
	}
	return len(c.in.B)
}
