package loadgen

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// decodeAll feeds stream to a decoder in pieces of size step, the way reads
// arrive, and returns the statuses of the responses it completed.
func decodeAll(t *testing.T, stream string, step int, bodyless bool) ([]int, error) {
	t.Helper()
	var d responseDecoder
	var statuses []int
	var buf []byte
	for i := 0; i < len(stream); i += step {
		buf = append(buf, stream[i:min(i+step, len(stream))]...)
		for {
			n, done, err := d.decode(buf, bodyless)
			buf = buf[n:]
			if err != nil {
				return statuses, err
			}
			if !done {
				break
			}
			statuses = append(statuses, d.status)
		}
	}
	if len(buf) != 0 {
		t.Fatalf("%d bytes left undecoded: %q", len(buf), buf)
	}
	return statuses, nil
}

func TestResponseDecoderSplitsAnywhere(t *testing.T) {
	stream := "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!" +
		"HTTP/1.1 100 Continue\r\n\r\n" +
		"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n" +
		"HTTP/1.1 204 No Content\r\n\r\n" +
		"HTTP/1.0 304 Not Modified\r\nContent-Length: 99\r\n\r\n" +
		"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
	for step := 1; step <= len(stream); step++ {
		got, err := decodeAll(t, stream, step, false)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if want := []int{200, 404, 204, 304, 200}; !equalInts(got, want) {
			t.Fatalf("step %d: statuses %v, want %v", step, got, want)
		}
	}
}

func TestResponseDecoderHEADHasNoBody(t *testing.T) {
	got, err := decodeAll(t, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n", 7, true)
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestResponseDecoderConnectionClose(t *testing.T) {
	var d responseDecoder
	_, done, err := d.decode([]byte("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n"), false)
	if err != nil || !done || !d.close {
		t.Fatalf("done %v close %v err %v", done, d.close, err)
	}
}

func TestResponseDecoderRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		stream string
		want   error
	}{
		"no length":         {"HTTP/1.1 200 OK\r\n\r\n", errNoLength},
		"bad status":        {"HTTP/1.1 2x0 OK\r\n\r\n", errBadStatusLine},
		"not http":          {"SSH-2.0-OpenSSH\r\n\r\n", errBadStatusLine},
		"bad field":         {"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", errBadHeaderLine},
		"space in name":     {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", errBadHeaderLine},
		"negative length":   {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", errBadLength},
		"huge length":       {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", errBadLength},
		"two lengths":       {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", errBadLength},
		"bad chunk size":    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", errBadChunk},
		"chunk without end": {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY", errBadChunk},
		"switching":         {"HTTP/1.1 101 Switching Protocols\r\n\r\n", errUpgradeResponded},
	} {
		t.Run(name, func(t *testing.T) {
			var d responseDecoder
			if _, _, err := d.decode([]byte(tc.stream), false); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// The head limit counts the status line, the fields and the empty line
// that ends them: exactly maxResponseHeadBytes decodes, one more fails, and
// so does an unterminated head one byte over the limit.
func TestResponseDecoderHeadLimit(t *testing.T) {
	head := func(size int) []byte {
		prefix := "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: "
		return []byte(prefix + strings.Repeat("a", size-len(prefix)-4) + "\r\n\r\n")
	}
	var d responseDecoder
	if _, done, err := d.decode(head(maxResponseHeadBytes), false); err != nil || !done {
		t.Fatalf("head of exactly the limit: done %v, %v", done, err)
	}
	d = responseDecoder{}
	if _, _, err := d.decode(head(maxResponseHeadBytes+1), false); !errors.Is(err, errHeadTooLarge) {
		t.Fatalf("head one over the limit: %v", err)
	}
	d = responseDecoder{}
	unterminated := bytes.Repeat([]byte("a"), maxResponseHeadBytes)
	if _, _, err := d.decode(unterminated, false); err != nil {
		t.Fatalf("unterminated head at the limit must wait for more: %v", err)
	}
	if _, _, err := d.decode(append(unterminated, 'a'), false); !errors.Is(err, errHeadTooLarge) {
		t.Fatalf("unterminated head over the limit: %v", err)
	}
}

func TestResponseDecoderChunkLineLimit(t *testing.T) {
	prefix := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	ext := func(lineLen int) string { return "0;" + strings.Repeat("e", lineLen-2) + "\r\n\r\n" }
	if _, err := decodeAll(t, prefix+ext(maxChunkLineBytes), 64, false); err != nil {
		t.Fatalf("chunk line of exactly the limit: %v", err)
	}
	var d responseDecoder
	if _, _, err := d.decode([]byte(prefix+ext(maxChunkLineBytes+1)), false); !errors.Is(err, errChunkLineLong) {
		t.Fatalf("chunk line one over the limit: %v", err)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
