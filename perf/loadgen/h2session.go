package loadgen

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// HTTP/2 numbers from RFC 9113.
const (
	frameHeaderLen = 9 // §4.1
	// defaultMaxFrameSize is SETTINGS_MAX_FRAME_SIZE's initial value
	// (§6.5.2); we never raise ours, so no frame we read may exceed it.
	defaultMaxFrameSize = 16384
	// defaultWindowSize is the initial flow-control window of the
	// connection and of every stream (§6.9.2).
	defaultWindowSize = 65535
	// maxWindowSize is the largest window allowed (§6.9.1). We advertise it
	// for streams and the connection so the server never waits on us.
	maxWindowSize = 1<<31 - 1
	// maxStreamID is the largest stream identifier (§5.1.1).
	maxStreamID = 1<<31 - 1
	// defaultHeaderTableSize is SETTINGS_HEADER_TABLE_SIZE's initial value.
	defaultHeaderTableSize = 4096
)

// h2Request is what every HTTP/2 session sends, prepared once per run.
type h2Request struct {
	fields []hpack.HeaderField
	body   []byte
}

func newH2Request(c *Config) *h2Request {
	fields := []hpack.HeaderField{
		{Name: ":method", Value: c.Method},
		{Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: c.URL.Host},
		{Name: ":path", Value: c.requestPath()},
	}
	for _, f := range c.Header {
		fields = append(fields, hpack.HeaderField{Name: strings.ToLower(string(f.Name)), Value: string(f.Value)})
	}
	if len(c.Body) > 0 || c.Method == "POST" || c.Method == "PUT" {
		fields = append(fields, hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(c.Body))})
	}
	return &h2Request{fields: fields, body: c.Body}
}

// h2Stream is one request in flight.
type h2Stream struct {
	id     uint32 // 0: slot free
	sentAt int64
	status int
}

// h2Session runs up to depth concurrent streams on one connection, a lean
// client on http2.Framer and hpack: no goroutine, lock or allocation of its
// own per request.
type h2Session struct {
	req     *h2Request
	fr      *http2.Framer
	out     outBuffer
	src     bytes.Reader // the one frame being decoded
	enc     *hpack.Encoder
	encBuf  bytes.Buffer
	dec     *hpack.Decoder
	decoded *h2Stream // target of the hpack emit callback
	// endsStream remembers END_STREAM from a HEADERS frame until the
	// header block's last CONTINUATION; continuing is the stream whose
	// header block awaits CONTINUATION frames, or 0.
	endsStream bool
	continuing uint32

	streams []h2Stream
	active  int
	nextID  uint32

	peerMaxStreams    uint32
	peerMaxFrameSize  uint32
	peerInitialWindow int64
	sendWindow        int64 // connection-level window for our DATA
	recvUnacked       int64 // DATA received since our last WINDOW_UPDATE
	goingAway         bool
}

func newH2Session(req *h2Request, depth int) *h2Session {
	s := &h2Session{
		req:               req,
		streams:           make([]h2Stream, depth),
		nextID:            1,
		peerMaxStreams:    maxStreamID,
		peerMaxFrameSize:  defaultMaxFrameSize,
		peerInitialWindow: defaultWindowSize,
		sendWindow:        defaultWindowSize,
	}
	s.fr = http2.NewFramer(&s.out, &s.src)
	s.fr.SetMaxReadFrameSize(defaultMaxFrameSize)
	s.enc = hpack.NewEncoder(&s.encBuf)
	s.dec = hpack.NewDecoder(defaultHeaderTableSize, s.emit)
	s.dec.SetMaxStringLength(maxResponseHeadBytes)

	s.out.b = append(s.out.b, http2.ClientPreface...)
	s.fr.WriteSettings(
		http2.Setting{ID: http2.SettingEnablePush, Val: 0},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: maxWindowSize},
	)
	s.fr.WriteWindowUpdate(0, maxWindowSize-defaultWindowSize)
	return s
}

func (s *h2Session) emit(f hpack.HeaderField) {
	if f.Name == ":status" && s.decoded != nil && s.decoded.status == 0 {
		if v, err := strconv.Atoi(f.Value); err == nil {
			s.decoded.status = v
		}
	}
}

func (s *h2Session) inflight() int      { return s.active }
func (s *h2Session) closing() bool      { return s.goingAway || s.nextID > maxStreamID }
func (s *h2Session) output() *outBuffer { return &s.out }

