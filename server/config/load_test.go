package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeConfig writes a YAML file in a fresh directory and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pqloop.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// problems splits a joined error into its lines, without the directory of path.
func problems(t *testing.T, err error, path string) []string {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got none")
	}
	text := strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
	return strings.Split(text, "\n")
}

func wantProblems(t *testing.T, err error, path string, want ...string) {
	t.Helper()
	if got := problems(t, err, path); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestLoadFile(t *testing.T) {
	path := writeConfig(t, `
server:
  listen: 127.0.0.1:8081
  admin: ""
engine:
  loops: 2
  read_buffer_cap: 128KiB
  header_timeout: 5s
  max_output_buffer: 8388608
mcp:
  allowed_origins: [https://app.example.com, "http://localhost:3000"]
pq:
  listen: 127.0.0.1:7443
  rekey_interval: 1h30m
`)
	got, err := Load(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Server.Listen = "127.0.0.1:8081"
	want.Server.Admin = ""
	want.Engine.Loops = 2
	want.Engine.ReadBufferCap = 128 * KiB
	want.Engine.HeaderTimeout = 5 * time.Second
	want.Engine.MaxOutputBuffer = 8 * MiB
	want.MCP.AllowedOrigins = []string{"https://app.example.com", "http://localhost:3000"}
	want.PQ.Listen = "127.0.0.1:7443"
	want.PQ.RekeyInterval = 90 * time.Minute
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v\nwant %+v", got, want)
	}
}

func TestLoadNoFileIsDefault(t *testing.T) {
	for name, path := range map[string]string{
		"no path":       "",
		"empty file":    writeConfig(t, ""),
		"comments only": writeConfig(t, "# nothing set\n"),
		"null document": writeConfig(t, "---\n~\n"),
		"empty section": writeConfig(t, "engine:\nhttp: {}\n"),
	} {
		got, err := Load(path, nil, nil)
		if err != nil || !reflect.DeepEqual(got, Default()) {
			t.Errorf("%s: Load = %+v, %v; want Default()", name, got, err)
		}
	}
}

func TestUnknownKeyNamesItsLine(t *testing.T) {
	path := writeConfig(t, "server:\n  listen: 127.0.0.1:8080\nengine:\n  loops: 2\n  loop: 3\n")
	_, err := Load(path, nil, nil)
	wantProblems(t, err, path,
		"pqloop.yaml:5: engine.loop: unknown key; engine has loops, pin_cpus, read_buffer_cap, max_conns, "+
			"max_conns_per_ip, header_timeout, idle_timeout, write_stall_timeout, max_output_buffer, "+
			"offload_workers, offload_queue, drain_timeout")
}

func TestUnknownSectionNamesItsLine(t *testing.T) {
	path := writeConfig(t, "# top\n\nengines:\n  loops: 2\n")
	_, err := Load(path, nil, nil)
	wantProblems(t, err, path,
		"pqloop.yaml:3: engines: unknown section; sections are server, log, engine, http, http2, mcp, pq")
}

func TestEveryProblemIsReported(t *testing.T) {
	path := writeConfig(t, `engine:
  loops: many
  max_conns: 0
  idle_timeout: 60
  pin_cpus: yes
  typo: 1
  loops: 3
http:
  max_body: 1.5MiB
  h2c: [true]
mcp:
  allowed_origins: https://app.example.com
  path: mcp
engine: {}
`)
	_, err := Load(path, nil, nil)
	wantProblems(t, err, path,
		`pqloop.yaml:2: engine.loops: want an integer, got "many"`,
		`pqloop.yaml:4: engine.idle_timeout: want a duration like "10s" or "30m", got "60"`,
		`pqloop.yaml:5: engine.pin_cpus: want true or false, got "yes"`,
		`pqloop.yaml:6: engine.typo: unknown key; engine has loops, pin_cpus, read_buffer_cap, max_conns, `+
			`max_conns_per_ip, header_timeout, idle_timeout, write_stall_timeout, max_output_buffer, `+
			`offload_workers, offload_queue, drain_timeout`,
		`pqloop.yaml:7: engine.loops: already set on line 2`,
		`pqloop.yaml:9: http.max_body: size "1.5MiB" has unknown unit ".5MiB" (want B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)`,
		`pqloop.yaml:10: http.h2c: want a single value`,
		`pqloop.yaml:12: mcp.allowed_origins: want a list, like [a, b]`,
		`pqloop.yaml:14: engine: already set on line 1`,
		`pqloop.yaml:3: engine.max_conns: must be 1..1000000, got 0`,
		`pqloop.yaml:13: mcp.path: must start with /, got "mcp"`,
	)
}

func TestYAMLShapes(t *testing.T) {
	for _, tc := range []struct{ name, text, problem string }{
		{"top level list", "- engine\n", "pqloop.yaml:1: want a mapping of sections (server:, engine:, …)"},
		{"top level scalar", "engine\n", "pqloop.yaml:1: want a mapping of sections (server:, engine:, …)"},
		{"section scalar", "engine: 4\n", "pqloop.yaml:1: engine: want a mapping of settings"},
		{"two documents", "engine: {}\n---\nhttp: {}\n", "pqloop.yaml:2: only one YAML document is allowed"},
		{"null integer", "engine:\n  loops:\n", "pqloop.yaml:2: engine.loops: needs a value"},
		{"list of lists", "mcp:\n  allowed_origins: [[a]]\n", "pqloop.yaml:2: mcp.allowed_origins: line 2: want a string"},
		{"list with null", "mcp:\n  allowed_origins:\n  - ~\n", "pqloop.yaml:3: mcp.allowed_origins: line 3: want a string"},
		{"mapping value", "engine:\n  loops: {a: 1}\n", "pqloop.yaml:2: engine.loops: want a single value"},
	} {
		path := writeConfig(t, tc.text)
		_, err := Load(path, nil, nil)
		if got := problems(t, err, path); len(got) != 1 || got[0] != tc.problem {
			t.Errorf("%s: problems %q, want %q", tc.name, got, tc.problem)
		}
	}
}

func TestYAMLSyntaxError(t *testing.T) {
	path := writeConfig(t, "engine:\n  loops: [1\n")
	_, err := Load(path, nil, nil)
	if got := problems(t, err, path); len(got) != 1 || !strings.HasPrefix(got[0], "pqloop.yaml: yaml: line ") {
		t.Fatalf("problems %q", got)
	}
}

func TestYAMLNullAndAliases(t *testing.T) {
	path := writeConfig(t, `
limits: &timeout 15s
server:
  admin: ~
mcp:
  allowed_origins:
engine:
  header_timeout: *timeout
  write_stall_timeout: *timeout
`)
	_, err := Load(path, nil, nil)
	wantProblems(t, err, path, "pqloop.yaml:2: limits: unknown section; sections are server, log, engine, http, http2, mcp, pq")

	path = writeConfig(t, `
server:
  admin: ~
mcp:
  allowed_origins:
engine:
  header_timeout: &timeout 15s
  write_stall_timeout: *timeout
`)
	got, err := Load(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Server.Admin != "" || got.MCP.AllowedOrigins != nil ||
		got.Engine.HeaderTimeout != 15*time.Second || got.Engine.WriteStallTimeout != 15*time.Second {
		t.Fatalf("loaded %+v", got)
	}
}

// The file is read up to maxFileSize bytes: a file of exactly that size loads, one byte more does not.
func TestFileSizeLimit(t *testing.T) {
	body := "engine:\n  loops: 2\n#"
	pad := strings.Repeat("x", maxFileSize-len(body)-1) + "\n"
	path := writeConfig(t, body+pad)
	if got, err := Load(path, nil, nil); err != nil || got.Engine.Loops != 2 {
		t.Fatalf("file of %d bytes: %v", maxFileSize, err)
	}
	path = writeConfig(t, body+"x"+pad)
	_, err := Load(path, nil, nil)
	wantProblems(t, err, path, "pqloop.yaml: larger than 1MiB")
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"), nil, nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestEnv(t *testing.T) {
	got, err := Load("", []string{
		"HOME=/root",
		"PQLOOP_ENGINE_LOOPS=1",
		"PQLOOP_MCP_STATELESS=true",
		"PQLOOP_MCP_ALLOWED_ORIGINS=https://a.example, http://localhost:3000,",
		"PQLOOP_HTTP_MAX_BODY=4MB",
		"PQLOOP_HTTP2_MAX_FRAME_SIZE=32KiB",
		"PQLOOP_ENGINE_IDLE_TIMEOUT=2m30s",
		"PQLOOP_SERVER_ADMIN=",
		"PQLOOP_PQ_REKEY_AFTER_RECORDS=4096",
		"PQLOOP_BENCH_DURATION=10s", // not a configuration section: left to whoever uses it
		"PQLOOP_CONFIG=x.yaml",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Engine.Loops = 1
	want.MCP.Stateless = true
	want.MCP.AllowedOrigins = []string{"https://a.example", "http://localhost:3000"}
	want.HTTP.MaxBody = 4 * MB
	want.HTTP2.MaxFrameSize = 32 * KiB
	want.Engine.IdleTimeout = 150 * time.Second
	want.Server.Admin = ""
	want.PQ.RekeyAfterRecords = 4096
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v\nwant %+v", got, want)
	}
}

func TestEnvProblems(t *testing.T) {
	_, err := Load("", []string{
		"PQLOOP_ENGINE_LOOPS=one",
		"PQLOOP_ENGINE_LOOP=1",
		"PQLOOP_MCP=1",
		"PQLOOP_HTTP2_MAX_FRAME_SIZE=32MiB",
		"PQLOOP_MCP_STATELESS=maybe",
	}, nil)
	wantProblems(t, err, "",
		`env PQLOOP_ENGINE_LOOPS: engine.loops: want an integer, got "one"`,
		`env PQLOOP_ENGINE_LOOP: engine.loop: unknown key; engine has loops, pin_cpus, read_buffer_cap, max_conns, `+
			`max_conns_per_ip, header_timeout, idle_timeout, write_stall_timeout, max_output_buffer, `+
			`offload_workers, offload_queue, drain_timeout`,
		`env PQLOOP_MCP: mcp: names a section, not a setting; mcp has enabled, path, stateless, session_idle_timeout, max_sessions, `+
			`allowed_origins, conformance_fixtures, replay_buffer, page_size`,
		`env PQLOOP_MCP_STATELESS: mcp.stateless: want true or false, got "maybe"`,
		`env PQLOOP_HTTP2_MAX_FRAME_SIZE: http2.max_frame_size: must be 16KiB..16777215, got 32MiB`,
	)
}

func parseFlags(t *testing.T, args ...string) *Flags {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFlags(t *testing.T) {
	path := writeConfig(t, "engine:\n  loops: 2\n")
	f := parseFlags(t, "--config", path, "--listen=127.0.0.1:0", "--admin", "", "--pq-listen", "127.0.0.1:7443",
		"--pq-key", "k.pem", "--conformance", "--log-level", "debug", "--loops", "3",
		"--set", "http.max_body=1MiB", "--set", "mcp.allowed_origins=https://a.example,https://b.example")
	if f.Config != path {
		t.Fatalf("Config = %q", f.Config)
	}
	got, err := Load(f.Config, nil, f)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Server.Listen = "127.0.0.1:0"
	want.Server.Admin = ""
	want.PQ.Listen = "127.0.0.1:7443"
	want.PQ.PrivateKeyFile = "k.pem"
	want.MCP.ConformanceFixtures = true
	want.Log.Level = "debug"
	want.Engine.Loops = 3
	want.HTTP.MaxBody = MiB
	want.MCP.AllowedOrigins = []string{"https://a.example", "https://b.example"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v\nwant %+v", got, want)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--set", "engine.loop=1"},
		{"--set", "engine.loops"},
		{"--loops"},
		{"--threads", "2"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(new(strings.Builder))
		BindFlags(fs)
		if err := fs.Parse(args); err == nil {
			t.Errorf("flags %q: want a parse error", args)
		}
	}
	_, err := Load("", nil, parseFlags(t, "--loops", "x", "--conformance=sometimes"))
	wantProblems(t, err, "",
		`flag --loops: engine.loops: want an integer, got "x"`,
		`flag --conformance: mcp.conformance_fixtures: want true or false, got "sometimes"`)
}

// Flags beat the environment, which beats the file, which beats the defaults; a value out of range
// is reported with where it was written.
func TestPrecedence(t *testing.T) {
	path := writeConfig(t, "engine:\n  loops: 2\n  max_conns: 20\nlog:\n  level: warn\n")
	env := []string{"PQLOOP_ENGINE_LOOPS=3", "PQLOOP_LOG_LEVEL=error"}
	for _, tc := range []struct {
		name  string
		path  string
		env   []string
		flags []string
		loops int
		level string
	}{
		{"defaults", "", nil, nil, 0, "info"},
		{"file", path, nil, nil, 2, "warn"},
		{"env over file", path, env, nil, 3, "error"},
		{"flag over env", path, env, []string{"--loops", "4"}, 4, "error"},
		{"flag over file", path, nil, []string{"--log-level", "debug"}, 2, "debug"},
		{"later flag wins", path, env, []string{"--loops", "4", "--set", "engine.loops=5"}, 5, "error"},
	} {
		got, err := Load(tc.path, tc.env, parseFlags(t, tc.flags...))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Engine.Loops != tc.loops || got.Log.Level != tc.level {
			t.Errorf("%s: loops %d level %s, want %d %s", tc.name, got.Engine.Loops, got.Log.Level, tc.loops, tc.level)
		}
		if wantConns := map[bool]int{true: 20, false: 10000}[tc.path != ""]; got.Engine.MaxConns != wantConns {
			t.Errorf("%s: max_conns %d, want %d", tc.name, got.Engine.MaxConns, wantConns)
		}
	}

	bad := writeConfig(t, "engine:\n  loops: 5000\n")
	_, err := Load(bad, nil, nil)
	wantProblems(t, err, bad, "pqloop.yaml:2: engine.loops: must be 0..1024, got 5000")
	_, err = Load(bad, []string{"PQLOOP_ENGINE_LOOPS=5000"}, nil)
	wantProblems(t, err, bad, "env PQLOOP_ENGINE_LOOPS: engine.loops: must be 0..1024, got 5000")
	_, err = Load(bad, nil, parseFlags(t, "--loops=5000"))
	wantProblems(t, err, bad, "flag --loops: engine.loops: must be 0..1024, got 5000")
	_, err = Load(bad, []string{"PQLOOP_ENGINE_LOOPS=8"}, nil)
	if err != nil {
		t.Fatalf("env fixing the file's value: %v", err)
	}
}

func TestParse(t *testing.T) {
	got, err := Parse("inline", []byte("engine: {loops: 7}\n"))
	if err != nil || got.Engine.Loops != 7 {
		t.Fatalf("Parse = %d, %v", got.Engine.Loops, err)
	}
	_, err = Parse("inline", []byte("engine: {loops: 7, bogus: 1}\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "inline:1: engine.bogus: unknown key") {
		t.Fatalf("Parse error = %v", err)
	}
}

// A file that is not a configuration yields maxProblems problems and a count, not megabytes; a
// long bad value is repeated only in part.
func TestProblemOutputIsBounded(t *testing.T) {
	text := "engine:\n" + strings.Repeat("  k: 1\n", maxProblems+5)
	_, err := Parse("big", []byte(text))
	got := problems(t, err, "")
	if len(got) != maxProblems+1 || got[maxProblems] != "… and 5 more problems" {
		t.Fatalf("%d lines, last %q", len(got), got[len(got)-1])
	}
	_, err = Parse("big", []byte(text[:len(text)-5*len("  k: 1\n")]))
	if got := problems(t, err, ""); len(got) != maxProblems || strings.Contains(err.Error(), "more problems") {
		t.Fatalf("exactly maxProblems problems: %d lines", len(got))
	}

	long := strings.Repeat("9", 10_000) + "x"
	_, err = Load("", []string{"PQLOOP_ENGINE_LOOPS=" + long}, nil)
	want := `env PQLOOP_ENGINE_LOOPS: engine.loops: want an integer, got "` + long[:maxQuoted] + `"…`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %.200v", err)
	}
}
