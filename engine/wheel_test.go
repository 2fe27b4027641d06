package engine

import (
	"math/rand/v2"
	"testing"
	"time"
)

// testTick is the wheel's tick in these tests: the engine's own.
const testTick = int64(tickInterval)

// wheelClock drives a Loop's wheel by hand: no event loop, no sockets, the
// clock is a value the test moves.
type wheelClock struct {
	l     *Loop
	fired map[*Conn][]int64 // when each connection fired
}

func newWheelClock(t *testing.T, lim Limits) *wheelClock {
	t.Helper()
	e := &Engine{epoch: time.Now()}
	e.limits.Store(&lim)
	l := &Loop{eng: e}
	l.wheel.init()
	l.wheel.tick = testTick
	return &wheelClock{l: l, fired: make(map[*Conn][]int64)}
}

func (w *wheelClock) conn() *Conn { return &Conn{loop: w.l, slot: -1} }

// arm sets c's deadline of kind from the current clock, as a protocol does.
func (w *wheelClock) arm(c *Conn, kind Timeout) { w.l.setTimeout(c, kind) }

// advanceTo moves the clock to now and runs the wheel, as a loop tick does.
func (w *wheelClock) advanceTo(now int64) {
	w.l.now = now
	w.l.wheel.advance(now, func(c *Conn) {
		c.timeout = TimeoutNone
		w.fired[c] = append(w.fired[c], now)
	})
}

// run ticks the clock to until, one tick at a time.
func (w *wheelClock) run(until int64) {
	for now := w.l.now + testTick; now <= until; now += testTick {
		w.advanceTo(now)
	}
}

// checkFiredOnce asserts c fired exactly once, not before deadline and at
// the first tick at or after it.
func (w *wheelClock) checkFiredOnce(t *testing.T, name string, c *Conn, deadline int64) {
	t.Helper()
	got := w.fired[c]
	if len(got) != 1 {
		t.Fatalf("%s: fired %d times, want 1", name, len(got))
	}
	if got[0] < deadline {
		t.Fatalf("%s: fired at %v, before its deadline %v", name, time.Duration(got[0]), time.Duration(deadline))
	}
	if got[0] >= deadline+testTick {
		t.Fatalf("%s: fired at %v, more than a tick after its deadline %v", name, time.Duration(got[0]), time.Duration(deadline))
	}
	if c.slot != -1 {
		t.Fatalf("%s: still filed in slot %d after firing", name, c.slot)
	}
}

func TestWheelArmFiresOnceNotEarly(t *testing.T) {
	w := newWheelClock(t, Limits{IdleTimeout: 1 * time.Second})
	w.advanceTo(3 * testTick / 2) // start mid-tick
	c := w.conn()
	w.arm(c, TimeoutIdle)
	deadline := w.l.now + int64(time.Second)
	w.run(deadline - 1)
	if len(w.fired[c]) != 0 {
		t.Fatalf("fired at %v, before its deadline %v", time.Duration(w.fired[c][0]), time.Duration(deadline))
	}
	w.run(deadline + 10*testTick)
	w.checkFiredOnce(t, "idle", c, deadline)
}

func TestWheelRearmLater(t *testing.T) {
	w := newWheelClock(t, Limits{IdleTimeout: time.Second})
	c := w.conn()
	w.arm(c, TimeoutIdle)
	// A keep-alive connection re-arms after every request: each re-arm
	// pushes the deadline later, and only the last one counts.
	var deadline int64
	for range 30 {
		w.run(w.l.now + 3*testTick)
		w.arm(c, TimeoutIdle)
		deadline = w.l.now + int64(time.Second)
	}
	if len(w.fired[c]) != 0 {
		t.Fatalf("fired at %v while being re-armed", time.Duration(w.fired[c][0]))
	}
	w.run(deadline + 5*testTick)
	w.checkFiredOnce(t, "re-armed later", c, deadline)
}

func TestWheelRearmEarlier(t *testing.T) {
	w := newWheelClock(t, Limits{IdleTimeout: 10 * time.Second, HeaderTimeout: 200 * time.Millisecond})
	c := w.conn()
	w.arm(c, TimeoutIdle)
	w.run(w.l.now + 4*testTick)
	w.arm(c, TimeoutHeader) // a request begins: the shorter header deadline
	deadline := w.l.now + int64(200*time.Millisecond)
	w.run(deadline + 2*testTick)
	w.checkFiredOnce(t, "re-armed earlier", c, deadline)
	if c.timeout != TimeoutNone {
		t.Fatalf("timeout kind %v after firing", c.timeout)
	}
	w.run(w.l.now + int64(11*time.Second)) // the old idle deadline must not fire too
	if n := len(w.fired[c]); n != 1 {
		t.Fatalf("fired %d times, want 1", n)
	}
}