func (s *h2Session) ready() bool {
	body := int64(len(s.req.body))
	return !s.goingAway && s.active < len(s.streams) && uint32(s.active) < s.peerMaxStreams &&
		s.nextID <= maxStreamID && body <= s.sendWindow && body <= s.peerInitialWindow
}

func (s *h2Session) oldest() int64 {
	oldest := int64(-1)
	for i := range s.streams {
		if st := &s.streams[i]; st.id != 0 && (oldest < 0 || st.sentAt < oldest) {
			oldest = st.sentAt
		}
	}
	return oldest
}

func (s *h2Session) start(sentAt int64) {
	st := s.stream(0)
	*st = h2Stream{id: s.nextID, sentAt: sentAt}
	s.nextID += 2
	s.active++

	s.encBuf.Reset()
	for _, f := range s.req.fields {
		s.enc.WriteField(f)
	}
	body := s.req.body
	s.fr.WriteHeaders(http2.HeadersFrameParam{
		StreamID:      st.id,
		BlockFragment: s.encBuf.Bytes(),
		EndStream:     len(body) == 0,
		EndHeaders:    true,
	})
	s.sendWindow -= int64(len(body))
	for len(body) > 0 {
		n := min(len(body), int(s.peerMaxFrameSize))
		s.fr.WriteData(st.id, n == len(body), body[:n])
		body = body[n:]
	}
}

// stream returns the slot holding id (0 finds a free slot), or nil.
func (s *h2Session) stream(id uint32) *h2Stream {
	for i := range s.streams {
		if s.streams[i].id == id {
			return &s.streams[i]
		}
	}
	return nil
}

func (s *h2Session) finish(st *h2Stream, r reporter, ok bool) {
	if ok {
		r.completed(st.status, st.sentAt)
	} else {
		r.failed()
	}
	*st = h2Stream{}
	s.active--
}

func (s *h2Session) receive(in []byte, r reporter) (int, error) {
	off := 0
	for len(in)-off >= frameHeaderLen {
		// RFC 9113 §4.1: length(24) type(8) flags(8) R(1) stream id(31).
		h := in[off : off+frameHeaderLen]
		length := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
		if length > defaultMaxFrameSize {
			return off, fmt.Errorf("loadgen: server sent a %d-byte frame, over SETTINGS_MAX_FRAME_SIZE", length)
		}
		if len(in)-off < frameHeaderLen+length {
			break
		}
		raw := in[off : off+frameHeaderLen+length]
		off += len(raw)
		typ, flags := http2.FrameType(h[3]), http2.Flags(h[4])
		id := binary.BigEndian.Uint32(h[5:]) & maxStreamID
		if err := s.frame(typ, flags, id, raw, r); err != nil {
			return off, err
		}
	}
	return off, nil
}

var (
	errHeaderBlockCut = errors.New("loadgen: header block interrupted by another frame (RFC 9113 §6.10)")
	errBadPadding     = errors.New("loadgen: frame padding longer than its payload")
	errFrameOnZero    = errors.New("loadgen: HEADERS or DATA on stream 0")
	errShortHeaders   = errors.New("loadgen: HEADERS too short for its priority fields")
)

// frame handles one frame. The frames every response brings (HEADERS,
// CONTINUATION, DATA) are parsed here without allocating; the rare control
// frames go through the Framer, which allocates one struct per frame.
func (s *h2Session) frame(typ http2.FrameType, flags http2.Flags, id uint32, raw []byte, r reporter) error {
	payload := raw[frameHeaderLen:]
	if s.continuing != 0 && (typ != http2.FrameContinuation || id != s.continuing) {
		return errHeaderBlockCut
	}
	switch typ {
	case http2.FrameHeaders:
		block, err := unpad(flags, payload)
		if err != nil {
			return err
		}
		if id == 0 {
			return errFrameOnZero
		}
		if flags.Has(http2.FlagHeadersPriority) { // §6.2: 5 bytes of deprecated priority
			if len(block) < 5 {
				return errShortHeaders
			}
			block = block[5:]
		}
		s.endsStream = flags.Has(http2.FlagHeadersEndStream)
		return s.headers(id, block, flags.Has(http2.FlagHeadersEndHeaders), r)
	case http2.FrameContinuation:
		if s.continuing == 0 {
			return errors.New("loadgen: CONTINUATION without HEADERS")
		}
		return s.headers(id, payload, flags.Has(http2.FlagContinuationEndHeaders), r)
	case http2.FrameData:
		if _, err := unpad(flags, payload); err != nil {
			return err
		}
		if id == 0 {
			return errFrameOnZero
		}
		// Flow control counts the whole payload, padding included (§6.9.1).
		s.recvUnacked += int64(len(payload))
		if s.recvUnacked >= maxWindowSize/2 {
			s.fr.WriteWindowUpdate(0, uint32(s.recvUnacked))
			s.recvUnacked = 0
		}
		if st := s.stream(id); st != nil && flags.Has(http2.FlagDataEndStream) {
			s.finish(st, r, true)
		}
		return nil
	}
	s.src.Reset(raw)
	f, err := s.fr.ReadFrame()
	if err != nil {
		return fmt.Errorf("loadgen: reading HTTP/2 frame: %w", err)
	}
	return s.control(f, r)
}

