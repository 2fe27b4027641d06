package config

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateMessage(t *testing.T) {
	c := Default()
	c.Engine.Loops = 5000
	err := c.Validate()
	if err == nil || err.Error() != "engine.loops: must be 0..1024, got 5000" {
		t.Fatalf("Validate() = %v", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "engine.loops" {
		t.Fatalf("want a *FieldError naming engine.loops, got %#v", err)
	}
}

// Every bounded setting accepts both ends of its range and rejects one step beyond each.
func TestEveryRangeBound(t *testing.T) {
	for i := range fields {
		f := &fields[i]
		if f.bounds == nil {
			continue
		}
		for _, tc := range []struct {
			value int64
			ok    bool
		}{
			{f.bounds.lo, true}, {f.bounds.hi, true}, {f.bounds.lo - 1, false}, {f.bounds.hi + 1, false},
		} {
			c := Default()
			f.value(&c).SetInt(tc.value)
			err := c.Validate()
			if tc.ok {
				if err != nil {
					t.Errorf("%s = %d: %v", f.name, tc.value, err)
				}
				continue
			}
			got := f.get(c)
			want := f.name + ": must be " + f.allowed() + ", got " + formatValue(got)
			if err == nil || err.Error() != want {
				t.Errorf("%s = %d: Validate() = %v, want %q", f.name, tc.value, err, want)
			}
		}
	}
}

func TestRangeMessagesUseUnits(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"PQLOOP_ENGINE_READ_BUFFER_CAP=2KiB", "engine.read_buffer_cap: must be 4KiB..64MiB, got 2KiB"},
		{"PQLOOP_ENGINE_HEADER_TIMEOUT=11m", "engine.header_timeout: must be 100ms..10m, got 11m"},
		{"PQLOOP_ENGINE_DRAIN_TIMEOUT=-1s", "engine.drain_timeout: must be 0s..10m, got -1s"},
		{"PQLOOP_HTTP_MAX_REQUEST_LINE=7999", "http.max_request_line: must be 8KB..1MiB, got 7999"},
		{"PQLOOP_HTTP2_INITIAL_WINDOW_SIZE=2GiB", "http2.initial_window_size: must be 65535..2147483647, got 2GiB"},
		{"PQLOOP_PQ_REKEY_AFTER_RECORDS=0", "pq.rekey_after_records: must be 1..1152921504606846976, got 0"},
	} {
		_, err := Load("", []string{tc.env}, nil)
		if want := "env " + strings.SplitN(tc.env, "=", 2)[0] + ": " + tc.want; err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", tc.env, err, want)
		}
	}
}

func TestEnumerations(t *testing.T) {
	for _, level := range []string{"debug", "info", "warn", "error"} {
		c := Default()
		c.Log.Level = level
		if err := c.Validate(); err != nil {
			t.Errorf("level %s: %v", level, err)
		}
	}
	c := Default()
	c.Log.Level, c.Log.Format = "verbose", "JSON"
	want := "log.level: must be one of debug|info|warn|error, got \"verbose\"\n" +
		"log.format: must be one of text|json, got \"JSON\""
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Fatalf("Validate() = %v, want %q", err, want)
	}
}

// checkString validates c after set, expecting err to contain want ("" for valid).
func checkString(t *testing.T, what, value, want string, set func(*Config)) {
	t.Helper()
	c := Default()
	set(&c)
	err := c.Validate()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s %q: %v", what, value, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s %q: Validate() = %v, want %q", what, value, err, want)
	}
}

func TestAddresses(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080":  "",
		":8080":           "",
		"[::1]:8080":      "",
		"localhost:0":     "",
		"127.0.0.1:65535": "",
		"127.0.0.1:65536": `server.listen: port must be 0..65535, got "65536"`,
		"127.0.0.1:080":   `port must be 0..65535, got "080"`,
		"127.0.0.1:http":  `port must be 0..65535, got "http"`,
		"127.0.0.1":       `server.listen: want host:port, got "127.0.0.1"`,
		"::1:8080":        `want host:port`,
		"":                "server.listen: must not be empty",
	} {
		checkString(t, "server.listen", addr, want, func(c *Config) { c.Server.Listen = addr })
	}
	checkString(t, "server.admin", "", "", func(c *Config) { c.Server.Admin = "" })
	checkString(t, "pq.listen", "", "", func(c *Config) { c.PQ.Listen = "" })
	checkString(t, "pq.listen", "x", `pq.listen: want host:port, got "x"`, func(c *Config) { c.PQ.Listen = "x" })
}

