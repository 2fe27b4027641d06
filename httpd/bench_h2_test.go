package httpd

import (
	"bytes"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/pqloop/pqloop/engine"
)

// h2GETFrames returns a HEADERS frame per stream id for GET /health.
func h2GETFrames(t testing.TB, ids []uint32) [][]byte {
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range []hpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: "127.0.0.1"}, {Name: ":path", Value: "/health"}} {
		enc.WriteField(f)
	}
	frames := make([][]byte, len(ids))
	for i, id := range ids {
		var buf bytes.Buffer
		fr := http2.NewFramer(&buf, nil)
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
			t.Fatal(err)
		}
		frames[i] = buf.Bytes()
	}
	return frames
}

func h2Start(t testing.TB) (*conn, *memLink) {
	s := benchServer()
	link := &memLink{loop: engine.NewTestLoop()}
	c := s.NewProtocol(link).(*conn)
	var buf bytes.Buffer
	buf.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&buf, nil)
	fr.WriteSettings()
	fr.WriteWindowUpdate(0, 1<<30)
	in := buf.Bytes()
	if n, err := c.OnData(in); n != len(in) || err != nil {
		t.Fatalf("preface: consumed %d of %d: %v", n, len(in), err)
	}
	return c, link
}

// BenchmarkH2GET serves a GET on a fresh stream of one HTTP/2 connection.
func BenchmarkH2GET(b *testing.B) {
	c, link := h2Start(b)
	ids := make([]uint32, 1<<16)
	for i := range ids {
		ids[i] = uint32(2*i + 1)
	}
	frames := h2GETFrames(b, ids)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == len(frames) { // stream ids run out: a new connection
			b.StopTimer()
			c, link = h2Start(b)
			i = 0
			b.StartTimer()
		}
		link.out = link.out[:0]
		if _, err := c.OnData(frames[i]); err != nil {
			b.Fatal(err)
		}
		c.Flush()
		i++
	}
}

func TestH2GETAllocs(t *testing.T) {
	c, link := h2Start(t)
	ids := make([]uint32, 400)
	for i := range ids {
		ids[i] = uint32(2*i + 1)
	}
	frames := h2GETFrames(t, ids)
	for i := 0; i < 100; i++ { // warm up
		c.OnData(frames[i])
		c.Flush()
	}
	if !bytes.Contains(link.out, []byte(`{"status":"ok"}`)) {
		t.Fatal("no response written")
	}
	i := 100
	if n := testing.AllocsPerRun(200, func() {
		link.out = link.out[:0]
		c.OnData(frames[i])
		c.Flush()
		i++
	}); n > 2 {
		t.Fatalf("an HTTP/2 GET allocates %v times, want <= 2", n)
	}
}
