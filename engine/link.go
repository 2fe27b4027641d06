package engine

import "net/netip"

// Protocol is the per-connection protocol state the engine drives. All its
// methods run on the connection's event loop.
type Protocol interface {
	// OnData is given every buffered inbound byte and returns how many it
	// consumed; bytes it leaves are offered again with the next event. It
	// may consume less than a whole message and nothing while it waits for
	// work in flight (the engine then offers the bytes again after Post).
	// After posted work has run it is called even with no input, so a
	// protocol holding input of its own (a decrypted record) can move on.
	// An error closes the connection after what was written is flushed.
	OnData(in []byte) (consumed int, err error)
	// Flush runs before the engine writes the connection's output, once per
	// event: a chance to move buffered output (e.g. seal records) to the Link.
	Flush()
	// OnTimeout reports that the connection's deadline of kind passed. The
	// engine closes the connection after it returns (and after flushing).
	OnTimeout(kind Timeout)
	// OnTick runs about once a second for connections that asked for it with
	// Link.WantTicks; now is the loop's monotonic clock in nanoseconds.
	OnTick(now int64)
	// OnDrain asks the protocol to finish what is in flight, refuse new work
	// and call Link.Close when done.
	OnDrain()
	// OnClose releases the protocol's resources. The Link is dead.
	OnClose()
}

// Link is a Protocol's view of its connection. The engine's Conn is one; a
// wrapping protocol (the PQ channel) gives its inner protocol another.
type Link interface {
	// Write queues p for the peer; p is copied before Write returns.
	Write(p []byte)
	// Append has a append output straight to the queued bytes, sparing
	// the copy Write makes (the PQ channel seals records this way).
	Append(a Appender)
	// Post runs fn on the connection's loop, soon, from any goroutine. fn
	// is dropped (and the dropped func is not run) if the connection closed.
	Post(fn func()) bool
	// Offload runs fn on the bounded offload pool; false when it is full.
	Offload(fn func()) bool
	// Close closes the connection once what was written has been flushed.
	Close()
	// SetTimeout arms the deadline of kind (replacing the current one);
	// TimeoutNone disarms it.
	SetTimeout(kind Timeout)
	// WantTicks asks for (or stops) OnTick calls.
	WantTicks(on bool)
	// Loop is the connection's event loop.
	Loop() *Loop
	// RemoteAddr is the peer's address.
	RemoteAddr() netip.AddrPort
	// Draining reports whether the engine is draining.
	Draining() bool
	// Backlog is how many bytes written to the Link wait for the socket.
	Backlog() int
}

// Appender appends output to dst and returns the extended slice.
type Appender interface {
	AppendTo(dst []byte) []byte
}

// Timeout names a connection deadline. Durations come from the engine's
// live configuration.
type Timeout uint8

const (
	TimeoutNone Timeout = iota
	// TimeoutHeader bounds the time to receive a request's header block
	// (slowloris).
	TimeoutHeader
	// TimeoutIdle bounds a keep-alive connection with nothing in flight.
	TimeoutIdle
	// TimeoutWriteStall bounds how long output may stay over the
	// backpressure bound; the engine arms it itself.
	TimeoutWriteStall
	// TimeoutDrainGrace is how long an idle connection stays open once a
	// drain begins, so that a request already on the wire is still served
	// (with Connection: close) rather than met with a closed socket.
	TimeoutDrainGrace
)

func (t Timeout) String() string {
	switch t {
	case TimeoutHeader:
		return "header"
	case TimeoutIdle:
		return "idle"
	case TimeoutWriteStall:
		return "write_stall"
	case TimeoutDrainGrace:
		return "drain_grace"
	}
	return "none"
}
