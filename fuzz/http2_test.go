package fuzz

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/codec/http2"
	"golang.org/x/net/http2/hpack"
)

// FuzzHTTP2Frame reads any bytes as a sequence of frames and decodes each
// payload by type. Nothing may panic, each frame must be exactly its
// header plus its declared length, and payloads must lie inside the input.
func FuzzHTTP2Frame(f *testing.F) {
	f.Add([]byte("\x00\x00\x0c\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\xfa\x00\x04\x00\x00\xff\xff"))
	f.Add([]byte("\x00\x00\x06\x00\x09\x00\x00\x00\x01\x02hi\x00\x00\x00\x00\x04\x08\x00\x00\x00\x00\x01\x00\x00\x00\x64"))
	f.Add([]byte("\x00\x00\x09\x01\x2d\x00\x00\x00\x03\x01\x80\x00\x00\x01\x10\x82\x84\x00"))
	f.Add([]byte("\x00\x00\x08\x06\x01\x00\x00\x00\x00abcdefgh\x00\x00\x08\x07\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxFrame = 1 << 14
		for rest := data; ; {
			fr, n, err := http2.ReadFrame(rest, maxFrame)
			if err != nil || n == 0 {
				if err != nil && fr.Length != 0 {
					t.Fatalf("error with a frame: %+v", fr)
				}
				return
			}
			if n != http2.FrameHeaderLen+int(fr.Length) || n > len(rest) || fr.Length > maxFrame || len(fr.Payload) != int(fr.Length) {
				t.Fatalf("frame %+v consumed %d of %d", fr.FrameHeader, n, len(rest))
			}
			if fr.StreamID>>31 != 0 {
				t.Fatalf("reserved bit kept in stream id %x", fr.StreamID)
			}
			checkPayload(t, &fr)
			rest = rest[n:]
		}
	})
}

func checkPayload(t *testing.T, fr *http2.Frame) {
	inside := func(b []byte) {
		if len(b) > len(fr.Payload) {
			t.Fatalf("%v: %d bytes out of a %d-byte payload", fr.Type, len(b), len(fr.Payload))
		}
	}
	switch fr.Type {
	case http2.FrameData:
		d, err := http2.DataPayload(fr)
		if err == nil {
			inside(d)
		}
	case http2.FrameHeaders:
		b, _, _, err := http2.HeadersPayload(fr)
		if err == nil {
			inside(b)
		}
	case http2.FramePriority:
		if _, ok := http2.PriorityPayload(fr); ok != (fr.Length == 5) {
			t.Fatalf("PRIORITY of length %d: ok %v", fr.Length, ok)
		}
	case http2.FrameRSTStream:
		if _, err := http2.RSTStreamPayload(fr); (err == nil) != (fr.Length == 4) {
			t.Fatalf("RST_STREAM of length %d: %v", fr.Length, err)
		}
	case http2.FrameSettings:
		n, err := http2.SettingsPayload(fr)
		if err == nil {
			for i := 0; i < n; i++ {
				http2.SettingAt(fr.Payload, i)
			}
		}
	case http2.FramePing:
		if _, err := http2.PingPayload(fr); (err == nil) != (fr.Length == 8) {
			t.Fatalf("PING of length %d: %v", fr.Length, err)
		}
	case http2.FrameGoAway:
		if _, _, debug, err := http2.GoAwayPayload(fr); err == nil {
			inside(debug)
		}
	case http2.FrameWindowUpdate:
		if incr, err := http2.WindowUpdatePayload(fr); err == nil && incr>>31 != 0 {
			t.Fatalf("window increment %x keeps the reserved bit", incr)
		}
	}
}

// FuzzHPACK decodes any bytes as two header blocks on one connection. It
// checks the list limit holds, and, differentially, that whenever
// x/net/http2/hpack also accepts a block both decode the same fields.
func FuzzHPACK(f *testing.F) {
	f.Add([]byte("\x82\x86\x84\x41\x0fwww.example.com"), []byte("\x82\x86\x84\xbe\x58\x08no-cache"))
	f.Add([]byte("\x82\x86\x84\x41\x8c\xf1\xe3\xc2\xe5\xf2\x3a\x6b\xa0\xab\x90\xf4\xff"), []byte("\x3f\xe1\x1f\x82"))
	f.Add([]byte("\x20\x40\x01k\x01v"), []byte("\xbe\xbe\xbe"))
	f.Add([]byte("\x10\x81\x61\x81\x00"), []byte("\x00\x81\x61\x84\xff\xff\xff\xff"))
	// An insertion that evicts the entry whose name it borrows (RFC 7541 §4.4).
	f.Add([]byte("\x3f\x45\x40\x04aaaa\x14xxxxxxxxxxxxxxxxxxxx\x40\x02bb\x08yyyyyyyy\x7f\x00\x0fzzzzzzzzzzzzzzz"), []byte("\xbe\xbf"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		const listLimit = 512
		ours := http2.NewDecoder(4096, 1<<20)
		small := http2.NewDecoder(4096, listLimit)
		var got []hpack.HeaderField
		theirs := hpack.NewDecoder(4096, func(hf hpack.HeaderField) { got = append(got, hf) })
		for _, block := range [][]byte{a, b} {
			var fields []hpack.HeaderField
			err := ours.Decode(block, func(name, value []byte) {
				fields = append(fields, hpack.HeaderField{Name: string(name), Value: string(value)})
			})
			size := 0
			serr := small.Decode(block, func(name, value []byte) { size += len(name) + len(value) + 32 })
			if size > listLimit || (serr == nil) != (err == nil && listSize(fields) <= listLimit) {
				t.Fatalf("list limit %d: emitted %d, error %v (unbounded error %v)", listLimit, size, serr, err)
			}
			got = got[:0]
			_, xerr := theirs.Write(block)
			if xerr == nil {
				xerr = theirs.Close()
			}
			if err != nil || xerr != nil {
				var ce *http2.ConnError
				if err != nil && !errors.As(err, &ce) {
					t.Fatalf("decode error is not a connection error: %v", err)
				}
				return // the two tables may now differ
			}
			if len(fields) != len(got) {
				t.Fatalf("decoded %q, x/net decoded %q", fields, got)
			}
			for i := range fields {
				if fields[i].Name != got[i].Name || fields[i].Value != got[i].Value {
					t.Fatalf("field %d: %q, x/net %q", i, fields[i], got[i])
				}
			}
		}
	})
}

