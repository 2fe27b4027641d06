package http2

import (
	"encoding/binary"
	"testing"

	"github.com/pqloop/pqloop/codec/header"
	"golang.org/x/net/http2/hpack"
)

// getBlock is a small GET as a browser-like client sends it on a fresh
// table: literals (one Huffman-coded) that the decoder must copy.
func getBlock() []byte {
	b := appendInt(nil, 0x80, 7, 2) // :method GET
	b = appendInt(b, 0x80, 7, 6)    // :scheme http
	b = appendInt(b, 0x80, 7, 4)    // :path /
	b = appendField(b, []byte(":authority"), []byte("localhost:8080"))
	b = appendField(b, []byte("user-agent"), []byte("bench/1.0"))
	b = appendInt(b, 0, 4, uint64(staticNameIndex["accept"])) // Huffman value
	v := hpack.AppendHuffmanString(nil, "*/*")
	b = appendInt(b, 0x80, 7, uint64(len(v)))
	return append(b, v...)
}

func BenchmarkFrameParse(b *testing.B) {
	var in []byte
	in = appendHeaderBlock(in, 1, getBlock(), true, minMaxFrameSize)
	in = appendData(in, 1, make([]byte, 512), true)
	in = appendWindowUpdate(in, 0, 1000)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		for rest := in; len(rest) > 0; {
			f, n, err := ReadFrame(rest, minMaxFrameSize)
			if err != nil || n == 0 {
				b.Fatal(err)
			}
			switch f.Type {
			case FrameHeaders:
				if _, _, _, err := HeadersPayload(&f); err != nil {
					b.Fatal(err)
				}
			case FrameData:
				if _, err := DataPayload(&f); err != nil {
					b.Fatal(err)
				}
			case FrameWindowUpdate:
				if _, err := WindowUpdatePayload(&f); err != nil {
					b.Fatal(err)
				}
			}
			rest = rest[n:]
		}
	}
}

// benchHandler answers every request at once with a small body.
type benchHandler struct{ fields header.List }

func (h *benchHandler) OnRequest(c *ServerConn, r *Request) {
	c.WriteHeaders(r.StreamID, 200, h.fields, false)
	c.WriteData(r.StreamID, helloBody, true)
}

func (h *benchHandler) OnStreamReset(*ServerConn, uint32, ErrCode) {}

// getLoop is a connection past its handshake and one GET to send again
// and again, each time on the next stream id.
type getLoop struct {
	c   *ServerConn
	req []byte
	id  uint32
}

func newGetLoop(tb testing.TB) *getLoop {
	h := &benchHandler{fields: header.List{{Name: []byte("content-type"), Value: []byte("text/plain")}}}
	c := NewServerConn(DefaultConfig(), h)
	tb.Cleanup(c.Close)
	setup := append([]byte(ClientPreface), appendFrameHeader(nil, 0, FrameSettings, 0, 0)...)
	setup = appendSettingsAck(setup)
	if _, err := c.Feed(setup, 1); err != nil {
		tb.Fatal(err)
	}
	c.Advance(len(c.Output()))
	// Each request comes with the WINDOW_UPDATE a client sends for the
	// previous response.
	req := appendHeaderBlock(nil, 1, getBlock(), true, minMaxFrameSize)
	req = appendWindowUpdate(req, 0, uint32(len(helloBody)))
	return &getLoop{c: c, req: req, id: 1}
}

func (g *getLoop) roundTrip(tb testing.TB) {
	binary.BigEndian.PutUint32(g.req[5:], g.id)
	if n, err := g.c.Feed(g.req, int64(g.id)); err != nil || n != len(g.req) {
		tb.Fatal(n, err)
	}
	out := g.c.Output()
	if len(out) == 0 {
		tb.Fatal("no response")
	}
	g.c.Advance(len(out))
	g.id += 2
}

// BenchmarkServerConnGET measures one small GET end to end: Feed parses
// the HEADERS frame and decodes HPACK, OnRequest answers with
// WriteHeaders+WriteData, and the output is handed off.
func BenchmarkServerConnGET(b *testing.B) {
	g := newGetLoop(b)
	b.SetBytes(int64(len(g.req)))
	b.ReportAllocs()
	for b.Loop() {
		g.roundTrip(b)
	}
}

// TestServerConnGETAllocs holds the allocation target: none per request
// once the connection has warmed up.
func TestServerConnGETAllocs(t *testing.T) {
	g := newGetLoop(t)
	for i := 0; i < 100; i++ {
		g.roundTrip(t)
	}
	if n := testing.AllocsPerRun(1000, func() { g.roundTrip(t) }); n != 0 {
		t.Fatalf("%v allocs per GET", n)
	}
}
