package httpd

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/codec/http2"
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpx"
)

// h2Conn drives the HTTP/2 codec. Streams are served as their requests
// complete; those whose responses go off the loop are kept in pending until
// they finish or the peer resets them.
type h2Conn struct {
	c       *conn
	sc      *http2.ServerConn
	pending map[uint32]*exchange
	free    []*exchange
	fields  header.List
	clen    [20]byte
}

func newH2Conn(c *conn) *h2Conn {
	h := &h2Conn{c: c, pending: make(map[uint32]*exchange)}
	h.sc = http2.NewServerConn(c.s.limits.Load().HTTP2, h)
	c.link.WantTicks(true)
	c.link.SetTimeout(engine.TimeoutIdle)
	return h
}

func (h *h2Conn) upgrade(settings []byte, req *http2.Request) error {
	return h.sc.Upgrade(settings, req)
}

func (h *h2Conn) onData(in []byte) (int, error) {
	n, err := h.sc.Feed(in, h.c.link.Loop().Now())
	if err != nil {
		reason := "h2_protocol_error"
		var ce *http2.ConnError
		if errors.As(err, &ce) && ce.Code == http2.ErrCodeEnhanceYourCalm {
			reason = "h2_enhance_your_calm"
		}
		h.c.s.Metrics.badRequest(h.c.ls.metrics, reason)
		return len(in), errClose
	}
	h.armTimeout()
	if h.sc.Done() {
		h.c.link.Close()
	}
	return n, nil
}

// armTimeout keeps the idle deadline while nothing is in flight; a stream
// held open by the server (SSE) is not idleness.
func (h *h2Conn) armTimeout() {
	if len(h.pending) == 0 {
		h.c.link.SetTimeout(engine.TimeoutIdle)
	} else {
		h.c.link.SetTimeout(engine.TimeoutNone)
	}
}

func (h *h2Conn) flush() {
	if out := h.sc.Output(); len(out) > 0 {
		h.c.link.Write(out)
		h.sc.Advance(len(out))
	}
}

// OnRequest implements http2.Handler.
func (h *h2Conn) OnRequest(_ *http2.ServerConn, req *http2.Request) {
	x := h.get()
	x.id = req.StreamID
	r := &x.r
	r.Reset()
	r.Method, r.Authority, r.Body, r.Proto = req.Method, req.Authority, req.Body, httpx.HTTP2
	r.Path = req.Path
	if i := bytes.IndexByte(req.Path, '?'); i >= 0 {
		r.Path, r.Query = req.Path[:i], req.Path[i+1:]
	}
	r.Header = append(r.Header, req.Header...)
	h.c.fillRequest(x)
	x.serve()
	if x.async && !x.ended.Load() {
		h.pending[x.id] = x
		h.armTimeout()
	}
}

// OnStreamReset implements http2.Handler.
func (h *h2Conn) OnStreamReset(_ *http2.ServerConn, id uint32, _ http2.ErrCode) {
	if x := h.pending[id]; x != nil {
		delete(h.pending, id)
		x.abort()
		h.armTimeout()
	}
}

func (h *h2Conn) get() *exchange {
	if n := len(h.free); n > 0 {
		x := h.free[n-1]
		h.free = h.free[:n-1]
		return x
	}
	return &exchange{c: h.c, proto: h}
}

// headerFields is the response header: the handler's fields and ours.
func (h *h2Conn) headerFields(x *exchange, bodyLen int) header.List {
	f := append(h.fields[:0], x.w.Header...)
	if bodyLen >= 0 {
		f = append(f, header.Field{Name: nameContentLength, Value: strconv.AppendInt(h.clen[:0], int64(bodyLen), 10)})
	}
	f = append(f, header.Field{Name: nameRequestID, Value: x.r.ID})
	h.fields = f
	return f
}

var (
	nameContentLength = []byte("content-length")
	nameRequestID     = []byte("x-request-id")
	nameCacheControl  = []byte("cache-control")
	valueNoCache      = []byte("no-cache")
)

func (h *h2Conn) respond(x *exchange) {
	body := x.w.Body
	end := x.head || len(body) == 0
	if err := h.sc.WriteHeaders(x.id, x.w.Status, h.headerFields(x, len(body)), end); err != nil || end {
		return
	}
	_ = h.sc.WriteData(x.id, body, true)
}

func (h *h2Conn) streamHead(x *exchange) {
	x.w.Header = append(x.w.Header, header.Field{Name: nameCacheControl, Value: valueNoCache})
	if err := h.sc.WriteHeaders(x.id, x.w.Status, h.headerFields(x, -1), false); err != nil {
		x.abort()
	}
}

func (h *h2Conn) streamChunk(x *exchange, p []byte) {
	if x.head {
		return
	}
	if err := h.sc.WriteData(x.id, p, false); err != nil {
		h.abortStream(x)
		x.abort()
	}
}

func (h *h2Conn) streamEnd(x *exchange) { _ = h.sc.WriteData(x.id, nil, true) }

func (h *h2Conn) abortStream(x *exchange) {
	h.sc.Reset(x.id, http2.ErrCodeCancel)
	delete(h.pending, x.id)
}

func (h *h2Conn) done(x *exchange) {
	if x.async {
		delete(h.pending, x.id)
		h.armTimeout()
	} else {
		h.free = append(h.free, x)
	}
	if h.sc.Done() {
		h.c.link.Close()
	}
}

func (h *h2Conn) onTimeout(engine.Timeout) { h.sc.Shutdown() }

func (h *h2Conn) onTick(now int64) {
	h.sc.Tick(now)
	if h.sc.Done() {
		h.c.link.Close()
	}
}

func (h *h2Conn) onDrain() {
	h.sc.Shutdown()
	if h.sc.Done() {
		h.c.link.Close()
	}
}

func (h *h2Conn) onClose() {
	for id, x := range h.pending {
		delete(h.pending, id)
		x.abort()
	}
	h.sc.Close()
}
