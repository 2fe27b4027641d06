package httpd

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/pqloop/pqloop/httpx"
)

// responder is what the HTTP/1.1 and HTTP/2 drivers do with an exchange;
// everything else about an exchange is the same for both. Every method runs
// on the connection's loop.
type responder interface {
	respond(x *exchange)               // send the whole response in x.w
	streamHead(x *exchange)            // send status and header, body to follow
	streamChunk(x *exchange, p []byte) // send a piece of a streamed body
	streamEnd(x *exchange)             // end a streamed body
	abortStream(x *exchange)           // end a streamed body abnormally
	done(x *exchange)                  // the exchange is over: move on
}

// maxStreamBacklog bounds the bytes a stream may have posted to its loop
// but not yet written; a producer past it gets ErrSlowConsumer.
const maxStreamBacklog = 1 << 20

// exchange is one request and its response.
type exchange struct {
	c     *conn
	proto responder
	id    uint32 // HTTP/2 stream id
	w     httpx.Response
	r     httpx.Request

	route  int
	method methodIndex
	head   bool // a HEAD request: send no body
	start  int64
	idBuf  [16]byte

	// async is set once the response outlives the handler call; such an
	// exchange is never recycled, since other goroutines may still hold it.
	async     bool
	offloaded bool
	streaming atomic.Bool
	ended     atomic.Bool
	ctx       context.Context
	cancel    context.CancelFunc
	doneCh    chan struct{}
	closeOnce sync.Once
	queued    atomic.Int64
}

// serve runs the router for x on the loop and sends the response unless it
// was handed on.
func (x *exchange) serve() {
	x.reset()
	x.w.Bind(x)
	x.route = x.c.s.call(x.c.s.router.Serve, &x.w, &x.r)
	if x.async {
		return
	}
	x.proto.respond(x)
	x.finish()
}

// call runs h, turning a panic into a 500 and a logged stack: the loop and
// every other connection carry on.
func (s *Server) call(h func(*httpx.Response, *httpx.Request) int, w *httpx.Response, r *httpx.Request) (route int) {
	route = httpx.Unmatched
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("handler panicked", "path", string(r.Path), "request_id", string(r.ID),
				"panic", v, "stack", string(debug.Stack()))
			s.Metrics.panics.Add(1)
			w.Status = 500
			w.Header = w.Header[:0]
			w.Error(500, "internal server error")
		}
	}()
	return h(w, r)
}

// reset readies a recycled exchange (only inline ones are recycled, so no
// other goroutine can see it) for its next request.
func (x *exchange) reset() {
	x.async, x.offloaded = false, false
	x.streaming.Store(false)
	x.ended.Store(false)
	x.ctx, x.cancel, x.doneCh = nil, nil, nil
	x.closeOnce = sync.Once{}
	x.queued.Store(0)
}

func (x *exchange) context() context.Context {
	if x.ctx == nil {
		x.ctx, x.cancel = context.WithCancel(context.Background())
	}
	return x.ctx
}

// Go implements httpx.Exchange.
func (x *exchange) Go(w *httpx.Response, r *httpx.Request, fn httpx.Handler) bool {
	clone := x.detach()
	x.doneCh = make(chan struct{})
	link := x.c.link
	// Set before the job is queued: fn may call Stream, which reads it, on
	// the worker before Offload returns.
	x.async, x.offloaded = true, true
	ok := link.Offload(func() {
		x.c.s.call(func(w *httpx.Response, r *httpx.Request) int { fn(w, r); return 0 }, w, clone)
		if !x.streaming.Load() {
			link.Post(func() {
				if x.ended.Load() {
					return
				}
				x.proto.respond(x)
				x.finish()
			})
		}
	})
	if !ok {
		x.async, x.offloaded = false, false
		x.c.s.Metrics.offloadRejected.Add(1)
		w.Header = w.Header[:0]
		w.SetHeader("retry-after", "1")
		w.Error(503, "server busy: offload pool full")
		return false
	}
	return true
}

// Stream implements httpx.Exchange.
func (x *exchange) Stream(w *httpx.Response) httpx.StreamWriter {
	x.streaming.Store(true)
	if !x.offloaded { // inline on the loop: nobody else has seen x yet
		x.async = true
		x.detach()
		x.doneCh = make(chan struct{})
	}
	x.c.link.Post(func() {
		if !x.ended.Load() {
			x.proto.streamHead(x)
		}
	})
	return (*stream)(x)
}

// detach gives the exchange its own copy of the request, since the
// connection's input buffer moves on before the response is sent; it
// returns the copy, which the off-loop side may use too.
func (x *exchange) detach() *httpx.Request {
	clone := x.r.Clone()
	clone.WithContext(x.context())
	x.r = *clone
	return clone
}

// finish ends a completed exchange: metrics, access log, next.
func (x *exchange) finish() {
	if x.ended.Swap(true) {
		return
	}
	x.c.s.record(x)
	x.release()
	x.proto.done(x)
}

// abort ends an exchange the client abandoned (connection closed, stream
// reset): its context is cancelled and Done closed; nothing more is sent.
func (x *exchange) abort() {
	if x.ended.Swap(true) {
		return
	}
	x.release()
}

func (x *exchange) release() {
	if x.cancel != nil {
		x.cancel()
	}
	if x.doneCh != nil {
		x.closeOnce.Do(func() { close(x.doneCh) })
	}
}

// stream is the StreamWriter view of an exchange.
type stream exchange

func (s *stream) Write(p []byte) error {
	x := (*exchange)(s)
	if x.ended.Load() {
		return httpx.ErrStreamClosed
	}
	n := int64(len(p))
	if x.queued.Add(n) > maxStreamBacklog {
		x.queued.Add(-n)
		s.fail()
		return httpx.ErrSlowConsumer
	}
	buf := append([]byte(nil), p...)
	link := x.c.link
	if !link.Post(func() {
		x.queued.Add(-n)
		if x.ended.Load() {
			return
		}
		if link.Backlog() > x.c.s.maxOutput() {
			x.proto.abortStream(x)
			x.abort()
			return
		}
		x.proto.streamChunk(x, buf)
	}) {
		return httpx.ErrStreamClosed
	}
	return nil
}

func (s *stream) fail() {
	x := (*exchange)(s)
	x.c.link.Post(func() {
		if !x.ended.Load() {
			x.proto.abortStream(x)
			x.abort()
		}
	})
}

func (s *stream) Close() error {
	x := (*exchange)(s)
	if x.ended.Load() {
		return nil
	}
	x.c.link.Post(func() {
		if x.ended.Load() {
			return
		}
		x.proto.streamEnd(x)
		x.finish()
	})
	return nil
}

func (s *stream) Done() <-chan struct{} { return s.doneCh }
