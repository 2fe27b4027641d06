package http1

import (
	"bytes"
	"math"

	"github.com/pqloop/pqloop/codec/header"
)

// parseFieldLine parses a field line without its CRLF (RFC 9112 §5):
//
//	field-line = field-name ":" OWS field-value OWS
//
// It refuses obs-fold (§5.2) and whitespace between name and colon (§5.1),
// both of which smuggling attacks rely on parsers disagreeing about. line
// is not empty: an empty line ends the field section.
func parseFieldLine(line []byte) (header.Field, *Error) {
	if isWhitespace(line[0]) {
		return header.Field{}, errObsFold
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return header.Field{}, errMissingColon
	}
	name := line[:colon]
	if len(name) == 0 {
		return header.Field{}, errBadFieldName
	}
	if isWhitespace(name[len(name)-1]) {
		return header.Field{}, errSpaceBeforeColon
	}
	if !header.ValidToken(name) {
		return header.Field{}, errBadFieldName
	}
	value := trimWhitespace(line[colon+1:])
	if !header.ValidValue(value) {
		return header.Field{}, errBadFieldValue
	}
	return header.Field{Name: name, Value: value}, nil
}

// isWhitespace reports whether c is SP or HTAB, what OWS and BWS are made
// of (RFC 9110 §5.6.3).
func isWhitespace(c byte) bool { return c == ' ' || c == '\t' }

// trimWhitespace removes OWS from both ends of b.
func trimWhitespace(b []byte) []byte {
	for len(b) > 0 && isWhitespace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isWhitespace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// interpretFields reads the fields that frame the request or steer the
// connection into req's typed fields, and refuses the combinations RFC 9112
// §6.3 makes ambiguous.
func interpretFields(req *Request) *Error {
	var hosts, transferEncodings, http2Settings int
	var upgrade []byte
	var connection connectionOptions
	for i := range req.Header {
		name, value := req.Header[i].Name, req.Header[i].Value
		// Switch on length first: most fields are none of these.
		switch len(name) {
		case len("host"):
			if header.EqualFold(name, "host") {
				if hosts++; hosts > 1 {
					return errMultipleHost
				}
				if !validHost(value) {
					return errBadHost
				}
				if req.Host == nil { // absolute-form's authority wins (RFC 9112 §3.2.2)
					req.Host = value
				}
			}
		case len("expect"):
			if header.EqualFold(name, "expect") {
				if !header.EqualFold(value, "100-continue") {
					return errUnsupportedExpectation
				}
				// RFC 9110 §10.1.1: ignored on HTTP/1.0.
				req.Expect100 = req.Version == HTTP11
			}
		case len("upgrade"):
			if header.EqualFold(name, "upgrade") && upgrade == nil {
				upgrade = value
			}
		case len("connection"):
			if header.EqualFold(name, "connection") {
				connection.read(value)
			}
		case len("content-length"): // also len("http2-settings")
			switch {
			case header.EqualFold(name, "content-length"):
				if req.ContentLength >= 0 {
					return errMultipleContentLength
				}
				n, ok := parseContentLength(value)
				if !ok {
					return errBadContentLength
				}
				req.ContentLength = n
			case header.EqualFold(name, "http2-settings"):
				// RFC 7540 §3.2.1: exactly one, or the upgrade must not happen.
				if http2Settings++; http2Settings > 1 {
					return errMultipleHTTP2Settings
				}
				req.HTTP2Settings = value
			}
		case len("transfer-encoding"):
			if header.EqualFold(name, "transfer-encoding") {
				if transferEncodings++; transferEncodings > 1 {
					return errBadTransferEncoding
				}
				if err := readTransferEncoding(value); err != nil {
					return err
				}
				req.Chunked = true
			}
		}
	}
	if hosts == 0 && req.Version == HTTP11 {
		return errMissingHost // RFC 9112 §3.2
	}
	if req.Chunked {
		if req.ContentLength >= 0 {
			return errCLAndTE // RFC 9112 §6.1: a smuggling signature
		}
		if req.Version == HTTP10 {
			return errTransferEncodingHTTP10 // RFC 9112 §6.1: framing is faulty
		}
	}
	// RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with
	// "keep-alive", and "close" wins wherever it appears.
	req.KeepAlive = !connection.close && (req.Version == HTTP11 || connection.keepAlive)
	if connection.upgrade {
		req.Upgrade = upgrade // RFC 9110 §7.8: Upgrade counts only when listed
	}
	return nil
}

// connectionOptions are the Connection options (RFC 9110 §7.6.1) this
// codec acts on, gathered over every Connection field.
type connectionOptions struct {
	close, keepAlive, upgrade bool
}

func (o *connectionOptions) read(value []byte) {
	for len(value) > 0 {
		var option []byte
		option, value, _ = bytes.Cut(value, []byte{','})
		switch option = trimWhitespace(option); {
		case header.EqualFold(option, "close"):
			o.close = true
		case header.EqualFold(option, "keep-alive"):
			o.keepAlive = true
		case header.EqualFold(option, "upgrade"):
			o.upgrade = true
		}
	}
}

// readTransferEncoding accepts exactly "chunked". A list such as
// "gzip, chunked" is refused: this server decodes no other coding, and a
// list is where parsers disagree. A single unknown coding gets 501, as RFC
// 9112 §6.1 asks.
func readTransferEncoding(value []byte) *Error {
	switch {
	case header.EqualFold(value, "chunked"):
		return nil
	case header.ValidToken(value):
		return errUnsupportedTransferCoding
	}
	return errBadTransferEncoding
}

// parseContentLength parses Content-Length = 1*DIGIT (RFC 9110 §8.6),
// refusing values beyond int64. A list, even of equal values, is refused.
func parseContentLength(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, len(b) > 0
}
