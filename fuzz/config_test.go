package fuzz

import (
	"strings"
	"testing"

	"github.com/pqloop/pqloop/server/config"
)

// FuzzConfigYAML feeds arbitrary bytes to the configuration parser. It must return a Config or an
// error, never panic; a Config it accepts must survive a YAML round trip unchanged.
func FuzzConfigYAML(f *testing.F) {
	f.Add([]byte("engine:\n  loops: 2\n  read_buffer_cap: 128KiB\n  header_timeout: 5s\n"))
	f.Add([]byte("mcp:\n  allowed_origins: [https://app.example.com, \"http://localhost:3000\"]\n"))
	f.Add([]byte("server:\n  admin: ~\n  admin_token: abcdefghijklmnop==\npq:\n  listen: 127.0.0.1:7443\n"))
	f.Add([]byte("engine:\n  header_timeout: &t 15s\n  write_stall_timeout: *t\n"))
	f.Add([]byte("engine: {loops: 5000, loop: 1}\nengine: {}\n---\n"))
	f.Add([]byte("http2:\n  max_frame_size: 16777215\n  initial_window_size: 2147483647\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		out, err := c.YAML()
		if err != nil {
			t.Fatalf("YAML() of an accepted config: %v", err)
		}
		back, err := config.Parse("round-trip.yaml", out)
		if err != nil {
			t.Fatalf("YAML() output does not load: %v\n%s", err, out)
		}
		if diff := config.Changed(c, back); diff != nil {
			t.Fatalf("round trip changed %v\n%s", diff, out)
		}
		if _, err := c.RedactedJSON(); err != nil {
			t.Fatalf("RedactedJSON: %v", err)
		}
	})
}

// FuzzParseSize checks that every size ParseSize accepts is non-negative and prints back to itself.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "65536", "64KiB", "64 kib", "4MB", "1.5MiB", "-1", "8388607TiB", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		size, err := config.ParseSize(s)
		if err != nil {
			return
		}
		if size < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, size)
		}
		if back, err := config.ParseSize(size.String()); err != nil || back != size {
			t.Fatalf("ParseSize(%q) = %d prints as %q, which parses to %d, %v", s, size, size.String(), back, err)
		}
	})
}
