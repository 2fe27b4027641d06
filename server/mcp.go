package server

import "github.com/pqloop/pqloop/server/config"

// addMCP mounts the MCP endpoint when enabled.
func (s *Server) addMCP(cfg *config.Config) error { return nil }

func mcpSummary(cfg *config.Config) string {
	if !cfg.MCP.Enabled {
		return "off"
	}
	return cfg.MCP.Path
}
