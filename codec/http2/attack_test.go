package http2

import (
	"bytes"
	"strings"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
)

// Each attack test runs at the limit (accepted) and one past it
// (rejected); without the mitigation the second half fails.

func TestRapidReset(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxResets = 10
	p := newPeer(t, cfg)
	p.h.hold = true
	id := uint32(1)
	churn := func(n int) {
		for i := 0; i < n; i++ {
			p.open(id, getFields("/")...)
			p.fr.WriteRSTStream(id, xhttp2.ErrCodeCancel)
			id += 2
		}
		p.feed()
	}
	churn(cfg.MaxResets)
	if g := goAway(p.frames()); g != nil || p.err != nil {
		t.Fatalf("%d resets in a window: GOAWAY %v, err %v", cfg.MaxResets, g, p.err)
	}
	p.now += int64(cfg.RateWindow) // a new window starts from zero
	churn(cfg.MaxResets)
	if p.err != nil {
		t.Fatalf("resets in the next window: %v", p.err)
	}
	churn(1)
	p.expectGoAway(ErrCodeEnhanceYourCalm)
}

func TestContinuationFlood(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxHeaderBlockSize = 1024
	for _, extra := range []int{0, 1} {
		p := newPeer(t, cfg)
		// Pad the block to exactly the limit (+extra) with a literal the
		// decoder must still read: a never-indexed field.
		block := p.block(getFields("/")...)
		pad := cfg.MaxHeaderBlockSize + extra - len(block) - 3 - 3
		block = appendInt(append(block, 0x10), 0, 7, 1)
		block = append(block, 'p')
		block = appendInt(block, 0, 7, uint64(pad))
		block = append(block, bytes.Repeat([]byte{'v'}, pad)...)
		if len(block) != cfg.MaxHeaderBlockSize+extra {
			t.Fatalf("built a %d-byte block", len(block))
		}
		p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: block[:100], EndStream: true})
		for rest := block[100:]; len(rest) > 0; {
			n := min(len(rest), 100)
			p.fr.WriteContinuation(1, n == len(rest), rest[:n])
			rest = rest[n:]
		}
		p.feed()
		if extra == 0 {
			if fs := p.frames(); status(fs, 1) != "200" {
				t.Fatalf("block at the limit: %v (err %v)", fs, p.err)
			}
			continue
		}
		p.expectGoAway(ErrCodeEnhanceYourCalm)
	}
}

func TestHPACKBomb(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxHeaderListSize = 16 << 10
	p := newPeer(t, cfg)
	// A 4000-byte field enters the dynamic table once; each later one-byte
	// reference to it would decode to 4 KB.
	big := strings.Repeat("b", 4000)
	fields := getFields("/")
	base := 0
	for i := 0; i < len(fields); i += 2 {
		base += len(fields[i]) + len(fields[i+1]) + entryOverhead
	}
	per := len("x-big") + len(big) + entryOverhead
	n := (int(cfg.MaxHeaderListSize) - base) / per
	fill := int(cfg.MaxHeaderListSize) - base - n*per - entryOverhead - len("x-fill")
	at := append(fields, "x-fill", strings.Repeat("f", fill))
	for i := 0; i < n; i++ {
		at = append(at, "x-big", big)
	}
	p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: p.block(at...), EndStream: true, EndHeaders: true})
	p.feed()
	if fs := p.frames(); status(fs, 1) != "200" || len(p.h.reqs) != 1 {
		t.Fatalf("list at the limit: %v", fs)
	}
	// One byte more, then a thousand more references: 431, connection kept.
	over := append(fields, "x-fill", strings.Repeat("f", fill+1))
	for i := 0; i < 1000; i++ {
		over = append(over, "x-big", big)
	}
	blk := p.block(over...)
	if len(blk) > 16<<10 {
		t.Fatalf("the bomb should be small: %d bytes", len(blk))
	}
	p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 3, BlockFragment: blk, EndStream: true, EndHeaders: true})
	p.feed()
	if fs := p.frames(); status(fs, 3) != "431" || len(p.h.reqs) != 1 {
		t.Fatalf("list over the limit: %v", fs)
	}
	p.get(5, "/") // the HPACK table stayed in step
	p.feed()
	if fs := p.frames(); status(fs, 5) != "200" {
		t.Fatalf("request after the bomb: %v", fs)
	}
}

