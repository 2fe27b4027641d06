package http2

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/pqloop/pqloop/codec/header"
	xhttp2 "golang.org/x/net/http2"
)

func TestGetAndPostWithTrailers(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.get(1, "/")
	p.open(3, ":method", "POST", ":scheme", "https", ":path", "/up", ":authority", "a", "content-type", "x/y", "te", "trailers")
	p.fr.WriteData(3, false, []byte("part1,"))
	p.fr.WriteData(3, false, []byte("part2"))
	p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 3, BlockFragment: p.block("x-sum", "42"), EndStream: true, EndHeaders: true})
	p.feed()
	if len(p.h.reqs) != 2 {
		t.Fatalf("requests: %+v", p.h.reqs)
	}
	get, post := p.h.reqs[0], p.h.reqs[1]
	if get.method != "GET" || get.path != "/" || get.header[":method"] != "" {
		t.Errorf("GET: %+v", get)
	}
	if post.body != "part1,part2" || post.trailer["x-sum"] != "42" || post.header["content-type"] != "x/y" {
		t.Errorf("POST: %+v", post)
	}
	fs := p.frames()
	if status(fs, 1) != "200" || status(fs, 3) != "200" {
		t.Fatalf("responses: %v", fs)
	}
}

func TestResponseTrailersAfterQueuedData(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 4})
	p.get(1, "/")
	p.feed()
	c := p.c
	if err := c.WriteHeaders(1, 200, header.List{{Name: []byte("grpc-encoding"), Value: []byte("identity")}}, false); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteData(1, []byte("0123456789"), false); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteTrailers(1, header.List{{Name: []byte("grpc-status"), Value: []byte("0")}}); err != nil {
		t.Fatal(err)
	}
	var got []byte
	ended := false
	for round := 0; round < 5 && !ended; round++ {
		for _, f := range p.frames() {
			switch f := f.(type) {
			case *xhttp2.DataFrame:
				got = append(got, f.Data()...)
				if f.StreamEnded() {
					t.Fatal("END_STREAM on DATA before the trailers")
				}
			case *xhttp2.MetaHeadersFrame:
				if f.StreamEnded() {
					ended = true
					if string(got) != "0123456789" || f.Fields[0].Value != "0" {
						t.Fatalf("trailers after %q: %v", got, f.Fields)
					}
				}
			}
		}
		p.fr.WriteWindowUpdate(1, 4)
		p.feed()
	}
	if !ended || len(c.streams) != 0 || c.buffered != 0 {
		t.Fatalf("response did not end: got %q, streams %d", got, len(c.streams))
	}
}

func TestFlowControlResumesOnWindowUpdate(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.get(1, "/")
	p.get(3, "/")
	p.feed()
	body := bytes.Repeat([]byte("r"), 100_000) // > the 65,535 connection window
	for _, id := range []uint32{1, 3} {
		p.c.WriteHeaders(id, 200, nil, false)
		if err := p.c.WriteData(id, body, true); err != nil {
			t.Fatal(err)
		}
	}
	got := map[uint32]int{}
	done := map[uint32]bool{}
	for round := 0; round < 20 && len(done) < 2; round++ {
		n := 0
		for _, f := range p.frames() {
			if d, ok := f.(*xhttp2.DataFrame); ok {
				got[d.StreamID] += len(d.Data())
				n += len(d.Data())
				if d.StreamEnded() {
					done[d.StreamID] = true
				}
				p.fr.WriteWindowUpdate(d.StreamID, uint32(len(d.Data())))
			}
		}
		if n > 0 {
			p.fr.WriteWindowUpdate(0, uint32(n))
		}
		p.feed()
	}
	if got[1] != len(body) || got[3] != len(body) || len(done) != 2 {
		t.Fatalf("received %v, ended %v", got, done)
	}
}

func TestGracefulShutdown(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.get(1, "/")
	p.get(3, "/")
	p.feed()
	p.c.Shutdown()
	g := goAway(p.frames())
	if g == nil || g.LastStreamID != 3 || g.ErrCode != xhttp2.ErrCodeNo {
		t.Fatalf("GOAWAY: %v", g)
	}
	p.get(5, "/") // after GOAWAY: not served
	p.feed()
	if len(p.h.reqs) != 2 || p.c.Done() {
		t.Fatalf("requests %d, done %v", len(p.h.reqs), p.c.Done())
	}
	p.c.WriteHeaders(1, 200, nil, true)
	if p.c.Done() {
		t.Fatal("done with stream 3 in flight")
	}
	p.c.WriteHeaders(3, 200, nil, true)
	if !p.c.Done() {
		t.Fatal("not done after the last stream")
	}
}

