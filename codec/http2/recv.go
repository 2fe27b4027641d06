package http2

// Receiving requests: HEADERS, CONTINUATION and DATA.

// HTTP status codes the connection answers by itself.
const (
	statusContentTooLarge      = 413 // RFC 9110 §15.5.14
	statusHeaderFieldsTooLarge = 431 // RFC 6585 §5
	statusServiceUnavailable   = 503 // RFC 9110 §15.6.4
)

func (c *ServerConn) onHeaders(f *Frame) error {
	id := f.StreamID
	if id == 0 {
		return connErr(ErrCodeProtocol, "HEADERS on stream 0")
	}
	if id%2 == 0 {
		return connErr(ErrCodeProtocol, "HEADERS on a server-initiated stream id") // §5.1.1
	}
	block, prio, hasPrio, err := HeadersPayload(f)
	if err != nil {
		return err
	}
	selfDep := hasPrio && prio.StreamDep == id
	endStream := f.Flags.Has(FlagEndStream)
	if f.Flags.Has(FlagEndHeaders) {
		return c.onHeaderBlock(id, block, endStream, selfDep)
	}
	if len(block) > c.cfg.MaxHeaderBlockSize {
		return connErr(ErrCodeEnhanceYourCalm, "header block larger than the limit")
	}
	c.block = append(c.block[:0], block...)
	c.contStream, c.contEndStream, c.contSelfDep, c.contStarted = id, endStream, selfDep, c.now
	return nil
}

// onContinuation appends to the pending header block. The block is bounded
// as a whole (CONTINUATION flood), and empty fragments count as control
// frames, since they add work without adding bytes.
func (c *ServerConn) onContinuation(f *Frame) error {
	if c.contStream == 0 {
		return connErr(ErrCodeProtocol, "CONTINUATION without a header block in progress")
	}
	if len(c.block)+len(f.Payload) > c.cfg.MaxHeaderBlockSize {
		return connErr(ErrCodeEnhanceYourCalm, "header block larger than the limit")
	}
	if len(f.Payload) == 0 && !f.Flags.Has(FlagEndHeaders) {
		if err := c.countControl(); err != nil {
			return err
		}
	}
	c.block = append(c.block, f.Payload...)
	if !f.Flags.Has(FlagEndHeaders) {
		return nil
	}
	id := c.contStream
	c.contStream = 0
	return c.onHeaderBlock(id, c.block, c.contEndStream, c.contSelfDep)
}

// onHeaderBlock handles a complete header block: a new request or
// trailers. The block is decoded in every case, so the HPACK table stays in
// step with the client even for streams we refuse or ignore.
func (c *ServerConn) onHeaderBlock(id uint32, block []byte, endStream, selfDep bool) error {
	s := c.streams[id]
	var refuse ErrCode // nonzero: decode, then reset the stream with it
	ignore := false
	trailer := false
	switch {
	case s != nil && s.state == stateHalfClosedRemote:
		refuse = ErrCodeStreamClosed // §5.1 half-closed (remote)
	case s != nil && !endStream:
		refuse = ErrCodeProtocol // §8.1: trailers end the stream
	case s != nil:
		trailer = true
	case id <= c.lastStreamID:
		known, resetByUs := c.closedState(id)
		switch {
		case resetByUs:
			ignore = true // in flight when we reset it
		case known:
			return connErr(ErrCodeStreamClosed, "HEADERS on a closed stream")
		default:
			return connErr(ErrCodeProtocol, "stream id lower than a previous one")
		}
	case c.goAwaySent:
		// §6.8: streams above the GOAWAY's last id are not served; a few
		// may cross our GOAWAY, many are a flood.
		if err := c.countControl(); err != nil {
			return err
		}
		ignore = true
	default:
		c.lastStreamID = id
		if len(c.streams) >= int(c.cfg.MaxConcurrentStreams) {
			refuse = ErrCodeRefusedStream // §5.1.2
		} else {
			s = c.newStream(id)
		}
	}
	target := s
	if refuse != 0 || ignore {
		target = nil
	}
	c.hb.start(target, trailer)
	err := c.dec.Decode(block, c.emit)
	switch {
	case err == ErrHeaderListTooLarge && target != nil:
		return c.respondEarly(s, statusHeaderFieldsTooLarge)
	case err != nil && err != ErrHeaderListTooLarge:
		return err
	case refuse != 0:
		return c.streamError(id, refuse)
	case target == nil:
		return nil
	case selfDep:
		return c.resetStream(s, ErrCodeProtocol) // §5.3.1
	}
	if c.hb.finish() != "" {
		return c.resetStream(s, ErrCodeProtocol) // §8.1.1 malformed
	}
	if !trailer && s.contentLength > c.cfg.MaxRequestBody {
		return c.respondEarly(s, statusContentTooLarge)
	}
	if endStream {
		return c.endOfRequest(s)
	}
	return nil
}

