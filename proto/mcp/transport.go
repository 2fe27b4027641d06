package mcp

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bytedance/sonic"
	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/jsonrpc"
)

// The Streamable HTTP header fields (lower case, as httpx sends them).
const (
	hdrSessionID       = "mcp-session-id"
	hdrProtocolVersion = "mcp-protocol-version"
	hdrMethod          = "mcp-method" // 2026-07-28
	hdrName            = "mcp-name"   // 2026-07-28
	hdrLastEventID     = "last-event-id"
)

var callPool = sync.Pool{New: func() any { return new(Call) }}

// maxPooledScratch keeps one huge notification from pinning memory in the pool.
const maxPooledScratch = 64 << 10

func releaseCall(c *Call) {
	out := c.out[:0]
	if cap(out) > maxPooledScratch {
		out = nil
	}
	*c = Call{out: out}
	callPool.Put(c)
}

func (s *Server) now() time.Time { return time.Now() }

func (s *Server) servePost(w *httpx.Response, r *httpx.Request)       { s.post(w, r, false, false) }
func (s *Server) serveBatchRoute(w *httpx.Response, r *httpx.Request) { s.post(w, r, true, false) }

// fail answers an HTTP-level refusal with a JSON-RPC error body, which
// every client can show.
func (s *Server) fail(w *httpx.Response, status int, id []byte, code int, msg string, data []byte) {
	s.stats.Rejected.Add(1)
	w.Status = status
	w.SetHeader("content-type", mediaJSON)
	w.Body = jsonrpc.AppendError(w.Body[:0], id, code, msg, data)
}

// versionRejected answers an unknown MCP-Protocol-Version: 400 (2025-06-18
// basic/transports), with the supported list as 2026-07-28 spells it.
func (s *Server) versionRejected(w *httpx.Response, requested []byte) {
	data, _ := sonic.Marshal(struct {
		Supported []Revision `json:"supported"`
		Requested string     `json:"requested"`
	}{Revisions, string(requested)})
	s.fail(w, 400, nil, CodeUnsupportedProtocolVersion, "unsupported protocol version", data)
}

// headerRevision reads MCP-Protocol-Version: ok is false for a value this
// server does not speak.
func headerRevision(r *httpx.Request) (rev Revision, present, ok bool) {
	v := r.Header.Get(hdrProtocolVersion)
	if v == nil {
		return "", false, true
	}
	rev, ok = parseRevision(v)
	return rev, true, ok
}

// common runs the guards every method of the endpoint shares. It answers
// and returns false when the request is refused.
func (s *Server) common(w *httpx.Response, r *httpx.Request) bool {
	if s.closed.Load() {
		s.fail(w, 503, nil, jsonrpc.CodeInternalError, "server shutting down", nil)
		return false
	}
	if !s.originAllowed(r) {
		s.fail(w, 403, nil, jsonrpc.CodeInvalidRequest, "origin not allowed", nil)
		return false
	}
	if _, _, ok := headerRevision(r); !ok {
		s.versionRejected(w, r.Header.Get(hdrProtocolVersion))
		return false
	}
	return true
}

// lookupSession finds the session named by Mcp-Session-Id. It answers 404
// for an unknown or expired id (the client must start over) and returns
// ok false; a missing id is not an error here.
func (s *Server) lookupSession(w *httpx.Response, r *httpx.Request) (sess *session, present, ok bool) {
	sid := r.Header.Get(hdrSessionID)
	if sid == nil || s.opts.Stateless {
		return nil, false, true
	}
	sess = s.sessions.get(sid)
	if sess == nil {
		s.fail(w, 404, nil, jsonrpc.CodeInvalidRequest, "session not found", nil)
		return nil, true, false
	}
	sess.touch(s.now())
	return sess, true, true
}