func TestConnectionErrorResetsOwnedStreams(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.get(1, "/")
	p.fr.WritePushPromise(xhttp2.PushPromiseParam{StreamID: 1, PromiseID: 2, EndHeaders: true})
	p.feed()
	p.expectGoAway(ErrCodeProtocol)
	if p.h.resets[1] != ErrCodeProtocol {
		t.Fatalf("handler not told: %v", p.h.resets)
	}
	if err := p.c.WriteHeaders(1, 200, nil, true); err != ErrConnClosed {
		t.Fatalf("write after connection error: %v", err)
	}
}

func TestPeerResetReachesHandler(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.get(1, "/")
	p.fr.WriteRSTStream(1, xhttp2.ErrCodeCancel)
	p.feed()
	if p.h.resets[1] != ErrCodeCancel {
		t.Fatalf("resets: %v", p.h.resets)
	}
	if err := p.c.WriteHeaders(1, 200, nil, true); err != ErrStreamClosed {
		t.Fatalf("write to a reset stream: %v", err)
	}
}

func TestMalformedRequests(t *testing.T) {
	base := func(extra ...string) []string { return append(getFields("/"), extra...) }
	cases := map[string][]string{
		"upper-case name":      base("X-Up", "1"),
		"connection header":    base("connection", "close"),
		"te other":             base("te", "gzip"),
		"unknown pseudo":       append([]string{":foo", "x"}, base()...),
		"status in request":    append([]string{":status", "200"}, base()...),
		"pseudo after regular": append(base("a", "b"), ":protocol", "x"),
		"duplicate :path":      base(":path", "/"),
		"no :method":           {":scheme", "http", ":path", "/"},
		"empty :path":          {":method", "GET", ":scheme", "http", ":path", ""},
		"CR in value":          base("a", "b\rc"),
		"bad content-length":   base("content-length", "1x"),
		"CONNECT with :path":   {":method", "CONNECT", ":authority", "a:1", ":path", "/"},
	}
	for name, fields := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPeer(t, DefaultConfig())
			p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: p.block(fields...), EndStream: true, EndHeaders: true})
			p.feed()
			if code := rst(p.frames(), 1); code != int(ErrCodeProtocol) || len(p.h.reqs) != 0 {
				t.Fatalf("RST %d, requests %d", code, len(p.h.reqs))
			}
		})
	}
	p := newPeer(t, DefaultConfig())
	p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: p.block(":method", "CONNECT", ":authority", "a:1"), EndStream: true, EndHeaders: true})
	p.feed()
	if len(p.h.reqs) != 1 {
		t.Fatal("valid CONNECT refused")
	}
}

func TestContentLengthMismatch(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.open(1, append(getFields("/"), "content-length", "3")...)
	p.fr.WriteData(1, true, []byte("ab"))
	p.feed()
	if code := rst(p.frames(), 1); code != int(ErrCodeProtocol) || len(p.h.reqs) != 0 {
		t.Fatalf("RST %d", code)
	}
}

func TestUpgradeFromHTTP1(t *testing.T) {
	h := &recorder{}
	c := NewServerConn(DefaultConfig(), h)
	defer c.Close()
	settings := base64.RawURLEncoding.EncodeToString(appendSetting(nil, SettingInitialWindowSize, 1<<20))
	req := &Request{Method: []byte("GET"), Scheme: []byte("http"), Authority: []byte("h"), Path: []byte("/up"),
		Header: header.List{{Name: []byte("User-Agent"), Value: []byte("x")}, {Name: []byte("Connection"), Value: []byte("Upgrade, HTTP2-Settings")},
			{Name: []byte("HTTP2-Settings"), Value: []byte(settings)}}}
	if err := c.Upgrade([]byte(settings), req); err != nil {
		t.Fatal(err)
	}
	if len(h.reqs) != 1 || h.reqs[0].id != 1 || h.reqs[0].header["user-agent"] != "x" || len(h.reqs[0].header) != 1 {
		t.Fatalf("upgraded request: %+v", h.reqs)
	}
	if c.peer.initialWindowSize != 1<<20 {
		t.Fatal("HTTP2-Settings not applied")
	}
	in := append([]byte(ClientPreface), appendFrameHeader(nil, 0, FrameSettings, 0, 0)...)
	if _, err := c.Feed(in, second); err != nil {
		t.Fatal(err)
	}
	if err := c.Upgrade([]byte(settings), req); err != ErrUpgradeTooLate {
		t.Fatalf("second upgrade: %v", err)
	}
	if err := NewServerConn(DefaultConfig(), h).Upgrade([]byte("!!"), req); err != ErrInvalidUpgrade {
		t.Fatalf("bad settings: %v", err)
	}
}

