package server

import (
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/proto/mcp"
	"github.com/pqloop/pqloop/server/config"
	"github.com/prometheus/client_golang/prometheus"
)

// mcpComponent is the MCP endpoint mounted on the main listener.
type mcpComponent struct{ srv *mcp.Server }

// addMCP mounts the MCP endpoint when enabled.
func (s *Server) addMCP(cfg *config.Config) error {
	if !cfg.MCP.Enabled {
		return nil
	}
	m := mcp.New(mcpOptions(cfg))
	m.Register(s.router)
	s.mcp = m
	s.extras = append(s.extras, &mcpComponent{srv: m})
	return nil
}

func mcpOptions(cfg *config.Config) mcp.Options {
	return mcp.Options{
		Path:                cfg.MCP.Path,
		Stateless:           cfg.MCP.Stateless,
		SessionIdleTimeout:  cfg.MCP.SessionIdleTimeout,
		MaxSessions:         cfg.MCP.MaxSessions,
		AllowedOrigins:      cfg.MCP.AllowedOrigins,
		ConformanceFixtures: cfg.MCP.ConformanceFixtures,
		ReplayBuffer:        cfg.MCP.ReplayBuffer,
		PageSize:            cfg.MCP.PageSize,
		MaxBody:             int64(cfg.HTTP.MaxBody),
		ServerInfo:          mcp.Implementation{Name: "pqloop", Version: Version},
		Loops:               cfg.Engine.EventLoops(),
	}
}

// MCP returns the MCP server, so an embedding program can add tools,
// resources and prompts to its registry; nil when mcp.enabled is off.
func (s *Server) MCP() *mcp.Server { return s.mcp }

func (c *mcpComponent) listeners() []*engine.Listener { return nil }
func (c *mcpComponent) apply(cfg *config.Config)      { c.srv.SetAllowedOrigins(cfg.MCP.AllowedOrigins) }
func (c *mcpComponent) close()                        { c.srv.Close() }

func mcpSummary(cfg *config.Config) string {
	if !cfg.MCP.Enabled {
		return "off"
	}
	if cfg.MCP.Stateless {
		return cfg.MCP.Path + " (stateless)"
	}
	return cfg.MCP.Path
}

var (
	descMCPSessions = desc("pqloop_mcp_sessions_open", "Open MCP sessions.")
	descMCPExpired  = desc("pqloop_mcp_sessions_expired_total", "MCP sessions ended by idle expiry.")
	descMCPStreams  = desc("pqloop_mcp_streams_open", "Open MCP server-sent event streams.")
	descMCPCalls    = desc("pqloop_mcp_calls_total", "MCP requests by method and outcome.", "method", "outcome")
	descMCPRejected = desc("pqloop_mcp_rejected_total", "MCP requests refused before dispatch (origin, accept, content type, version, bad JSON).")
)

// mcpCollector exports the MCP server's counters.
type mcpCollector struct{ srv *mcp.Server }

func (c mcpCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descMCPSessions, descMCPExpired, descMCPStreams, descMCPCalls, descMCPRejected} {
		ch <- d
	}
}

func (c mcpCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.srv.Stats()
	ch <- prometheus.MustNewConstMetric(descMCPSessions, prometheus.GaugeValue, float64(st.SessionsOpen.Load()))
	ch <- prometheus.MustNewConstMetric(descMCPExpired, prometheus.CounterValue, float64(st.SessionsExpired.Load()))
	ch <- prometheus.MustNewConstMetric(descMCPStreams, prometheus.GaugeValue, float64(st.StreamsOpen.Load()))
	ch <- prometheus.MustNewConstMetric(descMCPRejected, prometheus.CounterValue, float64(st.Rejected.Load()))
	for i, name := range mcp.MethodNames {
		for o := mcp.OutcomeOK; o <= mcp.OutcomeError; o++ {
			if v := st.Calls(i, o); v > 0 {
				ch <- prometheus.MustNewConstMetric(descMCPCalls, prometheus.CounterValue, float64(v), name, o.String())
			}
		}
	}
}
