package http1_test

import (
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/codec/http1"
)

func fields(kv ...string) header.List {
	var l header.List
	for i := 0; i < len(kv); i += 2 {
		l = append(l, header.Field{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return l
}

func TestAppendResponseHead(t *testing.T) {
	date := []byte("Sun, 06 Nov 1994 08:49:37 GMT")
	json := fields("Content-Type", "application/json")
	tests := []struct {
		name      string
		v         http1.Version
		status    int
		h         header.List
		bodyLen   int64
		keepAlive bool
		date      []byte
		want      string
	}{
		{"length, keep-alive", http1.HTTP11, 200, json, 2, true, date,
			"HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"},
		{"close", http1.HTTP11, 404, nil, 0, false, nil,
			"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{"chunked", http1.HTTP11, 200, nil, -1, true, nil,
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{"HTTP/1.0 keep-alive", http1.HTTP10, 200, nil, 5, true, nil,
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n"},
		{"HTTP/1.0 unknown length closes", http1.HTTP10, 200, nil, -1, true, nil,
			"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"},
		{"204 has no framing", http1.HTTP11, 204, nil, 0, true, nil,
			"HTTP/1.1 204 No Content\r\n\r\n"},
		{"304 has no framing", http1.HTTP11, 304, nil, -1, true, nil,
			"HTTP/1.1 304 Not Modified\r\n\r\n"},
		{"101 upgrade", http1.HTTP11, 101, fields("Connection", "Upgrade", "Upgrade", "h2c"), 0, true, nil,
			"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"},
		{"unnamed status", http1.HTTP11, 599, nil, 0, true, nil,
			"HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n"},
		{"unsafe and framing fields skipped", http1.HTTP11, 200,
			fields("X-Split", "a\r\nSet-Cookie: x", "Bad Name", "v", "Content-Length", "99", "transfer-encoding", "chunked", "X-Ok", "1"),
			1, true, nil,
			"HTTP/1.1 200 OK\r\nX-Ok: 1\r\nContent-Length: 1\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := http1.AppendResponseHead([]byte("prefix"), tt.v, tt.status, tt.h, tt.bodyLen, tt.keepAlive, tt.date)
			if string(got) != "prefix"+tt.want {
				t.Fatalf("got\n%q\nwant\n%q", got, "prefix"+tt.want)
			}
		})
	}
}

func TestAppendChunks(t *testing.T) {
	got := http1.AppendChunk(nil, []byte("hello world, chunk"))
	got = http1.AppendChunk(got, nil) // must not end the body
	got = http1.AppendLastChunk(got)
	if want := "12\r\nhello world, chunk\r\n0\r\n\r\n"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// What the serialiser writes, the parser reads back.
	r := mustComplete(t, http1.Limits{}, chunkedPost(string(got)))
	if string(r.Body) != "hello world, chunk" {
		t.Fatalf("round trip body %q", r.Body)
	}
}

func TestAppendHTTPDate(t *testing.T) {
	tz := time.FixedZone("UTC+5", 5*3600)
	tm := time.Date(1994, 11, 6, 13, 49, 37, 999, tz) // 08:49:37 GMT
	if got := string(http1.AppendHTTPDate(nil, tm)); got != "Sun, 06 Nov 1994 08:49:37 GMT" {
		t.Fatalf("got %q", got)
	}
}

func TestStatusTextAndContinue(t *testing.T) {
	for code, want := range map[int]string{100: "Continue", 200: "OK", 413: "Content Too Large", 431: "Request Header Fields Too Large", 505: "HTTP Version Not Supported", 299: ""} {
		if got := http1.StatusText(code); got != want {
			t.Errorf("StatusText(%d) = %q, want %q", code, got, want)
		}
	}
	if string(http1.Continue100) != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("Continue100 = %q", http1.Continue100)
	}
}

func TestAppendRequestRoundTrip(t *testing.T) {
	for _, in := range []string{
		"\r\nGET http://a/b?c HTTP/1.1\r\nHost: x\r\nX-Pad:   v  \r\n\r\n",
		chunkedPost("3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nT: 1\r\n\r\n"),
		chunkedPost("0\r\n\r\n"),
		post("Content-Length: 3\r\nConnection: close\r\n", "xyz"),
		"GET / HTTP/1.0\r\n\r\n",
	} {
		r := mustComplete(t, http1.Limits{}, in)
		out := http1.AppendRequest(nil, r)
		again := mustComplete(t, http1.Limits{}, string(out))
		if d := requestDiff(r, again); d != "" {
			t.Errorf("%q re-serialised as %q differs in %s", in, out, d)
		}
	}
}
