package http2

import (
	"encoding/base64"

	"github.com/pqloop/pqloop/codec/header"
)

// Upgrade takes over a connection upgraded from HTTP/1.1 with "Upgrade:
// h2c" (RFC 7540 §3.2; removed from RFC 9113 but still sent by clients).
// settings is the HTTP2-Settings header value (base64url SETTINGS
// payload); req, the HTTP/1.1 request, becomes stream 1, half-closed
// (remote), and is handed to the handler. Call it before the first Feed;
// the client preface follows in the input.
func (c *ServerConn) Upgrade(settings []byte, req *Request) error {
	if c.prefaceDone || c.lastStreamID != 0 || c.closed {
		return ErrUpgradeTooLate
	}
	payload := c.block[:0]
	if n := base64.RawURLEncoding.DecodedLen(len(settings)); cap(payload) < n {
		payload = make([]byte, n)
	}
	n, err := base64.RawURLEncoding.Decode(payload[:cap(payload)], settings)
	if err != nil || n%settingLen != 0 {
		return ErrInvalidUpgrade
	}
	payload = payload[:n]
	for i := 0; i < n/settingLen; i++ {
		if c.peer.apply(SettingAt(payload, i)) != nil {
			return ErrInvalidUpgrade
		}
	}
	// The 101 response acknowledges these settings (§3.2.1): no ACK frame.
	s := c.newStream(1)
	c.lastStreamID = 1
	s.method, s.scheme = s.store(req.Method), s.store(req.Scheme)
	s.authority, s.path = s.store(req.Authority), s.store(req.Path)
	for _, f := range req.Header {
		// The hop-by-hop fields of the upgrade itself do not carry over.
		if connectionSpecific(f.Name) || header.EqualFold(f.Name, "http2-settings") {
			continue
		}
		name := s.store(f.Name)
		lowerASCII(s.bytes(name))
		s.fields = append(s.fields, fieldSpan{name, s.store(f.Value)})
	}
	s.trailerStart = len(s.fields)
	s.body = append(s.body, req.Body...)
	c.buffered += len(s.body)
	return c.endOfRequest(s)
}

// lowerASCII lower-cases an HTTP/1.1 field name in place.
func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}
