package httpx

import (
	"errors"
	"strconv"
	"unsafe"

	"github.com/pqloop/pqloop/codec/header"
)

// Response is what a handler fills in. The driver serialises it when the
// handler returns, unless the handler passed it on with Go or Stream.
type Response struct {
	Status int
	Header header.List // fields to send, in order; lower-case names
	Body   []byte      // the body; its backing array belongs to the driver's pool

	x     Exchange
	state responseState
}

type responseState uint8

const (
	stateOpen      responseState = iota // the handler is filling it in
	stateOffloaded                      // handed to fn by Go
	stateStreaming                      // Stream was called
)

// Exchange is the driver side of one request/response: what a response that
// outlives its handler call needs from the connection that carries it.
type Exchange interface {
	// Go runs fn off the event loop on the bounded offload pool, with a deep
	// copy of r, and sends w when fn returns (unless fn streamed). It reports
	// false, having answered 503 with Retry-After, when the pool is full.
	Go(w *Response, r *Request, fn Handler) bool
	// Stream sends w's status and header now and returns the writer for the
	// body that follows.
	Stream(w *Response) StreamWriter
}

// StreamWriter writes a streaming response body (server-sent events). Every
// method is safe from any goroutine.
type StreamWriter interface {
	// Write sends p (copied before it returns) as the next piece of the body.
	// It fails with ErrStreamClosed once the exchange has ended, and with
	// ErrSlowConsumer when the client does not read fast enough and the
	// connection's bounded backlog is full; the stream is then ended.
	Write(p []byte) error
	// Close ends the body and the exchange.
	Close() error
	// Done is closed when the exchange ends, for whatever reason.
	Done() <-chan struct{}
}

var (
	ErrStreamClosed = errors.New("httpx: stream closed")
	ErrSlowConsumer = errors.New("httpx: client too slow, stream dropped")
)

// Handler answers a request by filling in w.
type Handler func(w *Response, r *Request)

// Bind attaches the driver's exchange to a response taken from its pool.
func (w *Response) Bind(x Exchange) {
	w.Status = 200
	w.Header = w.Header[:0]
	w.Body = w.Body[:0]
	w.x = x
	w.state = stateOpen
}

// Streaming reports whether the handler (or its offloaded fn) called Stream.
func (w *Response) Streaming() bool { return w.state == stateStreaming }

// SetHeader appends a field. The strings must stay unchanged until the
// response is sent, which string constants and fresh strings do.
func (w *Response) SetHeader(name, value string) {
	w.Header = append(w.Header, header.Field{Name: bytesOf(name), Value: bytesOf(value)})
}

// SetHeaderBytes appends a field whose value is a byte slice that stays
// valid until the response is sent.
func (w *Response) SetHeaderBytes(name string, value []byte) {
	w.Header = append(w.Header, header.Field{Name: bytesOf(name), Value: value})
}

// Write appends p to the body.
func (w *Response) Write(p []byte) (int, error) {
	w.Body = append(w.Body, p...)
	return len(p), nil
}

// WriteString appends s to the body.
func (w *Response) WriteString(s string) (int, error) {
	w.Body = append(w.Body, s...)
	return len(s), nil
}

// Text answers status with a text/plain body.
func (w *Response) Text(status int, body string) {
	w.Status = status
	w.SetHeader("content-type", "text/plain; charset=utf-8")
	w.Body = append(w.Body[:0], body...)
}

// JSON answers status with body, which must already be JSON.
func (w *Response) JSON(status int, body []byte) {
	w.Status = status
	w.SetHeader("content-type", "application/json")
	w.Body = append(w.Body[:0], body...)
}

// Error answers status with a small JSON error body naming the reason.
func (w *Response) Error(status int, reason string) {
	w.Status = status
	w.SetHeader("content-type", "application/json")
	b := append(w.Body[:0], `{"error":`...)
	b = strconv.AppendQuote(b, reason)
	w.Body = append(b, '}')
}

// Go runs fn on the offload pool with a copy of r; see Exchange.Go. Calling
// it more than once, or after Stream, panics: that is a handler bug.
func (w *Response) Go(r *Request, fn Handler) bool {
	if w.state != stateOpen {
		panic("httpx: Go on a response already handed on")
	}
	w.state = stateOffloaded
	return w.x.Go(w, r, fn)
}

// Stream sends the status and header now and returns the writer for the
// body. It may be called by the handler on the loop or by fn inside Go.
func (w *Response) Stream() StreamWriter {
	if w.state == stateStreaming {
		panic("httpx: Stream called twice")
	}
	w.state = stateStreaming
	return w.x.Stream(w)
}

// bytesOf views s as bytes without copying. The bytes are never written.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