// post serves a POST: one JSON-RPC message, or a batch. offloaded is true
// when it runs again on the offload pool for a tool that may block; it
// then decodes the request's copy once more, so nothing outlives the loop's
// buffer.
func (s *Server) post(w *httpx.Response, r *httpx.Request, batchRoute, offloaded bool) {
	if !s.common(w, r) {
		return
	}
	if !isJSONContent(r.Header) {
		s.fail(w, 415, nil, jsonrpc.CodeInvalidRequest, "content-type must be application/json", nil)
		return
	}
	// 2025-06-18 basic/transports: the client MUST list both types.
	if !accepts(r.Header, mediaJSON) || !accepts(r.Header, mediaSSE) {
		s.fail(w, 406, nil, jsonrpc.CodeInvalidRequest, "accept must list application/json and text/event-stream", nil)
		return
	}
	if int64(len(r.Body)) > s.opts.MaxBody {
		s.fail(w, 413, nil, jsonrpc.CodeInvalidRequest, "body exceeds "+strconv.FormatInt(s.opts.MaxBody, 10)+" bytes", nil)
		return
	}
	sess, hasSID, ok := s.lookupSession(w, r)
	if !ok {
		return
	}
	hdrRev, hasRev, _ := headerRevision(r)
	rev := DefaultRevision
	if hasRev {
		rev = hdrRev
	} else if sess != nil {
		rev = sess.rev
	}
	if jsonrpc.IsBatch(r.Body) {
		s.postBatch(w, r, sess, rev, batchRoute, hasSID)
		return
	}

	c := callPool.Get().(*Call)
	defer releaseCall(c)
	if err := jsonrpc.Decode(r.Body, &c.msg); err != nil {
		if err == jsonrpc.ErrShape {
			s.fail(w, 400, nil, jsonrpc.CodeInvalidRequest, "invalid request", nil)
		} else {
			s.fail(w, 400, nil, jsonrpc.CodeParseError, "parse error", nil)
		}
		return
	}
	kind := c.msg.Kind()
	if kind == jsonrpc.KindInvalid {
		s.fail(w, 400, validIDOrNil(c.msg.ID), jsonrpc.CodeInvalidRequest, "invalid request", nil)
		return
	}
	c.srv, c.req, c.w, c.sess, c.rev, c.id = s, r, w, sess, rev, c.msg.ID
	c.loop = r.Loop
	c.method = c.msg.Method
	c.ctx = r.Context()
	if kind == jsonrpc.KindResponse || kind == jsonrpc.KindError {
		s.routeResponse(sess, &c.msg, r.Body)
		w.Status = 202
		return
	}
	if len(c.msg.Params) > 0 {
		if jsonrpc.Unmarshal(c.msg.Params, &c.p) != nil {
			s.fail(w, 400, c.msg.ID, jsonrpc.CodeInvalidParams, "invalid params", nil)
			return
		}
	}
	idx := methodIndex(c.method)
	// Everything but the handshake needs the session when sessions are on
	// (2025-06-18 basic/transports, "Session Management": 400 without it).
	if sess == nil && !hasSID && !s.opts.Stateless && !rev.stateless() && idx != mInitialize && idx != mDiscover {
		s.fail(w, 400, c.msg.ID, jsonrpc.CodeInvalidRequest, "missing Mcp-Session-Id", nil)
		return
	}
	if rev.stateless() || c.p.Meta.ProtocolVersion != "" {
		if !s.checkStatelessHeaders(w, r, c, kind, hasRev, hdrRev) {
			return
		}
	}
	c.level = defaultLogLevel
	if sess != nil {
		c.level = LogLevel(sess.logLevel.Load())
	} else if l, ok := parseLogLevel(c.p.Meta.LogLevel); ok {
		c.level = l
	}
	if kind == jsonrpc.KindNotification {
		s.notification(c)
		w.Status = 202
		return
	}
	if idx == mUnknown {
		s.stats.countCall(c.loop, mUnknown, OutcomeError)
		status := 200
		if rev.stateless() {
			status = 404 // 2026-07-28: an unimplemented method is a 404
		}
		s.fail(w, status, c.msg.ID, jsonrpc.CodeMethodNotFound, "method not found: "+c.method, nil)
		return
	}
	if idx == mToolsCall {
		c.tool = s.reg.load().toolIndex[c.p.Name]
		if c.tool != nil && c.tool.run == Offload && !offloaded {
			w.Go(r, func(w *httpx.Response, r *httpx.Request) { s.post(w, r, batchRoute, true) })
			return
		}
	}
	if offloaded {
		ctx, cancel := context.WithCancel(r.Context())
		c.ctx = ctx
		defer cancel()
		if sess != nil {
			key := string(c.id)
			sess.addInflight(key, cancel)
			defer sess.removeInflight(key)
		}
	}
	result, err := methodTable[idx].handler(s, c)
	s.reply(c, idx, result, err)
}

