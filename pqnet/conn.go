// Package pqnet runs pqloop's post-quantum secure channel (codec/pq) over
// real sockets with goroutines: Dial and Conn for clients (a net.Conn, so a
// standard http.Client can speak HTTP/1.1 or h2c through it), Forward for a
// local plaintext port that tunnels each connection through the channel
// (`pqloop connect`), and Listen, a goroutine-per-connection server used by
// tests and tools. The production server runs the same codec on gnet loops.
package pqnet

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"github.com/pqloop/pqloop/codec/pq"
)

// codec is what the two roles of codec/pq share.
type codec interface {
	Feed(in []byte, now int64) (int, []byte, error)
	Seal(dst, plaintext []byte) ([]byte, error)
	CloseWrite(dst []byte) ([]byte, error)
	Tick(now int64) error
	Output() []byte
	Advance(n int)
	Established() bool
	Protocol() string
	Wipe()
}

// Buffer sizes: the inbound buffer holds at least one whole frame (the
// largest is a full record) plus a partial next one; writes are sealed in
// chunks so the outbound buffer stays bounded too.
const (
	maxFrame     = pq.MaxRecordPlaintext + pq.RecordOverhead
	inBufferSize = 2 * maxFrame
	writeChunk   = 4 * pq.MaxRecordPlaintext
)

// Conn is a net.Conn over the secure channel. Read and Write may be called
// concurrently with each other; the handshake runs on first use (or in
// Dial) like crypto/tls.
type Conn struct {
	raw    net.Conn
	codec  codec
	server *pq.Server // nil on the client side

	handshakeMu  sync.Mutex
	handshakeErr error
	handshaken   bool

	mu sync.Mutex // guards codec

	readMu  sync.Mutex
	in      []byte // inbound bytes in[r:w] not yet fed
	r, w    int
	plain   []byte // opened plaintext not yet returned; aliases in
	readErr error

	writeMu  sync.Mutex
	out      []byte
	writeErr error // sticky: a partly written record leaves the stream unusable
}

func newConn(raw net.Conn, c codec, s *pq.Server) *Conn {
	return &Conn{raw: raw, codec: c, server: s, in: make([]byte, inBufferSize)}
}

func now() int64 { return time.Now().UnixNano() }

// Handshake runs the handshake if it has not run yet.
func (c *Conn) Handshake() error { return c.HandshakeContext(context.Background()) }

