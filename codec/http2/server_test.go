package http2

import (
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pqloop/pqloop/codec/header"
)

// The integration harness: a goroutine-per-connection TCP server on
// 127.0.0.1 that drives ServerConn over a real socket (read → Feed →
// write Output, Tick on a read deadline). It answers "/" and "/health"
// with a small body, echoes POST bodies, and answers 404 otherwise.

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
	for flush() && !sc.Done() {
		nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := nc.Read(buf)
		if n > 0 {
			in = append(in, buf[:n]...)
			consumed, ferr := sc.Feed(in, monotonic())
			in = in[:copy(in, in[consumed:])]
			if ferr != nil {
				flush()
				return
			}
		}
		var ne net.Error
		switch {
		case err == nil:
		case errors.As(err, &ne) && ne.Timeout():
			sc.Tick(monotonic())
		default:
			return
		}
	}
}

func h2specPath(t *testing.T) string {
	p := "/root/go/bin/h2spec"
	if _, err := os.Stat(p); err != nil {
		t.Skip("h2spec binary absent at /root/go/bin/h2spec: go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible")
	}
	return p
}
