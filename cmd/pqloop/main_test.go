package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
)

// These tests run the real pqloop binary as a user would: build it once,
// start it with a configuration file, and talk to it over loopback sockets
// and signals.

var binary string // the pqloop binary TestMain built

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pqloop-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pqloop")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building pqloop:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runPqloop runs the binary to completion and returns its exit code,
// stdout and stderr.
func runPqloop(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// cleanEnv is the test's environment without PQLOOP_ settings, so the
// file alone configures the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PQLOOP_") {
			env = append(env, kv)
		}
	}
	return env
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := runPqloop(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "pqloop ") || !strings.Contains(stdout, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Fatalf("pqloop version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, stderr := runPqloop(t, "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) || !strings.Contains(stderr, "usage:") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	writeFile(t, good, "server:\n  listen: 127.0.0.1:8080\nengine:\n  idle_timeout: 30s\n")
	code, stdout, stderr := runPqloop(t, "config", "check", good)
	if code != 0 || strings.TrimSpace(stdout) != good+": ok" {
		t.Fatalf("good file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "server:\n  listen: 127.0.0.1:8080\nengine:\n  max_conns: 0\n  loop: 3\n")
	code, stdout, stderr = runPqloop(t, "config", "check", bad)
	out := stdout + stderr
	if code != 1 {
		t.Fatalf("bad file: exit %d, want 1; output %q", code, out)
	}
	// Every problem, each with the line it is on.
	for _, want := range []string{bad + ":4: engine.max_conns", bad + ":5: engine.loop: unknown key"} {
		if !strings.Contains(out, want) {
			t.Errorf("bad file: output lacks %q:\n%s", want, out)
		}
	}

	code, _, stderr = runPqloop(t, "config", "check")
	if code != 2 || !strings.Contains(stderr, "usage") {
		t.Fatalf("no file: exit %d, stderr %q", code, stderr)
	}
}

// process is a running `pqloop serve`.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	file   string // the configuration file
	listen string
	admin  string
	logs   *testutil.SyncBuffer
	exited chan struct{}
	code   int
}

// baseConfig is a small server on loopback; extra is appended to the
// engine section.
func baseConfig(listen, admin, engineExtra string) string {
	return fmt.Sprintf(`server:
  listen: %s
  admin: %s
log:
  level: info
engine:
  loops: 2
  pin_cpus: false
%smcp:
  enabled: false
`, listen, admin, engineExtra)
}

func startServe(t *testing.T, engineExtra string) *process {
	t.Helper()
	p := &process{t: t, listen: testutil.FreeAddr(t), admin: testutil.FreeAddr(t), logs: &testutil.SyncBuffer{}, exited: make(chan struct{})}
	p.file = filepath.Join(t.TempDir(), "pqloop.yaml")
	writeFile(t, p.file, baseConfig(p.listen, p.admin, engineExtra))
	p.cmd = exec.Command(binary, "serve", "--config", p.file)
	p.cmd.Env = cleanEnv()
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", p.logs.String())
		}
	})
	testutil.Eventually(t, 20*time.Second, "the server ready", func() bool {
		select {
		case <-p.exited:
			t.Fatalf("pqloop serve exited with %d:\n%s", p.code, p.logs.String())
		default:
		}
		resp, err := http.Get("http://" + p.admin + "/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

func (p *process) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// waitExit waits for the process to exit and returns its code.
func (p *process) waitExit(within time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(within):
		p.t.Fatalf("pqloop still running %v after the signal", within)
	}
	return 0
}

// config returns the admin /config view of one setting.
func (p *process) config(section, key string) string {
	p.t.Helper()
	resp, err := http.Get("http://" + p.admin + "/config")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var cfg map[string]map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&cfg); err != nil {
		p.t.Fatalf("/config: %v", err)
	}
	return fmt.Sprint(cfg[section][key])
}

// keepAlive is a raw HTTP/1.1 connection that sends request after request.
type keepAlive struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func dialKeepAlive(t *testing.T, addr string) *keepAlive {
	t.Helper()
	c := testutil.Dial(t, addr, 30*time.Second)
	return &keepAlive{t: t, Conn: c, r: bufio.NewReader(c)}
}

// errClosedBetween is a connection the server closed before any byte of
// an answer: a clean end for keep-alive (the request may have crossed the
// close), unlike an answer cut short.
var errClosedBetween = errors.New("closed before an answer began")

// get sends GET path and reads the answer.
func (k *keepAlive) get(path string) (*http.Response, error) {
	if _, err := io.WriteString(k.Conn, "GET "+path+" HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		return nil, errClosedBetween
	}
	if _, err := k.r.Peek(1); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			return nil, errClosedBetween
		}
		return nil, err
	}
	resp, err := http.ReadResponse(k.r, &http.Request{Method: "GET"})
	if err != nil {
		return nil, err
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, err
}

