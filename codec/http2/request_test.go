package http2

import (
	"testing"

	xhttp2 "golang.org/x/net/http2"
)

// TestRequestFieldsWithoutTrailers: a request without trailers still
// carries its regular fields, with or without a body, on fresh and on
// recycled streams (a regression: they were all dropped).
func TestRequestFieldsWithoutTrailers(t *testing.T) {
	p := newPeer(t, DefaultConfig())
	fields := append(getFields("/mcp"), "content-type", "application/json", "x-a", "b")
	for id := uint32(1); id <= 7; id += 2 {
		if id%4 == 1 {
			p.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: id, BlockFragment: p.block(fields...), EndStream: true, EndHeaders: true})
		} else {
			p.open(id, fields...)
			p.fr.WriteData(id, true, []byte("{}"))
		}
		p.feed()
		p.frames()
	}
	if len(p.h.reqs) != 4 {
		t.Fatalf("%d requests served, want 4", len(p.h.reqs))
	}
	for _, r := range p.h.reqs {
		if r.header["content-type"] != "application/json" || r.header["x-a"] != "b" || len(r.trailer) != 0 {
			t.Fatalf("stream %d: header %v trailer %v", r.id, r.header, r.trailer)
		}
	}
}
