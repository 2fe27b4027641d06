package httpd

import (
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpx"
)

// conn is one connection's HTTP protocol: HTTP/1.1 until the client shows
// the HTTP/2 preface (or upgrades), HTTP/2 from then on.
type conn struct {
	s    *Server
	link engine.Link
	ls   *loopState
	peer httpx.Peer
	h1   *h1Conn
	h2   *h2Conn
}

var _ engine.Protocol = (*conn)(nil)

func (s *Server) newConn(l engine.Link, peer httpx.Peer, proto string) *conn {
	c := &conn{s: s, link: l, ls: s.loops[l.Loop().ID%len(s.loops)], peer: peer}
	// A plaintext listener sniffs for the HTTP/2 preface when h2c is on.
	// Inside the channel the handshake's choice is a hint: a forwarder
	// (pqloop connect) cannot know what its local client will speak, so
	// the preface decides there too.
	sniff := s.h2c || proto != ""
	c.h1 = newH1Conn(c, sniff)
	l.SetTimeout(engine.TimeoutHeader)
	return c
}

func (c *conn) OnData(in []byte) (int, error) {
	if c.h2 != nil {
		return c.h2.onData(in)
	}
	return c.h1.onData(in)
}

func (c *conn) Flush() {
	if c.h2 != nil {
		c.h2.flush()
	}
}

func (c *conn) OnTimeout(kind engine.Timeout) {
	if c.h2 != nil {
		c.h2.onTimeout(kind)
		return
	}
	c.h1.onTimeout(kind)
}

func (c *conn) OnTick(now int64) {
	if c.h2 != nil {
		c.h2.onTick(now)
	}
}

func (c *conn) OnDrain() {
	if c.h2 != nil {
		c.h2.onDrain()
		return
	}
	c.h1.onDrain()
}

func (c *conn) OnClose() {
	if c.h2 != nil {
		c.h2.onClose()
	}
	if c.h1 != nil {
		c.h1.onClose()
	}
}

// fillRequest sets the parts of an exchange's request that come from the
// connection rather than the codec, and the request id.
func (c *conn) fillRequest(x *exchange) {
	r := &x.r
	r.RemoteAddr = c.link.RemoteAddr()
	r.Peer = c.peer
	r.Loop = c.ls.index
	if id := r.Header.Get("x-request-id"); saneRequestID(id) {
		r.ID = id
	} else {
		r.ID = c.ls.newRequestID(&x.idBuf)
	}
	x.method = methodOf(r.Method)
	x.head = x.method == methodHEAD
	x.start = c.link.Loop().Now()
}
