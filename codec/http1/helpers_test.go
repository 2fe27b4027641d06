package http1_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/codec/http1"
)

// outcome is what parsing a stream's first request came to.
type outcome struct {
	res http1.Result
	n   int
	err *http1.Error
	req http1.Request
}

func asError(t *testing.T, err error) *http1.Error {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *http1.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *http1.Error", err)
	}
	return e
}

// parseOneShot parses the first request of a copy of in, given whole.
func parseOneShot(t *testing.T, lim http1.Limits, in string) outcome {
	t.Helper()
	p := http1.Parser{Limits: lim}
	var o outcome
	res, n, err := p.Parse([]byte(in), &o.req)
	o.res, o.n, o.err = res, n, asError(t, err)
	return o
}

// parseByteAtATime feeds in one more byte per call, each time in a fresh
// copy, as a caller whose buffer moves between calls would. It stops at
// the first result that is neither NeedMore nor NeedContinue, and checks
// NeedContinue comes at most once.
func parseByteAtATime(t *testing.T, lim http1.Limits, in string) outcome {
	t.Helper()
	p := http1.Parser{Limits: lim}
	var o outcome
	continues := 0
	for k := 1; k <= len(in); k++ {
		res, n, err := p.Parse([]byte(in[:k]), &o.req)
		o.res, o.n, o.err = res, n, asError(t, err)
		if o.err != nil || res == http1.Complete {
			return o
		}
		if res == http1.NeedContinue {
			if continues++; continues > 1 {
				t.Fatalf("NeedContinue returned more than once")
			}
		}
		if n != 0 {
			t.Fatalf("%v with n = %d", res, n)
		}
	}
	return o
}

// parse parses in both ways and requires they agree.
func parse(t *testing.T, lim http1.Limits, in string) outcome {
	t.Helper()
	whole := parseOneShot(t, lim, in)
	pieces := parseByteAtATime(t, lim, in)
	if whole.res != pieces.res || whole.n != pieces.n || whole.err != pieces.err {
		t.Fatalf("one shot gave (%v, %d, %v), byte at a time (%v, %d, %v)",
			whole.res, whole.n, whole.err, pieces.res, pieces.n, pieces.err)
	}
	if whole.res == http1.Complete {
		if d := requestDiff(&whole.req, &pieces.req); d != "" {
			t.Fatalf("one shot and byte at a time differ in %s", d)
		}
	}
	return whole
}

func mustComplete(t *testing.T, lim http1.Limits, in string) *http1.Request {
	t.Helper()
	o := parse(t, lim, in)
	if o.err != nil || o.res != http1.Complete {
		t.Fatalf("got (%v, %v), want Complete", o.res, o.err)
	}
	if o.n != len(in) {
		t.Fatalf("n = %d, want %d", o.n, len(in))
	}
	return &o.req
}

func mustReject(t *testing.T, lim http1.Limits, in string, status int, reason string) {
	t.Helper()
	o := parse(t, lim, in)
	if o.err == nil {
		t.Fatalf("accepted (%v), want %d %s", o.res, status, reason)
	}
	if o.err.Status != status || o.err.Reason != reason {
		t.Fatalf("got %d %s, want %d %s", o.err.Status, o.err.Reason, status, reason)
	}
	seenReasons[reason] = true
}

// seenReasons collects the reasons tests provoked; TestEveryReasonTested
// checks none of http1.Reasons is left out.
var seenReasons = map[string]bool{}

// requestDiff names the first field where a and b differ, or returns "".
func requestDiff(a, b *http1.Request) string {
	bs := func(x, y []byte) bool { return bytes.Equal(x, y) }
	switch {
	case !bs(a.Method, b.Method):
		return "Method"
	case !bs(a.Target, b.Target):
		return "Target"
	case !bs(a.Path, b.Path):
		return "Path"
	case !bs(a.Query, b.Query):
		return "Query"
	case a.Version != b.Version:
		return "Version"
	case !sameFields(a.Header, b.Header):
		return "Header"
	case !bs(a.Host, b.Host):
		return "Host"
	case a.ContentLength != b.ContentLength:
		return "ContentLength"
	case a.Chunked != b.Chunked:
		return "Chunked"
	case a.KeepAlive != b.KeepAlive:
		return "KeepAlive"
	case a.Expect100 != b.Expect100:
		return "Expect100"
	case !bs(a.Upgrade, b.Upgrade) || (a.Upgrade == nil) != (b.Upgrade == nil):
		return "Upgrade"
	case !bs(a.HTTP2Settings, b.HTTP2Settings):
		return "HTTP2Settings"
	case !bs(a.Body, b.Body):
		return "Body"
	}
	return ""
}

func sameFields(a, b header.List) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Name, b[i].Name) || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}
