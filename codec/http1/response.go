package http1

import (
	"strconv"
	"time"

	"github.com/pqloop/pqloop/codec/header"
)

// Continue100 is the interim response to Expect: 100-continue
// (RFC 9110 §15.2.1).
var Continue100 = []byte("HTTP/1.1 100 Continue\r\n\r\n")

// AppendResponseHead appends a response's status line and header block.
// It always writes "HTTP/1.1": RFC 9110 §2.5 has a server send its own
// version, and v only decides what the client understands.
//
// bodyLen frames the body: n ≥ 0 writes Content-Length: n; -1 means the
// body follows in chunks (AppendChunk, then AppendLastChunk), except for an
// HTTP/1.0 client, which knows no chunked coding: then no framing is written,
// the connection is marked close and the caller writes the raw body and
// closes (RFC 9112 §6.3). Responses that cannot have a body (1xx, 204, 304)
// get no framing fields.
//
// keepAlive writes "Connection: close" when false, and "Connection:
// keep-alive" for an HTTP/1.0 client when true. date, when not nil, is
// written as the Date field (see AppendHTTPDate).
//
// Fields of h with an invalid name or value are skipped, as are
// Content-Length and Transfer-Encoding, which only bodyLen decides: a caller
// bug must not become response splitting or a second, conflicting framing.
func AppendResponseHead(dst []byte, v Version, status int, h header.List, bodyLen int64, keepAlive bool, date []byte) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, StatusText(status)...)
	dst = append(dst, crlf...)
	if date != nil {
		dst = append(dst, "Date: "...)
		dst = append(dst, date...)
		dst = append(dst, crlf...)
	}
	for i := range h {
		name, value := h[i].Name, h[i].Value
		if header.EqualFold(name, "content-length") || header.EqualFold(name, "transfer-encoding") ||
			!header.ValidToken(name) || !header.ValidValue(value) {
			continue
		}
		dst = appendField(dst, name, value)
	}
	if !bodyForbidden(status) {
		switch {
		case bodyLen >= 0:
			dst = append(dst, "Content-Length: "...)
			dst = strconv.AppendInt(dst, bodyLen, 10)
			dst = append(dst, crlf...)
		case v == HTTP11:
			dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
		default:
			keepAlive = false // the body ends when the connection closes
		}
	}
	switch {
	case !keepAlive:
		dst = append(dst, "Connection: close\r\n"...)
	case v == HTTP10:
		dst = append(dst, "Connection: keep-alive\r\n"...)
	}
	return append(dst, crlf...)
}

// bodyForbidden reports whether a response with status has no body and so
// no Content-Length or Transfer-Encoding (RFC 9110 §8.6, §15.3.5, §15.4.5;
// RFC 9112 §6.1).
func bodyForbidden(status int) bool {
	return status < 200 || status == statusNoContent || status == statusNotModified
}

// AppendChunk appends p as one chunk (RFC 9112 §7.1). An empty p appends
// nothing, since a zero-size chunk would end the body.
func AppendChunk(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	dst = strconv.AppendUint(dst, uint64(len(p)), 16)
	dst = append(dst, crlf...)
	dst = append(dst, p...)
	return append(dst, crlf...)
}

// AppendLastChunk appends the last chunk and an empty trailer section.
func AppendLastChunk(dst []byte) []byte {
	return append(dst, "0\r\n\r\n"...)
}

// imfFixdate is the preferred HTTP date format (RFC 9110 §5.6.7), as a Go
// time layout.
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// AppendHTTPDate appends t in IMF-fixdate form, always in GMT.
func AppendHTTPDate(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, imfFixdate)
}