func TestWheelDisarm(t *testing.T) {
	w := newWheelClock(t, Limits{IdleTimeout: time.Second})
	a, b := w.conn(), w.conn()
	w.arm(a, TimeoutIdle)
	w.arm(b, TimeoutIdle)
	w.run(5 * testTick)
	w.arm(a, TimeoutNone)
	if a.slot != -1 {
		t.Fatalf("disarmed connection still in slot %d", a.slot)
	}
	w.arm(a, TimeoutNone) // twice is harmless
	w.run(int64(3 * time.Second))
	if n := len(w.fired[a]); n != 0 {
		t.Fatalf("disarmed connection fired %d times", n)
	}
	w.checkFiredOnce(t, "still armed", b, int64(time.Second))
}

func TestWheelBeyondOneRevolution(t *testing.T) {
	revolution := time.Duration(wheelSlots * testTick)
	w := newWheelClock(t, Limits{IdleTimeout: 2*revolution + 7*time.Duration(testTick) + time.Millisecond})
	c := w.conn()
	w.arm(c, TimeoutIdle)
	deadline := int64(2*revolution + 7*time.Duration(testTick) + time.Millisecond)
	// The slot comes round twice before the deadline: it must not fire then.
	w.run(deadline - 1)
	if len(w.fired[c]) != 0 {
		t.Fatalf("fired at %v, before its deadline %v", time.Duration(w.fired[c][0]), time.Duration(deadline))
	}
	w.run(deadline + 2*testTick)
	w.checkFiredOnce(t, "beyond a revolution", c, deadline)
}

func TestWheelClockJumpsMoreThanARevolution(t *testing.T) {
	// A loop stalled for longer than a revolution (a stopped process, a
	// suspended VM) must still fire everything due, once, and keep the rest.
	w := newWheelClock(t, Limits{IdleTimeout: time.Second, HeaderTimeout: time.Hour})
	due, later := w.conn(), w.conn()
	w.arm(due, TimeoutIdle)
	w.arm(later, TimeoutHeader)
	jump := int64(3*wheelSlots)*testTick + 17
	w.advanceTo(jump)
	if n := len(w.fired[due]); n != 1 {
		t.Fatalf("due connection fired %d times after the jump, want 1", n)
	}
	if n := len(w.fired[later]); n != 0 {
		t.Fatalf("connection due in an hour fired after a %v jump", time.Duration(jump))
	}
	w.run(int64(time.Hour) + 2*testTick)
	w.checkFiredOnce(t, "after jump", later, int64(time.Hour))
}

// TestWheelManyConnections arms thousands of connections with every kind of
// deadline, re-arms and disarms them at random, and checks each armed one
// fires exactly once, never early and within a tick of its deadline.
func TestWheelManyConnections(t *testing.T) {
	lim := Limits{
		HeaderTimeout:     130 * time.Millisecond,
		IdleTimeout:       3 * time.Second,
		WriteStallTimeout: time.Duration(wheelSlots*testTick) + 333*time.Millisecond, // past a revolution
	}
	w := newWheelClock(t, lim)
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	conns := make([]*Conn, n)
	deadline := make(map[*Conn]int64, n) // 0: not armed
	for i := range conns {
		conns[i] = w.conn()
	}
	kinds := []Timeout{TimeoutNone, TimeoutHeader, TimeoutIdle, TimeoutWriteStall}
	stopArming := int64(lim.WriteStallTimeout) + int64(5*time.Second)
	end := stopArming + int64(lim.WriteStallTimeout) + int64(time.Second)
	for w.l.now < end {
		// Move the clock by a fraction of a tick to a few ticks.
		prev := w.l.now
		w.advanceTo(w.l.now + rng.Int64N(3*testTick) + 1)
		for c, d := range deadline {
			if len(w.fired[c]) > 0 {
				if d == 0 {
					t.Fatalf("a disarmed connection fired")
				}
				// Not early, and no later than the first step past the
				// end of the deadline's tick: with a tick every tickInterval
				// that is within one tick of the deadline.
				late := prev >= (d/testTick+1)*testTick
				if got := w.fired[c][0]; got < d || late || len(w.fired[c]) != 1 {
					t.Fatalf("fired at %v (%d times) for deadline %v; previous step %v",
						time.Duration(got), len(w.fired[c]), time.Duration(d), time.Duration(prev))
				}
				delete(deadline, c)
				delete(w.fired, c)
			}
		}
		if w.l.now > stopArming {
			continue // stop re-arming: let everything come due
		}
		for range 50 {
			c := conns[rng.IntN(n)]
			kind := kinds[rng.IntN(len(kinds))]
			w.arm(c, kind)
			if kind == TimeoutNone {
				deadline[c] = 0
				continue
			}
			deadline[c] = w.l.now + int64(lim.timeout(kind))
		}
	}
	for c, d := range deadline {
		if d != 0 {
			t.Fatalf("a connection armed for %v never fired (now %v)", time.Duration(d), time.Duration(w.l.now))
		}
		if c.slot != -1 {
			t.Fatalf("a disarmed connection is still filed")
		}
	}
	for s, slot := range w.l.wheel.slots {
		if slot.head != nil {
			t.Fatalf("slot %d still holds a connection", s)
		}
	}
}