func TestControlFrameFloods(t *testing.T) {
	floods := map[string]func(p *peer){
		"SETTINGS":      func(p *peer) { p.fr.WriteSettings() },
		"PING":          func(p *peer) { p.fr.WritePing(false, [8]byte{1}) },
		"PRIORITY":      func(p *peer) { p.fr.WritePriority(3, xhttp2.PriorityParam{StreamDep: 1, Weight: 1}) },
		"WINDOW_UPDATE": func(p *peer) { p.fr.WriteWindowUpdate(0, 1) },
		"empty DATA":    func(p *peer) { p.fr.WriteData(1, false, nil) },
		"unknown type":  func(p *peer) { p.fr.WriteRawFrame(0xfa, 0, 0, nil) },
		"GOAWAY":        func(p *peer) { p.fr.WriteGoAway(0, xhttp2.ErrCodeNo, nil) },
		"empty DATA on a reset stream": func(p *peer) {
			p.fr.WriteData(3, false, nil) // stream 3 was refused below
		},
	}
	for name, send := range floods {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.MaxControlFrames = 50
			p := newPeer(t, cfg)
			p.h.hold = true
			p.open(1, append(getFields("/"), "content-length", "0")...)
			p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 3, BlockFragment: p.block(":method", "GET"), EndHeaders: true})
			p.feed()
			if rst(p.frames(), 3) != int(ErrCodeProtocol) {
				t.Fatal("malformed stream 3 not reset")
			}
			// newPeer's SETTINGS and ACK used two of this window.
			for i := 0; i < cfg.MaxControlFrames-2; i++ {
				send(p)
			}
			p.feed()
			if g := goAway(p.frames()); g != nil || p.err != nil {
				t.Fatalf("at the limit: GOAWAY %v, err %v", g, p.err)
			}
			send(p)
			p.feed()
			p.expectGoAway(ErrCodeEnhanceYourCalm)
		})
	}
}

// A peer that sends PINGs but never reads cannot grow our output forever.
func TestPingWithoutReading(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingOutput = 1000
	p := newPeer(t, cfg)
	for i := 0; i < 100; i++ {
		p.fr.WritePing(false, [8]byte{byte(i)})
		p.feed() // output never drained
		if p.err != nil {
			break
		}
	}
	if pending := len(p.c.Output()); pending > cfg.MaxPendingOutput+100 {
		t.Fatalf("output grew to %d bytes", pending)
	}
	p.expectGoAway(ErrCodeEnhanceYourCalm)
}

func TestZeroWindowStall(t *testing.T) {
	cfg := DefaultConfig()
	p := newPeer(t, cfg)
	p.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 0})
	p.get(1, "/")
	p.feed()
	fs := p.frames()
	if status(fs, 1) != "200" || p.c.Buffered(1) != len(helloBody) {
		t.Fatalf("response should wait for window: %v, buffered %d", fs, p.c.Buffered(1))
	}
	start := p.now
	p.c.Tick(start + int64(cfg.StallTimeout))
	if rst(p.frames(), 1) != -1 {
		t.Fatal("reset before the stall timeout")
	}
	p.c.Tick(start + int64(cfg.StallTimeout) + 1)
	if code := rst(p.frames(), 1); code != int(ErrCodeCancel) || p.h.resets[1] != ErrCodeCancel {
		t.Fatalf("stalled stream: RST %d, handler told %v", code, p.h.resets)
	}
	if p.c.Buffered(1) != 0 || p.c.buffered != 0 {
		t.Fatalf("queued bytes kept after reset: %d", p.c.buffered)
	}
}

func TestNeverEndingRequest(t *testing.T) {
	cfg := DefaultConfig()
	p := newPeer(t, cfg)
	p.open(1, getFields("/")...)
	p.feed()
	start := p.now
	for i := 0; i < 10; i++ {
		p.now += int64(cfg.RequestTimeout) / 10
		p.fr.WriteData(1, false, []byte("x")) // trickles, never ends
		p.feed()
		p.c.Tick(p.now)
	}
	fs := p.frames()
	if p.now != start+int64(cfg.RequestTimeout) || rst(fs, 1) != -1 {
		t.Fatalf("reset at the timeout: %v", fs)
	}
	p.c.Tick(p.now + 1)
	if code := rst(p.frames(), 1); code != int(ErrCodeCancel) {
		t.Fatalf("never-ending request: RST %d", code)
	}
}

