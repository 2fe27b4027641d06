package http1

import "github.com/pqloop/pqloop/codec/header"

// Version is the HTTP/1.x minor version a request was sent with.
type Version uint8

const (
	HTTP10 Version = iota + 1 // HTTP/1.0
	HTTP11                    // HTTP/1.1
)

// String returns the version as it appears on the wire.
func (v Version) String() string {
	if v == HTTP10 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// Request is one parsed request. Every byte slice aliases the buffer given to
// Parse and is valid only until the caller discards those bytes.
type Request struct {
	Method []byte
	// Target is the request-target as received (RFC 9112 §3.2).
	Target []byte
	// Path is the path part of Target: all of an origin-form target before
	// '?', the path of an absolute-form target ("/" when it has none),
	// "*" for asterisk-form and empty for authority-form (CONNECT). It always
	// aliases Target.
	Path []byte
	// Query is the part of Target after the first '?', without the '?'.
	Query   []byte
	Version Version
	// Header is every field line in order, names as received and values
	// without surrounding whitespace. Its backing array is reused across
	// requests.
	Header header.List
	// Host is the Host field, or the authority of an absolute-form target,
	// which RFC 9112 §3.2.2 says takes precedence.
	Host []byte
	// ContentLength is the Content-Length field, or -1 when absent.
	ContentLength int64
	Chunked       bool
	// KeepAlive reports whether the connection may carry another request:
	// the version's default, overridden by Connection "close" or, on
	// HTTP/1.0, "keep-alive" (RFC 9112 §9.3).
	KeepAlive bool
	// Expect100 is Expect: 100-continue on HTTP/1.1 (RFC 9110 §10.1.1 says
	// to ignore it on HTTP/1.0).
	Expect100 bool
	// Upgrade is the Upgrade field when Connection lists "upgrade" (RFC 9110
	// §7.8), else nil.
	Upgrade []byte
	// HTTP2Settings is the HTTP2-Settings field (base64url, RFC 7540 §3.2.1).
	HTTP2Settings []byte
	// Body is the complete decoded body; a chunked body is decoded in place.
	Body []byte
}

// Reset clears r for the next request, keeping Header's backing array.
func (r *Request) Reset() {
	*r = Request{Header: r.Header[:0], ContentLength: -1}
}

// AppendRequest appends r in wire form: the request line, every field of
// r.Header, and the body framed as r.Chunked says (one chunk, then the last
// chunk; trailers are not kept). Parsing the result yields r again.
func AppendRequest(dst []byte, r *Request) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, ' ')
	dst = append(dst, r.Target...)
	dst = append(dst, ' ')
	dst = append(dst, r.Version.String()...)
	dst = append(dst, crlf...)
	dst = appendFields(dst, r.Header)
	dst = append(dst, crlf...)
	if r.Chunked {
		dst = AppendChunk(dst, r.Body)
		return AppendLastChunk(dst)
	}
	return append(dst, r.Body...)
}

const crlf = "\r\n"

func appendField(dst, name, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, crlf...)
}

func appendFields(dst []byte, h header.List) []byte {
	for i := range h {
		dst = appendField(dst, h[i].Name, h[i].Value)
	}
	return dst
}
