package mcp

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/bytedance/sonic"
	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/jsonrpc"
)

// Call is what a tool, resource or prompt handler gets: the request's
// context, its session facts, and the means to talk back to the client
// before the result (progress, log messages, server-to-client requests).
// It is valid until the handler returns.
type Call struct {
	srv    *Server
	sess   *session // nil without a session (stateless mode, 2026-07-28)
	rev    Revision
	id     []byte // the request id, verbatim
	method string
	p      params
	req    *httpx.Request
	loop   int // r.Loop, kept for counting replies sent after the exchange
	w      *httpx.Response
	ctx    context.Context
	stream *eventStream // the POST's SSE stream, once opened
	level  LogLevel     // least severe level to send
	batch  bool         // inside a batch: nothing is streamed
	msg    jsonrpc.Message
	tool   *toolEntry
	status int // HTTP status for the reply, when not 200

	text   [1]Content // scratch for Text: no allocation on the echo path
	result ToolResult
	out    []byte // scratch for notifications
}

// Context is cancelled when the client goes away, cancels the request
// (notifications/cancelled) or the server closes.
func (c *Call) Context() context.Context {
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

// Revision is the protocol revision of the request.
func (c *Call) Revision() Revision { return c.rev }

// SessionID is the Mcp-Session-Id, or "" without a session.
func (c *Call) SessionID() string {
	if c.sess == nil {
		return ""
	}
	return c.sess.id
}

// ClientInfo is what the client said it is, at initialize.
func (c *Call) ClientInfo() Implementation {
	if c.sess == nil {
		return Implementation{}
	}
	return c.sess.clientInfo
}

// Peer is the PQ-channel identity of the client (empty over plaintext).
func (c *Call) Peer() httpx.Peer { return c.req.Peer }

// Request is the HTTP request carrying the call.
func (c *Call) Request() *httpx.Request { return c.req }

// Text returns a result holding one text block. The result belongs to the
// call, so returning it allocates nothing.
func (c *Call) Text(s string) *ToolResult {
	c.text[0] = Content{Type: "text", Text: s}
	c.result = ToolResult{Content: c.text[:]}
	return &c.result
}

// Progress reports progress on the request when the client asked for it
// (params._meta.progressToken); otherwise it does nothing. total and
// message may be zero.
func (c *Call) Progress(progress, total float64, message string) {
	// The token is echoed verbatim, so it must be a well-formed string or
	// number (schema.ts ProgressToken); anything else gets no progress.
	token := c.p.Meta.ProgressToken
	if c.batch || !jsonrpc.ValidID(token) || string(token) == "null" {
		return
	}
	b := append(c.out[:0], `{"progressToken":`...)
	b = append(b, token...)
	b = append(b, `,"progress":`...)
	b = strconv.AppendFloat(b, progress, 'g', -1, 64)
	if total > 0 {
		b = append(b, `,"total":`...)
		b = strconv.AppendFloat(b, total, 'g', -1, 64)
	}
	if message != "" {
		b = append(b, `,"message":`...)
		b = jsonrpc.AppendString(b, message)
	}
	b = append(b, '}')
	c.out = b
	c.notify("notifications/progress", b)
}

// Log sends a notifications/message at level when the client's log level
// lets it through. data is any JSON-encodable value.
func (c *Call) Log(level LogLevel, logger string, data any) {
	if level < c.level || c.batch {
		return
	}
	b, err := appendLogParams(c.out[:0], level, logger, data)
	if err != nil {
		return
	}
	c.out = b
	c.notify("notifications/message", b)
}

// notify sends a notification on the request's stream, opening it.
func (c *Call) notify(method string, params []byte) {
	st := c.openStream()
	if st == nil {
		return
	}
	st.send(jsonrpc.AppendRequest(nil, nil, method, params), false)
}

// openStream switches the response to text/event-stream, once.
func (c *Call) openStream() *eventStream {
	if c.stream != nil || c.w == nil || c.batch {
		return c.stream
	}
	replay := 0
	var id uint64
	if c.sess != nil {
		replay = c.srv.opts.ReplayBuffer
		id = c.sess.nextStream.Add(1)
	}
	st := newEventStream(id, replay)
	st.closeAfterEnd = true
	c.w.Status = 200
	c.w.SetHeader("content-type", "text/event-stream")
	c.setSessionHeader()
	st.out = c.w.Stream()
	c.srv.track(st)
	if c.sess != nil {
		c.sess.keep(st)
		if c.sess.rev.hasPrimingEvent() {
			st.prime(int(c.srv.opts.RetryInterval / time.Millisecond))
		}
	}
	c.stream = st
	return st
}

func (c *Call) setSessionHeader() {
	if c.sess != nil {
		c.w.SetHeader("mcp-session-id", c.sess.id)
	}
}

// CloseStream drops the connection of the request's SSE stream while the
// handler goes on; the client resumes with GET and Last-Event-ID and gets
// the rest, result included (2025-11-25, SEP-1699 polling). Without a
// session there is nothing to resume, so it does nothing.
func (c *Call) CloseStream() {
	if c.sess == nil {
		return
	}
	if st := c.openStream(); st != nil {
		st.dropConnection()
	}
}

// ErrNoCapability is returned by Sample, Elicit and ListRoots when the
// client did not declare the capability the request needs.
var ErrNoCapability = errors.New("mcp: the client does not support this request")

// ErrNeedsSession is returned by Sample, Elicit and ListRoots without a
// session: the client's answer could not be routed back.
var ErrNeedsSession = errors.New("mcp: server-to-client requests need a session")

// Sample asks the client's model for a completion (sampling/createMessage);
// params is the request's params object. It returns the raw result.
func (c *Call) Sample(params any) ([]byte, error) {
	if err := c.declared("sampling", func(k *clientCaps) bool { return k.Sampling != nil }); err != nil {
		return nil, err
	}
	return c.ask("sampling/createMessage", params)
}

// Elicit asks the user for input (elicitation/create).
func (c *Call) Elicit(params any) ([]byte, error) {
	if err := c.declared("elicitation", func(k *clientCaps) bool { return k.Elicitation != nil }); err != nil {
		return nil, err
	}
	return c.ask("elicitation/create", params)
}

// ListRoots asks the client for its roots (roots/list).
func (c *Call) ListRoots() ([]byte, error) {
	if err := c.declared("roots", func(k *clientCaps) bool { return k.Roots != nil }); err != nil {
		return nil, err
	}
	return c.ask("roots/list", struct{}{})
}

// declared checks that the client declared the capability a request to it
// needs: at initialize in a session, or in the request's _meta in
// 2026-07-28, where the lack is the protocol error -32021.
func (c *Call) declared(name string, has func(*clientCaps) bool) error {
	switch {
	case c.sess != nil:
		if !has(&c.sess.caps) {
			return ErrNoCapability
		}
	case c.rev.stateless():
		if !has(&c.p.Meta.ClientCaps) {
			return &jsonrpc.Error{Code: CodeMissingRequiredClientCapability, Message: "the client did not declare the " + name + " capability"}
		}
	}
	return nil
}

// ask sends a request to the client on the call's stream and waits for the
// answer the client POSTs back.
func (c *Call) ask(method string, params any) ([]byte, error) {
	if c.sess == nil || c.batch {
		return nil, ErrNeedsSession
	}
	p, err := sonic.Marshal(params)
	if err != nil {
		return nil, err
	}
	id := "s" + strconv.FormatUint(c.sess.nextReq.Add(1), 10)
	ch := make(chan []byte, 1)
	c.sess.mu.Lock()
	if c.sess.closed {
		c.sess.mu.Unlock()
		return nil, errSessionEnded
	}
	if c.sess.pending == nil {
		c.sess.pending = map[string]chan []byte{}
	}
	c.sess.pending[id] = ch
	c.sess.mu.Unlock()
	defer func() {
		c.sess.mu.Lock()
		delete(c.sess.pending, id)
		c.sess.mu.Unlock()
	}()
	st := c.openStream()
	if st == nil {
		return nil, ErrNeedsSession
	}
	st.send(jsonrpc.AppendRequest(nil, []byte(`"`+id+`"`), method, p), false)
	select {
	case msg, ok := <-ch:
		if !ok {
			return nil, errSessionEnded
		}
		var m jsonrpc.Message
		if err := jsonrpc.Decode(msg, &m); err != nil {
			return nil, err
		}
		if m.Error != nil {
			var e jsonrpc.Error
			if err := jsonrpc.Unmarshal(m.Error, &e); err != nil {
				return nil, err
			}
			return nil, &e
		}
		return m.Result, nil
	case <-c.Context().Done():
		return nil, c.Context().Err()
	}
}

var errSessionEnded = errors.New("mcp: session ended")
