package httpd

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/pqloop/pqloop/codec/http1"
	"github.com/pqloop/pqloop/codec/http2"
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpx"
)

// Config is the HTTP layer's configuration. SetLimits swaps the parts that
// apply without a restart.
type Config struct {
	Router    *httpx.Router
	HTTP1     http1.Limits
	HTTP2     http2.Config
	H2C       bool // serve HTTP/2 without TLS: prior knowledge and Upgrade: h2c
	AccessLog bool
	Logger    *slog.Logger
	MaxOutput int // the engine's backpressure bound
	// MaxLoops sizes the per-loop state; the engine's loop count.
	MaxLoops int
}

// Limits are the HTTP settings SIGHUP may change live.
type Limits struct {
	HTTP1     http1.Limits
	HTTP2     http2.Config
	AccessLog bool
	// MaxOutput is the engine's backpressure bound: a stream whose
	// connection has more than this waiting is dropped as too slow.
	MaxOutput int
}

// Server is the HTTP protocol factory for the engine's listeners.
type Server struct {
	router  *httpx.Router
	h2c     bool
	log     *slog.Logger
	limits  atomic.Pointer[Limits]
	loops   []*loopState
	Metrics *Metrics
	access  chan accessRecord
}

// New builds a Server for cfg.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxLoops <= 0 {
		cfg.MaxLoops = 1
	}
	s := &Server{router: cfg.Router, h2c: cfg.H2C, log: cfg.Logger}
	s.SetLimits(Limits{HTTP1: cfg.HTTP1, HTTP2: cfg.HTTP2, AccessLog: cfg.AccessLog, MaxOutput: cfg.MaxOutput})
	s.Metrics = newMetrics(cfg.Router, cfg.MaxLoops)
	s.loops = make([]*loopState, cfg.MaxLoops)
	for i := range s.loops {
		s.loops[i] = &loopState{index: i, metrics: s.Metrics.loops[i], seed: uint64(time.Now().UnixNano()) + uint64(i)*0x9e3779b97f4a7c15}
	}
	s.access = make(chan accessRecord, 4096)
	go s.writeAccessLog()
	return s
}

// SetLimits applies new live limits to connections opened from now on and
// to new requests on open HTTP/1.1 connections.
func (s *Server) SetLimits(l Limits) { s.limits.Store(&l) }

// NewProtocol is the engine.Listener factory for plaintext connections.
func (s *Server) NewProtocol(l engine.Link) engine.Protocol {
	return s.newConn(l, httpx.Peer{}, "")
}

// NewInnerProtocol makes the protocol that runs inside a secure channel
// whose handshake chose proto ("h2" or "http/1.1") and authenticated peer.
func (s *Server) NewInnerProtocol(l engine.Link, peer httpx.Peer, proto string) engine.Protocol {
	return s.newConn(l, peer, proto)
}

// loopState is the per-loop part of the server: only that loop touches it.
type loopState struct {
	index   int // in Server.loops; requests carry it as httpx.Request.Loop
	metrics *loopMetrics
	dateSec int64
	date    []byte
	seed    uint64 // request-id generator state
}

// dateFor returns the Date header value for the loop's current second.
func (ls *loopState) dateFor(now int64) []byte {
	if sec := now / int64(time.Second); sec != ls.dateSec || ls.date == nil {
		ls.dateSec = sec
		ls.date = http1.AppendHTTPDate(ls.date[:0], time.Now())
	}
	return ls.date
}

func (s *Server) maxOutput() int {
	if n := s.limits.Load().MaxOutput; n > 0 {
		return n
	}
	return 4 << 20
}
