package httpx

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/pqloop/pqloop/codec/header"
)

func TestRouterDispatch(t *testing.T) {
	var rt Router
	rt.Handle("GET", "/health", Inline, func(w *Response, r *Request) { w.JSON(200, []byte(`{"status":"ok"}`)) })
	rt.Handle("POST", "/health", Inline, func(w *Response, r *Request) { w.Text(201, "made") })
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/health", 200, ""},
		{"HEAD", "/health", 200, ""},
		{"POST", "/health", 201, ""},
		{"DELETE", "/health", 405, "GET, HEAD, POST"},
		{"GET", "/nope", 404, ""},
	}
	for _, c := range cases {
		w := &Response{}
		w.Bind(nil)
		rt.Serve(w, &Request{Method: []byte(c.method), Path: []byte(c.path)})
		if w.Status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, w.Status, c.status)
		}
		if got := string(header.List(w.Header).Get("allow")); got != c.allow {
			t.Errorf("%s %s: allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
}

func TestRouterLookupAllocatesNothing(t *testing.T) {
	var rt Router
	rt.Handle("GET", "/health", Inline, func(w *Response, r *Request) {})
	path := []byte("/health")
	if n := testing.AllocsPerRun(100, func() { rt.Lookup(path) }); n != 0 {
		t.Fatalf("Lookup allocates %v times", n)
	}
}

func TestCloneIsDeep(t *testing.T) {
	buf := []byte("POST/mcpa=1hostbodyidx-namevalue")
	r := &Request{Method: buf[0:4], Path: buf[4:8], Query: buf[8:11], Authority: buf[11:15], Body: buf[15:19],
		ID: buf[19:21], Header: header.List{{Name: buf[21:27], Value: buf[27:32]}},
		Proto: HTTP2, Loop: 3, Peer: Peer{Name: "ci", Secure: true}, RemoteAddr: netip.MustParseAddrPort("127.0.0.1:9")}
	c := r.Clone()
	if c.Proto != r.Proto || c.Loop != r.Loop || c.Peer != r.Peer || c.RemoteAddr != r.RemoteAddr {
		t.Fatalf("clone lost a field: %+v", c)
	}
	for i := range buf {
		buf[i] = '#'
	}
	if string(c.Method) != "POST" || string(c.Path) != "/mcp" || string(c.Query) != "a=1" || string(c.Authority) != "host" ||
		string(c.Body) != "body" || string(c.ID) != "id" || string(c.Header[0].Name) != "x-name" || string(c.Header[0].Value) != "value" {
		t.Fatalf("clone shares memory with the original: %+v", c)
	}
}

func TestNetHTTPOffloadAndStream(t *testing.T) {
	var rt Router
	rt.Handle("POST", "/work", Offload, func(w *Response, r *Request) {
		w.Text(200, "did "+string(r.Body))
	})
	rt.Handle("GET", "/events", Inline, func(w *Response, r *Request) {
		w.SetHeader("content-type", "text/event-stream")
		s := w.Stream()
		go func() {
			for i := 0; i < 3; i++ {
				if err := s.Write([]byte("data: tick\n\n")); err != nil {
					return
				}
			}
			s.Close()
		}()
	})
	srv := httptest.NewServer(NetHTTP(rt.Handler(), 1<<20))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/work", "text/plain", strings.NewReader("chores"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "did chores" {
		t.Fatalf("offload: %d %q", resp.StatusCode, b)
	}

	resp, err = http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content-type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	ticks := 0
	for sc.Scan() {
		if sc.Text() == "data: tick" {
			ticks++
		}
	}
	if ticks != 3 {
		t.Fatalf("got %d events, want 3", ticks)
	}
}