// unpad strips the padding of a PADDED frame (RFC 9113 §6.1, §6.2).
func unpad(flags http2.Flags, p []byte) ([]byte, error) {
	if !flags.Has(http2.FlagDataPadded) { // the same bit as FlagHeadersPadded
		return p, nil
	}
	if len(p) == 0 || int(p[0]) >= len(p) {
		return nil, errBadPadding
	}
	return p[1 : len(p)-int(p[0])], nil
}

// control handles the connection's other frames.
func (s *h2Session) control(f http2.Frame, r reporter) error {
	switch f := f.(type) {
	case *http2.SettingsFrame:
		if f.IsAck() {
			return nil
		}
		if err := f.ForeachSetting(s.setting); err != nil {
			return err
		}
		s.fr.WriteSettingsAck()
	case *http2.WindowUpdateFrame:
		if f.StreamID == 0 {
			s.sendWindow += int64(f.Increment)
		}
	case *http2.RSTStreamFrame:
		if st := s.stream(f.StreamID); st != nil {
			s.finish(st, r, false)
		}
	case *http2.PingFrame:
		if !f.IsAck() {
			s.fr.WritePing(true, f.Data)
		}
	case *http2.GoAwayFrame:
		s.goingAway = true
		for i := range s.streams {
			if st := &s.streams[i]; st.id > f.LastStreamID {
				s.finish(st, r, false)
			}
		}
		if f.ErrCode != http2.ErrCodeNo {
			return fmt.Errorf("loadgen: server sent GOAWAY %v: %q", f.ErrCode, f.DebugData())
		}
	case *http2.PushPromiseFrame:
		return errors.New("loadgen: server sent PUSH_PROMISE though push is disabled")
	}
	return nil
}

// headers feeds a header block fragment to the decoder, which carries its
// state across CONTINUATION frames.
func (s *h2Session) headers(id uint32, block []byte, ended bool, r reporter) error {
	s.decoded = s.stream(id) // nil for a stream we no longer track: decode, then drop
	s.continuing = 0
	if !ended {
		s.continuing = id
	}
	if _, err := s.dec.Write(block); err != nil {
		return fmt.Errorf("loadgen: decoding response headers: %w", err)
	}
	if ended {
		if err := s.dec.Close(); err != nil {
			return fmt.Errorf("loadgen: decoding response headers: %w", err)
		}
	}
	st := s.decoded
	if st == nil {
		return nil
	}
	if ended && st.status >= 100 && st.status < 200 {
		st.status = 0 // interim response; the final one follows
	}
	if ended && s.endsStream {
		s.finish(st, r, true)
	}
	return nil
}

func (s *h2Session) setting(st http2.Setting) error {
	// Valid enforces RFC 9113 §6.5.2's ranges; a MAX_FRAME_SIZE below 16384
	// would otherwise stall the body chunking in start.
	if err := st.Valid(); err != nil {
		return fmt.Errorf("loadgen: server sent %w", err)
	}
	switch st.ID {
	case http2.SettingMaxConcurrentStreams:
		s.peerMaxStreams = st.Val
	case http2.SettingMaxFrameSize:
		s.peerMaxFrameSize = st.Val
	case http2.SettingInitialWindowSize:
		s.peerInitialWindow = int64(st.Val)
	case http2.SettingHeaderTableSize:
		s.enc.SetMaxDynamicTableSizeLimit(st.Val)
	}
	return nil
}
