package engine

import (
	"context"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/valyala/bytebufferpool"
)

// handler adapts gnet's callbacks to the engine.
type handler struct {
	gnet.BuiltinEventEngine
	e *Engine
}

func (h *handler) OnBoot(eng gnet.Engine) gnet.Action {
	h.e.gnet = eng
	close(h.e.booted)
	return gnet.None
}

func (h *handler) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	e := h.e
	l := e.loopOf(gc.EventLoop())
	l.enter()
	defer l.leave()
	// Start's loop probes are served like any connection: nothing tells
	// them apart from a client that connects while the engine starts (a
	// health checker), and guessing wrong would leave that client unserved
	// for ever.
	remote := addrPort(gc.RemoteAddr())
	if e.draining.Load() {
		e.Refused.Draining.Add(1)
		return nil, gnet.Close
	}
	refused, perIP := e.limiter.acquire(remote.Addr(), e.limits.Load())
	switch refused {
	case RefusedMaxConns:
		e.Refused.MaxConns.Add(1)
		return nil, gnet.Close
	case RefusedMaxConnsPerIP:
		e.Refused.MaxConnsPerIP.Add(1)
		return nil, gnet.Close
	}
	c := &Conn{gc: gc, loop: l, remote: remote, perIP: perIP, slot: -1}
	c.listener = e.listenerFor(gc.LocalAddr())
	gc.SetContext(c)
	l.addConn(c)
	l.Stats.Accepted.Add(1)
	l.Stats.Open.Add(1)
	c.proto = c.listener.NewProtocol(c)
	c.flush()
	if c.closing {
		return nil, gnet.Close
	}
	return nil, gnet.None
}

func (h *handler) OnTraffic(gc gnet.Conn) gnet.Action {
	c, _ := gc.Context().(*Conn)
	if c == nil || c.dead {
		_, _ = gc.Discard(-1)
		return gnet.None
	}
	l := c.loop
	l.enter()
	defer l.leave()
	lim := h.e.limits.Load()

	ran := c.runPosted()
	fresh, _ := gc.Next(-1)
	l.Stats.BytesIn.Add(uint64(len(fresh)))
	data := c.take(fresh)
	consumed := 0
	if !c.closing && !c.paused {
		if gc.OutboundBuffered() > lim.MaxOutput {
			l.pause(c) // the tick re-offers the input once the output drains
		} else if len(data) > 0 || ran { // after posted work, a protocol may move on with what it holds
			n, err := c.proto.OnData(data)
			if err != nil {
				c.closing = true
			}
			consumed = n
		}
	}
	c.keep(data, consumed)
	if c.held() > lim.MaxHeldInput {
		c.closing = true // held-back input past its bound: a client that never reads
	}
	c.flush()
	if c.dead {
		return gnet.None // the write failed and gnet closed it
	}
	if c.closing {
		return gnet.Close
	}
	if !c.paused && gc.OutboundBuffered() > lim.MaxOutput {
		// Start the write-stall clock now: a peer that asked for a lot and
		// then neither reads nor sends would otherwise never be paused,
		// and its output would stay queued for ever.
		l.pause(c)
	}
	return gnet.None
}

func (h *handler) OnClose(gc gnet.Conn, _ error) gnet.Action {
	c, _ := gc.Context().(*Conn)
	if c == nil || c.dead {
		return gnet.None
	}
	l := c.loop
	l.enter()
	defer l.leave()
	c.dead = true
	c.mu.Lock()
	c.gone.Store(true)
	c.posted = nil
	c.mu.Unlock()
	l.wheel.remove(c)
	l.setTicking(c, false)
	l.unpause(c)
	l.removeConn(c)
	c.proto.OnClose()
	c.keep(nil, 0)
	if c.out != nil {
		bytebufferpool.Put(c.out)
		c.out = nil
	}
	h.e.limiter.release(c.remote.Addr(), c.perIP)
	l.Stats.Closed.Add(1)
	l.Stats.Open.Add(-1)
	return gnet.None
}

func (h *handler) OnTick() (time.Duration, gnet.Action) {
	h.e.EachLoop(func(l *Loop) { _ = l.el.Execute(context.Background(), l.tick) })
	return tickInterval, gnet.None
}
