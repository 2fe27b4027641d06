package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/pqkey"
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/pqd"
	"github.com/pqloop/pqloop/server/config"
	"github.com/prometheus/client_golang/prometheus"
)

// pqComponent is the PQ channel listener.
type pqComponent struct {
	listener *engine.Listener
	pqd      *pqd.Listener
}

// defaultKeyName is the key file made in pq.state_dir when
// pq.private_key_file is not set.
const defaultKeyName = "pq.key"

// newPQ builds the PQ channel listener when pq.listen is set.
func (s *Server) newPQ(cfg *config.Config) (component, error) {
	if cfg.PQ.Listen == "" {
		return nil, nil
	}
	keyFile, err := s.ensurePQKey(cfg)
	if err != nil {
		return nil, err
	}
	key, err := pqkey.LoadPrivateKey(keyFile)
	if err != nil {
		return nil, fmt.Errorf("pq.private_key_file: %w", err)
	}
	var clients *pqkey.AuthorizedSet
	if cfg.PQ.ClientKeysFile != "" {
		if clients, err = pqkey.LoadAuthorized(cfg.PQ.ClientKeysFile); err != nil {
			return nil, fmt.Errorf("pq.client_keys_file: %w", err)
		}
	}
	chcfg := &pq.ServerConfig{
		StaticKey:         key,
		RequireClientAuth: cfg.PQ.RequireClientAuth,
		AuthorizedClients: clients,
		Protocols:         []string{"h2", "http/1.1"},
		RekeyAfterRecords: uint64(cfg.PQ.RekeyAfterRecords),
		RekeyAfterTime:    cfg.PQ.RekeyInterval,
		Limiter:           pq.NewRateLimiter(float64(cfg.PQ.HandshakeRatePerIP), 2*float64(cfg.PQ.HandshakeRatePerIP), 0),
	}
	held := engineLimits(cfg).MaxHeldInput
	l := pqd.New(chcfg, s.http.NewInnerProtocol, held)
	s.log.Info("pq channel", "listen", cfg.PQ.Listen, "fingerprint", pqkey.Fingerprint(&key.Public),
		"public_key", keyFile+pqkey.PublicKeySuffix, "require_client_auth", cfg.PQ.RequireClientAuth,
		"connect", fmt.Sprintf("pqloop connect --listen 127.0.0.1:8081 --server %s --server-key %s", cfg.PQ.Listen, keyFile+pqkey.PublicKeySuffix))
	return &pqComponent{
		listener: &engine.Listener{Name: "pq", Addr: cfg.PQ.Listen, NewProtocol: l.NewProtocol},
		pqd:      l,
	}, nil
}

// ensurePQKey returns the private key file to use, generating one in the
// state folder on first run when none is configured.
func (s *Server) ensurePQKey(cfg *config.Config) (string, error) {
	if cfg.PQ.PrivateKeyFile != "" {
		return cfg.PQ.PrivateKeyFile, nil
	}
	path := filepath.Join(cfg.PQ.StateDir, defaultKeyName)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("pq key %s: %w", path, err)
	}
	if err := os.MkdirAll(cfg.PQ.StateDir, 0o700); err != nil {
		return "", fmt.Errorf("pq.state_dir: %w", err)
	}
	fp, err := pqkey.Keygen(path, rand.Reader, "pqloop server")
	if err != nil {
		return "", fmt.Errorf("generating the pq key: %w", err)
	}
	s.log.Info("generated a pq server key", "file", path, "fingerprint", fp)
	return path, nil
}

func (c *pqComponent) listeners() []*engine.Listener { return []*engine.Listener{c.listener} }
func (c *pqComponent) apply(*config.Config)          {}
func (c *pqComponent) close()                        {}

var (
	descPQHandshakes = desc("pqloop_pq_handshakes_total", "PQ channel handshakes, by result.", "result")
	descPQRecordErrs = desc("pqloop_pq_record_errors_total", "PQ connections closed on a record that failed to open.")
)

// pqCollector exports the PQ listener's counters.
type pqCollector struct{ l *pqd.Listener }

func (c pqCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPQHandshakes
	ch <- descPQRecordErrs
}

func (c pqCollector) Collect(ch chan<- prometheus.Metric) {
	st := &c.l.Stats
	for _, r := range []struct {
		result string
		v      uint64
	}{{"ok", st.Handshakes.Load()}, {"error", st.HandshakeErrors.Load()}, {"shed", st.HandshakeShed.Load()}} {
		ch <- prometheus.MustNewConstMetric(descPQHandshakes, prometheus.CounterValue, float64(r.v), r.result)
	}
	ch <- prometheus.MustNewConstMetric(descPQRecordErrs, prometheus.CounterValue, float64(st.RecordErrors.Load()))
}