// validIDOrNil keeps an id for the error reply only when it is one.
func validIDOrNil(id []byte) []byte {
	if jsonrpc.ValidID(id) {
		return id
	}
	return nil
}

// checkStatelessHeaders applies the 2026-07-28 rules: the protocol version
// in params._meta, when there, agrees with the header; Mcp-Method repeats
// the method, Mcp-Name the tool, prompt or resource. A mismatch is -32020.
func (s *Server) checkStatelessHeaders(w *httpx.Response, r *httpx.Request, c *Call, kind jsonrpc.Kind, hasRev bool, hdrRev Revision) bool {
	if kind == jsonrpc.KindRequest {
		// A request without _meta (the go-sdk's ping) is judged by the
		// header alone; one with _meta must agree with it.
		switch meta := c.p.Meta.ProtocolVersion; {
		case meta != "" && !hasRev:
			s.fail(w, 400, c.id, CodeHeaderMismatch, "MCP-Protocol-Version header is required", nil)
			return false
		case meta != "" && meta != string(hdrRev):
			s.fail(w, 400, c.id, CodeHeaderMismatch, "MCP-Protocol-Version header does not match _meta", nil)
			return false
		}
		if meta := c.p.Meta.ProtocolVersion; meta != "" {
			if _, ok := parseRevision([]byte(meta)); !ok {
				s.versionRejected(w, []byte(meta))
				return false
			}
		}
	}
	if !hdrRev.stateless() {
		return true
	}
	if m := r.Header.Get(hdrMethod); m == nil || string(m) != c.method {
		s.fail(w, 400, c.id, CodeHeaderMismatch, "Mcp-Method header does not match the body", nil)
		return false
	}
	var name string
	switch c.method {
	case "tools/call", "prompts/get":
		name = c.p.Name
	case "resources/read":
		name = c.p.URI
	default:
		return true
	}
	if got, ok := decodeHeaderValue(r.Header.Get(hdrName)); !ok || got != name {
		s.fail(w, 400, c.id, CodeHeaderMismatch, "Mcp-Name header does not match the body", nil)
		return false
	}
	return true
}

// decodeHeaderValue undoes the 2026-07-28 encoding of values that are not
// plain visible ASCII: "=?base64?<standard base64>?=".
func decodeHeaderValue(v []byte) (string, bool) {
	if v == nil {
		return "", false
	}
	const prefix, suffix = "=?base64?", "?="
	s := stringOf(v)
	if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix) && len(s) >= len(prefix)+len(suffix) {
		b, err := base64.StdEncoding.DecodeString(s[len(prefix) : len(s)-len(suffix)])
		if err != nil {
			return "", false
		}
		return string(b), true
	}
	return s, true
}

// reply sends the response to c's request: on its SSE stream when one was
// opened, else as the application/json body.
func (s *Server) reply(c *Call, idx int, result any, err error) {
	if err == errDetached {
		s.stats.countCall(c.loop, idx, OutcomeOK)
		return
	}
	w := c.w
	if c.stream != nil {
		buf := s.appendReply(nil, c, idx, result, err)
		c.stream.send(buf, true)
		return
	}
	if c.status != 0 {
		w.Status = c.status
	}
	w.SetHeader("content-type", mediaJSON)
	if idx == mInitialize && c.sess != nil && err == nil {
		w.SetHeader(hdrSessionID, c.sess.id)
	}
	w.Body = s.appendReply(w.Body[:0], c, idx, result, err)
}

// appendReply encodes the response and counts the call.
func (s *Server) appendReply(dst []byte, c *Call, idx int, result any, err error) []byte {
	if err == nil {
		start := len(dst)
		dst = jsonrpc.AppendResultHead(dst, c.id)
		var encErr error
		if dst, encErr = appendResult(dst, result, c.rev); encErr == nil {
			outcome := OutcomeOK
			if tr, ok := result.(*ToolResult); ok && tr.IsError {
				outcome = OutcomeToolError
			}
			s.stats.countCall(c.loop, idx, outcome)
			return jsonrpc.AppendResultTail(dst)
		}
		dst = dst[:start]
		err = jsonrpc.NewError(jsonrpc.CodeInternalError, "cannot encode result: "+encErr.Error())
	}
	s.stats.countCall(c.loop, idx, OutcomeError)
	je, ok := asProtocolError(err)
	if !ok {
		je = jsonrpc.NewError(jsonrpc.CodeInternalError, err.Error())
	}
	return jsonrpc.AppendError(dst, c.id, je.Code, je.Message, je.Data)
}