func (k *keepAlive) mustGet(path string) {
	k.t.Helper()
	resp, err := k.get(path)
	if err != nil {
		k.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != 200 {
		k.t.Fatalf("GET %s: %s", path, resp.Status)
	}
}

// closedByServer reports whether the server closed the connection within d.
func (k *keepAlive) closedByServer(d time.Duration) bool {
	k.SetReadDeadline(time.Now().Add(d))
	_, err := k.r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func TestServeReloadOnSIGHUP(t *testing.T) {
	p := startServe(t, "")
	old := dialKeepAlive(t, p.listen)
	old.mustGet("/health")

	// A live change: the per-address limit and the idle timeout, and the
	// log level.
	writeFile(t, p.file, strings.Replace(baseConfig(p.listen, p.admin, "  max_conns_per_ip: 3\n  idle_timeout: 1s\n"),
		"level: info", "level: debug", 1))
	p.signal(syscall.SIGHUP)
	testutil.Eventually(t, 10*time.Second, "the reload in /config", func() bool {
		return p.config("engine", "max_conns_per_ip") == "3"
	})
	if got := p.config("engine", "idle_timeout"); got != "1s" {
		t.Fatalf("/config engine.idle_timeout = %q after reload", got)
	}
	if got := p.config("log", "level"); got != "debug" {
		t.Fatalf("/config log.level = %q after reload", got)
	}
	if !strings.Contains(p.logs.String(), "configuration reloaded") {
		t.Fatalf("the reload is not logged:\n%s", p.logs.String())
	}
	// The open keep-alive connection survived the reload.
	old.mustGet("/health")

	// Behaviour: the new per-address limit (old holds one of the three).
	a, b := dialKeepAlive(t, p.listen), dialKeepAlive(t, p.listen)
	a.mustGet("/health")
	b.mustGet("/health")
	refused := dialKeepAlive(t, p.listen)
	if _, err := refused.get("/health"); err == nil {
		t.Fatal("a 4th connection from one address was served with max_conns_per_ip 3")
	}
	// Behaviour: the new idle timeout closes an idle connection.
	if !a.closedByServer(15 * time.Second) {
		t.Fatal("an idle connection outlived the reloaded 1s idle timeout")
	}
	b.Close()
	old.Close()

	// An invalid file: rejected, the running configuration kept, and the
	// server keeps serving.
	writeFile(t, p.file, baseConfig(p.listen, p.admin, "  max_conns: 0\n"))
	p.signal(syscall.SIGHUP)
	testutil.Eventually(t, 10*time.Second, "the rejected reload logged", func() bool {
		return strings.Contains(p.logs.String(), "reload rejected")
	})
	if !strings.Contains(p.logs.String(), "engine.max_conns") {
		t.Fatalf("the rejection does not say why:\n%s", p.logs.String())
	}
	if got := p.config("engine", "max_conns_per_ip"); got != "3" {
		t.Fatalf("/config engine.max_conns_per_ip = %q after a rejected reload, want the running 3", got)
	}
	testutil.Eventually(t, 10*time.Second, "a fresh connection served", func() bool {
		c := dialKeepAlive(t, p.listen)
		defer c.Close()
		resp, err := c.get("/health")
		return err == nil && resp.StatusCode == 200
	})

	// A restart-only field: reported as such, the old listener kept.
	moved := testutil.FreeAddr(t)
	writeFile(t, p.file, baseConfig(moved, p.admin, "  max_conns_per_ip: 3\n  idle_timeout: 1s\n"))
	p.signal(syscall.SIGHUP)
	testutil.Eventually(t, 10*time.Second, "the restart-only field reported", func() bool {
		for _, line := range strings.Split(p.logs.String(), "\n") {
			if strings.Contains(line, "configuration reloaded") && strings.Contains(line, "need_restart=server.listen") {
				return true
			}
		}
		return false
	})
	if got := p.config("server", "listen"); got != p.listen {
		t.Fatalf("/config server.listen = %q, want the running %q", got, p.listen)
	}
	c := dialKeepAlive(t, p.listen)
	c.mustGet("/health")
	if conn, err := net.DialTimeout("tcp", moved, time.Second); err == nil {
		conn.Close()
		t.Fatalf("something listens on %s: the restart-only listen address was applied live", moved)
	}

	p.signal(syscall.SIGTERM)
	if code := p.waitExit(20 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
}

func TestServeDrainOnSIGTERM(t *testing.T) {
	p := startServe(t, "  drain_timeout: 20s\n")
	const clients = 16
	var (
		served atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		broken []string
	)
	started := make(chan struct{}, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", p.listen, 5*time.Second)
			if err != nil {
				mu.Lock()
				broken = append(broken, fmt.Sprintf("client %d: dial: %v", i, err))
				mu.Unlock()
				started <- struct{}{}
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			k := &keepAlive{t: t, Conn: c, r: bufio.NewReader(c)}
			first := true
			for {
				resp, err := k.get("/health")
				if first {
					started <- struct{}{}
					first = false
				}
				if err != nil {
					if !errors.Is(err, errClosedBetween) {
						mu.Lock()
						broken = append(broken, fmt.Sprintf("client %d: %v", i, err))
						mu.Unlock()
					}
					return
				}
				if resp.StatusCode != 200 {
					mu.Lock()
					broken = append(broken, fmt.Sprintf("client %d: %s", i, resp.Status))
					mu.Unlock()
					return
				}
				served.Add(1)
				if resp.Close {
					return // the server said this was the last one
				}
			}
		}()
	}
	for range clients {
		<-started
	}
	time.Sleep(100 * time.Millisecond) // requests in flight on every connection
	before := served.Load()
	start := time.Now()
	p.signal(syscall.SIGTERM)
	code := p.waitExit(30 * time.Second)
	took := time.Since(start)
	wg.Wait()
	for _, b := range broken {
		t.Error(b)
	}
	if code != 0 {
		t.Fatalf("exit %d after a drain, want 0", code)
	}
	if took > 20*time.Second {
		t.Fatalf("the drain took %v, past drain_timeout", took)
	}
	if before == 0 {
		t.Fatal("no request was served before the drain")
	}
	if !strings.Contains(p.logs.String(), "drained") {
		t.Fatalf("the drain is not logged as complete:\n%s", p.logs.String())
	}
}

func TestServeSecondSIGTERMExitsAtOnce(t *testing.T) {
	p := startServe(t, "  drain_timeout: 5m\n  header_timeout: 5m\n")
	// A request half sent keeps HTTP/1.1 "reading": the drain waits for it.
	c := dialKeepAlive(t, p.listen)
	io.WriteString(c, "GET /health HTTP/1.1\r\nHost: test\r\n")
	time.Sleep(100 * time.Millisecond)
	p.signal(syscall.SIGTERM)
	testutil.Eventually(t, 10*time.Second, "the drain to begin", func() bool {
		return strings.Contains(p.logs.String(), "draining")
	})
	select {
	case <-p.exited:
		t.Fatalf("exited (%d) while a request was still arriving; drain_timeout is 5m", p.code)
	case <-time.After(500 * time.Millisecond):
	}
	p.signal(syscall.SIGTERM)
	code := p.waitExit(10 * time.Second)
	if code == 0 {
		t.Fatal("exit 0 after an interrupted drain")
	}
	if !strings.Contains(p.logs.String(), "second signal") {
		t.Fatalf("the second signal is not logged:\n%s", p.logs.String())
	}
}
