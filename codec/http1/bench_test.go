package http1_test

import (
	"strings"
	"testing"

	"github.com/pqloop/pqloop/codec/http1"
)

// wrkGET is what wrk and curl send: a request line and six fields.
const wrkGET = "GET /mcp/health HTTP/1.1\r\n" +
	"Host: 127.0.0.1:8080\r\n" +
	"User-Agent: curl/8.5.0\r\n" +
	"Accept: */*\r\n" +
	"Accept-Encoding: gzip, deflate\r\n" +
	"Connection: keep-alive\r\n" +
	"Mcp-Session-Id: 1868a90c-9b4a-4bbb-a1c8-3d0e9c6f6a21\r\n" +
	"\r\n"

func BenchmarkParseGET(b *testing.B) {
	buf := []byte(wrkGET)
	var p http1.Parser
	var r http1.Request
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if res, _, err := p.Parse(buf, &r); res != http1.Complete || err != nil {
			b.Fatal(res, err)
		}
	}
}

// chunkedPOST is a JSON-RPC call streamed in four chunks, one with an
// extension, ending with a trailer.
var chunkedPOST = "POST /mcp HTTP/1.1\r\n" +
	"Host: 127.0.0.1:8080\r\n" +
	"Content-Type: application/json\r\n" +
	"Accept: application/json, text/event-stream\r\n" +
	"Transfer-Encoding: chunked\r\n" +
	"\r\n" +
	"40\r\n" + strings.Repeat("a", 0x40) + "\r\n" +
	"100;ext=1\r\n" + strings.Repeat("b", 0x100) + "\r\n" +
	"200\r\n" + strings.Repeat("c", 0x200) + "\r\n" +
	"10\r\n" + strings.Repeat("d", 0x10) + "\r\n" +
	"0\r\nX-Checksum: 1\r\n\r\n"

func BenchmarkParseChunkedPOST(b *testing.B) {
	pristine := []byte(chunkedPOST)
	buf := make([]byte, len(pristine))
	var p http1.Parser
	var r http1.Request
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, pristine) // decoding in place rewrote the last copy
		if res, _, err := p.Parse(buf, &r); res != http1.Complete || err != nil || len(r.Body) != 0x350 {
			b.Fatal(res, err, len(r.Body))
		}
	}
}

func BenchmarkAppendResponseHead(b *testing.B) {
	h := fields("Content-Type", "application/json", "Mcp-Session-Id", "1868a90c-9b4a-4bbb-a1c8-3d0e9c6f6a21")
	date := []byte("Sun, 22 Nov 2026 02:00:00 GMT")
	dst := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		dst = http1.AppendResponseHead(dst[:0], http1.HTTP11, 200, h, 1234, true, date)
	}
}

// BenchmarkParseSlowHead feeds a 32 KiB header block in 512-byte reads, as
// a slow client would: progress is kept, so the cost stays linear in the
// head's size rather than quadratic.
func BenchmarkParseSlowHead(b *testing.B) {
	head := []byte("GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X-Filler: "+strings.Repeat("f", 500)+"\r\n", 64) + "\r\n")
	var p http1.Parser
	var r http1.Request
	b.SetBytes(int64(len(head)))
	b.ReportAllocs()
	for b.Loop() {
		for k := 512; ; k += 512 {
			res, _, err := p.Parse(head[:min(k, len(head))], &r)
			if err != nil {
				b.Fatal(err)
			}
			if res == http1.Complete {
				break
			}
		}
	}
}
