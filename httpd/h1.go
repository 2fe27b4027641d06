package httpd

import (
	"errors"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/codec/http1"
	"github.com/pqloop/pqloop/codec/http2"
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpx"
)

// errClose tells the engine to close the connection after the flush.
var errClose = errors.New("httpd: close")

// h1Conn drives the HTTP/1.1 codec. Requests are served one at a time: when
// one goes off the loop (offload, streaming), the next pipelined request
// waits in the input until it is done, so responses leave in request order.
type h1Conn struct {
	c       *conn
	parser  http1.Parser
	req     http1.Request
	x       *exchange // the exchange reused for inline requests
	cur     *exchange // the exchange in flight off the loop, if any
	scratch []byte

	sniff        bool // the next bytes may be the HTTP/2 preface
	first        bool // no request has completed on this connection yet
	reading      bool // a request has begun arriving: the header timeout runs
	sentContinue bool
	keepAlive    bool
	closeAfter   bool
	version      http1.Version
}

func newH1Conn(c *conn, sniff bool) *h1Conn {
	h := &h1Conn{c: c, sniff: sniff, first: true}
	h.x = h.newExchange()
	h.parser.Limits = c.s.limits.Load().HTTP1
	return h
}

func (h *h1Conn) newExchange() *exchange {
	return &exchange{c: h.c, proto: h}
}

func (h *h1Conn) onData(in []byte) (int, error) {
	off := 0
	for h.cur == nil && !h.closeAfter && off < len(in) {
		if h.sniff {
			isH2, needMore := http2.IsPreface(in[off:])
			if needMore {
				return off, nil
			}
			h.sniff = false
			if isH2 {
				h.c.h1 = nil
				h.c.h2 = newH2Conn(h.c)
				n, err := h.c.h2.onData(in[off:])
				return off + n, err
			}
		}
		res, n, err := h.parser.Parse(in[off:], &h.req)
		if err != nil {
			var perr *http1.Error
			if errors.As(err, &perr) {
				h.reject(perr)
			}
			return len(in), errClose
		}
		switch res {
		case http1.NeedMore:
			h.startReading()
			return off, nil
		case http1.NeedContinue:
			h.startReading()
			if !h.sentContinue {
				h.sentContinue = true
				h.c.link.Write(http1.Continue100)
			}
			return off, nil
		}
		// A complete request.
		if h.isUpgrade() {
			off += n
			m, err := h.upgrade(in[off:])
			return off + m, err
		}
		h.first = false
		h.serve()
		off += n
		h.parser.Reset()
		h.parser.Limits = h.c.s.limits.Load().HTTP1
		h.req.Reset()
		h.sentContinue, h.reading = false, false
	}
	if h.cur == nil && off == len(in) {
		h.idle()
	}
	return off, nil
}

// idle arms the deadline of a connection with nothing in flight: the
// keep-alive timeout, or the drain grace once the server drains.
func (h *h1Conn) idle() {
	if h.c.link.Draining() {
		h.c.link.SetTimeout(engine.TimeoutDrainGrace)
		return
	}
	h.c.link.SetTimeout(engine.TimeoutIdle)
}

func (h *h1Conn) startReading() {
	if !h.reading {
		h.reading = true
		h.c.link.SetTimeout(engine.TimeoutHeader)
	}
}

func (h *h1Conn) serve() {
	x := h.x
	r := &x.r
	q := &h.req
	r.Reset()
	r.Method, r.Path, r.Query, r.Authority = q.Method, q.Path, q.Query, q.Host
	r.Header = append(r.Header, q.Header...)
	r.Body = q.Body
	r.Proto = httpx.HTTP11
	if q.Version == http1.HTTP10 {
		r.Proto = httpx.HTTP10
	}
	h.version = q.Version
	h.keepAlive = q.KeepAlive
	h.c.fillRequest(x)
	x.serve()
	if x.async {
		h.cur = x
		h.x = h.newExchange() // x may outlive this request: never reuse it
		h.c.link.SetTimeout(engine.TimeoutNone)
	}
}

// keep decides whether the connection stays open after this response.
func (h *h1Conn) keep() bool {
	return h.keepAlive && !h.closeAfter && !h.c.link.Draining()
}

