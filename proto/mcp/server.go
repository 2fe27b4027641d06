// Package mcp is a Model Context Protocol server over Streamable HTTP,
// built on the httpx handler API so it runs on pqloop's event loops (and on
// net/http through httpx.NetHTTP). It speaks the revisions 2025-03-26,
// 2025-06-18, 2025-11-25 (sessions, initialize) and 2026-07-28 (stateless,
// server/discover), and serves the tools, resources and prompts of a
// Registry.
package mcp

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/jsonrpc"
)

// Options configure a Server. The zero value is usable: Path "/mcp",
// sessions on, loopback origins only, the built-in tools.
type Options struct {
	Path               string        // default "/mcp"
	Stateless          bool          // issue no sessions; every request stands alone
	SessionIdleTimeout time.Duration // default 30 minutes
	MaxSessions        int           // open sessions at most; default 10000, negative: no limit
	// AllowedOrigins lists the Origin values accepted besides loopback
	// origins ("http://127.0.0.1:8080", "https://app.example"). Empty means
	// loopback origins only. Requests without Origin (non-browser clients)
	// are always accepted.
	AllowedOrigins      []string
	ConformanceFixtures bool  // add the official conformance suite's fixtures
	ReplayBuffer        int   // events kept per SSE stream for resumption; default 64
	PageSize            int   // list page size; default 50
	MaxBody             int64 // request body limit in bytes; default 4 MiB
	// KeepAlive is the interval of SSE keep-alive comments; default 15s.
	KeepAlive time.Duration
	// RetryInterval is the SSE retry hint sent with priming events; default 1s.
	RetryInterval time.Duration
	ServerInfo    Implementation // default pqloop
	Instructions  string
	// Registry holds what is served; nil: a registry with the built-in tools.
	Registry *Registry
	// Loops is the number of event loops serving requests (the range of
	// httpx.Request.Loop); call counters are kept per loop. Default 1.
	Loops int
}

// Server serves MCP. Create it with New, route it with Register.
type Server struct {
	opts     Options
	reg      *Registry
	sessions *sessionStore
	stats    Stats
	allowed  atomic.Pointer[map[string]bool] // Origins accepted besides loopback; swapped whole

	streams   sync.Map // *eventStream → struct{}: live streams, for keep-alive and Close
	listeners sync.Map // *listener → struct{}: open subscriptions/listen requests
	done      chan struct{}
	closed    atomic.Bool
	wg        sync.WaitGroup
}

// Defaults for Options' zero fields.
const (
	defaultPath           = "/mcp"
	defaultIdleTimeout    = 30 * time.Minute
	defaultMaxSessions    = 10000
	defaultReplayBuffer   = 64
	defaultPageSize       = 50
	defaultMaxBody        = 4 << 20
	defaultKeepAlive      = 15 * time.Second
	defaultRetryInterval  = time.Second
	defaultServerName     = "pqloop"
	defaultServerVersion  = "0.1.0"
	minSweepInterval      = time.Second
	sweepsPerIdleInterval = 4
)

// New returns a server; its background goroutines (session expiry, SSE
// keep-alive) run until Close.
func New(opts Options) *Server {
	if opts.Path == "" {
		opts.Path = defaultPath
	}
	if opts.SessionIdleTimeout <= 0 {
		opts.SessionIdleTimeout = defaultIdleTimeout
	}
	switch {
	case opts.MaxSessions == 0:
		opts.MaxSessions = defaultMaxSessions
	case opts.MaxSessions < 0:
		opts.MaxSessions = 0 // sessionStore.add: 0 is no limit
	}
	if opts.ReplayBuffer <= 0 {
		opts.ReplayBuffer = defaultReplayBuffer
	}
	if opts.PageSize <= 0 {
		opts.PageSize = defaultPageSize
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = defaultMaxBody
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = defaultKeepAlive
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = defaultRetryInterval
	}
	if opts.ServerInfo.Name == "" {
		opts.ServerInfo = Implementation{Name: defaultServerName, Version: defaultServerVersion}
	}
	s := &Server{opts: opts, reg: opts.Registry, sessions: newSessionStore(), done: make(chan struct{})}
	s.stats.init(opts.Loops)
	if s.reg == nil {
		s.reg = NewRegistry()
		AddBuiltins(s.reg)
	}
	if opts.ConformanceFixtures {
		AddConformanceFixtures(s.reg)
	}
	s.SetAllowedOrigins(opts.AllowedOrigins)
	onChange := s.listChanged
	s.reg.onChange.Store(&onChange)
	sweep := opts.SessionIdleTimeout / sweepsPerIdleInterval
	if sweep < minSweepInterval {
		sweep = minSweepInterval
	}
	s.wg.Add(2)
	go s.every(sweep, s.expireSessions)
	go s.every(opts.KeepAlive, s.keepAlive)
	return s
}

// SetAllowedOrigins replaces the Origin allow-list (besides loopback
// origins) for requests from now on; a configuration reload calls it.
func (s *Server) SetAllowedOrigins(origins []string) {
	m := make(map[string]bool, len(origins))
	for _, o := range origins {
		m[o] = true
	}
	s.allowed.Store(&m)
}

// Registry returns what the server serves; add to it at any time.
func (s *Server) Registry() *Registry { return s.reg }