func TestUnfinishedHeaderBlock(t *testing.T) {
	cfg := DefaultConfig()
	p := newPeer(t, cfg)
	p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: p.block(getFields("/")...)})
	p.feed()
	p.c.Tick(p.now + int64(cfg.HeaderTimeout))
	if p.c.Done() {
		t.Fatal("closed at the header timeout")
	}
	p.c.Tick(p.now + int64(cfg.HeaderTimeout) + 1)
	p.expectGoAway(ErrCodeEnhanceYourCalm)
}

func TestSettingsTimeout(t *testing.T) {
	cfg := DefaultConfig()
	c := NewServerConn(cfg, &recorder{})
	defer c.Close()
	in := []byte(ClientPreface + "\x00\x00\x00\x04\x00\x00\x00\x00\x00") // SETTINGS, never an ACK
	if _, err := c.Feed(in, second); err != nil {
		t.Fatal(err)
	}
	c.Tick(second + int64(cfg.SettingsTimeout))
	if c.Done() {
		t.Fatal("closed at the settings timeout")
	}
	c.Tick(second + int64(cfg.SettingsTimeout) + 1)
	if !c.Done() || !bytes.Contains(c.Output(), []byte("SETTINGS not acknowledged")) {
		t.Fatal("no GOAWAY(SETTINGS_TIMEOUT)")
	}
}

func TestIdleTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.IdleTimeout = time.Minute
	p := newPeer(t, cfg)
	p.c.Tick(p.now + int64(cfg.IdleTimeout))
	if p.c.Done() {
		t.Fatal("closed at the idle timeout")
	}
	p.c.Tick(p.now + int64(cfg.IdleTimeout) + 1)
	if g := goAway(p.frames()); g == nil || g.ErrCode != xhttp2.ErrCodeNo || !p.c.Done() {
		t.Fatalf("idle connection: GOAWAY %v", g)
	}
}

func TestRequestBodyLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxRequestBody = 100 << 10
	for _, extra := range []int{0, 1} {
		p := newPeer(t, cfg)
		p.open(1, ":method", "POST", ":scheme", "http", ":path", "/echo", ":authority", "a")
		body := bytes.Repeat([]byte("z"), int(cfg.MaxRequestBody)+extra)
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 16384)
			p.fr.WriteData(1, n == len(rest), rest[:n])
			rest = rest[n:]
		}
		p.feed()
		fs := p.frames()
		switch {
		case extra == 0 && (len(p.h.reqs) != 1 || len(p.h.reqs[0].body) != len(body)):
			t.Fatalf("body at the limit not delivered: %v", fs)
		case extra == 1 && (status(fs, 1) != "413" || len(p.h.reqs) != 0):
			t.Fatalf("body over the limit: %v", fs)
		}
	}
}

func TestConcurrentStreamLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxConcurrentStreams = 5
	p := newPeer(t, cfg)
	p.h.hold = true
	for i := uint32(0); i < cfg.MaxConcurrentStreams; i++ {
		p.get(2*i+1, "/")
	}
	p.feed()
	if fs := p.frames(); len(p.h.reqs) != 5 || len(fs) != 0 {
		t.Fatalf("streams at the limit: %d requests, %v", len(p.h.reqs), fs)
	}
	p.get(11, "/")
	p.feed()
	if code := rst(p.frames(), 11); code != int(ErrCodeRefusedStream) || len(p.h.reqs) != 5 {
		t.Fatalf("stream over the limit: RST %d", code)
	}
	// Answering one frees a slot.
	p.c.WriteHeaders(1, 204, nil, true)
	p.get(13, "/")
	p.feed()
	if len(p.h.reqs) != 6 {
		t.Fatal("slot not reused")
	}
}