func listSize(fields []hpack.HeaderField) int {
	n := 0
	for _, f := range fields {
		n += len(f.Name) + len(f.Value) + 32
	}
	return n
}

// fuzzConnHandler answers odd streams at once and leaves even-numbered
// requests (stream id 4k+3) waiting, so both paths are fuzzed.
type fuzzConnHandler struct{ held []uint32 }

func (h *fuzzConnHandler) OnRequest(c *http2.ServerConn, r *http2.Request) {
	if r.StreamID%4 == 3 {
		h.held = append(h.held, r.StreamID)
		return
	}
	c.WriteHeaders(r.StreamID, 200, header.List{{Name: []byte("content-type"), Value: []byte("text/plain")}}, false)
	c.WriteData(r.StreamID, bytes.Repeat([]byte("x"), 100), false)
	c.WriteTrailers(r.StreamID, header.List{{Name: []byte("x-done"), Value: []byte("1")}})
}

func (h *fuzzConnHandler) OnStreamReset(*http2.ServerConn, uint32, http2.ErrCode) {}

// FuzzHTTP2Conn feeds a ServerConn the client preface, a SETTINGS frame and
// then arbitrary bytes, in pieces, with time advancing. It must never
// panic, consume more than it was given, or write output out of
// proportion to its input; an error must leave it done.
func FuzzHTTP2Conn(f *testing.F) {
	get := "\x00\x00\x03\x01\x05\x00\x00\x00\x01\x82\x86\x84"
	f.Add([]byte(get), uint8(5))
	f.Add([]byte(get+"\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x00\xff\xff"), uint8(0))
	f.Add([]byte("\x00\x00\x03\x01\x04\x00\x00\x00\x03\x82\x86\x84\x00\x00\x02\x00\x01\x00\x00\x00\x03hi"), uint8(7))
	f.Add([]byte("\x00\x00\x03\x01\x00\x00\x00\x00\x01\x82\x86\x84\x00\x00\x00\x09\x04\x00\x00\x00\x01"), uint8(1))
	f.Add([]byte("\x00\x00\x08\x06\x00\x00\x00\x00\x00abcdefgh\x00\x00\x04\x03\x00\x00\x00\x00\x01\x00\x00\x00\x08"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		cfg := http2.DefaultConfig()
		cfg.MaxConcurrentStreams = 4
		cfg.MaxHeaderListSize = 1024
		cfg.MaxHeaderBlockSize = 1024
		cfg.MaxRequestBody = 4096
		cfg.MaxBufferedPerStream = 1024
		cfg.MaxBufferedPerConn = 8192
		cfg.MaxPendingOutput = 4096
		cfg.MaxControlFrames = 50
		cfg.MaxResets = 20
		h := &fuzzConnHandler{}
		c := http2.NewServerConn(cfg, h)
		defer c.Close()
		start := len(c.Output())
		in := append([]byte(http2.ClientPreface+"\x00\x00\x00\x04\x00\x00\x00\x00\x00"), data...)
		step := int(chunk)%64 + 1
		now := int64(1)
		var buf []byte
		for off := 0; off < len(in) && !c.Done(); off += step {
			buf = append(buf, in[off:min(off+step, len(in))]...)
			n, err := c.Feed(buf, now)
			if n < 0 || n > len(buf) {
				t.Fatalf("consumed %d of %d", n, len(buf))
			}
			buf = buf[n:]
			if err != nil && !c.Done() {
				t.Fatalf("error %v but not done", err)
			}
			if len(c.Output()) > start+64+16*len(in) {
				t.Fatalf("%d bytes of output for %d of input", len(c.Output()), len(in))
			}
			now += int64(chunk) * 1e8
			c.Tick(now)
			if len(h.held) > 0 && chunk%2 == 0 { // answer a held request late
				id := h.held[0]
				h.held = h.held[1:]
				c.WriteHeaders(id, 204, nil, true)
			}
		}
		c.Shutdown()
	})
}