// notification handles a client notification; none has a reply.
func (s *Server) notification(c *Call) {
	switch c.method {
	case "notifications/cancelled":
		// 2025-06-18 basic/utilities/cancellation: stop the request's work.
		if c.sess != nil && len(c.p.RequestID) > 0 {
			c.sess.cancelInflight(string(c.p.RequestID))
		}
	}
	// notifications/initialized (the session is usable from its
	// initialize on), notifications/progress, notifications/roots/
	// list_changed and unknown notifications need nothing from this server.
}

// routeResponse hands a client's answer to the server-to-client request
// waiting for it.
func (s *Server) routeResponse(sess *session, m *jsonrpc.Message, body []byte) {
	if sess == nil || len(m.ID) < 2 || m.ID[0] != '"' {
		return
	}
	id := stringOf(m.ID[1 : len(m.ID)-1])
	sess.mu.Lock()
	ch := sess.pending[id]
	sess.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- append([]byte(nil), body...):
	default:
	}
}

// postBatch serves a JSON-RPC batch (JSON-RPC 2.0 section 6): on
// /mcp/v1/batch always, on the MCP endpoint only in 2025-03-26. It runs on
// the offload pool, since any element may block.
func (s *Server) postBatch(w *httpx.Response, r *httpx.Request, sess *session, rev Revision, batchRoute, hasSID bool) {
	if !batchRoute && !rev.allowsBatch() {
		s.fail(w, 400, nil, jsonrpc.CodeInvalidRequest, "batches are not allowed in revision "+string(rev), nil)
		return
	}
	if sess == nil && !hasSID && !s.opts.Stateless && !rev.stateless() && !batchRoute {
		s.fail(w, 400, nil, jsonrpc.CodeInvalidRequest, "missing Mcp-Session-Id", nil)
		return
	}
	w.Go(r, func(w *httpx.Response, r *httpx.Request) { s.runBatch(w, r, sess, rev) })
}

// maxBatch bounds the messages of one batch; more are refused whole.
const maxBatch = 1024

func (s *Server) runBatch(w *httpx.Response, r *httpx.Request, sess *session, rev Revision) {
	parts, err := jsonrpc.SplitBatch(r.Body)
	if err != nil {
		s.fail(w, 400, nil, jsonrpc.CodeParseError, "parse error", nil)
		return
	}
	if len(parts) == 0 || len(parts) > maxBatch {
		s.fail(w, 400, nil, jsonrpc.CodeInvalidRequest, "a batch holds 1 to "+strconv.Itoa(maxBatch)+" messages", nil)
		return
	}
	out := append(w.Body[:0], '[')
	replies := 0
	for _, part := range parts {
		c := callPool.Get().(*Call)
		c.srv, c.req, c.w, c.sess, c.rev, c.batch, c.ctx = s, r, w, sess, rev, true, r.Context()
		c.loop = r.Loop
		before := len(out)
		if replies > 0 {
			out = append(out, ',')
		}
		n := len(out)
		out = s.batchElement(out, c, part)
		if len(out) == n {
			out = out[:before] // no reply for this element
		} else {
			replies++
		}
		if c.sess != nil && sess == nil {
			sess = c.sess // initialize inside the batch opened one
			w.SetHeader(hdrSessionID, sess.id)
		}
		releaseCall(c)
	}
	if replies == 0 {
		w.Status = 202
		w.Body = out[:0]
		return
	}
	w.SetHeader("content-type", mediaJSON)
	w.Body = append(out, ']')
}

