// Package http2 is a sans-IO HTTP/2 server connection (RFC 9113) with its
// own zero-allocation HPACK decoder (RFC 7541). The caller moves bytes:
// Feed gives it what the socket read, Output/Advance hand back what to
// write, and Tick passes the time for timeouts. It never touches sockets,
// clocks or goroutines.
package http2

import (
	"github.com/valyala/bytebufferpool"
)

// recentClosed is how many closed streams are remembered, to tell a frame
// on a stream we closed (STREAM_CLOSED, or ignored after our RST_STREAM,
// RFC 9113 §5.1) from one on a stream that never existed.
const recentClosed = 32

type closedStream struct {
	id        uint32
	resetByUs bool // frames still in flight from the peer are ignored
}

// ServerConn is the server side of one HTTP/2 connection. It is not safe
// for concurrent use: the caller serialises Feed, Tick and the Write calls.
type ServerConn struct {
	cfg Config
	h   Handler

	out     *bytebufferpool.ByteBuffer
	outHead int // bytes of out already handed to the socket

	dec  Decoder
	hb   headerBuild
	emit func(name, value []byte)
	peer peerSettings

	sendWindow  int64 // connection window for our DATA
	recvWindow  int64 // connection window the client may still fill
	recvUnacked int64 // received bytes not yet returned by WINDOW_UPDATE

	streams      map[uint32]*stream
	free         []*stream
	blocked      []*stream // streams with response data waiting for window
	recent       [recentClosed]closedStream
	recentNext   int
	lastStreamID uint32
	buffered     int // queued response bytes plus buffered request bodies

	// A header block split over CONTINUATION frames (§6.10).
	contStream    uint32
	contEndStream bool
	contSelfDep   bool
	contStarted   int64
	block         []byte
	scratch       []byte // response header blocks are encoded here

	now             int64
	lastActive      int64
	settingsSentAt  int64 // 0 once the client acknowledged our SETTINGS
	settingsAcked   bool
	prefaceDone     bool
	gotSettings     bool
	sentDataSinceWU bool // DATA went out since the last connection WINDOW_UPDATE
	control         rateCounter
	resets          rateCounter

	goAwaySent bool
	closed     bool // connection error or timeout: nothing more is read

	req Request
}

// NewServerConn returns a connection that has queued its SETTINGS (the
// server connection preface, §3.4) and the connection window increase.
func NewServerConn(cfg Config, h Handler) *ServerConn {
	c := &ServerConn{cfg: cfg.normalized(), h: h, out: bytebufferpool.Get()}
	c.dec.init(c.cfg.HeaderTableSize, c.cfg.MaxHeaderListSize)
	c.emit = c.hb.field
	c.peer = peerSettings{initialWindowSize: defaultInitialWindowSize, maxFrameSize: minMaxFrameSize}
	c.sendWindow = defaultInitialWindowSize
	c.recvWindow = int64(c.cfg.ConnWindowSize)
	c.streams = make(map[uint32]*stream)

	b := appendFrameHeader(c.out.B, 5*settingLen, FrameSettings, 0, 0)
	b = appendSetting(b, SettingMaxConcurrentStreams, c.cfg.MaxConcurrentStreams)
	b = appendSetting(b, SettingInitialWindowSize, c.cfg.InitialWindowSize)
	b = appendSetting(b, SettingMaxFrameSize, c.cfg.MaxFrameSize)
	b = appendSetting(b, SettingMaxHeaderListSize, c.cfg.MaxHeaderListSize)
	b = appendSetting(b, SettingHeaderTableSize, c.cfg.HeaderTableSize)
	if extra := c.cfg.ConnWindowSize - defaultInitialWindowSize; extra > 0 {
		b = appendWindowUpdate(b, 0, extra)
	}
	c.out.B = b
	return c
}

// Output returns the bytes ready to be written to the socket; nil after Close.
func (c *ServerConn) Output() []byte {
	if c.out == nil {
		return nil
	}
	return c.out.B[c.outHead:]
}

// Advance records that n bytes of Output were handed to the socket.
func (c *ServerConn) Advance(n int) {
	if c.out == nil {
		return
	}
	c.outHead += n
	if c.outHead >= len(c.out.B) {
		c.out.B, c.outHead = c.out.B[:0], 0
	} else if c.outHead > len(c.out.B)/2 {
		c.out.B = c.out.B[:copy(c.out.B, c.out.B[c.outHead:])]
		c.outHead = 0
	}
}

func (c *ServerConn) pendingOutput() int { return len(c.out.B) - c.outHead }

// Done reports that the connection has nothing left to do: the caller
// flushes Output and closes the socket. A GOAWAY from the peer does not end
// the connection by itself (RFC 9113 §6.8: the sender closes it once its
// streams are done); until then PINGs and SETTINGS are still answered.
func (c *ServerConn) Done() bool {
	return c.closed || c.goAwaySent && len(c.streams) == 0 && c.contStream == 0
}