// HandshakeContext runs the handshake, giving up when ctx ends.
func (c *Conn) HandshakeContext(ctx context.Context) error {
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.handshaken {
		return c.handshakeErr
	}
	c.handshaken = true
	if dl, ok := ctx.Deadline(); ok {
		c.raw.SetDeadline(dl)
		defer c.raw.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { c.raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c.handshakeErr = c.handshake()
	if c.handshakeErr != nil {
		if ctx.Err() != nil {
			c.handshakeErr = ctx.Err()
		}
		c.raw.Close()
	}
	return c.handshakeErr
}

func (c *Conn) handshake() error {
	if err := c.flush(); err != nil { // client: message 1
		return err
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for !c.established() {
		if _, err := c.feedOne(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) established() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.codec.Established()
}

// feedOne feeds the codec until it consumes one frame, reading from the
// socket as needed. Call with readMu held and c.plain empty.
func (c *Conn) feedOne() ([]byte, error) {
	if c.readErr != nil {
		return nil, c.readErr
	}
	for {
		c.mu.Lock()
		handshaking := !c.codec.Established()
		n, pt, err := c.codec.Feed(c.in[c.r:c.w], now())
		queued := len(c.codec.Output()) > 0
		c.mu.Unlock()
		// Only handshake replies are written from the read side. A rekey
		// answer waits for the next Write, whose Seal sends it first: a
		// reader that blocked on the write lock while both peers fill their
		// windows could deadlock, and a side that never writes need not
		// renew its send key.
		if queued && handshaking {
			if ferr := c.flush(); ferr != nil && err == nil {
				err = ferr
			}
		}
		if err != nil {
			c.readErr = err
			return nil, err
		}
		if n > 0 {
			c.r += n
			return pt, nil
		}
		if err := c.fill(); err != nil {
			// A deadline is not fatal: net/http aborts its background
			// read with one and then reads on.
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				c.readErr = err
			}
			return nil, err
		}
	}
}

// fill reads more bytes from the socket. The unfed tail moves to the front
// only when less than a whole frame's room is left behind it, so a byte is
// moved at most about once. A socket EOF in the middle of a frame, or before
// the peer's close record, is a truncation.
func (c *Conn) fill() error {
	if c.r == c.w {
		c.r, c.w = 0, 0
	} else if len(c.in)-c.w < maxFrame {
		c.w = copy(c.in, c.in[c.r:c.w])
		c.r = 0
	}
	n, err := c.raw.Read(c.in[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// flush writes the codec's queued output.
func (c *Conn) flush() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	c.out = append(c.out[:0], c.codec.Output()...)
	c.codec.Advance(len(c.out))
	c.mu.Unlock()
	if len(c.out) == 0 {
		return nil
	}
	return c.writeRaw(c.out)
}

// writeRaw writes sealed bytes; call with writeMu held.
func (c *Conn) writeRaw(b []byte) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if _, err := c.raw.Write(b); err != nil {
		c.writeErr = err
		return err
	}
	return nil
}

// Read returns application data. It returns io.EOF after the peer's close
// record, io.ErrUnexpectedEOF if the stream ends without one, and another
// error (and no data) for any record that fails authentication.
func (c *Conn) Read(p []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for len(c.plain) == 0 {
		pt, err := c.feedOne()
		if err != nil {
			return 0, err
		}
		c.plain = pt
	}
	n := copy(p, c.plain)
	c.plain = c.plain[n:]
	return n, nil
}

// Write seals p into records and writes them.
func (c *Conn) Write(p []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), writeChunk)]
		c.mu.Lock()
		err := c.codec.Tick(now())
		if err == nil {
			c.out, err = c.codec.Seal(c.out[:0], chunk)
		}
		c.mu.Unlock()
		if err != nil {
			return written, err
		}
		if err := c.writeRaw(c.out); err != nil {
			return written, err
		}
		written += len(chunk)
		p = p[len(chunk):]
	}
	return written, nil
}

// CloseWrite sends the close record, after which the peer reads io.EOF, and
// half-closes the socket when it can.
func (c *Conn) CloseWrite() error {
	if err := c.Handshake(); err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	var err error
	c.out, err = c.codec.CloseWrite(c.out[:0])
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := c.writeRaw(c.out); err != nil {
		return err
	}
	if hc, ok := c.raw.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return nil
}

// Close sends a close record if the channel is up, closes the socket and
// wipes the transport keys.
func (c *Conn) Close() error {
	if c.established() && c.writeMu.TryLock() {
		c.mu.Lock()
		out, err := c.codec.CloseWrite(nil)
		c.mu.Unlock()
		if err == nil {
			c.raw.SetWriteDeadline(time.Now().Add(time.Second))
			c.raw.Write(out)
		}
		c.writeMu.Unlock()
	}
	err := c.raw.Close()
	c.mu.Lock()
	c.codec.Wipe()
	c.mu.Unlock()
	return err
}

// Protocol returns the inner protocol chosen in the handshake ("h2",
// "http/1.1"), or "" before it completes.
func (c *Conn) Protocol() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.codec.Protocol()
}

// Peer describes the client on the server side (see pq.Server.Peer).
func (c *Conn) Peer() (fingerprint, name string, authenticated bool) {
	if c.server == nil {
		return "", "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.server.Peer()
}

func (c *Conn) LocalAddr() net.Addr                { return c.raw.LocalAddr() }
func (c *Conn) RemoteAddr() net.Addr               { return c.raw.RemoteAddr() }
func (c *Conn) SetDeadline(t time.Time) error      { return c.raw.SetDeadline(t) }
func (c *Conn) SetReadDeadline(t time.Time) error  { return c.raw.SetReadDeadline(t) }
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.raw.SetWriteDeadline(t) }
