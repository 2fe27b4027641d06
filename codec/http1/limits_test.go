package http1_test

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pqloop/pqloop/codec/http1"
)

// small keeps the limit tests fast; byte-at-a-time feeding is quadratic.
var small = http1.Limits{MaxRequestLine: 64, MaxHeaderBytes: 256, MaxHeaderFields: 4, MaxBody: 16}

func TestDefaultLimits(t *testing.T) {
	want := http1.Limits{MaxRequestLine: 8 << 10, MaxHeaderBytes: 64 << 10, MaxHeaderFields: 100, MaxBody: 10 << 20}
	if got := http1.DefaultLimits(); got != want {
		t.Fatalf("DefaultLimits() = %+v, want %+v", got, want)
	}
	// A zero Limits means the defaults: a 100-field request passes, 101 fail.
	fields := strings.Repeat("X: y\r\n", 99)
	mustComplete(t, http1.Limits{}, get+fields+"\r\n")
	mustReject(t, http1.Limits{}, get+fields+"X: y\r\n\r\n", 431, "too_many_fields")
}

// requestLine returns a request line of exactly n bytes, CRLF excluded.
func requestLine(n int) string {
	const frame = "GET / HTTP/1.1"
	return "GET /" + strings.Repeat("a", n-len(frame)) + " HTTP/1.1"
}

// headOfSize returns a GET head of exactly n bytes, empty line included.
func headOfSize(n int) string {
	const frame = "GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n"
	return "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", n-len(frame)) + "\r\n\r\n"
}

// fieldLines returns n field lines, Host first.
func fieldLines(n int) string {
	return "Host: a\r\n" + strings.Repeat("X: y\r\n", n-1)
}

func chunkedOfSize(n int) string {
	half := n / 2
	return strconv.FormatInt(int64(half), 16) + "\r\n" + strings.Repeat("a", half) + "\r\n" +
		strconv.FormatInt(int64(n-half), 16) + "\r\n" + strings.Repeat("b", n-half) + "\r\n0\r\n\r\n"
}

// trailerOfSize returns a last chunk and trailer section of exactly n bytes
// after "0\r\n".
func trailerOfSize(n int) string {
	const frame = "T: \r\n\r\n"
	return "0\r\nT: " + strings.Repeat("v", n-len(frame)) + "\r\n\r\n"
}

func TestLimitsAtBound(t *testing.T) {
	lim := small
	tests := []struct {
		name           string
		atLimit, above string
		status         int
		reason         string
	}{
		{"request line",
			requestLine(lim.MaxRequestLine) + "\r\nHost: a\r\n\r\n",
			requestLine(lim.MaxRequestLine+1) + "\r\nHost: a\r\n\r\n",
			414, "request_line_too_long"},
		{"header block",
			headOfSize(lim.MaxHeaderBytes),
			headOfSize(lim.MaxHeaderBytes + 1),
			431, "header_too_large"},
		{"field count",
			"GET / HTTP/1.1\r\n" + fieldLines(lim.MaxHeaderFields) + "\r\n",
			"GET / HTTP/1.1\r\n" + fieldLines(lim.MaxHeaderFields+1) + "\r\n",
			431, "too_many_fields"},
		{"Content-Length body",
			post("Content-Length: 16\r\n", strings.Repeat("x", 16)),
			post("Content-Length: 17\r\n", strings.Repeat("x", 17)),
			413, "body_too_large"},
		{"chunked body",
			chunkedPost(chunkedOfSize(int(lim.MaxBody))),
			chunkedPost(chunkedOfSize(int(lim.MaxBody) + 1)),
			413, "body_too_large"},
		{"trailer section",
			chunkedPost(trailerOfSize(lim.MaxHeaderBytes)),
			chunkedPost(trailerOfSize(lim.MaxHeaderBytes + 1)),
			431, "header_too_large"},
		{"trailer field count",
			chunkedPost("0\r\n" + strings.Repeat("T: 1\r\n", lim.MaxHeaderFields) + "\r\n"),
			chunkedPost("0\r\n" + strings.Repeat("T: 1\r\n", lim.MaxHeaderFields+1) + "\r\n"),
			431, "too_many_fields"},
		{"chunk size line",
			chunkedPost("1;e=" + strings.Repeat("x", 4096-len("1;e=")) + "\r\na\r\n0\r\n\r\n"),
			chunkedPost("1;e=" + strings.Repeat("x", 4097-len("1;e=")) + "\r\na\r\n0\r\n\r\n"),
			400, "chunk_line_too_long"},
		{"leading empty lines",
			strings.Repeat("\r\n", 8) + get + "\r\n",
			strings.Repeat("\r\n", 9) + get + "\r\n",
			400, "leading_empty_lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustComplete(t, lim, tt.atLimit)
			mustReject(t, lim, tt.above, tt.status, tt.reason)
		})
	}
}

// TestRejectEarly checks an oversized part, or bytes that cannot start a
// request, are refused as soon as that is known, without waiting for a line end.
func TestRejectEarly(t *testing.T) {
	lim := small
	tests := []struct {
		name   string
		prefix string
		reason string
	}{
		{"request line", strings.Repeat("G", lim.MaxRequestLine+2), "request_line_too_long"},
		{"TLS handshake", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "bad_method"},
		{"after an empty line", "\r\n\x00", "bad_method"},
		{"header block", headOfSize(lim.MaxHeaderBytes + 100)[:lim.MaxHeaderBytes], "header_too_large"},
		{"Content-Length", post("Content-Length: 17\r\n", ""), "body_too_large"},
		{"chunk size", chunkedPost("11\r\n"), "body_too_large"},
		{"chunk line", chunkedPost("1;" + strings.Repeat("x", 4096)), "chunk_line_too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := parseOneShot(t, lim, tt.prefix)
			if o.err == nil || o.err.Reason != tt.reason {
				t.Fatalf("got (%v, %v), want %s", o.res, o.err, tt.reason)
			}
		})
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	// With the whole suite run, every Reason must have been provoked.
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		for _, r := range http1.Reasons {
			if !seenReasons[r] {
				fmt.Fprintf(os.Stderr, "reason %q is never provoked by a test\n", r)
				code = 1
			}
		}
	}
	os.Exit(code)
}
