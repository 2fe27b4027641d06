package server

import (
	"crypto/subtle"
	"net/http"
	"net/http/pprof"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// adminHandler serves the admin port: health, readiness, metrics, the
// effective configuration and pprof. With server.admin_token set, all but
// health and readiness need "Authorization: Bearer <token>".
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(bodyHealthy)
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		status, body := s.readiness()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	})
	mux.Handle("GET /metrics", s.guard(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})))
	mux.Handle("GET /config", s.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg := s.Config()
		b, err := cfg.RedactedJSON()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})))
	mux.Handle("/debug/pprof/", s.guard(http.HandlerFunc(pprof.Index)))
	mux.Handle("/debug/pprof/cmdline", s.guard(http.HandlerFunc(pprof.Cmdline)))
	mux.Handle("/debug/pprof/profile", s.guard(http.HandlerFunc(pprof.Profile)))
	mux.Handle("/debug/pprof/symbol", s.guard(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("/debug/pprof/trace", s.guard(http.HandlerFunc(pprof.Trace)))
	return mux
}

func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := s.Config().Server.AdminToken
		if token != "" {
			got := r.Header.Get("Authorization")
			want := "Bearer " + token
			if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="pqloop admin"`)
				http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