func TestIsPreface(t *testing.T) {
	for _, tc := range []struct {
		in              string
		match, needMore bool
	}{
		{"", false, true},
		{"PRI * HT", false, true},
		{ClientPreface, true, false},
		{ClientPreface + "\x00\x00", true, false},
		{"GET / HTTP/1.1\r\n", false, false},
		{"PRI * HTTP/1.1", false, false},
	} {
		m, more := IsPreface([]byte(tc.in))
		if m != tc.match || more != tc.needMore {
			t.Errorf("IsPreface(%q) = %v, %v", tc.in, m, more)
		}
	}
}

func TestPartialFramesStayUnconsumed(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.get(1, "/")
	whole := append([]byte(nil), p.out.Bytes()...)
	p.out.Reset()
	for i := 0; i < len(whole); i++ {
		n, err := p.c.Feed(whole[:i], p.now)
		if err != nil || n != 0 {
			t.Fatalf("Feed of %d/%d bytes consumed %d, %v", i, len(whole), n, err)
		}
	}
	if n, err := p.c.Feed(whole, p.now); err != nil || n != len(whole) || len(p.h.reqs) != 1 {
		t.Fatalf("Feed of the whole frame: %d, %v", n, err)
	}
}

func TestOversizedFrameRejectedFromItsHeader(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	hdr := appendFrameHeader(nil, minMaxFrameSize+1, FrameData, 0, 1)
	_, p.err = p.c.Feed(hdr, p.now) // the payload is not even sent
	p.expectGoAway(ErrCodeFrameSize)
}

func TestZeroConfigTakesDefaultLimits(t *testing.T) {
	got := Config{}.normalized()
	want := DefaultConfig()
	want.HeaderTimeout, want.RequestTimeout, want.StallTimeout, want.IdleTimeout, want.SettingsTimeout = 0, 0, 0, 0, 0
	if got != want {
		t.Fatalf("Config{} normalized to\n%+v\nwant\n%+v", got, want)
	}
	if DefaultConfig().normalized() != DefaultConfig() {
		t.Fatal("DefaultConfig is not already normal")
	}
}

// A response header block larger than the peer's frame size goes out as
// HEADERS plus CONTINUATION frames.
func TestLargeResponseHeadersUseContinuation(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.get(1, "/")
	p.feed()
	big := bytes.Repeat([]byte("c"), 40000)
	if err := p.c.WriteHeaders(1, 200, header.List{{Name: []byte("x-big"), Value: big}}, true); err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), p.c.Output()...)
	continuations := 0
	for rest := out; len(rest) >= FrameHeaderLen; {
		fh := ParseFrameHeader(rest)
		if fh.Type == FrameContinuation {
			continuations++
		}
		if fh.Length > minMaxFrameSize {
			t.Fatalf("frame of %d bytes", fh.Length)
		}
		rest = rest[FrameHeaderLen+int(fh.Length):]
	}
	fs := p.frames()
	h, ok := fs[0].(*xhttp2.MetaHeadersFrame)
	if continuations != 2 || !ok || h.PseudoValue("status") != "200" || !h.StreamEnded() || len(h.RegularFields()[0].Value) != len(big) {
		t.Fatalf("%d CONTINUATION frames, %v", continuations, fs)
	}
}

func TestInvalidResponseFieldsRefused(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.get(1, "/")
	p.feed()
	for _, f := range []header.Field{
		{Name: []byte(":status"), Value: []byte("200")},
		{Name: []byte("X-Upper"), Value: []byte("v")},
		{Name: []byte("x-split"), Value: []byte("a\r\nb: c")},
	} {
		if err := p.c.WriteHeaders(1, 200, header.List{f}, false); err != ErrInvalidHeader {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
	p.c.WriteHeaders(1, 200, header.List{{Name: []byte("connection"), Value: []byte("close")}}, false)
	if err := p.c.WriteTrailers(1, header.List{{Name: []byte(":path"), Value: []byte("/")}}); err != ErrInvalidHeader {
		t.Errorf("pseudo-header in trailers: %v", err)
	}
	fs := p.frames()
	if h := fs[0].(*xhttp2.MetaHeadersFrame); len(h.RegularFields()) != 0 {
		t.Fatalf("connection-specific field sent: %v", h.Fields)
	}
}
