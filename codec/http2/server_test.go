package http2

import (
	"bytes"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/header"
)

// The integration harness: a goroutine-per-connection TCP server on
// 127.0.0.1 that drives ServerConn over a real socket (read → Feed →
// write Output, Tick on a read deadline). It sniffs the client preface
// and otherwise serves the HTTP/1.1 h2c upgrade. It answers "/" and
// "/health" with a small body, echoes POST bodies, and answers 404
// otherwise.

var helloBody = []byte("hello, h2\n")

type echoHandler struct{}

func (echoHandler) OnRequest(c *ServerConn, r *Request) {
	ct := header.Field{Name: []byte("content-type"), Value: []byte("text/plain")}
	var lenBuf [20]byte
	respond := func(status int, body []byte) {
		cl := header.Field{Name: []byte("content-length"), Value: strconv.AppendInt(lenBuf[:0], int64(len(body)), 10)}
		if string(r.Method) == "HEAD" {
			c.WriteHeaders(r.StreamID, status, header.List{ct, cl}, true)
			return
		}
		c.WriteHeaders(r.StreamID, status, header.List{ct, cl}, false)
		c.WriteData(r.StreamID, body, true)
	}
	switch {
	case string(r.Method) == "POST" || string(r.Method) == "PUT":
		respond(200, r.Body)
	case string(r.Path) == "/" || string(r.Path) == "/health":
		respond(200, helloBody)
	default:
		respond(404, []byte("not found\n"))
	}
}

func (echoHandler) OnStreamReset(*ServerConn, uint32, ErrCode) {}

// testServer serves ServerConns on a loopback listener until closed.
type testServer struct {
	ln   net.Listener
	cfg  Config
	wg   sync.WaitGroup
	addr string
}

func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{ln: ln, cfg: cfg, addr: ln.Addr().String()}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				serveConn(nc, cfg)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

var epoch = time.Now()

// monotonic returns a positive monotonic time in ns, as Feed and Tick want.
func monotonic() int64 { return int64(time.Since(epoch)) + 1 }

func serveConn(nc net.Conn, cfg Config) {
	defer nc.Close()
	sc := NewServerConn(cfg, echoHandler{})
	defer sc.Close()
	in := make([]byte, 0, 64<<10)
	buf := make([]byte, 32<<10)
	read := func() error {
		nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := nc.Read(buf)
		in = append(in, buf[:n]...)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			sc.Tick(monotonic())
			return nil
		}
		return err
	}
	flush := func() bool {
		for out := sc.Output(); len(out) > 0; out = sc.Output() {
			n, err := nc.Write(out)
			sc.Advance(n)
			if err != nil {
				return false
			}
		}
		return true
	}
	for {
		match, needMore := IsPreface(in)
		if match {
			break
		}
		if !needMore {
			end := bytes.Index(in, []byte("\r\n\r\n"))
			if end < 0 && len(in) < 8<<10 {
				if read() != nil {
					return
				}
				continue
			}
			if end >= 0 && upgradeH2C(nc, sc, in[:end]) {
				in = in[:copy(in, in[end+4:])]
			}
			break // anything else is an invalid preface for Feed to reject
		}
		if read() != nil {
			return
		}
	}
	for flush() && !sc.Done() {
		if len(in) > 0 {
			consumed, err := sc.Feed(in, monotonic())
			in = in[:copy(in, in[consumed:])]
			if err != nil {
				flush()
				return
			}
			if !flush() || sc.Done() {
				return
			}
		}
		if read() != nil {
			return
		}
	}
}

// upgradeH2C serves the HTTP/1.1 "Upgrade: h2c" handshake (RFC 7540 §3.2)
// for a GET without a body: 101, then ServerConn.Upgrade with the request.
// It reports false, having written nothing, for anything else.
func upgradeH2C(nc net.Conn, sc *ServerConn, head []byte) bool {
	lines := strings.Split(string(head), "\r\n")
	parts := strings.Fields(lines[0])
	req := &Request{Scheme: []byte("http")}
	var settings []byte
	upgrade := false
	for _, l := range lines[1:] {
		name, value, _ := strings.Cut(l, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "host":
			req.Authority = []byte(value)
			continue
		case "upgrade":
			upgrade = value == "h2c"
		case "http2-settings":
			settings = []byte(value)
		}
		req.Header = append(req.Header, header.Field{Name: []byte(name), Value: []byte(value)})
	}
	if len(parts) != 3 || parts[2] != "HTTP/1.1" || !upgrade || settings == nil {
		return false
	}
	req.Method, req.Path = []byte(parts[0]), []byte(parts[1])
	if _, err := nc.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")); err != nil {
		return false
	}
	return sc.Upgrade(settings, req) == nil
}

func h2specPath(t *testing.T) string {
	p := "/root/go/bin/h2spec"
	if _, err := os.Stat(p); err != nil {
		t.Skip("h2spec binary absent at /root/go/bin/h2spec: go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible")
	}
	return p
}
