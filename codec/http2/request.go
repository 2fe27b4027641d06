package http2

import "github.com/pqloop/pqloop/codec/header"

// Request is a complete request as handed to Handler.OnRequest. Every slice
// is valid until OnRequest returns.
type Request struct {
	StreamID                        uint32
	Method, Scheme, Authority, Path []byte
	Header                          header.List // regular fields, lower-case names
	Body                            []byte
	Trailer                         header.List
}

// Handler receives the requests of one connection.
type Handler interface {
	// OnRequest runs when a stream's request is complete (END_STREAM
	// seen). Slices are valid until it returns. The handler may answer
	// right away (WriteHeaders/WriteData) or later, after Feed returned.
	OnRequest(c *ServerConn, req *Request)
	// OnStreamReset reports that a stream the handler still owns ended
	// early (peer RST_STREAM, connection error, timeout).
	OnStreamReset(c *ServerConn, streamID uint32, code ErrCode)
}

// Request pseudo-header fields (RFC 9113 §8.3.1), as bits of pseudoSeen.
const (
	pseudoMethod uint8 = 1 << iota
	pseudoScheme
	pseudoAuthority
	pseudoPath
)

// headerBuild validates decoded fields (RFC 9113 §8.2, §8.3) and stores
// them in the stream. A nil stream means the block is decoded only to keep
// HPACK in step, and its fields are dropped.
type headerBuild struct {
	s          *stream
	trailer    bool
	regularGot bool
	malformed  string // first rule broken; the stream is reset
}

func (b *headerBuild) start(s *stream, trailer bool) {
	*b = headerBuild{s: s, trailer: trailer}
	if s != nil && trailer {
		s.trailerStart = len(s.fields)
	}
}

func (b *headerBuild) field(name, value []byte) {
	s := b.s
	if s == nil || b.malformed != "" {
		return
	}
	if len(name) > 0 && name[0] == ':' {
		b.pseudo(name, value)
		return
	}
	b.regularGot = true
	switch {
	case !validFieldName(name):
		b.malformed = "invalid field name"
	case !header.ValidValue(value):
		b.malformed = "invalid field value"
	case header.EqualFold(name, "te"):
		// §8.2.2: TE may only say "trailers".
		if !header.EqualFold(value, "trailers") {
			b.malformed = "TE other than trailers"
		}
	case connectionSpecific(name):
		b.malformed = "connection-specific field"
	case !b.trailer && header.EqualFold(name, "content-length"):
		b.contentLength(value)
	}
	if b.malformed == "" {
		s.fields = append(s.fields, fieldSpan{s.store(name), s.store(value)})
	}
}

func (b *headerBuild) pseudo(name, value []byte) {
	s := b.s
	if b.trailer || b.regularGot {
		b.malformed = "pseudo-header in trailers or after a regular field"
		return
	}
	var bit uint8
	var dst *span
	switch string(name) {
	case ":method":
		bit, dst = pseudoMethod, &s.method
	case ":scheme":
		bit, dst = pseudoScheme, &s.scheme
	case ":authority":
		bit, dst = pseudoAuthority, &s.authority
	case ":path":
		bit, dst = pseudoPath, &s.path
	default:
		b.malformed = "unknown or response pseudo-header"
		return
	}
	if s.pseudoSeen&bit != 0 {
		b.malformed = "duplicate pseudo-header"
		return
	}
	if !header.ValidValue(value) {
		b.malformed = "invalid pseudo-header value"
		return
	}
	s.pseudoSeen |= bit
	*dst = s.store(value)
}

func (b *headerBuild) contentLength(v []byte) {
	n, ok := parseContentLength(v)
	if !ok || b.s.contentLength >= 0 && b.s.contentLength != n {
		b.malformed = "invalid content-length"
		return
	}
	b.s.contentLength = n
}

// finish checks what only the whole list shows (§8.3.1).
func (b *headerBuild) finish() string {
	s := b.s
	if b.malformed != "" || b.trailer {
		return b.malformed
	}
	if s.pseudoSeen&pseudoMethod == 0 || !header.ValidToken(s.bytes(s.method)) {
		return "missing or invalid :method"
	}
	if string(s.bytes(s.method)) == "CONNECT" {
		// §8.5: CONNECT names only the authority.
		if s.pseudoSeen != pseudoMethod|pseudoAuthority {
			return "CONNECT with :scheme or :path, or without :authority"
		}
		return ""
	}
	if s.pseudoSeen&pseudoScheme == 0 || s.path.len == 0 {
		return "missing :scheme or empty :path"
	}
	return ""
}

// validFieldName reports a lower-case token (§8.2.1: upper case is malformed).
func validFieldName(name []byte) bool {
	for _, c := range name {
		if 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return header.ValidToken(name)
}

// maxContentLengthDigits keeps parseContentLength from overflowing int64.
const maxContentLengthDigits = 18

func parseContentLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > maxContentLengthDigits {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