// Close releases the pooled buffers. The connection must not be used after.
func (c *ServerConn) Close() {
	if c.out != nil {
		bytebufferpool.Put(c.out)
		c.out = nil
	}
	c.closed = true
	clear(c.streams)
	c.free, c.blocked = nil, nil
}

// Feed processes every complete frame at the start of in and returns how
// many bytes it consumed; a partial frame stays for the next call. A
// non-nil error is a connection error whose GOAWAY is already queued: the
// caller flushes Output, then closes. now is a positive monotonic time in
// ns (zero marks a timer that is not running).
func (c *ServerConn) Feed(in []byte, now int64) (consumed int, err error) {
	if c.closed {
		return 0, ErrConnClosed
	}
	c.setNow(now)
	if !c.prefaceDone {
		match, needMore := IsPreface(in)
		if needMore {
			return 0, nil
		}
		if !match {
			return 0, c.fail(connErr(ErrCodeProtocol, "invalid connection preface"))
		}
		consumed, c.prefaceDone = len(ClientPreface), true
	}
	for !c.closed {
		f, n, err := ReadFrame(in[consumed:], c.cfg.MaxFrameSize)
		if err != nil {
			return consumed, c.fail(err)
		}
		if n == 0 {
			break
		}
		consumed += n
		c.lastActive = now
		if err := c.processFrame(&f); err != nil {
			return consumed, c.fail(err)
		}
	}
	return consumed, nil
}

func (c *ServerConn) setNow(now int64) {
	c.now = now
	if !c.settingsAcked && c.settingsSentAt == 0 {
		c.settingsSentAt = now
	}
	if c.lastActive == 0 {
		c.lastActive = now
	}
}

// fail turns err into GOAWAY and ends the connection. Streams the handler
// owns are reported reset.
func (c *ServerConn) fail(err error) error {
	ce, ok := err.(*ConnError)
	if !ok {
		ce = &ConnError{Code: ErrCodeInternal, Reason: err.Error()}
	}
	if c.closed {
		return ce
	}
	c.out.B = appendGoAway(c.out.B, c.lastStreamID, ce.Code, ce.Reason)
	c.goAwaySent, c.closed = true, true
	for _, s := range c.streams {
		c.closeStream(s, ce.Code, true, true)
	}
	return ce
}

func (c *ServerConn) processFrame(f *Frame) error {
	if c.contStream != 0 && (f.Type != FrameContinuation || f.StreamID != c.contStream) {
		return connErr(ErrCodeProtocol, "header block interrupted by another frame")
	}
	if !c.gotSettings {
		// §3.4: the client preface ends with a SETTINGS frame.
		if f.Type != FrameSettings || f.Flags.Has(FlagAck) {
			return connErr(ErrCodeProtocol, "client preface not followed by SETTINGS")
		}
		c.gotSettings = true
	}
	switch f.Type {
	case FrameData:
		return c.onData(f)
	case FrameHeaders:
		return c.onHeaders(f)
	case FramePriority:
		return c.onPriority(f)
	case FrameRSTStream:
		return c.onRSTStream(f)
	case FrameSettings:
		return c.onSettings(f)
	case FramePushPromise:
		return connErr(ErrCodeProtocol, "PUSH_PROMISE from a client") // §8.4
	case FramePing:
		return c.onPing(f)
	case FrameGoAway:
		return c.onGoAway(f)
	case FrameWindowUpdate:
		return c.onWindowUpdate(f)
	case FrameContinuation:
		return c.onContinuation(f)
	}
	return c.countControl() // §5.5: unknown types are ignored, but not for free
}

// countControl charges one control frame to the flood limit.
func (c *ServerConn) countControl() error {
	if !c.control.allow(c.now, int64(c.cfg.RateWindow), c.cfg.MaxControlFrames) {
		return connErr(ErrCodeEnhanceYourCalm, "control frame flood")
	}
	return nil
}

// countReset charges one stream reset to the rapid-reset limit.
func (c *ServerConn) countReset() error {
	if !c.resets.allow(c.now, int64(c.cfg.RateWindow), c.cfg.MaxResets) {
		return connErr(ErrCodeEnhanceYourCalm, "stream reset flood")
	}
	return nil
}

// checkOutputRoom refuses to queue answers for a peer that does not read.
func (c *ServerConn) checkOutputRoom() error {
	if c.pendingOutput() > c.cfg.MaxPendingOutput {
		return connErr(ErrCodeEnhanceYourCalm, "peer does not read its output")
	}
	return nil
}

