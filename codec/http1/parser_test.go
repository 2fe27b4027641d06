package http1_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pqloop/pqloop/codec/http1"
)

func TestParseGET(t *testing.T) {
	in := "GET /mcp/tools?cursor=abc&x=%2F HTTP/1.1\r\n" +
		"Host: 127.0.0.1:8080\r\n" +
		"User-Agent: curl/8.5.0\r\n" +
		"Accept:   */*  \r\n" +
		"X-Empty:\r\n" +
		"\r\n"
	r := mustComplete(t, http1.Limits{}, in)
	want := []string{"Host", "127.0.0.1:8080", "User-Agent", "curl/8.5.0", "Accept", "*/*", "X-Empty", ""}
	var got []string
	for _, f := range r.Header {
		got = append(got, string(f.Name), string(f.Value))
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
	checks := []struct{ name, got, want string }{
		{"Method", string(r.Method), "GET"},
		{"Target", string(r.Target), "/mcp/tools?cursor=abc&x=%2F"},
		{"Path", string(r.Path), "/mcp/tools"},
		{"Query", string(r.Query), "cursor=abc&x=%2F"},
		{"Host", string(r.Host), "127.0.0.1:8080"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if r.Version != http1.HTTP11 || !r.KeepAlive || r.ContentLength != -1 || r.Chunked || r.Expect100 || len(r.Body) != 0 {
		t.Errorf("got version %v keep-alive %v length %d chunked %v expect %v body %q",
			r.Version, r.KeepAlive, r.ContentLength, r.Chunked, r.Expect100, r.Body)
	}
}

func TestContentLengthBody(t *testing.T) {
	r := mustComplete(t, http1.Limits{}, post("Content-Length: 13\r\n", `{"jsonrpc":1}`))
	if string(r.Body) != `{"jsonrpc":1}` || r.ContentLength != 13 {
		t.Fatalf("body %q length %d", r.Body, r.ContentLength)
	}
	r = mustComplete(t, http1.Limits{}, post("Content-Length: 0\r\n", ""))
	if len(r.Body) != 0 || r.ContentLength != 0 {
		t.Fatalf("body %q length %d", r.Body, r.ContentLength)
	}
	// Leading zeros are still 1*DIGIT.
	r = mustComplete(t, http1.Limits{}, post("Content-Length: 00000000000000000000001\r\n", "x"))
	if r.ContentLength != 1 {
		t.Fatalf("length %d", r.ContentLength)
	}
}

func TestChunkedExtensionsAndTrailers(t *testing.T) {
	body := "5;name=value;flag\r\nhello\r\n" +
		"6 ; q = \"a \\\"quoted\\\" ext\"\r\n world\r\n" +
		"A\r\n, chunked!\r\n" +
		"000\r\n" +
		"Checksum: abc\r\nX-Trailer: 1\r\n\r\n"
	r := mustComplete(t, http1.Limits{}, chunkedPost(body))
	if string(r.Body) != "hello world, chunked!" || !r.Chunked || r.ContentLength != -1 {
		t.Fatalf("body %q chunked %v length %d", r.Body, r.Chunked, r.ContentLength)
	}
	if r.Header.Has("checksum") {
		t.Fatal("trailer field leaked into Header")
	}
	r = mustComplete(t, http1.Limits{}, chunkedPost("0\r\n\r\n"))
	if len(r.Body) != 0 {
		t.Fatalf("empty chunked body gave %q", r.Body)
	}
}

func TestPipelined(t *testing.T) {
	reqs := []string{
		get + "\r\n",
		post("Content-Length: 5\r\n", "first"),
		chunkedPost("6\r\nsecond\r\n0\r\n\r\n"),
		"GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	}
	wantBodies := []string{"", "first", "second", ""}
	buf := []byte(strings.Join(reqs, ""))
	var p http1.Parser
	var r http1.Request
	for i := range reqs {
		res, n, err := p.Parse(buf, &r)
		if err != nil || res != http1.Complete || n != len(reqs[i]) {
			t.Fatalf("request %d: (%v, %d, %v), want Complete with n = %d", i, res, n, err, len(reqs[i]))
		}
		if string(r.Body) != wantBodies[i] {
			t.Fatalf("request %d body %q", i, r.Body)
		}
		buf = buf[n:]
	}
	if r.KeepAlive || string(r.Path) != "/last" {
		t.Fatalf("last request: keep-alive %v path %q", r.KeepAlive, r.Path)
	}
	if res, n, err := p.Parse(buf, &r); res != http1.NeedMore || n != 0 || err != nil || len(buf) != 0 {
		t.Fatalf("after the last request: (%v, %d, %v) with %d bytes left", res, n, err, len(buf))
	}
}

func TestLeadingEmptyLines(t *testing.T) {
	in := strings.Repeat("\r\n", 8) + get + "\r\n"
	mustComplete(t, http1.Limits{}, in) // n covers the ignored lines too
	mustReject(t, http1.Limits{}, "\r\n"+in, 400, "leading_empty_lines")
}

func TestExpectContinue(t *testing.T) {
	in := post("Expect: 100-Continue\r\nContent-Length: 5\r\n", "hello")
	var p http1.Parser
	var r http1.Request
	head := len(in) - len("hello")
	res, n, err := p.Parse([]byte(in[:head]), &r)
	if res != http1.NeedContinue || n != 0 || err != nil {
		t.Fatalf("head alone: (%v, %d, %v), want NeedContinue", res, n, err)
	}
	if !r.Expect100 || string(r.Path) != "/mcp" || r.ContentLength != 5 {
		t.Fatalf("head fields not filled at NeedContinue: %+v", r)
	}
	// The caller sent 100 Continue; now the body trickles in.
	if res, _, err = p.Parse([]byte(in[:head+2]), &r); res != http1.NeedMore || err != nil {
		t.Fatalf("partial body: (%v, %v), want NeedMore", res, err)
	}
	if res, n, err = p.Parse([]byte(in), &r); res != http1.Complete || n != len(in) || string(r.Body) != "hello" {
		t.Fatalf("whole body: (%v, %d, %v) body %q", res, n, err, r.Body)
	}

	// With the body already there, no interim response is needed.
	if o := parseOneShot(t, http1.Limits{}, in); o.res != http1.Complete {
		t.Fatalf("whole request: %v, want Complete", o.res)
	}
	// HTTP/1.0 expectations are ignored (RFC 9110 §10.1.1).
	r10 := mustComplete(t, http1.Limits{}, "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
	if r10.Expect100 {
		t.Fatal("Expect100 set on HTTP/1.0")
	}
	// Too large a body is refused before the client sends it.
	mustReject(t, http1.Limits{MaxBody: 4}, in[:head], 413, "body_too_large")
}

func TestKeepAlive(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, CLOSE\r\n\r\n", false},
		{"GET / HTTP/1.0\r\n\r\n", false},
		{"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
		{"GET / HTTP/1.0\r\nConnection: foo ,keep-alive\r\n\r\n", true},
		{"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
		{"GET / HTTP/1.2\r\nHost: a\r\n\r\n", true}, // a later 1.x is handled as 1.1
	}
	for _, tt := range tests {
		if r := mustComplete(t, http1.Limits{}, tt.in); r.KeepAlive != tt.want {
			t.Errorf("%q: KeepAlive = %v, want %v", tt.in, r.KeepAlive, tt.want)
		}
	}
}

func TestTargetForms(t *testing.T) {
	tests := []struct {
		in                        string
		target, path, query, host string
	}{
		{"GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: ignored\r\n\r\n", "http://example.com:8080/a/b?c=d", "/a/b", "c=d", "example.com:8080"},
		{"GET https://[::1]:443 HTTP/1.1\r\nHost: x\r\n\r\n", "https://[::1]:443", "/", "", "[::1]:443"},
		{"GET http://a?q HTTP/1.1\r\nHost: x\r\n\r\n", "http://a?q", "/", "q", "a"},
		{"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "*", "*", "", "a"},
		{"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "example.com:443", "", "", "example.com:443"},
		{"GET /a?b?c HTTP/1.1\r\nHost: \r\n\r\n", "/a?b?c", "/a", "b?c", ""},
		{"GET /!$&'()*+,;=:@-._~%7e HTTP/1.0\r\n\r\n", "/!$&'()*+,;=:@-._~%7e", "/!$&'()*+,;=:@-._~%7e", "", ""},
	}
	for _, tt := range tests {
		r := mustComplete(t, http1.Limits{}, tt.in)
		if string(r.Target) != tt.target || string(r.Path) != tt.path || string(r.Query) != tt.query || string(r.Host) != tt.host {
			t.Errorf("%q: target %q path %q query %q host %q", tt.in, r.Target, r.Path, r.Query, r.Host)
		}
	}
}

func TestUpgradeFields(t *testing.T) {
	in := "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n"
	r := mustComplete(t, http1.Limits{}, in)
	if string(r.Upgrade) != "h2c" || string(r.HTTP2Settings) != "AAMAAABkAAQAoAAAAAIAAAAA" {
		t.Fatalf("Upgrade %q HTTP2Settings %q", r.Upgrade, r.HTTP2Settings)
	}
	// Upgrade without the Connection option is not an upgrade (RFC 9110 §7.8).
	r = mustComplete(t, http1.Limits{}, get+"Upgrade: h2c\r\n\r\n")
	if r.Upgrade != nil {
		t.Fatalf("Upgrade %q without Connection: upgrade", r.Upgrade)
	}
}

// TestParserReuse checks a reused Request and Parser carry nothing over.
func TestParserReuse(t *testing.T) {
	var p http1.Parser
	var r http1.Request
	first := []byte(post("Expect: 100-continue\r\nContent-Length: 1\r\nX-A: 1\r\n", "x"))
	if res, _, err := p.Parse(first, &r); res != http1.Complete || err != nil {
		t.Fatal(res, err)
	}
	if _, _, err := p.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n"), &r); err == nil {
		t.Fatal("bad request accepted")
	}
	second := []byte("GET /b HTTP/1.0\r\n\r\n")
	if res, _, err := p.Parse(second, &r); res != http1.Complete || err != nil {
		t.Fatal(res, err)
	}
	if len(r.Header) != 0 || r.Expect100 || r.ContentLength != -1 || len(r.Body) != 0 || r.Host != nil {
		t.Fatalf("state carried over: %+v", r)
	}
}

// TestIncompleteLeavesBufferAlone checks Parse writes to buf only when it
// completes a chunked request, so a caller may hand it a copy until then.
func TestIncompleteLeavesBufferAlone(t *testing.T) {
	in := chunkedPost("3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
	var p http1.Parser
	var r http1.Request
	for k := range len(in) {
		buf := []byte(in[:k])
		if res, _, err := p.Parse(buf, &r); res == http1.Complete || err != nil {
			t.Fatalf("prefix of %d bytes: (%v, %v)", k, res, err)
		}
		if string(buf) != in[:k] {
			t.Fatalf("prefix of %d bytes was modified: %q", k, buf)
		}
	}
}

func TestReasonsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range http1.Reasons {
		if seen[r] || r == "" || strings.ToLower(r) != r || strings.ContainsAny(r, " -") {
			t.Errorf("reason %q is repeated or not snake_case", r)
		}
		seen[r] = true
	}
}
