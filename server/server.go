package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpd"
	"github.com/pqloop/pqloop/httpx"
	"github.com/pqloop/pqloop/proto/mcp"
	"github.com/pqloop/pqloop/server/config"
)

// Version is the build's version, set with -ldflags "-X …server.Version=…".
var Version = "dev"

// Options are what the command line adds to the configuration.
type Options struct {
	ConfigPath string        // the file SIGHUP re-reads
	Flags      *config.Flags // re-applied on reload, so flags keep winning
	Env        []string      // the environment, likewise
	LogOutput  io.Writer     // stderr by default
	// Extend lets an embedding program add routes (and tools, through the
	// MCP server it builds) before the server starts.
	Extend func(rt *httpx.Router)
}

// Server is a configured pqloop server.
type Server struct {
	opts    Options
	mu      sync.Mutex // guards cfg across reloads
	cfg     config.Config
	log     *slog.Logger
	level   *slog.LevelVar
	router  *httpx.Router
	http    *httpd.Server
	eng     *engine.Engine
	admin   *http.Server
	adminLn net.Listener
	metrics *metricsSet
	mcp     *mcp.Server
	extras  []component

	ready    atomic.Bool
	draining atomic.Bool
	reloads  struct{ ok, failed atomic.Uint64 }
}

// component is a part of the server with a lifecycle of its own (the MCP
// endpoint, the PQ listener): it may add listeners, apply live settings on
// reload, and must release what it holds on drain.
type component interface {
	listeners() []*engine.Listener
	apply(cfg *config.Config)
	close()
}

// New builds a server from cfg; Start runs it.
func New(cfg config.Config, opts Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.LogOutput == nil {
		opts.LogOutput = os.Stderr
	}
	s := &Server{opts: opts, cfg: cfg}
	s.log, s.level = newLogger(opts.LogOutput, cfg.Log.Format, cfg.Log.Level)

	s.router = &httpx.Router{}
	s.routes(s.router)
	if err := s.addMCP(&cfg); err != nil {
		return nil, err
	}
	if opts.Extend != nil {
		opts.Extend(s.router)
	}
	loops := cfg.Engine.EventLoops()
	lim := httpLimits(&cfg)
	s.http = httpd.New(httpd.Config{
		Router: s.router, HTTP1: lim.HTTP1, HTTP2: lim.HTTP2, H2C: cfg.HTTP.H2C,
		AccessLog: cfg.Server.AccessLog, Logger: s.log, MaxOutput: lim.MaxOutput, MaxLoops: loops,
	})
	listeners := []*engine.Listener{{Name: "http", Addr: cfg.Server.Listen, NewProtocol: s.http.NewProtocol}}
	pq, err := s.newPQ(&cfg)
	if err != nil {
		return nil, err
	}
	if pq != nil {
		s.extras = append(s.extras, pq)
	}
	for _, c := range s.extras {
		listeners = append(listeners, c.listeners()...)
	}
	s.eng, err = engine.New(engine.Config{
		Loops:          loops,
		PinCPUs:        cfg.Engine.PinCPUs,
		ReadBufferCap:  int(cfg.Engine.ReadBufferCap),
		OffloadWorkers: cfg.Engine.OffloadWorkerCount(),
		OffloadQueue:   cfg.Engine.OffloadQueue,
		Limits:         engineLimits(&cfg),
		Logger:         s.log,
	}, listeners...)
	if err != nil {
		return nil, err
	}
	s.metrics = newMetricsSet(s)
	return s, nil
}

// Logger is the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// Config returns the running configuration.
func (s *Server) Config() config.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Start binds the admin port and the listeners and starts serving.
func (s *Server) Start() error {
	cfg := s.Config()
	if cfg.Server.Admin != "" {
		ln, err := net.Listen("tcp", cfg.Server.Admin)
		if err != nil {
			return fmt.Errorf("admin listener: %w", err)
		}
		s.adminLn = ln
		s.admin = &http.Server{Handler: s.adminHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := s.admin.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("admin server", "err", err)
			}
		}()
	}
	if err := s.eng.Start(); err != nil {
		if s.admin != nil {
			s.admin.Close()
		}
		return err
	}
	s.ready.Store(true)
	s.log.Info("pqloop serving", "version", Version, "listen", cfg.Server.Listen, "admin", cfg.Server.Admin,
		"h2c", cfg.HTTP.H2C, "mcp", mcpSummary(&cfg), "pq", cfg.PQ.Listen)
	return nil
}

// AdminAddr is the admin listener's bound address ("" when disabled).
func (s *Server) AdminAddr() string {
	if s.adminLn == nil {
		return ""
	}
	return s.adminLn.Addr().String()
}

// Run starts the server and serves until SIGTERM or SIGINT, which drain it
// (a second one exits at once); SIGHUP reloads the configuration file.
func (s *Server) Run() error {
	if err := s.Start(); err != nil {
		return err
	}
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sig)
	for v := range sig {
		if v == syscall.SIGHUP {
			s.Reload()
			continue
		}
		s.log.Info("draining", "signal", v.String(), "deadline", s.Config().Engine.DrainTimeout)
		done := make(chan error, 1)
		go func() { done <- s.Drain() }()
		select {
		case err := <-done:
			return err
		case v := <-sig:
			if v == syscall.SIGHUP {
				err := <-done
				return err
			}
			s.log.Warn("second signal: exiting now", "signal", v.String())
			return errors.New("interrupted during drain")
		}
	}
	return nil
}

// Drain turns the server away from new work, lets what is in flight
// finish within engine.drain_timeout, and stops.
func (s *Server) Drain() error {
	s.draining.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), s.Config().Engine.DrainTimeout)
	defer cancel()
	for _, c := range s.extras {
		c.close()
	}
	err := s.eng.Drain(ctx)
	if s.admin != nil {
		_ = s.admin.Shutdown(ctx)
	}
	if err != nil {
		s.log.Warn("drain incomplete", "err", err)
	} else {
		s.log.Info("drained")
	}
	return err
}

// Stop stops at once.
func (s *Server) Stop() {
	s.draining.Store(true)
	for _, c := range s.extras {
		c.close()
	}
	s.eng.Stop()
	if s.admin != nil {
		s.admin.Close()
	}
}

// Reload re-reads the configuration (file, environment, flags) and applies
// what can change live; an invalid file keeps the running configuration.
func (s *Server) Reload() {
	next, err := config.Load(s.opts.ConfigPath, s.opts.Env, s.opts.Flags)
	if err != nil {
		s.reloads.failed.Add(1)
		s.log.Error("reload rejected: keeping the running configuration", "file", s.opts.ConfigPath, "err", err)
		return
	}
	s.mu.Lock()
	applied, restart := config.Reload(s.cfg, next)
	changed := config.Changed(s.cfg, applied)
	s.cfg = applied
	s.mu.Unlock()

	s.level.Set(parseLevel(applied.Log.Level))
	s.eng.SetLimits(engineLimits(&applied))
	s.http.SetLimits(httpLimits(&applied))
	for _, c := range s.extras {
		c.apply(&applied)
	}
	s.reloads.ok.Add(1)
	s.log.Info("configuration reloaded", "applied", strings.Join(changed, ","),
		"need_restart", strings.Join(restart, ","))
}