// Stats returns the server's counters.
func (s *Server) Stats() *Stats { return &s.stats }

// Register adds the MCP endpoint (POST, GET, DELETE at Options.Path) and
// the seed aliases POST /mcp/v1/jsonrpc, POST /mcp/v1/batch (batches
// always allowed) and GET /mcp/v1/events to rt. The handlers run inline:
// they decide per request whether the work goes to the offload pool.
func (s *Server) Register(rt *httpx.Router) {
	rt.Handle("POST", s.opts.Path, httpx.Inline, s.servePost)
	rt.Handle("GET", s.opts.Path, httpx.Inline, s.serveGet)
	rt.Handle("DELETE", s.opts.Path, httpx.Inline, s.serveDelete)
	rt.Handle("POST", "/mcp/v1/jsonrpc", httpx.Inline, s.servePost)
	rt.Handle("POST", "/mcp/v1/batch", httpx.Inline, s.serveBatchRoute)
	rt.Handle("GET", "/mcp/v1/events", httpx.Inline, s.serveGet)
}

// Close ends every session and stream and stops the background work, for
// drain. Requests that arrive afterwards are answered 503.
func (s *Server) Close() {
	if !s.closed.CompareAndSwap(false, true) {
		return
	}
	close(s.done)
	s.wg.Wait()
	s.sessions.each(func(ss *session) {
		if s.sessions.remove([]byte(ss.id)) != nil {
			ss.end()
		}
	})
	s.stats.SessionsOpen.Store(s.sessions.count.Load())
	s.streams.Range(func(k, _ any) bool {
		k.(*eventStream).close()
		s.streams.Delete(k)
		return true
	})
	s.listeners.Range(func(k, _ any) bool { s.listeners.Delete(k); return true })
}

func (s *Server) every(d time.Duration, fn func(time.Time)) {
	defer s.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			fn(now)
		}
	}
}

func (s *Server) expireSessions(now time.Time) {
	n := s.sessions.expire(now.Add(-s.opts.SessionIdleTimeout))
	s.stats.SessionsExpired.Add(int64(n))
	s.stats.SessionsOpen.Store(s.sessions.count.Load())
}

// keepAlive writes a comment on every live stream and forgets the ended.
// A session whose GET stream is connected counts as in use: a client that
// only listens is not idle.
func (s *Server) keepAlive(now time.Time) {
	s.eachListener(func(*listener) {})
	s.streams.Range(func(k, _ any) bool {
		st := k.(*eventStream)
		st.mu.Lock()
		gone := st.out == nil && st.ended
		st.mu.Unlock()
		if gone {
			s.streams.Delete(st)
			s.stats.StreamsOpen.Add(-1)
			return true
		}
		st.comment()
		if st.owner != nil && st.connected() {
			st.owner.touch(now)
		}
		return true
	})
}

// track registers a stream for keep-alive and Close.
func (s *Server) track(st *eventStream) {
	if _, loaded := s.streams.LoadOrStore(st, struct{}{}); !loaded {
		s.stats.StreamsOpen.Add(1)
	}
}

// listChanged tells every session with a GET stream that a list changed.
func (s *Server) listChanged(kind ListKind) {
	method := [...]string{
		ListTools:     "notifications/tools/list_changed",
		ListResources: "notifications/resources/list_changed",
		ListPrompts:   "notifications/prompts/list_changed",
	}[kind]
	msg := jsonrpc.AppendRequest(nil, nil, method, nil)
	s.eachListener(func(l *listener) {
		if l.set.wants(kind) {
			l.stream.send(msg, false)
		}
	})
	s.sessions.each(func(ss *session) {
		ss.mu.Lock()
		get := ss.get
		ss.mu.Unlock()
		if get != nil {
			get.send(msg, false)
		}
	})
}

// NotifyResourceUpdated tells the sessions subscribed to uri that it
// changed (notifications/resources/updated), on their GET streams.
func (s *Server) NotifyResourceUpdated(uri string) {
	params := jsonrpc.AppendString([]byte(`{"uri":`), uri)
	msg := jsonrpc.AppendRequest(nil, nil, "notifications/resources/updated", append(params, '}'))
	s.eachListener(func(l *listener) {
		if slices.Contains(l.set.ResourceSubscriptions, uri) {
			l.stream.send(msg, false)
		}
	})
	s.sessions.each(func(ss *session) {
		ss.mu.Lock()
		sub, get := ss.subs[uri], ss.get
		ss.mu.Unlock()
		if !sub {
			return
		}
		if get == nil {
			get = ss.getStream(s.opts.ReplayBuffer) // kept for when the client opens it
		}
		get.send(msg, false)
	})
}

// Log sends a notifications/message to every session whose log level lets
// level through, on its GET stream.
func (s *Server) Log(level LogLevel, logger string, data any) {
	params, err := appendLogParams(nil, level, logger, data)
	if err != nil {
		return
	}
	msg := jsonrpc.AppendRequest(nil, nil, "notifications/message", params)
	s.sessions.each(func(ss *session) {
		if LogLevel(ss.logLevel.Load()) > level {
			return
		}
		ss.mu.Lock()
		get := ss.get
		ss.mu.Unlock()
		if get != nil {
			get.send(msg, false)
		}
	})
}
