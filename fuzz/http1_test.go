package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/pqloop/pqloop/codec/http1"
)

// fuzzHTTP1Limits are small so the fuzzer reaches every limit; the header
// block limit stays above the request line limit, which Limits asks for.
var fuzzHTTP1Limits = http1.Limits{MaxRequestLine: 128, MaxHeaderBytes: 512, MaxHeaderFields: 8, MaxBody: 1024}

// FuzzHTTP1Request treats any bytes as a stream of pipelined requests. The
// parser must never panic; everything it returns must lie within its
// limits; feeding the stream one byte per call, in a fresh copy each time,
// must give the same requests and the same final error as feeding it
// whole; and every accepted request, re-serialised with AppendRequest, must
// parse back to the same request.
func FuzzHTTP1Request(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, wholeErr := parseHTTP1Stream(t, data, len(data))
		pieces, piecesErr := parseHTTP1Stream(t, data, 1)
		if !slices.Equal(whole, pieces) || !errors.Is(wholeErr, piecesErr) {
			t.Fatalf("whole gave %q, %v; byte at a time gave %q, %v", whole, wholeErr, pieces, piecesErr)
		}
	})
}

// parseHTTP1Stream parses data as pipelined requests, letting step more
// bytes arrive before each call. It returns a summary of each complete
// request and the error that ended the stream, if any.
func parseHTTP1Stream(t *testing.T, data []byte, step int) (summaries []string, _ error) {
	p := http1.Parser{Limits: fuzzHTTP1Limits}
	var req http1.Request
	start, arrived := 0, 0
	for arrived < len(data) {
		arrived = min(arrived+step, len(data))
		for {
			// A fresh copy each call: the parser must not rely on the
			// buffer staying where it was.
			buf := bytes.Clone(data[start:arrived])
			res, n, err := p.Parse(buf, &req)
			if err != nil {
				var e *http1.Error
				if !errors.As(err, &e) || e.Status < 400 || e.Status > 599 || !slices.Contains(http1.Reasons, e.Reason) {
					t.Fatalf("error %#v is not a listed *http1.Error with a 4xx/5xx status", err)
				}
				return summaries, err
			}
			if res != http1.Complete {
				if n != 0 {
					t.Fatalf("%v with n = %d", res, n)
				}
				break
			}
			if n <= 0 || n > len(buf) {
				t.Fatalf("Complete with n = %d of %d bytes", n, len(buf))
			}
			checkHTTP1Bounds(t, &req)
			summaries = append(summaries, checkHTTP1RoundTrip(t, &req))
			start += n
		}
	}
	return summaries, nil
}

func checkHTTP1Bounds(t *testing.T, req *http1.Request) {
	lim := fuzzHTTP1Limits
	if len(req.Header) > lim.MaxHeaderFields {
		t.Fatalf("%d fields, limit %d", len(req.Header), lim.MaxHeaderFields)
	}
	if int64(len(req.Body)) > lim.MaxBody {
		t.Fatalf("%d body bytes, limit %d", len(req.Body), lim.MaxBody)
	}
	if line := len(req.Method) + 1 + len(req.Target) + 1 + len("HTTP/1.1"); line > lim.MaxRequestLine {
		t.Fatalf("request line of %d bytes, limit %d", line, lim.MaxRequestLine)
	}
	if !req.Chunked && req.ContentLength >= 0 && int64(len(req.Body)) != req.ContentLength {
		t.Fatalf("body of %d bytes, Content-Length %d", len(req.Body), req.ContentLength)
	}
}

// checkHTTP1RoundTrip re-serialises req, parses it back with default limits
// and requires the same request. It returns req's summary.
func checkHTTP1RoundTrip(t *testing.T, req *http1.Request) string {
	first := summarizeHTTP1(req)
	wire := http1.AppendRequest(nil, req)
	var p http1.Parser
	var again http1.Request
	res, n, err := p.Parse(bytes.Clone(wire), &again)
	if err != nil || res != http1.Complete || n != len(wire) {
		t.Fatalf("re-serialised %q: (%v, %d, %v)", wire, res, n, err)
	}
	if second := summarizeHTTP1(&again); second != first {
		t.Fatalf("round trip changed the request:\n%s\n%s", first, second)
	}
	return first
}

// summarizeHTTP1 renders everything a request carries, for comparison.
func summarizeHTTP1(r *http1.Request) string {
	return fmt.Sprintf("%q path=%q query=%q host=%q length=%d chunked=%v keep-alive=%v expect=%v upgrade=%q settings=%q",
		http1.AppendRequest(nil, r), r.Path, r.Query, r.Host, r.ContentLength, r.Chunked, r.KeepAlive, r.Expect100, r.Upgrade, r.HTTP2Settings)
}
