package httpx

import (
	"io"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/pqloop/pqloop/codec/header"
)

// NetHTTP serves h through net/http, one goroutine per request: the same
// handlers behind a standard server, for tests, tools and comparisons. The
// event-loop driver in package httpd is what pqloop serves with.
func NetHTTP(h Handler, maxBody int64) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, hr *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(rw, hr.Body, maxBody))
		if err != nil {
			http.Error(rw, `{"error":"body too large"}`, http.StatusRequestEntityTooLarge)
			return
		}
		r := &Request{
			Method:    []byte(hr.Method),
			Path:      []byte(hr.URL.Path),
			Query:     []byte(hr.URL.RawQuery),
			Authority: []byte(hr.Host),
			Body:      body,
			Proto:     HTTP11,
			ctx:       hr.Context(),
		}
		if hr.ProtoMajor == 2 {
			r.Proto = HTTP2
		} else if hr.ProtoMinor == 0 {
			r.Proto = HTTP10
		}
		if ap, err := netip.ParseAddrPort(hr.RemoteAddr); err == nil {
			r.RemoteAddr = ap
		}
		for k, vs := range hr.Header {
			for _, v := range vs {
				r.Header = append(r.Header, header.Field{Name: []byte(lower(k)), Value: []byte(v)})
			}
		}
		x := &netExchange{rw: rw, done: make(chan struct{})}
		w := &Response{}
		w.Bind(x)
		h(w, r)
		// The exchange's own flag, not w's state: an offloaded fn may be
		// calling Stream (and so writing w's state) right now.
		if !x.handedOn.Load() {
			x.send(w)
			return
		}
		// The response was handed on: hold the net/http handler open until
		// it has been sent, or the client has gone.
		select {
		case <-x.done:
		case <-hr.Context().Done():
			x.end()
		}
	})
}

type netExchange struct {
	handedOn atomic.Bool // Go or Stream was called
	rw       http.ResponseWriter
	mu       sync.Mutex
	ended    bool
	done     chan struct{}
	started  bool
}

func (x *netExchange) writeHead(w *Response) {
	h := x.rw.Header()
	for _, f := range w.Header {
		h.Add(string(f.Name), string(f.Value))
	}
	x.rw.WriteHeader(w.Status)
	x.started = true
}

func (x *netExchange) send(w *Response) {
	x.writeHead(w)
	_, _ = x.rw.Write(w.Body)
}

func (x *netExchange) end() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.ended {
		x.ended = true
		close(x.done)
	}
}

func (x *netExchange) Go(w *Response, r *Request, fn Handler) bool {
	x.handedOn.Store(true)
	c := r.Clone()
	go func() {
		fn(w, c)
		if !w.Streaming() {
			x.mu.Lock()
			if !x.ended {
				x.send(w)
			}
			x.mu.Unlock()
			x.end()
		}
	}()
	return true
}

func (x *netExchange) Stream(w *Response) StreamWriter {
	x.handedOn.Store(true)
	x.mu.Lock()
	defer x.mu.Unlock()
	w.Header = append(w.Header, header.Field{Name: []byte("cache-control"), Value: []byte("no-cache")})
	x.writeHead(w)
	if f, ok := x.rw.(http.Flusher); ok {
		f.Flush()
	}
	return netStream{x}
}

type netStream struct{ x *netExchange }

func (s netStream) Write(p []byte) error {
	s.x.mu.Lock()
	defer s.x.mu.Unlock()
	if s.x.ended {
		return ErrStreamClosed
	}
	if _, err := s.x.rw.Write(p); err != nil {
		return ErrStreamClosed
	}
	if f, ok := s.x.rw.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

func (s netStream) Close() error          { s.x.end(); return nil }
func (s netStream) Done() <-chan struct{} { return s.x.done }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
