package http2

import "github.com/pqloop/pqloop/codec/header"

// streamState is the server's view of a stream (RFC 9113 §5.1). Idle and
// closed streams have no stream value: idle ones are above lastStreamID,
// closed ones are below it (recentClosed remembers the latest).
type streamState uint8

const (
	stateOpen             streamState = iota // request still arriving
	stateHalfClosedRemote                    // request complete, response under way
)

// span locates bytes in a stream's arena; offsets survive arena growth.
type span struct{ off, len uint32 }

type fieldSpan struct{ name, value span }

// stream holds one request and the response data waiting for window.
// Streams are recycled through ServerConn.free with their buffers, which is
// what keeps the steady state free of allocations.
type stream struct {
	id          uint32
	state       streamState
	owned       bool // OnRequest ran and the response has not ended
	headersSent bool
	queued      bool // in ServerConn.blocked
	// sentDataSinceWU: DATA went out since the last WINDOW_UPDATE for the stream.
	sentDataSinceWU bool
	sendWindow      int64
	recvWindow      int64
	recvUnacked     int64 // received bytes not yet returned by WINDOW_UPDATE
	openedAt        int64
	stalledSince    int64 // last progress of queued output

	contentLength int64 // -1 when absent
	arena         []byte
	fields        []fieldSpan // request fields, then trailer fields from trailerStart
	trailerStart  int         // -1 until a trailer block starts
	method        span
	scheme        span
	authority     span
	path          span
	pseudoSeen    uint8
	body          []byte

	pending      []byte // response data waiting for flow-control window
	pendingHead  int
	pendingEnd   bool   // END_STREAM follows the pending data
	trailerBlock []byte // encoded trailers to send once pending data is out
	hasTrailers  bool
}

// retainLimit caps the buffer capacity a recycled stream keeps, so one
// large request does not pin memory for the connection's lifetime.
const retainLimit = 64 << 10

func (s *stream) reset() {
	arena, fields, body, pending, tb := s.arena[:0], s.fields[:0], s.body[:0], s.pending[:0], s.trailerBlock[:0]
	if cap(arena) > retainLimit {
		arena = nil
	}
	if cap(body) > retainLimit {
		body = nil
	}
	if cap(pending) > retainLimit {
		pending = nil
	}
	*s = stream{arena: arena, fields: fields, body: body, pending: pending, trailerBlock: tb, contentLength: -1, trailerStart: -1}
}

func (s *stream) bytes(sp span) []byte { return s.arena[sp.off : sp.off+sp.len : sp.off+sp.len] }

func (s *stream) store(b []byte) span {
	sp := span{uint32(len(s.arena)), uint32(len(b))}
	s.arena = append(s.arena, b...)
	return sp
}

func (s *stream) pendingLen() int { return len(s.pending) - s.pendingHead }

// buildRequest fills req from the stream; slices alias the stream buffers.
func (s *stream) buildRequest(req *Request) {
	req.StreamID = s.id
	req.Method, req.Scheme = s.bytes(s.method), s.bytes(s.scheme)
	req.Authority, req.Path = s.bytes(s.authority), s.bytes(s.path)
	ts := s.trailerStart
	if ts < 0 { // no trailers: every field is a request field
		ts = len(s.fields)
	}
	req.Header = s.appendFields(req.Header[:0], s.fields[:ts])
	req.Trailer = s.appendFields(req.Trailer[:0], s.fields[ts:])
	req.Body = s.body
}

func (s *stream) appendFields(l header.List, spans []fieldSpan) header.List {
	for _, f := range spans {
		l = append(l, header.Field{Name: s.bytes(f.name), Value: s.bytes(f.value)})
	}
	return l
}
