package http2

import "github.com/pqloop/pqloop/codec/header"

// Sending responses. HEADERS are not flow-controlled and go out at once;
// DATA goes out as far as the windows allow, and the rest waits in the
// stream (bounded) until WINDOW_UPDATE or SETTINGS opens them (§6.9).

// responseStream returns the stream a handler may answer on.
func (c *ServerConn) responseStream(id uint32) (*stream, error) {
	if c.closed {
		return nil, ErrConnClosed
	}
	s := c.streams[id]
	if s == nil || !s.owned {
		return nil, ErrStreamClosed
	}
	return s, nil
}

// bodyStream returns the stream a response body or trailers may be written
// to: its headers are sent and its end is not yet written or queued.
func (c *ServerConn) bodyStream(id uint32) (*stream, error) {
	s, err := c.responseStream(id)
	if err != nil {
		return nil, err
	}
	if !s.headersSent {
		return nil, ErrHeadersNotSent
	}
	if s.pendingEnd || s.hasTrailers {
		return nil, ErrStreamClosed
	}
	return s, nil
}

// WriteHeaders sends the response header block of a stream. Field names
// must be lower-case tokens; connection-specific fields are dropped.
func (c *ServerConn) WriteHeaders(streamID uint32, status int, h header.List, endStream bool) error {
	s, err := c.responseStream(streamID)
	if err != nil {
		return err
	}
	if s.headersSent {
		return ErrHeadersSent
	}
	if status < 100 || status > 999 {
		return ErrInvalidStatus
	}
	block, err := encodeFields(appendStatus(c.scratch[:0], status), h)
	c.scratch = block
	if err != nil {
		return err
	}
	// 1xx responses are interim (§8.1): the final one follows.
	s.headersSent = status >= 200
	c.out.B = appendHeaderBlock(c.out.B, s.id, block, endStream, int(c.peer.maxFrameSize))
	if endStream {
		c.endResponse(s)
	}
	return nil
}

// WriteData sends response body bytes. What the flow-control windows do
// not allow now is copied and queued, up to MaxBufferedPerStream per stream
// and MaxBufferedPerConn in all; past that it returns ErrStreamBufferFull
// and sends nothing.
func (c *ServerConn) WriteData(streamID uint32, p []byte, endStream bool) error {
	s, err := c.bodyStream(streamID)
	if err != nil {
		return err
	}
	if len(p) == 0 && !endStream {
		return nil
	}
	n := 0
	if s.pendingLen() == 0 {
		n = c.sendable(s, len(p))
	}
	rest := len(p) - n
	if rest > 0 && (s.pendingLen()+rest > c.cfg.MaxBufferedPerStream || c.buffered+rest > c.cfg.MaxBufferedPerConn) {
		return ErrStreamBufferFull
	}
	if n > 0 || rest == 0 {
		c.writeData(s, p[:n], endStream && rest == 0)
	}
	if rest == 0 {
		if endStream {
			c.endResponse(s)
		}
		return nil
	}
	s.pending = append(s.pending, p[n:]...)
	s.pendingEnd = endStream
	c.buffered += rest
	c.enqueue(s)
	return nil
}

// WriteTrailers ends a response with a trailer block, after any queued data.
func (c *ServerConn) WriteTrailers(streamID uint32, h header.List) error {
	s, err := c.bodyStream(streamID)
	if err != nil {
		return err
	}
	// encodeFields refuses pseudo-header names: ':' is not a token character.
	block, err := encodeFields(c.scratch[:0], h)
	c.scratch = block
	if err != nil {
		return err
	}
	if s.pendingLen() > 0 {
		s.trailerBlock = append(s.trailerBlock[:0], block...)
		s.hasTrailers = true
		return nil
	}
	c.out.B = appendHeaderBlock(c.out.B, s.id, block, true, int(c.peer.maxFrameSize))
	c.endResponse(s)
	return nil
}

// Reset ends a stream with RST_STREAM(code) on the handler's behalf.
func (c *ServerConn) Reset(streamID uint32, code ErrCode) {
	if c.closed {
		return
	}
	if s := c.streams[streamID]; s != nil {
		c.out.B = appendRSTStream(c.out.B, streamID, code)
		c.closeStream(s, code, false, true)
	}
}

// Buffered returns the response bytes of a stream waiting for window.
func (c *ServerConn) Buffered(streamID uint32) int {
	if s := c.streams[streamID]; s != nil {
		return s.pendingLen()
	}
	return 0
}

// endResponse closes our side of the stream. The handler answers only
// complete requests, so the stream is then closed (§5.1).
func (c *ServerConn) endResponse(s *stream) { c.closeStream(s, ErrCodeNo, false, false) }

// sendable is how much of want both windows allow now.
func (c *ServerConn) sendable(s *stream, want int) int {
	return int(max(0, min(int64(want), s.sendWindow, c.sendWindow)))
}

// writeData writes p as DATA frames no larger than the peer's maximum and
// charges the windows; the caller checked they allow len(p).
func (c *ServerConn) writeData(s *stream, p []byte, endStream bool) {
	s.sendWindow -= int64(len(p))
	c.sendWindow -= int64(len(p))
	if len(p) > 0 {
		c.sentDataSinceWU, s.sentDataSinceWU = true, true
	}
	maxFrame := int(c.peer.maxFrameSize)
	for len(p) > maxFrame {
		c.out.B = appendData(c.out.B, s.id, p[:maxFrame], false)
		p = p[maxFrame:]
	}
	c.out.B = appendData(c.out.B, s.id, p, endStream)
}

func (c *ServerConn) enqueue(s *stream) {
	s.stalledSince = c.now
	if !s.queued {
		s.queued = true
		c.blocked = append(c.blocked, s)
	}
}

// flushBlocked sends queued data as the windows allow, one frame per
// stream per round so streams share the connection window fairly. A
// stream whose queue drains ends with its END_STREAM or trailers.
func (c *ServerConn) flushBlocked() {
	for progress := true; progress && c.sendWindow > 0 && len(c.blocked) > 0; {
		progress = false
		kept := c.blocked[:0]
		for _, s := range c.blocked {
			n := c.sendable(s, min(s.pendingLen(), int(c.peer.maxFrameSize)))
			if n > 0 {
				progress = true
				last := n == s.pendingLen()
				c.writeData(s, s.pending[s.pendingHead:s.pendingHead+n], last && s.pendingEnd && !s.hasTrailers)
				s.pendingHead += n
				c.buffered -= n
				s.stalledSince = c.now
			}
			if s.pendingLen() > 0 {
				kept = append(kept, s)
				continue
			}
			s.queued = false
			c.finishQueued(s)
		}
		clear(c.blocked[len(kept):])
		c.blocked = kept
	}
}

// finishQueued ends a stream whose queued data is all out.
func (c *ServerConn) finishQueued(s *stream) {
	s.pending, s.pendingHead = s.pending[:0], 0
	switch {
	case s.hasTrailers:
		c.out.B = appendHeaderBlock(c.out.B, s.id, s.trailerBlock, true, int(c.peer.maxFrameSize))
		c.endResponse(s)
	case s.pendingEnd:
		c.endResponse(s)
	}
}
