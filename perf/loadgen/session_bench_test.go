package loadgen

import (
	"net/url"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The per-request work of a session, without sockets: start a request, take
// its response. Steady state must not allocate.

func BenchmarkH1SessionRoundTrip(b *testing.B) {
	u, _ := url.Parse("http://127.0.0.1:8080/health")
	cfg := Config{URL: u, Connections: 1, Depth: 1, Requests: 1}
	if err := cfg.validate(); err != nil {
		b.Fatal(err)
	}
	s := newH1Session(encodeH1Request(&cfg), &cfg)
	resp := []byte("HTTP/1.1 200 OK\r\nDate: Sun, 22 Nov 2026 01:56:58 GMT\r\nConnection: keep-alive\r\nContent-Length: 13\r\nServer: h2o/2.2.5\r\ncontent-type: application/octet-stream\r\n\r\nHello, world!")
	var t tally
	b.ReportAllocs()
	for b.Loop() {
		s.start(1)
		s.out.b = s.out.b[:0]
		if _, err := s.receive(resp, &t); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkH2SessionRoundTrip(b *testing.B) {
	u, _ := url.Parse("http://127.0.0.1:8080/health")
	cfg := Config{Protocol: H2C, URL: u, Connections: 1, Depth: 1, Requests: 1}
	if err := cfg.validate(); err != nil {
		b.Fatal(err)
	}
	s := newH2Session(newH2Request(&cfg), 1)
	// The server's responses: HEADERS with an indexed :status and a few
	// fields, then DATA ending the stream. Its encoder state carries over,
	// as a real server's does.
	var out outBuffer
	fr := http2.NewFramer(&out, nil)
	var block outBuffer
	enc := hpack.NewEncoder(&block)
	var t tally
	b.ReportAllocs()
	for b.Loop() {
		s.start(1)
		s.out.b = s.out.b[:0]
		id := s.nextID - 2
		out.b, block.b = out.b[:0], block.b[:0]
		enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
		enc.WriteField(hpack.HeaderField{Name: "server", Value: "h2o/2.2.5"})
		enc.WriteField(hpack.HeaderField{Name: "content-length", Value: "13"})
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block.b, EndHeaders: true})
		fr.WriteData(id, true, []byte("Hello, world!"))
		if _, err := s.receive(out.b, &t); err != nil {
			b.Fatal(err)
		}
	}
}
