// Package pqd runs the post-quantum secure channel (codec/pq) on the
// engine's loops: a pq listener's connections do the Noise handshake, then
// open records in place and hand the plaintext to the same inner protocol a
// plaintext listener speaks (package httpd: HTTP/2 or HTTP/1.1, as the
// handshake chose), whose output is sealed back into records.
//
// The handshake's expensive step (one decapsulation plus one or two
// encapsulations, a few hundred microseconds) runs on the offload pool, so
// a flood of handshakes queues there, bounded, while the loops keep serving
// established connections; when the pool is full the new connection is
// refused.
package pqd

import (
	"errors"
	"io"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpx"
)

// InnerFactory makes the protocol that runs inside an established channel.
type InnerFactory func(l engine.Link, peer httpx.Peer, proto string) engine.Protocol

// Stats counts the channel's events; safe to read at any time.
type Stats struct {
	Handshakes       atomic.Uint64 // completed
	HandshakeErrors  atomic.Uint64 // refused or failed (bad MAC, rate limit, unknown key, replay…)
	HandshakeShed    atomic.Uint64 // refused because the offload pool was full
	RecordErrors     atomic.Uint64 // connections closed on a record that failed to open
	PlaintextOverrun atomic.Uint64 // connections closed for holding too much unread plaintext
}

// Listener is the pq listener's protocol factory.
type Listener struct {
	cfg   *pq.ServerConfig
	inner InnerFactory
	// MaxHeldPlaintext bounds the decrypted bytes a connection may hold
	// while its inner protocol is busy; past it the connection closes.
	MaxHeldPlaintext int
	Stats            Stats
}

// New returns the factory for a listener with the channel policy cfg.
func New(cfg *pq.ServerConfig, inner InnerFactory, maxHeldPlaintext int) *Listener {
	return &Listener{cfg: cfg, inner: inner, MaxHeldPlaintext: maxHeldPlaintext}
}

// NewProtocol is the engine.Listener factory.
func (l *Listener) NewProtocol(link engine.Link) engine.Protocol {
	c := &conn{l: l, link: link, ch: pq.NewServer(l.cfg, link.RemoteAddr().Addr())}
	c.innerLink = innerLink{c}
	link.SetTimeout(engine.TimeoutHeader) // the handshake must finish like a header block would
	link.WantTicks(true)                  // time-based rekey
	return c
}

// conn is one pq connection.
type conn struct {
	l         *Listener
	link      engine.Link
	ch        *pq.Server
	inner     engine.Protocol
	innerLink innerLink

	handshaking bool  // message 1 is being processed on the offload pool: leave ch alone
	skip        int   // input bytes the offloaded handshake consumed
	hsErr       error // its outcome

	// hsMu decides who wipes the channel when the connection closes while
	// a handshake runs on a worker: the loop if the worker is done, else
	// the worker when it finishes.
	hsMu       sync.Mutex
	hsFinished bool
	closed     bool

	plain   []byte // plaintext the inner protocol left unconsumed
	out     []byte // the inner protocol's plaintext output, sealed at Flush
	sealErr error  // set by AppendTo when sealing fails
	closing bool
}

var errHeldPlaintext = errors.New("pqd: too much unread plaintext")

func (c *conn) OnData(in []byte) (int, error) {
	off := c.skip
	c.skip = 0
	if c.hsErr != nil {
		c.l.Stats.HandshakeErrors.Add(1)
		return len(in), c.hsErr
	}
	for {
		if c.handshaking {
			return off, nil
		}
		if !c.ch.Established() {
			if c.ch.HandshakeReady(in[off:]) {
				return off, c.offloadHandshake(in[off:])
			}
			n, _, err := c.ch.Feed(in[off:], time.Now().UnixNano())
			if err != nil {
				c.l.Stats.HandshakeErrors.Add(1)
				return len(in), err
			}
			return off + n, nil // message 1 is incomplete
		}
		if err := c.deliver(nil); err != nil {
			return len(in), err
		}
		if off == len(in) {
			return off, nil
		}
		n, plain, err := c.ch.Feed(in[off:], time.Now().UnixNano())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.l.Stats.RecordErrors.Add(1)
			}
			return len(in), err
		}
		if n == 0 {
			return off, nil // a partial record
		}
		off += n
		if err := c.deliver(plain); err != nil {
			return len(in), err
		}
	}
}

