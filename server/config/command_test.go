package config

import (
	"strings"
	"testing"
)

func runCommand(args, env []string) (code int, stdout, stderr string) {
	var out, errOut strings.Builder
	code = Command(args, env, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommandCheck(t *testing.T) {
	good := writeConfig(t, "engine:\n  loops: 2\n")
	if code, out, errOut := runCommand([]string{"check", good}, nil); code != 0 || out != good+": ok\n" || errOut != "" {
		t.Errorf("check good file: %d %q %q", code, out, errOut)
	}

	bad := writeConfig(t, "engine:\n  loops: 5000\n  loop: 1\n")
	code, out, errOut := runCommand([]string{"check", bad}, nil)
	want := bad + ":3: engine.loop: unknown key; engine has loops, pin_cpus, read_buffer_cap, max_conns, " +
		"max_conns_per_ip, header_timeout, idle_timeout, write_stall_timeout, max_output_buffer, " +
		"offload_workers, offload_queue, drain_timeout\n" +
		bad + ":2: engine.loops: must be 0..1024, got 5000\n"
	if code != 1 || out != "" || errOut != want {
		t.Errorf("check bad file: %d %q\n%s\nwant\n%s", code, out, errOut, want)
	}

	// The environment does not change what check says about a file.
	if code, _, errOut := runCommand([]string{"check", good}, []string{"PQLOOP_ENGINE_LOOPS=5000"}); code != 0 {
		t.Errorf("check read the environment: %s", errOut)
	}
}

func TestCommandPrint(t *testing.T) {
	path := writeConfig(t, "engine:\n  loops: 2\nserver:\n  admin_token: s3cr3t-admin-token-0123456789\n")
	env := []string{"PQLOOP_HTTP_MAX_BODY=2MiB", "PQLOOP_ENGINE_LOOPS=3"}
	code, out, errOut := runCommand([]string{"print", "--config", path, "--log-level", "debug"}, env)
	if code != 0 || errOut != "" {
		t.Fatalf("print: %d %s", code, errOut)
	}
	if strings.Contains(out, "s3cr3t") || !strings.Contains(out, `admin_token: '[redacted]'`) {
		t.Errorf("print must redact the token:\n%s", out)
	}
	printed, err := Parse("printed", []byte(strings.Replace(out, "'[redacted]'", `""`, 1)))
	if err != nil {
		t.Fatalf("printed configuration does not load: %v\n%s", err, out)
	}
	loaded, err := Load(path, env, parseFlags(t, "--log-level", "debug"))
	if err != nil {
		t.Fatal(err)
	}
	loaded.Server.AdminToken = ""
	if diff := Changed(loaded, printed); diff != nil {
		t.Errorf("print differs from Load in %v", diff)
	}
	if printed.Engine.Loops != 3 || printed.HTTP.MaxBody != 2*MiB || printed.Log.Level != "debug" {
		t.Errorf("print did not combine file, env and flags: %+v", printed)
	}
}

func TestCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: pqloop config check FILE | pqloop config print [flags]"},
		{[]string{"check"}, 2, "usage: pqloop config check FILE"},
		{[]string{"check", "a", "b"}, 2, "usage: pqloop config check FILE"},
		{[]string{"check", "/nonexistent/pqloop.yaml"}, 1, "open /nonexistent/pqloop.yaml: no such file or directory"},
		{[]string{"print", "--threads", "2"}, 2, "flag provided but not defined: -threads"},
		{[]string{"print", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"print", "--loops", "5000"}, 1, "flag --loops: engine.loops: must be 0..1024, got 5000"},
		{[]string{"lint"}, 2, `unknown command "lint"`},
	} {
		code, out, errOut := runCommand(tc.args, nil)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: %d %q %q, want %d and %q", tc.args, code, out, errOut, tc.code, tc.want)
		}
	}
}
