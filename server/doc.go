// Package server is pqloop's composition root: it turns a configuration
// into a running server — the engine with its listeners, the HTTP layer and
// routes, the MCP endpoint, the admin port — and owns the process
// lifecycle: readiness, signals, hot reload and drain.
package server