// deliver offers the inner protocol what it has not consumed yet plus
// plain (opened in place in the input: it is copied only if left over).
func (c *conn) deliver(plain []byte) error {
	if c.inner == nil {
		return nil
	}
	if len(c.plain) == 0 {
		if len(plain) == 0 {
			_, err := c.inner.OnData(nil) // let it move on after posted work
			return err
		}
		n, err := c.inner.OnData(plain)
		if err != nil {
			return err
		}
		c.plain = append(c.plain[:0], plain[n:]...)
	} else {
		c.plain = append(c.plain, plain...)
		n, err := c.inner.OnData(c.plain)
		if err != nil {
			return err
		}
		c.plain = c.plain[:copy(c.plain, c.plain[n:])]
	}
	if len(c.plain) > c.l.MaxHeldPlaintext {
		c.l.Stats.PlaintextOverrun.Add(1)
		return errHeldPlaintext
	}
	return nil
}

// offloadHandshake runs the Feed that processes message 1 on the offload
// pool with a copy of the input; the loop leaves the channel alone until
// the result is posted back.
func (c *conn) offloadHandshake(in []byte) error {
	msg := append([]byte(nil), in...)
	c.handshaking = true
	c.hsFinished = false
	ok := c.link.Offload(func() {
		n, _, err := c.ch.Feed(msg, time.Now().UnixNano())
		c.hsMu.Lock()
		c.hsFinished = true
		if c.closed {
			c.ch.Wipe()
		}
		c.hsMu.Unlock()
		c.link.Post(func() { c.handshakeDone(n, err) })
	})
	if !ok {
		c.handshaking = false
		c.l.Stats.HandshakeShed.Add(1)
		return errors.New("pqd: offload pool full, handshake refused")
	}
	return nil
}

func (c *conn) handshakeDone(n int, err error) {
	c.handshaking = false
	c.skip = n
	if err != nil {
		c.hsErr = err
		return
	}
	c.l.Stats.Handshakes.Add(1)
	fp, name, _ := c.ch.Peer()
	c.inner = c.l.inner(c.innerLink, httpx.Peer{Fingerprint: fp, Name: name, Secure: true}, c.ch.Protocol())
}

func (c *conn) Flush() {
	if c.handshaking {
		return
	}
	if c.inner != nil {
		c.inner.Flush()
	}
	if out := c.ch.Output(); len(out) > 0 { // message 2, rekey and control records
		c.link.Write(out)
		c.ch.Advance(len(out))
	}
	if len(c.out) > 0 && c.ch.Established() {
		c.link.Append(c) // sealed straight into the pooled output buffer
		c.out = c.out[:0]
		if c.sealErr != nil {
			c.link.Close()
		}
	}
}

// AppendTo seals the inner protocol's output into records appended to dst.
// If sealing fails it appends nothing and records the error for Flush.
func (c *conn) AppendTo(dst []byte) []byte {
	n := len(dst)
	dst, c.sealErr = c.ch.Seal(dst, c.out)
	if c.sealErr != nil {
		return dst[:n]
	}
	return dst
}

func (c *conn) OnTimeout(kind engine.Timeout) {
	if c.inner != nil {
		c.inner.OnTimeout(kind)
	}
}

func (c *conn) OnTick(now int64) {
	if !c.handshaking && c.ch.Established() {
		if err := c.ch.Tick(time.Now().UnixNano()); err != nil {
			c.link.Close()
			return
		}
	}
	if c.inner != nil {
		c.inner.OnTick(now)
	}
}

func (c *conn) OnDrain() {
	if c.inner == nil {
		c.link.Close()
		return
	}
	c.inner.OnDrain()
}

func (c *conn) OnClose() {
	if c.inner != nil {
		c.inner.OnClose()
	}
	c.hsMu.Lock()
	c.closed = true
	if !c.handshaking || c.hsFinished {
		c.ch.Wipe()
	}
	c.hsMu.Unlock()
}

// innerLink is the Link the inner protocol writes plaintext to.
type innerLink struct{ c *conn }

func (l innerLink) Write(p []byte)              { l.c.out = append(l.c.out, p...) }
func (l innerLink) Append(a engine.Appender)    { l.c.out = a.AppendTo(l.c.out) }
func (l innerLink) Post(fn func()) bool         { return l.c.link.Post(fn) }
func (l innerLink) Offload(fn func()) bool      { return l.c.link.Offload(fn) }
func (l innerLink) Close()                      { l.c.link.Close() }
func (l innerLink) SetTimeout(k engine.Timeout) { l.c.link.SetTimeout(k) }
func (l innerLink) WantTicks(bool)              {} // the outer connection always ticks
func (l innerLink) Loop() *engine.Loop          { return l.c.link.Loop() }
func (l innerLink) RemoteAddr() netip.AddrPort  { return l.c.link.RemoteAddr() }
func (l innerLink) Draining() bool              { return l.c.link.Draining() }
func (l innerLink) Backlog() int                { return l.c.link.Backlog() + len(l.c.out) }