// batchElement appends the reply to one element of a batch, if it has one.
func (s *Server) batchElement(dst []byte, c *Call, part []byte) []byte {
	if jsonrpc.Decode(part, &c.msg) != nil {
		return jsonrpc.AppendError(dst, nil, jsonrpc.CodeInvalidRequest, "invalid request", nil)
	}
	kind := c.msg.Kind()
	c.id, c.method = c.msg.ID, c.msg.Method
	switch kind {
	case jsonrpc.KindInvalid:
		return jsonrpc.AppendError(dst, validIDOrNil(c.msg.ID), jsonrpc.CodeInvalidRequest, "invalid request", nil)
	case jsonrpc.KindResponse, jsonrpc.KindError:
		s.routeResponse(c.sess, &c.msg, part)
		return dst
	}
	if len(c.msg.Params) > 0 && jsonrpc.Unmarshal(c.msg.Params, &c.p) != nil {
		if kind == jsonrpc.KindNotification {
			return dst
		}
		return jsonrpc.AppendError(dst, c.id, jsonrpc.CodeInvalidParams, "invalid params", nil)
	}
	c.level = defaultLogLevel
	if c.sess != nil {
		c.level = LogLevel(c.sess.logLevel.Load())
	}
	if kind == jsonrpc.KindNotification {
		s.notification(c)
		return dst
	}
	idx := methodIndex(c.method)
	if idx == mUnknown {
		s.stats.countCall(c.loop, mUnknown, OutcomeError)
		return jsonrpc.AppendError(dst, c.id, jsonrpc.CodeMethodNotFound, "method not found: "+c.method, nil)
	}
	if idx == mToolsCall {
		c.tool = s.reg.load().toolIndex[c.p.Name]
	}
	result, err := methodTable[idx].handler(s, c)
	return s.appendReply(dst, c, idx, result, err)
}

// serveGet opens the SSE stream for server-initiated messages, or resumes
// a stream from Last-Event-ID (2025-11-25 basic/transports).
func (s *Server) serveGet(w *httpx.Response, r *httpx.Request) {
	if !s.common(w, r) {
		return
	}
	if !accepts(r.Header, mediaSSE) {
		s.fail(w, 406, nil, jsonrpc.CodeInvalidRequest, "accept must list text/event-stream", nil)
		return
	}
	if s.opts.Stateless {
		w.SetHeader("allow", "POST")
		s.fail(w, 405, nil, jsonrpc.CodeInvalidRequest, "this server is stateless: no GET stream", nil)
		return
	}
	sess, _, ok := s.lookupSession(w, r)
	if !ok {
		return
	}
	if sess == nil {
		s.fail(w, 400, nil, jsonrpc.CodeInvalidRequest, "missing Mcp-Session-Id", nil)
		return
	}
	w.SetHeader("content-type", mediaSSE)
	w.SetHeader(hdrSessionID, sess.id)
	if string(r.Method) == "HEAD" {
		return // the header is the whole answer; no stream is opened
	}
	if last := r.Header.Get(hdrLastEventID); last != nil {
		if id, seq, ok := parseEventID(last); ok {
			if st := sess.stream(id); st != nil {
				st.attach(w.Stream(), seq)
				s.track(st)
				return
			}
		}
	}
	st := sess.getStream(s.opts.ReplayBuffer)
	st.mu.Lock()
	seq := st.seq
	st.mu.Unlock()
	st.attach(w.Stream(), seq)
	if sess.rev.hasPrimingEvent() {
		st.prime(int(s.opts.RetryInterval / time.Millisecond))
	}
	s.track(st)
}

// serveDelete ends a session at the client's request.
func (s *Server) serveDelete(w *httpx.Response, r *httpx.Request) {
	if !s.common(w, r) {
		return
	}
	if s.opts.Stateless {
		w.SetHeader("allow", "POST")
		s.fail(w, 405, nil, jsonrpc.CodeInvalidRequest, "this server is stateless: no sessions", nil)
		return
	}
	sid := r.Header.Get(hdrSessionID)
	if sid == nil {
		s.fail(w, 400, nil, jsonrpc.CodeInvalidRequest, "missing Mcp-Session-Id", nil)
		return
	}
	sess := s.sessions.remove(sid)
	if sess == nil {
		s.fail(w, 404, nil, jsonrpc.CodeInvalidRequest, "session not found", nil)
		return
	}
	sess.end()
	s.stats.SessionsOpen.Store(s.sessions.count.Load())
	w.Status = 204
}
