package httpx

import (
	"context"
	"net/netip"

	"github.com/pqloop/pqloop/codec/header"
)

// Proto is the HTTP version an exchange arrived over.
type Proto uint8

const (
	HTTP10 Proto = iota + 1
	HTTP11
	HTTP2
)

func (p Proto) String() string {
	switch p {
	case HTTP10:
		return "HTTP/1.0"
	case HTTP11:
		return "HTTP/1.1"
	case HTTP2:
		return "HTTP/2"
	}
	return "unknown"
}

// Peer is the authenticated identity of a PQ-channel client: the SHA-256
// fingerprint of its static key and the name the server's client list gives
// it. Both are empty for plaintext connections and anonymous (pqNK) clients.
type Peer struct {
	Fingerprint string
	Name        string
	// Secure reports that the exchange travelled inside the PQ channel.
	Secure bool
}

// Request is one HTTP request as handlers see it.
type Request struct {
	Method    []byte
	Path      []byte // without the query
	Query     []byte // without the '?'
	Authority []byte // Host or :authority
	Header    header.List
	Body      []byte
	Proto     Proto

	RemoteAddr netip.AddrPort
	// ID is the request's X-Request-ID: the client's when sane, else generated.
	ID   []byte
	Peer Peer
	// Loop is the index of the event loop that read the request, so a
	// handler can keep per-loop state (counters) that no other core writes.
	Loop int

	ctx context.Context
}

// Context returns the request's context. It is cancelled when the client
// goes away (connection closed, stream reset) before the exchange completed,
// which is how offloaded and streaming handlers learn to stop. Inline
// handlers that never call it cost nothing.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// WithContext sets the context Context returns. Drivers call it.
func (r *Request) WithContext(ctx context.Context) { r.ctx = ctx }

// Reset clears r for reuse, keeping the Header backing array.
func (r *Request) Reset() {
	hdr := r.Header[:0]
	*r = Request{Header: hdr}
}

// Clone returns a deep copy of r whose slices share one fresh allocation and
// stay valid after the connection's buffers are reused. The context is kept.
func (r *Request) Clone() *Request {
	n := len(r.Method) + len(r.Path) + len(r.Query) + len(r.Authority) + len(r.Body) + len(r.ID)
	for _, f := range r.Header {
		n += len(f.Name) + len(f.Value)
	}
	arena := make([]byte, 0, n)
	take := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		start := len(arena)
		arena = append(arena, b...)
		return arena[start:len(arena):len(arena)]
	}
	c := &Request{
		Method:     take(r.Method),
		Path:       take(r.Path),
		Query:      take(r.Query),
		Authority:  take(r.Authority),
		Body:       take(r.Body),
		ID:         take(r.ID),
		Proto:      r.Proto,
		RemoteAddr: r.RemoteAddr,
		Peer:       r.Peer,
		Loop:       r.Loop,
		ctx:        r.ctx,
	}
	if len(r.Header) > 0 {
		c.Header = make(header.List, len(r.Header))
		for i, f := range r.Header {
			c.Header[i] = header.Field{Name: take(f.Name), Value: take(f.Value)}
		}
	}
	return c
}
