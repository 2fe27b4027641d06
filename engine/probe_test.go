package engine

import (
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
)

// TestEngineClientsDuringStart: clients that connect while the engine is
// starting (a health checker polling the port) must be served like any
// other, never mistaken for the engine's own loop probes.
func TestEngineClientsDuringStart(t *testing.T) {
	addr := testutil.FreeAddr(t)
	rec := &recorder{timeouts: make(chan Timeout, 100), links: make(chan Link, 1000)}
	lim := testLimits()
	lim.MaxConns, lim.MaxConnsPerIP = 10000, 10000 // above what the dialer below can open
	e, err := New(Config{Loops: 2, Limits: lim, Logger: slog.New(slog.DiscardHandler)}, &Listener{
		Name: "test", Addr: addr,
		NewProtocol: func(l Link) Protocol { return &lineProto{link: l, rec: rec} },
	})
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // dial as fast as possible until Start returns
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				time.Sleep(100 * time.Microsecond)
				continue
			}
			mu.Lock()
			conns = append(conns, c)
			full := len(conns) == 1000
			mu.Unlock()
			if full {
				return
			}
		}
	}()
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	close(stop)
	wg.Wait()
	t.Logf("%d connections made during Start", len(conns))
	for i, c := range conns {
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("hello\n")); err != nil {
			t.Fatalf("connection %d made during Start: write: %v", i, err)
		}
		buf := make([]byte, 6)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello\n" {
			t.Fatalf("connection %d of %d made during Start was not served: %q, %v", i, len(conns), buf, err)
		}
	}
}
