package server

import (
	"github.com/pqloop/pqloop/httpx"
)

var (
	bodyHealthy  = []byte(`{"status":"ok"}`)
	bodyReady    = []byte(`{"status":"ready"}`)
	bodyStarting = []byte(`{"status":"starting"}`)
	bodyDraining = []byte(`{"status":"draining"}`)
)

// routes registers the main listener's own endpoints; MCP adds its own.
func (s *Server) routes(rt *httpx.Router) {
	rt.Handle("GET", "/health", httpx.Inline, func(w *httpx.Response, r *httpx.Request) {
		w.JSON(200, bodyHealthy)
	})
	rt.Handle("GET", "/ready", httpx.Inline, func(w *httpx.Response, r *httpx.Request) {
		status, body := s.readiness()
		w.JSON(status, body)
	})
}

// readiness is 200 once serving, 503 while starting or draining.
func (s *Server) readiness() (int, []byte) {
	switch {
	case s.draining.Load():
		return 503, bodyDraining
	case !s.ready.Load():
		return 503, bodyStarting
	}
	return 200, bodyReady
}