func (h *h1Conn) head(x *exchange, bodyLen int64) {
	w := &x.w
	w.SetHeaderBytes("x-request-id", x.r.ID)
	keep := h.keep()
	if !keep {
		h.closeAfter = true
	}
	h.scratch = http1.AppendResponseHead(h.scratch[:0], h.version, w.Status, w.Header, bodyLen, keep,
		h.c.ls.dateFor(h.c.link.Loop().Now()))
	h.c.link.Write(h.scratch)
}

func (h *h1Conn) respond(x *exchange) {
	h.head(x, int64(len(x.w.Body)))
	if !x.head {
		h.c.link.Write(x.w.Body)
	}
}

func (h *h1Conn) streamHead(x *exchange) {
	x.w.SetHeader("cache-control", "no-cache")
	if h.version == http1.HTTP10 {
		h.closeAfter = true // no chunked coding in 1.0: the body ends at close
	}
	h.head(x, -1)
}

func (h *h1Conn) streamChunk(x *exchange, p []byte) {
	if x.head || len(p) == 0 {
		return
	}
	if h.version == http1.HTTP10 {
		h.c.link.Write(p)
		return
	}
	h.scratch = http1.AppendChunk(h.scratch[:0], p)
	h.c.link.Write(h.scratch)
}

func (h *h1Conn) streamEnd(x *exchange) {
	if h.version != http1.HTTP10 && !x.head {
		h.c.link.Write(http1.AppendLastChunk(h.scratch[:0]))
	}
}

// abortStream ends a streamed body badly: HTTP/1.1 can only say so by
// closing without the last chunk.
func (h *h1Conn) abortStream(x *exchange) {
	h.closeAfter = true
	h.c.link.Close()
	h.cur = nil
}

func (h *h1Conn) done(x *exchange) {
	if h.cur == x {
		h.cur = nil
	}
	if h.closeAfter {
		h.c.link.Close()
		return
	}
	h.idle()
}

// reject answers a request the codec refused, and the connection closes.
func (h *h1Conn) reject(e *http1.Error) {
	h.c.s.Metrics.badRequest(h.c.ls.metrics, e.Reason)
	h.closeAfter = true
	if h.first && e.Reason == "bad_version" {
		// The first line is not HTTP at all: whatever the peer speaks, an
		// HTTP/1.1 answer would only be noise to it. Close.
		h.c.link.Close()
		return
	}
	x := h.x
	x.w.Bind(x)
	x.w.Error(e.Status, e.Reason)
	h.version = http1.HTTP11
	if x.r.ID == nil {
		x.r.ID = h.c.ls.newRequestID(&x.idBuf)
	}
	h.respond(x)
	h.c.s.recordStatus(h.c.ls.metrics, httpx.Unmatched, methodOther, e.Status, 0)
	h.c.link.Close()
}

func (h *h1Conn) onTimeout(kind engine.Timeout) {
	if kind == engine.TimeoutHeader && h.reading {
		x := h.x
		x.w.Bind(x)
		x.w.Error(408, "request timeout")
		h.closeAfter = true
		x.r.ID = h.c.ls.newRequestID(&x.idBuf)
		h.respond(x)
	}
}

// onDrain: a request in flight finishes and its response says close; an
// idle connection gets the drain grace, so a request already on the wire
// is answered (with Connection: close) instead of meeting a closed socket.
func (h *h1Conn) onDrain() {
	if h.cur == nil && !h.reading {
		h.idle()
	}
}

func (h *h1Conn) onClose() {
	if h.cur != nil {
		h.cur.abort()
		h.cur = nil
	}
}

// isUpgrade reports an RFC 7540 §3.2 h2c upgrade we accept.
func (h *h1Conn) isUpgrade() bool {
	return h.c.s.h2c && header.EqualFold(h.req.Upgrade, "h2c") && h.req.HTTP2Settings != nil
}

// switchingProtocols is the 101 response to Upgrade: h2c.
var switchingProtocols = []byte("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")

// upgrade switches the connection to HTTP/2: the request becomes stream 1,
// and rest (what followed it) is HTTP/2 from the client preface on.
func (h *h1Conn) upgrade(rest []byte) (int, error) {
	h.c.link.Write(switchingProtocols)
	q := &h.req
	req := &http2.Request{StreamID: 1, Method: q.Method, Scheme: []byte("http"), Authority: q.Host,
		Path: q.Target, Header: q.Header, Body: q.Body}
	h2 := newH2Conn(h.c)
	h.c.h1, h.c.h2 = nil, h2
	if err := h2.upgrade(q.HTTP2Settings, req); err != nil {
		return len(rest), errClose
	}
	return h2.onData(rest)
}