// Memory for queued response bytes is bounded per stream.
func TestResponseBufferLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBufferedPerStream = 1000
	p := newPeer(t, cfg)
	p.h.hold = true
	p.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 0})
	p.get(1, "/")
	p.feed()
	p.c.WriteHeaders(1, 200, nil, false)
	if err := p.c.WriteData(1, make([]byte, 1000), false); err != nil {
		t.Fatalf("queue at the limit: %v", err)
	}
	if err := p.c.WriteData(1, make([]byte, 1), false); err != ErrStreamBufferFull {
		t.Fatalf("queue over the limit: %v", err)
	}
}

// WINDOW_UPDATEs that answer our DATA are not a flood, however many a big
// download needs; the control-frame limit is far below their number here.
func TestDownloadUpdatesAreNotAFlood(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxControlFrames = 10
	p := newPeer(t, cfg)
	p.h.hold = true
	p.get(1, "/")
	p.feed()
	body := make([]byte, 2<<20)
	p.c.WriteHeaders(1, 200, nil, false)
	if err := p.c.WriteData(1, body[:1<<20], false); err != nil {
		t.Fatal(err)
	}
	got, updates := 0, 0
	for round := 0; round < 1000 && got < 1<<20; round++ {
		for _, f := range p.frames() {
			if d, ok := f.(*xhttp2.DataFrame); ok {
				got += len(d.Data())
				p.fr.WriteWindowUpdate(1, uint32(len(d.Data())))
				p.fr.WriteWindowUpdate(0, uint32(len(d.Data())))
				updates += 2
				p.feed()
			}
		}
	}
	if got != 1<<20 || p.err != nil || updates < 10*cfg.MaxControlFrames {
		t.Fatalf("received %d with %d updates: %v", got, updates, p.err)
	}
	// Updates that answer nothing still count.
	for i := 0; i < cfg.MaxControlFrames; i++ {
		p.fr.WriteWindowUpdate(0, 1)
	}
	p.feed()
	p.expectGoAway(ErrCodeEnhanceYourCalm)
}

// After our GOAWAY, frames for streams above its last id are ignored, not
// treated as frames on idle streams.
func TestFramesAboveGoAwayIgnored(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	p.h.hold = true
	p.get(1, "/")
	p.feed()
	p.c.Shutdown()
	p.open(3, append(getFields("/"), "content-length", "2")...)
	p.fr.WriteData(3, true, []byte("hi"))
	p.fr.WriteWindowUpdate(3, 10)
	p.fr.WriteRSTStream(3, xhttp2.ErrCodeCancel)
	p.feed()
	if p.err != nil || len(p.h.reqs) != 1 {
		t.Fatalf("err %v, requests %d", p.err, len(p.h.reqs))
	}
	p.c.WriteHeaders(1, 200, nil, true)
	if !p.c.Done() {
		t.Fatal("not done")
	}
}

// Request bodies buffered across streams are bounded per connection: the
// stream that would pass MaxBufferedPerConn gets 503 instead.
func TestBufferedBodiesBoundedPerConn(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBufferedPerConn = 4 * 10000
	p := newPeer(t, cfg)
	chunk := make([]byte, 10000)
	for id := uint32(1); id <= 7; id += 2 {
		p.open(id, ":method", "POST", ":scheme", "http", ":path", "/", ":authority", "a")
		p.fr.WriteData(id, false, chunk)
	}
	p.feed()
	if fs := p.frames(); p.c.buffered != cfg.MaxBufferedPerConn || len(fs) != 0 {
		t.Fatalf("at the limit: buffered %d, frames %v", p.c.buffered, fs)
	}
	p.open(9, ":method", "POST", ":scheme", "http", ":path", "/", ":authority", "a")
	p.fr.WriteData(9, false, chunk[:1])
	p.feed()
	if fs := p.frames(); status(fs, 9) != "503" || p.c.buffered != cfg.MaxBufferedPerConn {
		t.Fatalf("over the limit: buffered %d, frames %v", p.c.buffered, fs)
	}
	p.fr.WriteRSTStream(1, xhttp2.ErrCodeCancel) // freed when the stream goes
	p.feed()
	if p.c.buffered != 3*10000 {
		t.Fatalf("after reset: buffered %d", p.c.buffered)
	}
}