func (c *ServerConn) onData(f *Frame) error {
	id := f.StreamID
	if id == 0 {
		return connErr(ErrCodeProtocol, "DATA on stream 0")
	}
	data, err := DataPayload(f)
	if err != nil {
		return err
	}
	endStream := f.Flags.Has(FlagEndStream)
	if len(data) == 0 && !endStream {
		// Empty DATA carries nothing but costs work, on any stream.
		if err := c.countControl(); err != nil {
			return err
		}
	}
	// §6.9: the whole payload, padding included, counts against windows.
	n := int64(len(f.Payload))
	if n > c.recvWindow {
		return connErr(ErrCodeFlowControl, "DATA beyond the connection window")
	}
	c.recvWindow -= n
	c.creditConn(n)
	s := c.streams[id]
	if s == nil {
		if c.idle(id) {
			return connErr(ErrCodeProtocol, "DATA on an idle stream")
		}
		if _, resetByUs := c.closedState(id); resetByUs || id > c.lastStreamID {
			return nil
		}
		return c.streamError(id, ErrCodeStreamClosed)
	}
	if s.state != stateOpen {
		return c.resetStream(s, ErrCodeStreamClosed)
	}
	if n > s.recvWindow {
		return c.resetStream(s, ErrCodeFlowControl)
	}
	s.recvWindow -= n
	if int64(len(s.body)+len(data)) > c.cfg.MaxRequestBody {
		return c.respondEarly(s, statusContentTooLarge)
	}
	if s.contentLength >= 0 && int64(len(s.body)+len(data)) > s.contentLength {
		return c.resetStream(s, ErrCodeProtocol) // §8.1.1: more than content-length
	}
	if c.buffered+len(data) > c.cfg.MaxBufferedPerConn {
		return c.respondEarly(s, statusServiceUnavailable)
	}
	s.body = append(s.body, data...)
	c.buffered += len(data)
	if endStream {
		return c.endOfRequest(s)
	}
	// The body is buffered until END_STREAM and bounded by MaxRequestBody,
	// so the stream window is returned as soon as half of it is used.
	s.recvUnacked += n
	if s.recvUnacked >= int64(c.cfg.InitialWindowSize)/2 {
		c.out.B = appendWindowUpdate(c.out.B, s.id, uint32(s.recvUnacked))
		s.recvWindow += s.recvUnacked
		s.recvUnacked = 0
	}
	return nil
}

// creditConn returns received bytes to the connection window once half of
// it is used, whatever happened to the stream they were sent on.
func (c *ServerConn) creditConn(n int64) {
	c.recvUnacked += n
	if c.recvUnacked >= int64(c.cfg.ConnWindowSize)/2 {
		c.out.B = appendWindowUpdate(c.out.B, 0, uint32(c.recvUnacked))
		c.recvWindow += c.recvUnacked
		c.recvUnacked = 0
	}
}

// endOfRequest hands a complete request to the handler.
func (c *ServerConn) endOfRequest(s *stream) error {
	if s.contentLength >= 0 && int64(len(s.body)) != s.contentLength {
		return c.resetStream(s, ErrCodeProtocol) // §8.1.1: content-length mismatch
	}
	s.state = stateHalfClosedRemote
	s.owned = true
	s.buildRequest(&c.req)
	c.h.OnRequest(c, &c.req)
	c.req.Body = nil
	return nil
}

// respondEarly answers a request the handler never sees with an empty
// response of the given status, then stops the client's upload with
// RST_STREAM(NO_ERROR) if it is still sending (§8.1).
func (c *ServerConn) respondEarly(s *stream, status int) error {
	c.scratch = appendStatus(c.scratch[:0], status)
	c.out.B = appendHeaderBlock(c.out.B, s.id, c.scratch, true, int(c.peer.maxFrameSize))
	if s.state == stateOpen {
		c.out.B = appendRSTStream(c.out.B, s.id, ErrCodeNo)
	}
	c.closeStream(s, ErrCodeNo, false, true)
	return c.countReset()
}
