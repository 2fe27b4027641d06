package config

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// custom differs from Default in every kind of value, including sizes without a unit.
func custom() Config {
	c := Default()
	c.Server.Admin = ""
	c.Server.AdminToken = "s3cr3t-admin-token-0123456789"
	c.Server.AccessLog = true
	c.Log.Level = "debug"
	c.Engine.Loops = 3
	c.Engine.PinCPUs = false
	c.Engine.ReadBufferCap = 65537
	c.Engine.IdleTimeout = 90*time.Minute + 1500*time.Millisecond
	c.HTTP.MaxBody = 4 * MB
	c.HTTP2.InitialWindowSize = rfc9113MaxWindowSize
	c.MCP.AllowedOrigins = []string{"https://app.example.com", "http://localhost:3000"}
	c.MCP.Path = "/v1/mcp"
	c.PQ.Listen = "127.0.0.1:7443"
	c.PQ.RekeyAfterRecords = wireguardRekeyAfterMessages
	c.PQ.StateDir = "/var/lib/pqloop state"
	return c
}

func TestYAMLRoundTrip(t *testing.T) {
	for name, c := range map[string]Config{"default": Default(), "custom": custom()} {
		out, err := c.YAML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(name, out)
		if err != nil {
			t.Fatalf("%s: parsing YAML(): %v\n%s", name, err, out)
		}
		if diff := Changed(c, back); diff != nil {
			t.Fatalf("%s: round trip changed %v\n%s", name, diff, out)
		}
	}
}

func TestYAMLCommentsEachSetting(t *testing.T) {
	out, err := Default().YAML()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"engine:\n  # Number of gnet event loops; 0 means GOMAXPROCS.\n  # 0..1024; PQLOOP_ENGINE_LOOPS; restart to change\n  loops: 0\n",
		"  # 100ms..10m; PQLOOP_ENGINE_HEADER_TIMEOUT; reloadable\n  header_timeout: 10s\n",
		"  read_buffer_cap: 64KiB\n",
		"  session_idle_timeout: 30m\n",
		"  allowed_origins: []\n",
		"  # empty, or 16..4096 RFC 6750 b64token characters; PQLOOP_SERVER_ADMIN_TOKEN; reloadable; secret\n  admin_token: \"\"\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("YAML() lacks %q", want)
		}
	}
}

func TestRedaction(t *testing.T) {
	c := custom()
	secret := c.Server.AdminToken
	red := c.Redacted()
	if red.Server.AdminToken != "[redacted]" || c.Server.AdminToken != secret {
		t.Fatalf("Redacted: token %q, original now %q", red.Server.AdminToken, c.Server.AdminToken)
	}
	if Default().Redacted().Server.AdminToken != "" {
		t.Fatal("an unset secret must stay empty, so readers see it is unset")
	}
	if changed := Changed(c, red); !reflect.DeepEqual(changed, []string{"server.admin_token"}) {
		t.Fatalf("Redacted changed %v", changed)
	}

	js, err := c.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Redacted().YAML()
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string][]byte{"RedactedJSON": js, "Redacted().YAML": out} {
		if bytes.Contains(text, []byte(secret)) || !bytes.Contains(text, []byte("[redacted]")) {
			t.Errorf("%s does not redact the token:\n%s", what, text)
		}
	}
}

func TestRedactedJSON(t *testing.T) {
	js, err := Default().RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if len(got) != len(sections) {
		t.Errorf("sections %d, want %d", len(got), len(sections))
	}
	for i := range fields {
		f := &fields[i]
		if _, ok := got[f.section()][f.key()]; !ok {
			t.Errorf("JSON lacks %s", f.name)
		}
	}
	for name, want := range map[string]any{
		"server.listen":             "127.0.0.1:8080",
		"server.admin_token":        "",
		"engine.loops":              0.0,
		"engine.pin_cpus":           true,
		"engine.header_timeout":     "10s",
		"engine.read_buffer_cap":    "64KiB",
		"mcp.allowed_origins":       []any{},
		"mcp.session_idle_timeout":  "30m",
		"pq.rekey_after_records":    1048576.0,
		"http2.initial_window_size": "1MiB",
	} {
		section, key, _ := strings.Cut(name, ".")
		if v := got[section][key]; !reflect.DeepEqual(v, want) {
			t.Errorf("%s = %#v, want %#v", name, v, want)
		}
	}
	// Sections and settings come in table order, as docs/CONFIG.md lists them.
	if !bytes.HasPrefix(js, []byte("{\n  \"server\": {\n    \"listen\": \"127.0.0.1:8080\",\n    \"admin\":")) {
		t.Errorf("unexpected order:\n%s", js)
	}
}
