package http2

import (
	"bytes"
	"testing"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// peer drives a ServerConn in memory with frames built by x/net/http2, an
// independent implementation, and reads what the server wrote with it too.
type peer struct {
	t      testing.TB
	c      *ServerConn
	h      *recorder
	out    bytes.Buffer // frames to feed next
	fr     *xhttp2.Framer
	enc    *hpack.Encoder
	dec    *hpack.Decoder
	encBuf bytes.Buffer
	now    int64
	err    error // last Feed error
}

// recorder is a Handler that records requests and answers GETs with a
// small body unless hold is set.
type recorder struct {
	reqs   []recorded
	resets map[uint32]ErrCode
	hold   bool
}

type recorded struct {
	id                 uint32
	method, path, body string
	header, trailer    map[string]string
}

func (r *recorder) OnRequest(c *ServerConn, req *Request) {
	rec := recorded{id: req.StreamID, method: string(req.Method), path: string(req.Path), body: string(req.Body),
		header: map[string]string{}, trailer: map[string]string{}}
	for _, f := range req.Header {
		rec.header[string(f.Name)] = string(f.Value)
	}
	for _, f := range req.Trailer {
		rec.trailer[string(f.Name)] = string(f.Value)
	}
	r.reqs = append(r.reqs, rec)
	if !r.hold {
		c.WriteHeaders(req.StreamID, 200, nil, false)
		c.WriteData(req.StreamID, helloBody, true)
	}
}

func (r *recorder) OnStreamReset(_ *ServerConn, id uint32, code ErrCode) {
	if r.resets == nil {
		r.resets = map[uint32]ErrCode{}
	}
	r.resets[id] = code
}

const second = int64(1e9)

// newPeer returns a connection past the preface and SETTINGS exchange.
func newPeer(t testing.TB, cfg Config) *peer {
	p := &peer{t: t, h: &recorder{}, now: second}
	p.c = NewServerConn(cfg, p.h)
	t.Cleanup(p.c.Close)
	p.fr = xhttp2.NewFramer(&p.out, nil)
	p.enc = hpack.NewEncoder(&p.encBuf)
	p.dec = hpack.NewDecoder(4096, nil)
	p.out.WriteString(ClientPreface)
	p.fr.WriteSettings()
	p.fr.WriteSettingsAck()
	p.feed()
	if fs := p.frames(); len(fs) < 2 {
		t.Fatalf("no server preface: %v", fs)
	}
	return p
}

// feed hands everything written so far to the server.
func (p *peer) feed() {
	in := p.out.Bytes()
	n, err := p.c.Feed(in, p.now)
	p.err = err
	p.out.Next(n)
	if err == nil && p.out.Len() != 0 {
		p.t.Fatalf("Feed left %d bytes of whole frames", p.out.Len())
	}
	p.out.Reset()
}

// frames parses and drains the server's output. Each frame gets its own
// x/net Framer, because a Framer invalidates a frame on the next read.
func (p *peer) frames() []xhttp2.Frame {
	out := p.c.Output()
	var fs []xhttp2.Frame
	for off := 0; off+FrameHeaderLen <= len(out); {
		end := off
		for end+FrameHeaderLen <= len(out) { // a header block spans its CONTINUATIONs
			fh := ParseFrameHeader(out[end:])
			end += FrameHeaderLen + int(fh.Length)
			if (fh.Type != FrameHeaders && fh.Type != FrameContinuation) || fh.Flags.Has(FlagEndHeaders) {
				break
			}
		}
		fr := xhttp2.NewFramer(nil, bytes.NewReader(out[off:min(end, len(out))]))
		fr.ReadMetaHeaders = p.dec
		fr.MaxHeaderListSize = 1 << 20
		f, err := fr.ReadFrame()
		if err != nil {
			p.t.Fatalf("server wrote a bad frame: %v", err)
		}
		fs = append(fs, f)
		off = end
	}
	p.c.Advance(len(out))
	return fs
}

func (p *peer) block(fields ...string) []byte {
	p.encBuf.Reset()
	for i := 0; i+1 < len(fields); i += 2 {
		p.enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	return append([]byte(nil), p.encBuf.Bytes()...)
}

func getFields(path string) []string {
	return []string{":method", "GET", ":scheme", "http", ":authority", "example.com", ":path", path}
}

// get sends a complete GET on stream id.
func (p *peer) get(id uint32, path string) {
	p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: id, BlockFragment: p.block(getFields(path)...), EndStream: true, EndHeaders: true})
}

// open sends request headers without END_STREAM.
func (p *peer) open(id uint32, fields ...string) {
	p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: id, BlockFragment: p.block(fields...), EndHeaders: true})
}

// goAway returns the GOAWAY among fs, or nil.
func goAway(fs []xhttp2.Frame) *xhttp2.GoAwayFrame {
	for _, f := range fs {
		if g, ok := f.(*xhttp2.GoAwayFrame); ok {
			return g
		}
	}
	return nil
}

// rst returns the RST_STREAM code sent for id, or -1.
func rst(fs []xhttp2.Frame, id uint32) int {
	for _, f := range fs {
		if r, ok := f.(*xhttp2.RSTStreamFrame); ok && r.StreamID == id {
			return int(r.ErrCode)
		}
	}
	return -1
}

// status returns the :status of the response HEADERS on id, or "".
func status(fs []xhttp2.Frame, id uint32) string {
	for _, f := range fs {
		if h, ok := f.(*xhttp2.MetaHeadersFrame); ok && h.StreamID == id {
			return h.PseudoValue("status")
		}
	}
	return ""
}

// expectGoAway asserts the connection failed with code.
func (p *peer) expectGoAway(code ErrCode) {
	p.t.Helper()
	fs := p.frames()
	g := goAway(fs)
	if g == nil || ErrCode(g.ErrCode) != code {
		p.t.Fatalf("want GOAWAY %v, got %v (Feed error %v)", code, fs, p.err)
	}
	if ce, ok := p.err.(*ConnError); !ok || ce.Code != code {
		if !p.c.Done() {
			p.t.Fatalf("want connection error %v from Feed, got %v", code, p.err)
		}
	}
}
