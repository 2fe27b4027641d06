package mcp

import (
	"strconv"
	"sync"

	"github.com/pqloop/pqloop/httpx"
)

// An eventStream is one SSE stream of a session: the GET stream, or the
// stream a POST answered with. Each event gets an id "<stream>_<seq>"
// (2025-11-25 basic/transports, "Resumability and Redelivery": ids are
// per-stream cursors), and the last replayCap events are kept so a client
// that lost the connection can resume with Last-Event-ID on a new GET. The
// connection carrying the stream may change; the stream outlives it.
type eventStream struct {
	id    uint64
	owner *session // kept alive while a client listens; nil without a session
	mu    sync.Mutex
	seq   uint64
	// ring holds the last len(ring) events, oldest at ring[head] once full.
	ring  []sseEvent
	head  int
	count int
	out   httpx.StreamWriter // the live connection, or nil
	ended bool               // the final event was sent (POST streams)
	// closeAfterEnd ends the connection once the final event is out.
	closeAfterEnd bool
}

type sseEvent struct {
	seq  uint64
	data []byte
}

func newEventStream(id uint64, replayCap int) *eventStream {
	return &eventStream{id: id, ring: make([]sseEvent, replayCap)}
}

// appendEventID appends the SSE id for seq on stream id.
func appendEventID(dst []byte, stream, seq uint64) []byte {
	dst = strconv.AppendUint(dst, stream, 10)
	dst = append(dst, '_')
	return strconv.AppendUint(dst, seq, 10)
}

// parseEventID splits a Last-Event-ID value made by appendEventID.
func parseEventID(b []byte) (stream, seq uint64, ok bool) {
	for i, c := range b {
		if c == '_' {
			s, err1 := strconv.ParseUint(string(b[:i]), 10, 64)
			q, err2 := strconv.ParseUint(string(b[i+1:]), 10, 64)
			return s, q, err1 == nil && err2 == nil
		}
	}
	return 0, 0, false
}

// frame formats one SSE event (WHATWG HTML, "Server-sent events").
// data holds no newline: it is compact JSON.
func frame(dst []byte, stream, seq uint64, data []byte) []byte {
	dst = append(dst, "id: "...)
	dst = appendEventID(dst, stream, seq)
	if len(data) == 0 {
		return append(dst, "\ndata: \n\n"...)
	}
	dst = append(dst, "\nevent: message\ndata: "...)
	dst = append(dst, data...)
	return append(dst, "\n\n"...)
}

// send assigns data the next id, keeps it for replay and writes it to the
// live connection if there is one. final marks the stream's last event.
func (st *eventStream) send(data []byte, final bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended {
		return
	}
	st.seq++
	if len(st.ring) > 0 {
		i := (st.head + st.count) % len(st.ring)
		if st.count == len(st.ring) {
			st.head = (st.head + 1) % len(st.ring)
		} else {
			st.count++
		}
		st.ring[i] = sseEvent{seq: st.seq, data: append([]byte(nil), data...)}
	}
	st.ended = final
	if st.out == nil {
		return
	}
	buf := frame(make([]byte, 0, len(data)+48), st.id, st.seq, data)
	if st.out.Write(buf) != nil {
		st.out = nil
		return
	}
	if final && st.closeAfterEnd {
		_ = st.out.Close()
		st.out = nil
	}
}

// prime sends the priming event (an id and empty data) with a retry hint,
// so the client can reconnect before any real event arrives.
func (st *eventStream) prime(retryMillis int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.out == nil {
		return
	}
	buf := make([]byte, 0, 64)
	if retryMillis > 0 {
		buf = append(buf, "retry: "...)
		buf = strconv.AppendInt(buf, int64(retryMillis), 10)
		buf = append(buf, '\n')
	}
	buf = frame(buf, st.id, st.seq, nil)
	if st.out.Write(buf) != nil {
		st.out = nil
	}
}

// comment writes an SSE comment line: the keep-alive.
func (st *eventStream) comment() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.out != nil && st.out.Write([]byte(": keep-alive\n\n")) != nil {
		st.out = nil
	}
}

// attach makes w the live connection, first replaying the kept events
// after seq. Events older than the ring are gone: the client gets what is
// left (the ring is the bound on what a session may hold). A stream that
// has ended is replayed and then closed.
func (st *eventStream) attach(w httpx.StreamWriter, after uint64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.out != nil {
		_ = st.out.Close() // one connection per stream
	}
	st.out = w
	var buf []byte
	for i := 0; i < st.count; i++ {
		e := st.ring[(st.head+i)%len(st.ring)]
		if e.seq > after {
			buf = frame(buf, st.id, e.seq, e.data)
		}
	}
	if len(buf) > 0 && w.Write(buf) != nil {
		st.out = nil
		return
	}
	if st.ended {
		_ = w.Close()
		st.out = nil
	}
}

// connected reports whether a connection carries the stream now.
func (st *eventStream) connected() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.out != nil
}

// close ends the live connection.
func (st *eventStream) close() {
	st.mu.Lock()
	if st.out != nil {
		_ = st.out.Close()
		st.out = nil
	}
	st.ended = true
	st.mu.Unlock()
}

// dropConnection closes the live connection but keeps the stream open for
// a later resumption: the SSE polling pattern of 2025-11-25 (SEP-1699).
func (st *eventStream) dropConnection() {
	st.mu.Lock()
	if st.out != nil {
		_ = st.out.Close()
		st.out = nil
	}
	st.mu.Unlock()
}
