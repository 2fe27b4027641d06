package loadgen

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"os"
	"sync/atomic"
	"time"
)

const (
	// readBufferSize holds the largest HTTP/1.1 head or HTTP/2 frame we
	// accept (maxResponseHeadBytes, defaultMaxFrameSize) with room to spare.
	readBufferSize = 64 << 10
	// redialBackoff paces reconnection attempts to a server that refuses,
	// so a dead server costs the run errors, not a spinning core.
	redialBackoff = 10 * time.Millisecond
	// noEnd marks a run bounded only by its request count.
	noEnd = math.MaxInt64
)

var errBufferFull = errors.New("loadgen: read buffer full without a complete response")

// clock gives times as nanoseconds since the run started, on the monotonic clock.
type clock struct{ start time.Time }

func (c clock) now() int64           { return int64(time.Since(c.start)) }
func (c clock) at(t int64) time.Time { return c.start.Add(time.Duration(t)) }

// run is the state all workers share, read-only but for the budget.
type run struct {
	cfg       *Config
	clock     clock
	warmupEnd int64
	end       int64
	budget    atomic.Int64 // measured requests left to start, if cfg.Requests > 0
	h1        []byte
	h2        *h2Request
}

// take claims one request sent at at from the budget; false means the run's
// request count is spent.
func (r *run) take(at int64) bool {
	if r.cfg.Requests <= 0 || at < r.warmupEnd {
		return true
	}
	return r.budget.Add(-1) >= 0
}

// worker drives one connection at a time, reconnecting until the run ends.
type worker struct {
	run      *run
	pace     pacer
	stats    *stats
	in       []byte
	now      int64 // time of the last read, when reporter methods run
	draining bool  // the budget is spent: finish what is in flight, then stop
	firstErr error
}

// Responses are measured when they complete after the warmup, whenever they
// were sent: an open loop that fell behind during the warmup still reports
// the backlog's latency instead of nothing.
func (w *worker) completed(status int, sentAt int64) {
	if w.now < w.run.warmupEnd {
		return
	}
	s := w.stats
	s.requests++
	s.status[status]++
	us := min(max((w.now-sentAt)/1e3, 1), maxLatency.Microseconds())
	_ = s.latency.RecordValue(us) // in range by construction
	s.last = w.now
}

func (w *worker) failed() {
	if w.now >= w.run.warmupEnd {
		w.stats.errors++
	}
}

// lost counts the requests a broken connection took with it.
func (w *worker) lost(inflight int, err error) {
	if w.firstErr == nil {
		w.firstErr = err
	}
	if w.run.clock.now() >= w.run.warmupEnd {
		w.stats.errors += uint64(max(inflight, 1))
	}
}

func (w *worker) loop(ctx context.Context) {
	for ctx.Err() == nil && !w.draining && w.run.clock.now() < w.run.end {
		w.connection(ctx)
	}
}

func (w *worker) newSession() session {
	if w.run.h2 != nil {
		return newH2Session(w.run.h2, w.run.cfg.Depth)
	}
	return newH1Session(w.run.h1, w.run.cfg)
}

// connection dials once and serves the connection until it must be replaced.
func (w *worker) connection(ctx context.Context) {
	cfg := w.run.cfg
	first := int64(-1)
	if cfg.Reconnect {
		at, ok := w.waitDue(ctx)
		if !ok {
			return
		}
		first = at
	}
	conn, err := cfg.Dial(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		if first < 0 && !w.run.take(w.run.clock.now()) {
			w.draining = true // a dead server must not stall a run bounded by -n
		}
		w.lost(1, err)
		sleep(ctx, redialBackoff)
		return
	}
	defer conn.Close()
	// Cancelling the run unblocks a pending read by expiring the deadline.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	sess := w.newSession()
	if first >= 0 {
		sess.start(first)
	}
	w.serve(ctx, conn, sess)
}

// waitDue blocks until the next request is due; false if the run ended
// first or the budget is spent.
func (w *worker) waitDue(ctx context.Context) (int64, bool) {
	for {
		now := w.run.clock.now()
		if now >= w.run.end || ctx.Err() != nil {
			return 0, false
		}
		if at, ok := w.pace.due(now); ok {
			if !w.run.take(at) {
				w.draining = true
				return 0, false
			}
			return at, true
		}
		sleep(ctx, time.Duration(min(w.pace.next(), w.run.end)-now))
	}
}

// serve runs the read/write loop of one connection. Requests start when the
// pacer says so and a slot is free; the socket deadline is the earliest of
// the run's end, the next open-loop send and the oldest request's timeout.
// Writes need no deadline: at most Depth requests are ever queued, which the
// socket buffer absorbs.
func (w *worker) serve(ctx context.Context, conn net.Conn, sess session) {
	r, cfg := w.run, w.run.cfg
	timeout := int64(cfg.Timeout)
	in := w.in[:0]
	deadline := int64(0)     // the deadline set on conn; 0 means none yet
	timeoutCheck := int64(0) // when to look at the oldest request again
	for {
		now := r.clock.now()
		if now >= r.end {
			return
		}
		for !cfg.Reconnect && !w.draining && sess.ready() {
			at, ok := w.pace.due(now)
			if !ok {
				break
			}
			if !r.take(at) {
				w.draining = true
				break
			}
			sess.start(at)
		}
		if out := sess.output(); len(out.b) > 0 {
			if _, err := conn.Write(out.b); err != nil {
				if ctx.Err() == nil { // not the cancel's expired deadline
					w.lost(sess.inflight(), err)
				}
				return
			}
			out.b = out.b[:0]
		}
		if sess.inflight() == 0 && (w.draining || cfg.Reconnect || sess.closing()) {
			return
		}

		want := r.end
		if sess.inflight() > 0 {
			// Requests are started in send-time order, so a check time taken
			// from an older oldest is never late; it only fires early, and
			// moving the deadline once per timeout keeps SetDeadline rare.
			if timeoutCheck <= now {
				timeoutCheck = sess.oldest() + timeout
			}
			want = min(want, timeoutCheck)
		}
		if w.pace.openLoop() && !cfg.Reconnect && !w.draining && sess.ready() {
			want = min(want, w.pace.next())
		}
		if want != deadline {
			t := time.Time{}
			if want != noEnd {
				t = r.clock.at(want)
			}
			conn.SetReadDeadline(t)
			deadline = want
			if ctx.Err() != nil { // lost a race with the cancel's deadline
				return
			}
		}

		n, err := conn.Read(in[len(in):cap(in)])
		w.now = r.clock.now()
		if n > 0 {
			if w.now >= r.warmupEnd {
				w.stats.bytes += uint64(n)
			}
			in = in[:len(in)+n]
			used, perr := sess.receive(in, w)
			if perr != nil {
				w.lost(sess.inflight(), perr)
				return
			}
			in = in[:copy(in, in[used:])]
			if len(in) == cap(in) {
				w.lost(sess.inflight(), errBufferFull)
				return
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded):
			if ctx.Err() != nil || w.now >= r.end {
				return
			}
			if sess.inflight() > 0 && w.now-sess.oldest() >= timeout {
				if w.now >= r.warmupEnd {
					w.stats.timeouts += uint64(sess.inflight())
				}
				return
			}
		case err == io.EOF && sess.inflight() == 0:
			return // the server closed an idle connection: just reconnect
		default:
			w.lost(sess.inflight(), err)
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