func (c *ServerConn) onSettings(f *Frame) error {
	if f.StreamID != 0 {
		return connErr(ErrCodeProtocol, "SETTINGS on a stream")
	}
	n, err := SettingsPayload(f)
	if err != nil {
		return err
	}
	if err := c.countControl(); err != nil {
		return err
	}
	if f.Flags.Has(FlagAck) {
		c.settingsAcked, c.settingsSentAt = true, 0
		return nil
	}
	if err := c.checkOutputRoom(); err != nil {
		return err
	}
	oldWindow := c.peer.initialWindowSize
	for i := 0; i < n; i++ {
		if err := c.peer.apply(SettingAt(f.Payload, i)); err != nil {
			return err
		}
	}
	// §6.9.2: a new initial window size shifts every stream's window.
	if delta := int64(c.peer.initialWindowSize) - int64(oldWindow); delta != 0 {
		for _, s := range c.streams {
			s.sendWindow += delta
			if s.sendWindow > maxWindowSize {
				return connErr(ErrCodeFlowControl, "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window")
			}
		}
	}
	c.out.B = appendSettingsAck(c.out.B)
	c.flushBlocked()
	return nil
}

func (c *ServerConn) onPing(f *Frame) error {
	if f.StreamID != 0 {
		return connErr(ErrCodeProtocol, "PING on a stream")
	}
	data, err := PingPayload(f)
	if err != nil {
		return err
	}
	if err := c.countControl(); err != nil {
		return err
	}
	if f.Flags.Has(FlagAck) {
		return nil
	}
	if err := c.checkOutputRoom(); err != nil {
		return err
	}
	c.out.B = appendPingAck(c.out.B, data)
	return nil
}

func (c *ServerConn) onGoAway(f *Frame) error {
	if f.StreamID != 0 {
		return connErr(ErrCodeProtocol, "GOAWAY on a stream")
	}
	if _, _, _, err := GoAwayPayload(f); err != nil {
		return err
	}
	if err := c.countControl(); err != nil {
		return err
	}
	// The client opens no more streams; those it sent still finish, and
	// the client closes the connection when it is done with them.
	return nil
}

func (c *ServerConn) onPriority(f *Frame) error {
	if f.StreamID == 0 {
		return connErr(ErrCodeProtocol, "PRIORITY on stream 0")
	}
	if err := c.countControl(); err != nil {
		return err
	}
	prio, ok := PriorityPayload(f)
	if !ok {
		return c.streamError(f.StreamID, ErrCodeFrameSize)
	}
	if prio.StreamDep == f.StreamID {
		return c.streamError(f.StreamID, ErrCodeProtocol) // §5.3.1
	}
	return nil // §5.3.2: priority signals are parsed and ignored
}

func (c *ServerConn) onRSTStream(f *Frame) error {
	if f.StreamID == 0 {
		return connErr(ErrCodeProtocol, "RST_STREAM on stream 0")
	}
	code, err := RSTStreamPayload(f)
	if err != nil {
		return err
	}
	if c.idle(f.StreamID) {
		return connErr(ErrCodeProtocol, "RST_STREAM on an idle stream")
	}
	if err := c.countReset(); err != nil {
		return err
	}
	if s := c.streams[f.StreamID]; s != nil {
		c.closeStream(s, code, true, false)
	}
	return nil
}

func (c *ServerConn) onWindowUpdate(f *Frame) error {
	incr, err := WindowUpdatePayload(f)
	if err != nil {
		return err
	}
	if f.StreamID == 0 {
		if err := c.countUselessUpdate(&c.sentDataSinceWU); err != nil {
			return err
		}
		if incr == 0 {
			return connErr(ErrCodeProtocol, "WINDOW_UPDATE with increment 0")
		}
		if c.sendWindow += int64(incr); c.sendWindow > maxWindowSize {
			return connErr(ErrCodeFlowControl, "connection window above 2^31-1")
		}
		c.flushBlocked()
		return nil
	}
	s := c.streams[f.StreamID]
	if s == nil {
		if c.idle(f.StreamID) {
			return connErr(ErrCodeProtocol, "WINDOW_UPDATE on an idle stream")
		}
		var unanswered bool
		return c.countUselessUpdate(&unanswered) // closed: may cross our END_STREAM or RST_STREAM
	}
	if err := c.countUselessUpdate(&s.sentDataSinceWU); err != nil {
		return err
	}
	if incr == 0 {
		return c.resetStream(s, ErrCodeProtocol)
	}
	if s.sendWindow += int64(incr); s.sendWindow > maxWindowSize {
		return c.resetStream(s, ErrCodeFlowControl)
	}
	c.flushBlocked()
	return nil
}

// countUselessUpdate charges a WINDOW_UPDATE to the control-frame limit
// unless it answers DATA we sent in its scope (the connection or one
// stream) since the previous one: a busy download never trips the limit,
// a flood of updates nobody needs does.
func (c *ServerConn) countUselessUpdate(sentData *bool) error {
	if *sentData {
		*sentData = false
		return nil
	}
	return c.countControl()
}

