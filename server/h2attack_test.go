package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
	"github.com/pqloop/pqloop/server/config"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Each test here attacks the real server over HTTP/2 on one raw connection
// while a well-behaved h2 client on another connection keeps making
// requests. The attacker must be answered with GOAWAY (or a stream-level
// refusal where the RFC says so) and closed; the server must stay up and the
// good client must see no failure.

// h2Attacker is a raw HTTP/2 client that writes frames as the attack needs.
type h2Attacker struct {
	t    *testing.T
	conn net.Conn
	bw   *bufio.Writer
	fr   *http2.Framer // writes only; the reader has its own
	enc  *hpack.Encoder
	blk  bytes.Buffer

	done chan struct{} // closed when the server ends the connection
	mu   sync.Mutex
	seen h2Seen
}

// h2Seen is what the attacker received.
type h2Seen struct {
	goAway    bool
	goAwayErr http2.ErrCode
	debug     string
	resets    map[uint32]http2.ErrCode
	status    map[uint32]string
	readErr   error
}

func dialH2(t *testing.T, addr string, settings ...http2.Setting) *h2Attacker {
	t.Helper()
	conn := testutil.Dial(t, addr, 30*time.Second)
	a := &h2Attacker{t: t, conn: conn, bw: bufio.NewWriterSize(conn, 64<<10), done: make(chan struct{})}
	a.seen.resets = make(map[uint32]http2.ErrCode)
	a.seen.status = make(map[uint32]string)
	a.fr = http2.NewFramer(a.bw, nil)
	a.enc = hpack.NewEncoder(&a.blk)
	a.bw.WriteString(http2.ClientPreface)
	a.fr.WriteSettings(settings...)
	a.flush()

	rd := http2.NewFramer(nil, conn)
	rd.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	rd.MaxHeaderListSize = 1 << 20
	// The server speaks first with its SETTINGS; acknowledge them, then
	// read everything else in the background.
	for {
		f, err := rd.ReadFrame()
		if err != nil {
			t.Fatalf("reading the server's SETTINGS: %v", err)
		}
		if sf, ok := f.(*http2.SettingsFrame); ok && !sf.IsAck() {
			break
		}
	}
	a.fr.WriteSettingsAck()
	a.flush()
	go a.read(rd)
	return a
}

func (a *h2Attacker) read(rd *http2.Framer) {
	defer close(a.done)
	for {
		f, err := rd.ReadFrame()
		a.mu.Lock()
		if err != nil {
			a.seen.readErr = err
			a.mu.Unlock()
			return
		}
		switch f := f.(type) {
		case *http2.GoAwayFrame:
			a.seen.goAway, a.seen.goAwayErr, a.seen.debug = true, f.ErrCode, string(f.DebugData())
		case *http2.RSTStreamFrame:
			a.seen.resets[f.StreamID] = f.ErrCode
		case *http2.MetaHeadersFrame:
			a.seen.status[f.StreamID] = f.PseudoValue("status")
		}
		a.mu.Unlock()
	}
}

// flush sends what the framer wrote; once the server has closed, writes
// fail, and the attack simply stops.
func (a *h2Attacker) flush() error { return a.bw.Flush() }

