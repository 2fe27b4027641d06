package http2

import (
	"net"
	"os/exec"
	"regexp"
	"testing"
)

// TestH2Spec runs h2spec v2.2.1 against the harness: every generic, http2
// and hpack case must pass, and with -S the strict ones too.
func TestH2Spec(t *testing.T) {
	bin := h2specPath(t)
	if testing.Short() {
		t.Skip("h2spec takes about a minute")
	}
	for _, tc := range []struct {
		name  string
		args  []string
		total string
	}{
		{"generic", nil, "145"},
		{"strict", []string{"-S"}, "146"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, DefaultConfig())
			host, port, _ := net.SplitHostPort(srv.addr)
			args := append([]string{"-h", host, "-p", port, "-o", "2"}, tc.args...)
			out, _ := exec.Command(bin, args...).CombinedOutput()
			m := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).FindSubmatch(out)
			if m == nil {
				t.Fatalf("no h2spec summary:\n%s", out)
			}
			t.Logf("h2spec %v: %s", tc.args, m[0])
			if string(m[1]) != tc.total || string(m[2]) != tc.total {
				t.Errorf("h2spec %v: %s, want %s/%s passed\n%s", tc.args, m[0], tc.total, tc.total, failures(out))
			}
		})
	}
}

// failures keeps the part of h2spec's report that lists failed cases.
func failures(out []byte) []byte {
	if i := regexp.MustCompile(`Failures:`).FindIndex(out); i != nil {
		return out[i[0]:]
	}
	return out
}