// idle reports whether id names a stream the client has not opened yet.
// After our GOAWAY, streams above its last id were never opened and frames
// still in flight for them are ignored (§6.8), so none is idle.
func (c *ServerConn) idle(id uint32) bool { return id > c.lastStreamID && !c.goAwaySent }

// streamError resets a stream that may have no state (idle or closed).
func (c *ServerConn) streamError(id uint32, code ErrCode) error {
	if s := c.streams[id]; s != nil {
		return c.resetStream(s, code)
	}
	c.out.B = appendRSTStream(c.out.B, id, code)
	c.rememberClosed(id, true)
	return c.countReset()
}

// resetStream ends a stream for a client fault, which counts toward the
// rapid-reset limit.
func (c *ServerConn) resetStream(s *stream, code ErrCode) error {
	c.out.B = appendRSTStream(c.out.B, s.id, code)
	c.closeStream(s, code, true, true)
	return c.countReset()
}

func (c *ServerConn) rememberClosed(id uint32, resetByUs bool) {
	for i := range c.recent {
		if c.recent[i].id == id {
			c.recent[i].resetByUs = c.recent[i].resetByUs || resetByUs
			return
		}
	}
	c.recent[c.recentNext] = closedStream{id: id, resetByUs: resetByUs}
	c.recentNext = (c.recentNext + 1) % recentClosed
}

// closedState reports whether id is a stream we remember closing, and
// whether we closed it with RST_STREAM.
func (c *ServerConn) closedState(id uint32) (known, resetByUs bool) {
	for i := range c.recent {
		if c.recent[i].id == id {
			return true, c.recent[i].resetByUs
		}
	}
	return false, false
}

// newStream opens a client stream.
func (c *ServerConn) newStream(id uint32) *stream {
	var s *stream
	if n := len(c.free); n > 0 {
		s, c.free = c.free[n-1], c.free[:n-1]
	} else {
		s = &stream{contentLength: -1, trailerStart: -1}
	}
	s.id = id
	s.sendWindow = int64(c.peer.initialWindowSize)
	s.recvWindow = int64(c.cfg.InitialWindowSize)
	s.openedAt = c.now
	c.streams[id] = s
	return s
}

// closeStream forgets a stream. notify reports the end to the handler if
// it owns the stream; resetByUs says we sent RST_STREAM for it.
func (c *ServerConn) closeStream(s *stream, code ErrCode, notify, resetByUs bool) {
	if c.streams[s.id] != s {
		return
	}
	delete(c.streams, s.id)
	if s.queued {
		for i, q := range c.blocked {
			if q == s {
				c.blocked = append(c.blocked[:i], c.blocked[i+1:]...)
				break
			}
		}
	}
	c.rememberClosed(s.id, resetByUs)
	c.buffered -= s.pendingLen() + len(s.body)
	owned, id := s.owned, s.id
	s.reset()
	c.free = append(c.free, s)
	if notify && owned {
		c.h.OnStreamReset(c, id, code)
	}
}

// Shutdown starts a graceful drain: GOAWAY names the last stream we will
// serve, streams up to it complete, and then Done reports true.
func (c *ServerConn) Shutdown() {
	if c.goAwaySent || c.closed {
		return
	}
	c.out.B = appendGoAway(c.out.B, c.lastStreamID, ErrCodeNo, "")
	c.goAwaySent = true
}

// Tick enforces the timeouts at time now (positive monotonic ns).
func (c *ServerConn) Tick(now int64) {
	if c.closed {
		return
	}
	c.setNow(now)
	cfg := &c.cfg
	switch {
	case expired(now, c.settingsSentAt, int64(cfg.SettingsTimeout)):
		c.fail(connErr(ErrCodeSettingsTimeout, "SETTINGS not acknowledged in time"))
		return
	case c.contStream != 0 && expired(now, c.contStarted, int64(cfg.HeaderTimeout)):
		c.fail(connErr(ErrCodeEnhanceYourCalm, "header block not finished in time"))
		return
	case len(c.streams) == 0 && expired(now, c.lastActive, int64(cfg.IdleTimeout)):
		c.Shutdown()
		return
	}
	for _, s := range c.streams {
		switch {
		case s.state == stateOpen && expired(now, s.openedAt, int64(cfg.RequestTimeout)),
			s.queued && expired(now, s.stalledSince, int64(cfg.StallTimeout)):
			c.out.B = appendRSTStream(c.out.B, s.id, ErrCodeCancel)
			c.closeStream(s, ErrCodeCancel, true, true)
		}
	}
}

// expired reports whether a timeout of d started at since has passed;
// a zero start or duration means no timeout runs.
func expired(now, since, d int64) bool { return since != 0 && d > 0 && now-since > d }
