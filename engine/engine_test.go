package engine

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pqloop/pqloop/internal/testutil"
)

// lineProto is a tiny line protocol the engine tests drive over real
// sockets. Each complete line is a command:
//
//	big N     answer N bytes of 'x' and a newline
//	post G N  start G goroutines, each posting N writes "g-i" to the loop
//	idle      arm the idle deadline
//	ticks     answer the next two OnTicks, then stop ticking
//	anything else is echoed
//
// Like the HTTP driver, it answers every complete line it is offered and
// leaves bounding its output to the engine.
type lineProto struct {
	link  Link
	rec   *recorder
	ticks int
}

// recorder is what the tests observe of every connection's protocol.
type recorder struct {
	timeouts   chan Timeout
	links      chan Link // every connection's Link, as it opens
	closed     atomic.Int64
	maxBacklog atomic.Int64 // the most output seen queued when input was offered
}

func (p *lineProto) OnData(in []byte) (int, error) {
	// The engine must not offer input while the output is over MaxOutput.
	if b := int64(p.link.Backlog()); b > p.rec.maxBacklog.Load() {
		p.rec.maxBacklog.Store(b)
	}
	off := 0
	for {
		nl := bytes.IndexByte(in[off:], '\n')
		if nl < 0 {
			return off, nil
		}
		p.line(in[off : off+nl+1])
		off += nl + 1
	}
}

func (p *lineProto) line(l []byte) {
	f := strings.Fields(string(l))
	switch {
	case len(f) == 2 && f[0] == "big":
		n, _ := strconv.Atoi(f[1])
		p.link.Write(append(bytes.Repeat([]byte{'x'}, n), '\n'))
	case len(f) == 3 && f[0] == "post":
		g, _ := strconv.Atoi(f[1])
		n, _ := strconv.Atoi(f[2])
		for gi := range g {
			go func() {
				for i := range n {
					msg := []byte(strconv.Itoa(gi) + "-" + strconv.Itoa(i) + "\n")
					if !p.link.Post(func() { p.link.Write(msg) }) {
						return
					}
				}
			}()
		}
	case len(f) == 1 && f[0] == "idle":
		p.link.SetTimeout(TimeoutIdle)
	case len(f) == 1 && f[0] == "ticks":
		p.link.WantTicks(true)
	default:
		p.link.Write(l)
	}
}

func (p *lineProto) Flush() {}

// OnTick answers the first two ticks and then asks for no more.
func (p *lineProto) OnTick(now int64) {
	p.ticks++
	p.link.Write([]byte("tick " + strconv.FormatInt(now, 10) + "\n"))
	if p.ticks == 2 {
		p.link.WantTicks(false)
	}
}

func (p *lineProto) OnDrain()               { p.link.Close() }
func (p *lineProto) OnClose()               { p.rec.closed.Add(1) }
func (p *lineProto) OnTimeout(kind Timeout) { p.rec.timeouts <- kind }

// testLimits are small bounds so the tests reach them quickly.
func testLimits() Limits {
	return Limits{
		MaxConns:          100,
		MaxConnsPerIP:     100,
		HeaderTimeout:     time.Second,
		IdleTimeout:       time.Minute,
		WriteStallTimeout: 500 * time.Millisecond,
		MaxOutput:         256 << 10,
		MaxHeldInput:      16 << 10,
	}
}

func startEngine(t *testing.T, lim Limits) (*Engine, string, *recorder) {
	t.Helper()
	addr := testutil.FreeAddr(t)
	rec := &recorder{timeouts: make(chan Timeout, 100), links: make(chan Link, 100)}
	e, err := New(Config{Loops: 2, Limits: lim, Logger: slog.New(slog.DiscardHandler)}, &Listener{
		Name: "test", Addr: addr,
		NewProtocol: func(l Link) Protocol {
			select {
			case rec.links <- l:
			default:
			}
			return &lineProto{link: l, rec: rec}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e, addr, rec
}

type client struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

// dial connects, with a small receive buffer when rcvbuf > 0 (a slow
// reader).
func dial(t *testing.T, addr string, rcvbuf int) *client {
	t.Helper()
	if rcvbuf == 0 {
		c := testutil.Dial(t, addr, 20*time.Second)
		return &client{t: t, Conn: c, r: bufio.NewReader(c)}
	}
	c := testutil.DialSlowReader(t, addr, rcvbuf)
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, Conn: c, r: bufio.NewReader(c)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.Conn, s); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) readLine() string {
	c.t.Helper()
	s, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading a line: %v (got %q)", err, s)
	}
	return s
}

// expectClosed reads (and discards) until the server's close.
func (c *client) expectClosed(within time.Duration) {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	_, err := io.Copy(io.Discard, c.r)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		c.t.Fatalf("connection still open after %v", within)
	}
}

