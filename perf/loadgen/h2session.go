package loadgen

import (
	"bytes"
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
	// header block's last CONTINUATION.
	endsStream bool

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
	s.fr.SetReuseFrames()
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
		length := int(in[off])<<16 | int(in[off+1])<<8 | int(in[off+2])
		if length > defaultMaxFrameSize {
			return off, fmt.Errorf("loadgen: server sent a %d-byte frame, over SETTINGS_MAX_FRAME_SIZE", length)
		}
		if len(in)-off < frameHeaderLen+length {
			break
		}
		s.src.Reset(in[off : off+frameHeaderLen+length])
		off += frameHeaderLen + length
		f, err := s.fr.ReadFrame()
		if err != nil {
			return off, fmt.Errorf("loadgen: reading HTTP/2 frame: %w", err)
		}
		if err := s.handle(f, r); err != nil {
			return off, err
		}
	}
	return off, nil
}

func (s *h2Session) handle(f http2.Frame, r reporter) error {
	switch f := f.(type) {
	case *http2.HeadersFrame:
		s.endsStream = f.StreamEnded()
		return s.headers(f.StreamID, f.HeaderBlockFragment(), f.HeadersEnded(), r)
	case *http2.ContinuationFrame:
		return s.headers(f.StreamID, f.HeaderBlockFragment(), f.HeadersEnded(), r)
	case *http2.DataFrame:
		s.recvUnacked += int64(f.Length)
		if s.recvUnacked >= maxWindowSize/2 {
			s.fr.WriteWindowUpdate(0, uint32(s.recvUnacked))
			s.recvUnacked = 0
		}
		if st := s.stream(f.StreamID); st != nil && f.StreamEnded() {
			s.finish(st, r, true)
		}
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
// state across CONTINUATION frames; the Framer already checked they follow.
func (s *h2Session) headers(id uint32, block []byte, ended bool, r reporter) error {
	s.decoded = s.stream(id) // nil for a stream we no longer track: decode, then drop
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