// block encodes a header block; fields are name, value pairs.
func (a *h2Attacker) block(fields ...string) []byte {
	a.blk.Reset()
	for i := 0; i < len(fields); i += 2 {
		a.enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	return append([]byte(nil), a.blk.Bytes()...)
}

func (a *h2Attacker) get(path string) []byte {
	return a.block(":method", "GET", ":scheme", "http", ":authority", "test", ":path", path)
}

// flood writes 5000 frames with write, flushing every 100, and stops early
// once the server no longer takes them.
func (a *h2Attacker) flood(write func()) {
	for i := range 5000 {
		write()
		if i%100 == 99 && a.flush() != nil {
			return
		}
	}
	a.flush()
}

// snapshot returns a copy of what was received so far.
func (a *h2Attacker) snapshot() h2Seen {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.seen
	s.resets = make(map[uint32]http2.ErrCode, len(a.seen.resets))
	for k, v := range a.seen.resets {
		s.resets[k] = v
	}
	s.status = make(map[uint32]string, len(a.seen.status))
	for k, v := range a.seen.status {
		s.status[k] = v
	}
	return s
}

// expectGoAwayAndClose waits for the server to end the connection and
// checks it said why with code first.
func (a *h2Attacker) expectGoAwayAndClose(code http2.ErrCode) {
	a.t.Helper()
	select {
	case <-a.done:
	case <-time.After(20 * time.Second):
		a.t.Fatalf("the attacker's connection is still open; seen %+v", a.snapshot())
	}
	s := a.snapshot()
	if !s.goAway || s.goAwayErr != code {
		a.t.Fatalf("want GOAWAY %v before the close, got GOAWAY=%v code %v (%q), read error %v",
			code, s.goAway, s.goAwayErr, s.debug, s.readErr)
	}
	if !errors.Is(s.readErr, io.EOF) && !errors.Is(s.readErr, syscall.ECONNRESET) {
		a.t.Fatalf("the connection ended with %v, want a close", s.readErr)
	}
}

// goodClient makes requests on its own HTTP/2 connection until stopped and
// reports how many succeeded and every failure.
type goodClient struct {
	stop   chan struct{}
	done   chan struct{}
	ok     atomic.Int64
	mu     sync.Mutex
	errors []string
}

func startGoodClient(t *testing.T, ts *testServer) *goodClient {
	t.Helper()
	g := &goodClient{stop: make(chan struct{}), done: make(chan struct{})}
	client := h2cClient()
	// One request first so the connection is up before the attack starts.
	if resp, err := client.Get(ts.url("/health")); err != nil {
		t.Fatal(err)
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	go func() {
		defer close(g.done)
		defer client.CloseIdleConnections()
		for {
			select {
			case <-g.stop:
				return
			default:
			}
			resp, err := client.Get(ts.url("/health"))
			if err != nil {
				g.fail(err.Error())
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.ProtoMajor != 2 || !strings.Contains(string(b), "ok") {
				g.fail(resp.Proto + " " + resp.Status + " " + string(b))
				continue
			}
			g.ok.Add(1)
		}
	}()
	return g
}

func (g *goodClient) fail(s string) {
	g.mu.Lock()
	g.errors = append(g.errors, s)
	g.mu.Unlock()
}

// finish stops the good client and checks it was served throughout.
func (g *goodClient) finish(t *testing.T) {
	t.Helper()
	// Served during the attack: at least a few more requests complete
	// before the client is stopped.
	before := g.ok.Load()
	deadline := time.Now().Add(10 * time.Second)
	for g.ok.Load() < before+5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(g.stop)
	<-g.done
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range g.errors {
		t.Errorf("good client: %s", e)
	}
	if g.ok.Load() < before+5 {
		t.Errorf("good client stalled: %d requests served", g.ok.Load())
	}
}

func TestH2RapidReset(t *testing.T) {
	ts := startServer(t, nil)
	good := startGoodClient(t, ts)
	a := dialH2(t, ts.addr)
	// CVE-2023-44487: open a stream and cancel it at once, over and over,
	// so the server starts work the client never waits for.
	for i := range 2000 {
		id := uint32(2*i + 1)
		a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: a.get("/slow?10ms"), EndStream: true, EndHeaders: true})
		a.fr.WriteRSTStream(id, http2.ErrCodeCancel)
		if i%50 == 49 && a.flush() != nil {
			break
		}
	}
	a.flush()
	a.expectGoAwayAndClose(http2.ErrCodeEnhanceYourCalm)
	good.finish(t)
	pollHealth(t, ts) // the server is still up
}

func TestH2ContinuationFlood(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fragment []byte
	}{
		// A header block that never ends: CONTINUATION frames of 1 KiB
		// each until the block passes its bound.
		{"growing block", bytes.Repeat([]byte{0x40, 0x01, 'x', 0x7f, 0x00}, 200)},
		// Empty CONTINUATION frames grow nothing but still cost a frame
		// each: counted as control frames.
		{"empty frames", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, nil)
			good := startGoodClient(t, ts)
			a := dialH2(t, ts.addr)
			a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: a.get("/health"), EndStream: true})
			a.flood(func() { a.fr.WriteContinuation(1, false, tc.fragment) })
			a.expectGoAwayAndClose(http2.ErrCodeEnhanceYourCalm)
			good.finish(t)
			pollHealth(t, ts) // the server is still up
		})
	}
}

func TestH2HPACKBomb(t *testing.T) {
	ts := startServer(t, nil)
	good := startGoodClient(t, ts)
	a := dialH2(t, ts.addr)
	// A 4000-byte field enters the dynamic table once; every later
	// reference costs the attacker one byte and would decode to 4 KB: a
	// block of a few KB that would decode to 4 MB.
	big := strings.Repeat("b", 4000)
	fields := []string{":method", "GET", ":scheme", "http", ":authority", "test", ":path", "/health"}
	for range 1000 {
		fields = append(fields, "x-big", big)
	}
	blk := a.block(fields...)
	if len(blk) > 8<<10 {
		t.Fatalf("the bomb should be small: %d bytes", len(blk))
	}
	a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk, EndStream: true, EndHeaders: true})
	// The decoder's table must have stayed in step: a normal request on
	// the same connection is served.
	a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: a.get("/health"), EndStream: true, EndHeaders: true})
	a.flush()
	testutil.Eventually(t, 5*time.Second, "answers on streams 1 and 3", func() bool {
		s := a.snapshot()
		return s.status[3] != "" || s.goAway
	})
	s := a.snapshot()
	t.Logf("bomb: stream 1 %q, stream 3 %q, GOAWAY %v %v", s.status[1], s.status[3], s.goAway, s.goAwayErr)
	// RFC 9113 §8.2.3 / RFC 6585 §5: 431 for the stream, the connection
	// kept (closing it is also allowed, but then with a GOAWAY).
	if s.goAway {
		if s.goAwayErr != http2.ErrCodeEnhanceYourCalm && s.goAwayErr != http2.ErrCodeCompression {
			t.Fatalf("bomb answered with GOAWAY %v", s.goAwayErr)
		}
	} else if s.status[1] != "431" || s.status[3] != "200" {
		t.Fatalf("bomb: stream 1 status %q, stream 3 status %q", s.status[1], s.status[3])
	}
	good.finish(t)
	pollHealth(t, ts) // the server is still up
}