func loopStat(e *Engine, get func(*LoopStats) uint64) uint64 {
	var n uint64
	e.EachLoop(func(l *Loop) { n += get(&l.Stats) })
	return n
}

func TestEnginePipelinedAcrossEvents(t *testing.T) {
	_, addr, _ := startEngine(t, testLimits())
	c := dial(t, addr, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	var want bytes.Buffer
	for i := range 3000 {
		want.WriteString(strconv.Itoa(i) + ":" + strings.Repeat("y", rng.IntN(300)) + "\n")
	}
	// Write in random pieces that split lines anywhere, so lines arrive
	// across events and the engine must hold the partial ones.
	go func() {
		b := want.Bytes()
		for len(b) > 0 {
			n := min(len(b), 1+rng.IntN(2000))
			if _, err := c.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
			if rng.IntN(10) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	got := make([]byte, want.Len())
	if _, err := io.ReadFull(c.r, got); err != nil {
		t.Fatalf("reading the echo: %v", err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("the echo differs from what was sent")
	}
}

func TestEngineHeldInputBound(t *testing.T) {
	lim := testLimits()
	_, addr, _ := startEngine(t, lim)

	// Exactly MaxHeldInput bytes of an unfinished line are held across
	// events; the newline completes it.
	atBound := dial(t, addr, 0)
	line := strings.Repeat("h", lim.MaxHeldInput)
	for i := 0; i < len(line); i += 1000 {
		atBound.send(line[i:min(i+1000, len(line))])
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	atBound.send("\n")
	if got := atBound.readLine(); got != line+"\n" {
		t.Fatalf("held line came back as %d bytes, want %d", len(got), len(line)+1)
	}

	// One byte more and the connection is closed.
	over := dial(t, addr, 0)
	over.send(line + "h")
	over.expectClosed(10 * time.Second)

	// Echo still works on the first connection.
	atBound.send("still here\n")
	if got := atBound.readLine(); got != "still here\n" {
		t.Fatalf("got %q", got)
	}
}

func TestEnginePostInOrder(t *testing.T) {
	_, addr, _ := startEngine(t, testLimits())
	c := dial(t, addr, 0)
	const goroutines, each = 4, 2000
	c.send("post " + strconv.Itoa(goroutines) + " " + strconv.Itoa(each) + "\n")
	next := make([]int, goroutines)
	for range goroutines * each {
		l := strings.TrimSpace(c.readLine())
		g, i, ok := strings.Cut(l, "-")
		gi, err1 := strconv.Atoi(g)
		ii, err2 := strconv.Atoi(i)
		if !ok || err1 != nil || err2 != nil || gi >= goroutines {
			t.Fatalf("unexpected line %q", l)
		}
		if ii != next[gi] {
			t.Fatalf("goroutine %d: got post %d, want %d (out of order or lost)", gi, ii, next[gi])
		}
		next[gi]++
	}
}

func TestEnginePostAfterCloseDropped(t *testing.T) {
	_, addr, rec := startEngine(t, testLimits())
	c := dial(t, addr, 0)
	c.send("hi\n")
	c.readLine()
	var link Link
	for link == nil { // the loop probes' links come first
		l := <-rec.links
		if l.RemoteAddr().String() == c.LocalAddr().String() {
			link = l
		}
	}
	c.Close()
	testutil.Eventually(t, 10*time.Second, "the close seen by the loop", func() bool { return !link.Post(func() {}) })
	ran := make(chan struct{}, 1)
	if link.Post(func() { ran <- struct{}{} }) {
		t.Fatal("Post on a closed connection reported success")
	}
	time.Sleep(50 * time.Millisecond)
	select {
	case <-ran:
		t.Fatal("a func posted to a closed connection ran")
	default:
	}
}

func TestEngineIdleTimeoutOverSocket(t *testing.T) {
	lim := testLimits()
	lim.IdleTimeout = 300 * time.Millisecond
	e, addr, rec := startEngine(t, lim)
	c := dial(t, addr, 0)
	start := time.Now()
	c.send("idle\n")
	c.expectClosed(10 * time.Second)
	if d := time.Since(start); d < lim.IdleTimeout {
		t.Fatalf("closed after %v, before the idle timeout %v", d, lim.IdleTimeout)
	}
	if kind := <-rec.timeouts; kind != TimeoutIdle {
		t.Fatalf("OnTimeout(%v), want idle", kind)
	}
	if n := loopStat(e, func(s *LoopStats) uint64 { return s.Timeouts[TimeoutIdle].Load() }); n != 1 {
		t.Fatalf("idle timeouts counted %d, want 1", n)
	}
}

func TestEngineConnLimitsOverSocket(t *testing.T) {
	lim := testLimits()
	lim.MaxConnsPerIP = 2
	e, addr, _ := startEngine(t, lim)
	a, b := dial(t, addr, 0), dial(t, addr, 0)
	for _, c := range []*client{a, b} {
		c.send("hi\n")
		if got := c.readLine(); got != "hi\n" {
			t.Fatalf("got %q", got)
		}
	}
	third := dial(t, addr, 0)
	third.expectClosed(10 * time.Second)
	if n := e.Refused.MaxConnsPerIP.Load(); n != 1 {
		t.Fatalf("refused per-ip %d, want 1", n)
	}
	a.Close()
	testutil.Eventually(t, 10*time.Second, "slot released", func() bool { return e.OpenConns() == 1 })
	again := dial(t, addr, 0)
	again.send("back\n")
	if got := again.readLine(); got != "back\n" {
		t.Fatalf("got %q", got)
	}
}

// TestEngineWriteStallClosesNonReader: a client asks for far more output
// than MaxOutput, then neither reads nor sends. Its output must not sit
// queued for ever: after WriteStallTimeout the connection is closed.
func TestEngineWriteStallClosesNonReader(t *testing.T) {
	lim := testLimits()
	e, addr, rec := startEngine(t, lim)
	c := dial(t, addr, 4096)
	start := time.Now()
	c.send(strings.Repeat("big 1048576\n", 16))
	select {
	case kind := <-rec.timeouts:
		if kind != TimeoutWriteStall {
			t.Fatalf("OnTimeout(%v), want write_stall", kind)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("a client that never reads still holds %d bytes of queued output after 15s (write_stall_timeout %v)",
			rec.maxBacklog.Load(), lim.WriteStallTimeout)
	}
	if d := time.Since(start); d < lim.WriteStallTimeout {
		t.Fatalf("closed for a write stall after %v, before write_stall_timeout %v", d, lim.WriteStallTimeout)
	}
	testutil.Eventually(t, 10*time.Second, "the connection closed", func() bool { return e.OpenConns() == 0 })
	if n := loopStat(e, func(s *LoopStats) uint64 { return s.Timeouts[TimeoutWriteStall].Load() }); n != 1 {
		t.Fatalf("write stalls counted %d, want 1", n)
	}
	if b := rec.maxBacklog.Load(); b > int64(lim.MaxOutput) {
		t.Fatalf("input offered with %d bytes of output queued, over MaxOutput %d", b, lim.MaxOutput)
	}
}

// TestEngineBackpressureFlood: a client pipelines requests for big answers
// without ever reading. Its input is held back once its output passes
// MaxOutput, the held input's bound closes it, its queued output stays
// bounded, and another client is served all along.
func TestEngineBackpressureFlood(t *testing.T) {
	lim := testLimits()
	lim.WriteStallTimeout = 10 * time.Second // the held-input bound must act first
	lim.MaxHeldInput = 64 << 10
	e, addr, rec := startEngine(t, lim)

	flood := dial(t, addr, 4096) // its deadline ends the flood if the server never closes it
	floodDone := make(chan error, 1)
	go func() {
		req := []byte(strings.Repeat("big 65536\n", 10))
		for {
			if _, err := flood.Write(req); err != nil {
				floodDone <- err
				return
			}
			time.Sleep(time.Millisecond) // ~100 KB/s: the held-input bound is reached in a few seconds
		}
	}()

	// The good client is served while the flood runs, until it is closed.
	good := dial(t, addr, 0)
	var err error
	for served := 0; err == nil; served++ {
		msg := "ping " + strconv.Itoa(served) + "\n"
		good.send(msg)
		if got := good.readLine(); got != msg {
			t.Fatalf("good client got %q, want %q", got, msg)
		}
		select {
		case err = <-floodDone:
		default:
		}
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the flooding client was never closed")
	}
	if n := loopStat(e, func(s *LoopStats) uint64 { return s.Paused.Load() }); n == 0 {
		t.Fatal("the flooding connection's input was never held back")
	}
	if b := rec.maxBacklog.Load(); b > int64(lim.MaxOutput) {
		t.Fatalf("input offered with %d bytes of output queued, over MaxOutput %d", b, lim.MaxOutput)
	}
	if n := loopStat(e, func(s *LoopStats) uint64 { return s.Timeouts[TimeoutWriteStall].Load() }); n != 0 {
		t.Fatalf("closed by the write-stall timeout (%d), not the held-input bound", n)
	}
	testutil.Eventually(t, 10*time.Second, "only the good client left", func() bool { return e.OpenConns() == 1 })
	good.send("after\n")
	if got := good.readLine(); got != "after\n" {
		t.Fatalf("got %q", got)
	}
}

func TestEngineDrain(t *testing.T) {
	e, addr, _ := startEngine(t, testLimits())
	idle := dial(t, addr, 0)
	idle.send("x\n")
	idle.readLine()
	busy := dial(t, addr, 0)
	busy.send("x\n")
	busy.readLine()
	// A protocol that does not close on drain keeps the drain waiting.
	swapped := make(chan struct{}, 2)
	e.EachLoop(func(l *Loop) {
		_ = l.el.Execute(context.Background(), runnable(func() {
			l.all.each(func(c *Conn) {
				if c.remote.String() == busy.LocalAddr().String() {
					c.proto = stubborn{c.proto}
					swapped <- struct{}{}
				}
			})
		}))
	})
	select {
	case <-swapped:
	case <-time.After(5 * time.Second):
		t.Fatal("the busy connection was not found on any loop")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := e.Drain(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 connections still open") {
		t.Fatalf("Drain = %v, want the one stubborn connection named", err)
	}
	idle.expectClosed(5 * time.Second)
	busy.expectClosed(5 * time.Second) // Stop after the deadline closes it
}

// stubborn ignores OnDrain.
type stubborn struct{ Protocol }

func (stubborn) OnDrain() {}

type runnable func()

func (r runnable) Run(context.Context) error { r(); return nil }

func TestEngineTicks(t *testing.T) {
	_, addr, _ := startEngine(t, testLimits())
	c := dial(t, addr, 0)
	c.send("ticks\n")
	var at [2]int64
	for i := range at {
		l := strings.TrimSpace(c.readLine())
		v, ok := strings.CutPrefix(l, "tick ")
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			t.Fatalf("got %q, want a tick", l)
		}
		at[i] = n
	}
	// Protocol ticks come about once a second of the loop clock.
	if gap := time.Duration(at[1] - at[0]); gap < 500*time.Millisecond {
		t.Fatalf("ticks %v apart, want about a second", gap)
	}
	// No tick after WantTicks(false): the next line is the echo.
	time.Sleep(1200 * time.Millisecond) // past the next second boundary
	c.send("after\n")
	if got := c.readLine(); got != "after\n" {
		t.Fatalf("got %q after the protocol stopped ticking", got)
	}
}