func TestListenersDiffer(t *testing.T) {
	checkString(t, "server.admin", "same as listen",
		"server.admin: must differ from server.listen (both 127.0.0.1:8080)",
		func(c *Config) { c.Server.Admin = c.Server.Listen })
	checkString(t, "pq.listen", "same as admin",
		"pq.listen: must differ from server.admin (both 127.0.0.1:9090)",
		func(c *Config) { c.PQ.Listen = c.Server.Admin })
	checkString(t, "all", "ephemeral ports", "", func(c *Config) {
		c.Server.Listen, c.Server.Admin, c.PQ.Listen = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	})
}

// The admin token is empty or minAdminToken..maxAdminToken RFC 6750 b64token characters; the
// error never repeats it.
func TestAdminToken(t *testing.T) {
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{"", true},
		{strings.Repeat("a", minAdminToken), true},
		{strings.Repeat("a", minAdminToken-1), false},
		{strings.Repeat("a", maxAdminToken), true},
		{strings.Repeat("a", maxAdminToken+1), false},
		{"Az09-._~+/Az09-._~+/==", true},
		{"abcdefghijklmnop q", false},
		{"abcdefghijklmnop=q", false},
		{"abcdefghijklmnop\"", false},
		{"abcdefghijklmnopé", false},
	} {
		c := Default()
		c.Server.AdminToken = tc.token
		err := c.Validate()
		if tc.ok != (err == nil) {
			t.Errorf("token of %d bytes: Validate() = %v, want ok=%v", len(tc.token), err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), tc.token) {
			t.Errorf("error repeats the token: %v", err)
		}
	}
	c := Default()
	c.Server.AdminToken = "short"
	if err := c.Validate(); err == nil || err.Error() != "server.admin_token: must be empty or 16..4096 characters, got 5" {
		t.Fatalf("Validate() = %v", err)
	}
}

func TestMCPPath(t *testing.T) {
	for path, want := range map[string]string{
		"/mcp":               "",
		"/":                  "",
		"/v1/mcp:rpc":        "",
		"/a/b-c_d.e~f%20@!$": "",
		"mcp":                `mcp.path: must start with /, got "mcp"`,
		"":                   `must start with /`,
		"/mcp?x=1":           `must use only RFC 3986 path characters, got "/mcp?x=1"`,
		"/mcp#top":           `must use only RFC 3986 path characters`,
		"/m cp":              `must use only RFC 3986 path characters`,
		"/é":                 `must use only RFC 3986 path characters`,
	} {
		checkString(t, "mcp.path", path, want, func(c *Config) { c.MCP.Path = path })
	}
}

func TestAllowedOrigins(t *testing.T) {
	for origin, want := range map[string]string{
		"https://app.example.com":      "",
		"http://localhost:3000":        "",
		"http://[::1]:8080":            "",
		"https://app.example.com:444":  "",
		"app.example.com":              `mcp.allowed_origins: want an origin like`,
		"*":                            `want an origin like`,
		"null":                         `want an origin like`,
		"ftp://files.example.com":      `want an origin like`,
		"https://app.example.com/":     `want an origin like`,
		"https://app.example.com/x":    `want an origin like`,
		"https://app.example.com?":     `want an origin like`,
		"https://app.example.com#":     `want an origin like`,
		"https://user@example.com":     `want an origin like`,
		"https://":                     `want an origin like`,
		"HTTPS://App.Example.com":      `must be lower case, as browsers send it, got "HTTPS://App.Example.com"`,
		"https://app.example.com:443":  `must omit the default port, as browsers do`,
		"https://app.example.com:":     `port must be 0..65535, got "https://app.example.com:"`,
		"https://app.example.com:0444": `port must be 0..65535`,
		"http://[::1]:65536":           `port must be 0..65535`,
		"http://[::1]:":                `port must be 0..65535`,
		"http://[::1]":                 "",
		"http://app.example.com:80":    `must omit the default port`,
	} {
		checkString(t, "origin", origin, want, func(c *Config) {
			c.MCP.AllowedOrigins = []string{"https://ok.example", origin}
		})
	}
	c := Default()
	c.MCP.AllowedOrigins = []string{"a", "https://ok.example", "b"}
	if err := c.Validate(); err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("want one problem per bad origin, got %v", err)
	}
}

func TestStateDirAndClientAuth(t *testing.T) {
	checkString(t, "pq.state_dir", "", "pq.state_dir: must not be empty", func(c *Config) { c.PQ.StateDir = "" })
	checkString(t, "pq.require_client_auth", "without keys",
		"pq.require_client_auth: needs pq.client_keys_file", func(c *Config) { c.PQ.RequireClientAuth = true })
	checkString(t, "pq.require_client_auth", "with keys", "", func(c *Config) {
		c.PQ.RequireClientAuth, c.PQ.ClientKeysFile = true, "clients.keys"
	})
}
