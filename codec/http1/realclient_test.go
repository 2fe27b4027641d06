package http1_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os/exec"

	"strings"
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/http1"
)

// startEchoServer serves HTTP/1.1 on a loopback socket with nothing but the
// codec: each request is answered with "METHOD PATH BODY", chunked when the
// query says "chunked". It returns the server's address.
func startEchoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveEcho(c)
		}
	}()
	return ln.Addr().String()
}

func serveEcho(c net.Conn) {
	defer c.Close()
	var p http1.Parser
	var req http1.Request
	buf := make([]byte, 0, 64<<10)
	read := make([]byte, 16<<10)
	var out []byte
	for {
		for {
			res, n, err := p.Parse(buf, &req)
			if err != nil {
				e := err.(*http1.Error)
				c.Write(http1.AppendResponseHead(nil, http1.HTTP11, e.Status, nil, 0, false, nil))
				return
			}
			if res == http1.NeedContinue {
				c.Write(http1.Continue100)
			}
			if res != http1.Complete {
				break
			}
			body := []byte(string(req.Method) + " " + string(req.Path) + " " + string(req.Body))
			date := http1.AppendHTTPDate(nil, time.Now())
			if string(req.Query) == "chunked" {
				out = http1.AppendResponseHead(out[:0], req.Version, 200, fields("Content-Type", "text/plain"), -1, req.KeepAlive, date)
				if req.Version == http1.HTTP11 {
					out = http1.AppendChunk(out, body[:len(body)/2])
					out = http1.AppendChunk(out, body[len(body)/2:])
					out = http1.AppendLastChunk(out)
				} else {
					out = append(out, body...)
					req.KeepAlive = false
				}
			} else {
				out = http1.AppendResponseHead(out[:0], req.Version, 200, fields("Content-Type", "text/plain"), int64(len(body)), req.KeepAlive, date)
				out = append(out, body...)
			}
			if _, err := c.Write(out); err != nil || !req.KeepAlive {
				return
			}
			buf = append(buf[:0], buf[n:]...)
		}
		k, err := c.Read(read)
		if err != nil {
			return
		}
		buf = append(buf, read[:k]...)
	}
}

// hiddenLength hides a reader's length so net/http sends it chunked.
type hiddenLength struct{ io.Reader }

func TestGoClient(t *testing.T) {
	addr := startEchoServer(t)
	transport := &http.Transport{ExpectContinueTimeout: 10 * time.Second}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	big := strings.Repeat("0123456789abcdef", 8<<10) // 128 KiB, many reads
	tests := []struct {
		name, method, path string
		body               io.Reader
		expect             bool
		want               string
	}{
		{"GET", "GET", "/mcp?x=1", nil, false, "GET /mcp "},
		{"POST with length", "POST", "/mcp", strings.NewReader(`{"id":1}`), false, `POST /mcp {"id":1}`},
		{"POST chunked", "POST", "/mcp", hiddenLength{strings.NewReader(big)}, false, "POST /mcp " + big},
		{"POST expecting 100", "POST", "/mcp", strings.NewReader(big), true, "POST /mcp " + big},
		{"chunked response", "POST", "/mcp?chunked", strings.NewReader("abc"), false, "POST /mcp abc"},
	}
	reused := 0
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			}}
			ctx := httptrace.WithClientTrace(context.Background(), trace)
			req, err := http.NewRequestWithContext(ctx, tt.method, "http://"+addr+tt.path, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.expect {
				req.Header.Set("Expect", "100-continue")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || string(got) != tt.want {
				t.Fatalf("status %d err %v body %.60q, want %.60q", resp.StatusCode, err, got, tt.want)
			}
			if _, err := time.Parse(http.TimeFormat, resp.Header.Get("Date")); err != nil {
				t.Fatalf("Date %q: %v", resp.Header.Get("Date"), err)
			}
			if tt.name == "chunked response" && (resp.ContentLength != -1 || len(resp.TransferEncoding) != 1) {
				t.Fatalf("response not chunked: length %d coding %v", resp.ContentLength, resp.TransferEncoding)
			}
			if i > 0 && reused != i {
				t.Fatalf("connection reused %d times over %d requests", reused, i+1)
			}
		})
	}
}

// TestGoClientRejected checks a real client sees the codec's error status.
func TestGoClientRejected(t *testing.T) {
	addr := startEchoServer(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// net/http refuses to send these, so write them raw and read the answer
	// with net/http's response parser.
	conn.Write([]byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || !resp.Close {
		t.Fatalf("status %d close %v, want 400 and close", resp.StatusCode, resp.Close)
	}
}

func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	addr := startEchoServer(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"HTTP/1.0 keep-alive reuses the connection",
			[]string{"--http1.0", "-H", "Connection: keep-alive", "http://" + addr + "/a", "http://" + addr + "/b"},
			"GET /a GET /b "},
		{"HTTP/1.0 unknown length is close-delimited",
			[]string{"--http1.0", "http://" + addr + "/c?chunked"},
			"GET /c "},
		{"chunked upload with 100-continue",
			[]string{"-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue", "--data-binary", "@-", "http://" + addr + "/d"},
			"POST /d " + strings.Repeat("z", 100000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, curl, append([]string{"-sS", "-v", "--max-time", "15"}, tt.args...)...)
			cmd.Stdin = strings.NewReader(strings.Repeat("z", 100000))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || string(out) != tt.want {
				t.Fatalf("curl: %v, body %.80q, want %.80q\n%s", err, out, tt.want, stderr.String())
			}
			if strings.Contains(tt.name, "reuses") && !strings.Contains(stderr.String(), "Re-using existing connection") &&
				!strings.Contains(stderr.String(), "Reusing existing") {
				t.Fatalf("curl opened a second connection:\n%s", stderr.String())
			}
			if strings.Contains(tt.name, "100-continue") && !strings.Contains(stderr.String(), "100 Continue") {
				t.Fatalf("no 100 Continue seen:\n%s", stderr.String())
			}
		})
	}
}
