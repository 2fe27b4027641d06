package config

import "testing"

// Start-up and admin costs: none of this is on a request path, but a SIGHUP reload and the admin
// /config endpoint should stay cheap.

func BenchmarkLoadDefaultFile(b *testing.B) {
	env := []string{"PQLOOP_ENGINE_LOOPS=2", "PQLOOP_MCP_STATELESS=true"}
	for b.Loop() {
		if _, err := Load(defaultFilePath, env, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedactedJSON(b *testing.B) {
	c := custom()
	for b.Loop() {
		if _, err := c.RedactedJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReload(b *testing.B) {
	running, next := Default(), custom()
	for b.Loop() {
		Reload(running, next)
	}
}