func TestH2ControlFrameFloods(t *testing.T) {
	floods := []struct {
		name  string
		setup func(a *h2Attacker)
		frame func(a *h2Attacker)
	}{
		{"SETTINGS", nil, func(a *h2Attacker) { a.fr.WriteSettings() }},
		{"PING", nil, func(a *h2Attacker) { a.fr.WritePing(false, [8]byte{1, 2, 3}) }},
		{"WINDOW_UPDATE", nil, func(a *h2Attacker) { a.fr.WriteWindowUpdate(0, 1) }},
		{"empty DATA", func(a *h2Attacker) {
			// A POST whose body never comes: only empty DATA frames.
			a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndHeaders: true,
				BlockFragment: a.block(":method", "POST", ":scheme", "http", ":authority", "test", ":path", "/echo")})
		}, func(a *h2Attacker) { a.fr.WriteData(1, false, nil) }},
	}
	for _, fl := range floods {
		t.Run(fl.name, func(t *testing.T) {
			ts := startServer(t, nil)
			good := startGoodClient(t, ts)
			a := dialH2(t, ts.addr)
			if fl.setup != nil {
				fl.setup(a)
			}
			a.flood(func() { fl.frame(a) })
			a.expectGoAwayAndClose(http2.ErrCodeEnhanceYourCalm)
			good.finish(t)
			pollHealth(t, ts) // the server is still up
		})
	}
}

// TestH2ZeroWindowStall: the attacker grants no flow-control window and asks
// for endless event streams. The server may queue only a bounded amount
// per stream; past it the stream is reset, not buffered without bound.
func TestH2ZeroWindowStall(t *testing.T) {
	ts := startServer(t, nil)
	good := startGoodClient(t, ts)
	a := dialH2(t, ts.addr, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})
	const streams = 2
	for i := range streams {
		a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: uint32(2*i + 1), BlockFragment: a.get("/events?1000000"), EndStream: true, EndHeaders: true})
	}
	a.flush()
	deadline := time.Now().Add(30 * time.Second) // the race detector slows the event source a lot
	for s := a.snapshot(); len(s.resets) < streams && !s.goAway; s = a.snapshot() {
		if time.Now().After(deadline) {
			t.Fatalf("stalled streams not reset: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s := a.snapshot()
	if !s.goAway {
		for id, code := range s.resets {
			if code != http2.ErrCodeCancel {
				t.Errorf("stream %d reset with %v, want CANCEL", id, code)
			}
		}
	}
	good.finish(t)
	pollHealth(t, ts) // the server is still up
}

// TestH2StreamTimeoutsFromConfig: http2.request_timeout and
// http2.stall_timeout reach the codec. One stream never finishes its
// request, another's response waits on a zero window; both are reset with
// CANCEL well before the defaults (60 s, 30 s) would act.
func TestH2StreamTimeoutsFromConfig(t *testing.T) {
	ts := startServer(t, func(c *config.Config) {
		c.HTTP2.RequestTimeout = 200 * time.Millisecond
		c.HTTP2.StallTimeout = 200 * time.Millisecond
	})
	a := dialH2(t, ts.addr, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})
	post := a.block(":method", "POST", ":scheme", "http", ":authority", "test", ":path", "/echo")
	a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: post, EndHeaders: true}) // no END_STREAM, no body
	a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: a.get("/events?1000000"), EndStream: true, EndHeaders: true})
	a.flush()
	deadline := time.Now().Add(10 * time.Second)
	for s := a.snapshot(); len(s.resets) < 2; s = a.snapshot() {
		if s.goAway || time.Now().After(deadline) {
			t.Fatalf("streams not reset by the configured timeouts: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for id, code := range a.snapshot().resets {
		if code != http2.ErrCodeCancel {
			t.Errorf("stream %d reset with %v, want CANCEL", id, code)
		}
	}
}
