package loadgen

import (
	"bytes"
	"errors"

	"github.com/pqloop/pqloop/codec/header"
)

// Bounds on what a misbehaving server can make the HTTP/1.1 decoder buffer.
// Both fit in the connection's read buffer (readBufferSize), so a response
// that is still incomplete when the buffer is full is always an error.
const (
	// maxResponseHeadBytes bounds the status line plus header fields.
	maxResponseHeadBytes = 32 << 10
	// maxChunkLineBytes bounds a chunk-size line with its extensions
	// (RFC 9112 §7.1) and each trailer line.
	maxChunkLineBytes = 4 << 10
	// maxContentLength keeps Content-Length arithmetic far from overflow.
	maxContentLength = 1 << 50
)

var (
	errHeadTooLarge     = errors.New("loadgen: response head exceeds 32 KiB")
	errChunkLineLong    = errors.New("loadgen: chunk-size or trailer line exceeds 4 KiB")
	errBadStatusLine    = errors.New("loadgen: malformed status line")
	errBadHeaderLine    = errors.New("loadgen: malformed response header field")
	errBadLength        = errors.New("loadgen: malformed Content-Length")
	errBadChunk         = errors.New("loadgen: malformed chunked body")
	errNoLength         = errors.New("loadgen: response has neither Content-Length nor chunked encoding")
	errUnsolicited      = errors.New("loadgen: response without an outstanding request")
	errUpgradeResponded = errors.New("loadgen: server answered 101 Switching Protocols")
)

var crlf = []byte("\r\n")

type decodeState uint8

const (
	stateHead      decodeState = iota
	stateBody                  // Content-Length body, remaining bytes left
	stateChunkSize             // expecting a chunk-size line
	stateChunkData             // inside chunk data, remaining bytes left
	stateChunkEnd              // expecting the CRLF after chunk data
	stateTrailers              // expecting trailer lines up to an empty one
)

// responseDecoder decodes a stream of HTTP/1.1 responses (RFC 9112) without
// doing I/O: decode is fed whatever bytes have arrived and consumes as much
// as it can. Bodies are counted and dropped, never buffered, so memory stays
// bounded by the limits above whatever the server sends.
type responseDecoder struct {
	state     decodeState
	remaining int64
	status    int
	close     bool // the response carried Connection: close
}

// decode consumes bytes from b. It returns how many it consumed and whether a
// whole response ended there; d.status and d.close then describe it. bodyless
// says the request was HEAD, whose response has no body whatever it declares.
func (d *responseDecoder) decode(b []byte, bodyless bool) (n int, done bool, err error) {
	for {
		switch d.state {
		case stateHead:
			end := bytes.Index(b[n:], []byte("\r\n\r\n"))
			if end < 0 {
				if len(b)-n > maxResponseHeadBytes {
					return n, false, errHeadTooLarge
				}
				return n, false, nil
			}
			if end+4 > maxResponseHeadBytes {
				return n, false, errHeadTooLarge
			}
			hasBody, err := d.parseHead(b[n:n+end+2], bodyless)
			n += end + 4
			if err != nil {
				return n, false, err
			}
			if d.status < 200 { // interim response: the final one follows
				continue
			}
			if !hasBody {
				return n, true, nil
			}
		case stateBody, stateChunkData:
			take := min(int64(len(b)-n), d.remaining)
			n += int(take)
			d.remaining -= take
			if d.remaining > 0 {
				return n, false, nil
			}
			if d.state == stateBody {
				d.state = stateHead
				return n, true, nil
			}
			d.state = stateChunkEnd
		case stateChunkEnd:
			if len(b)-n < 2 {
				return n, false, nil
			}
			if b[n] != '\r' || b[n+1] != '\n' {
				return n, false, errBadChunk
			}
			n += 2
			d.state = stateChunkSize
		case stateChunkSize, stateTrailers:
			line, ok, err := nextLine(b[n:])
			if !ok {
				return n, false, err
			}
			n += len(line) + 2
			if d.state == stateTrailers {
				if len(line) == 0 {
					d.state = stateHead
					return n, true, nil
				}
				continue
			}
			size, err := parseChunkSize(line)
			if err != nil {
				return n, false, err
			}
			if size == 0 {
				d.state = stateTrailers
				continue
			}
			d.remaining = size
			d.state = stateChunkData
		}
	}
}

// nextLine returns the line at the start of b without its CRLF, or ok=false
// if it has not fully arrived.
func nextLine(b []byte) (line []byte, ok bool, err error) {
	i := bytes.Index(b, crlf)
	if i < 0 {
		if len(b) > maxChunkLineBytes {
			return nil, false, errChunkLineLong
		}
		return nil, false, nil
	}
	if i > maxChunkLineBytes {
		return nil, false, errChunkLineLong
	}
	return b[:i], true, nil
}

// parseChunkSize reads the hex chunk-size, ignoring chunk extensions.
func parseChunkSize(line []byte) (int64, error) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, " \t")
	if len(line) == 0 || len(line) > 12 { // 12 hex digits = 2^48, far beyond any test body
		return 0, errBadChunk
	}
	var v int64
	for _, c := range line {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | int64(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | int64(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | int64(c-'A'+10)
		default:
			return 0, errBadChunk
		}
	}
	return v, nil
}

// parseHead parses the status line and fields (head ends with its last
// field's CRLF) and sets up body decoding. It reports whether a body follows.
func (d *responseDecoder) parseHead(head []byte, bodyless bool) (bool, error) {
	line, rest, _ := bytes.Cut(head, crlf)
	// status-line = HTTP-version SP status-code SP [ reason-phrase ]
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(len(line) > 12 && line[12] != ' ') {
		return false, errBadStatusLine
	}
	status := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return false, errBadStatusLine
		}
		status = status*10 + int(c-'0')
	}
	if status < 100 {
		return false, errBadStatusLine
	}
	if status == 101 {
		return false, errUpgradeResponded
	}
	d.status, d.close = status, false
	length, chunked := int64(-1), false
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, crlf)
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !header.ValidToken(name) {
			return false, errBadHeaderLine
		}
		value = bytes.Trim(value, " \t")
		switch {
		case header.EqualFold(name, "content-length"):
			v, err := parseContentLength(value)
			if err != nil || (length >= 0 && v != length) {
				return false, errBadLength
			}
			length = v
		case header.EqualFold(name, "transfer-encoding"):
			chunked = lastTokenIs(value, "chunked")
		case header.EqualFold(name, "connection"):
			d.close = d.close || hasToken(value, "close")
		}
	}
	// RFC 9112 §6.3: HEAD, 1xx, 204 and 304 responses end at the head;
	// chunked wins over Content-Length.
	switch {
	case bodyless || status < 200 || status == 204 || status == 304:
		return false, nil
	case chunked:
		d.state = stateChunkSize
	case length == 0:
		return false, nil
	case length > 0:
		d.state, d.remaining = stateBody, length
	default:
		return false, errNoLength
	}
	return true, nil
}

func parseContentLength(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, errBadLength
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' || v > maxContentLength/10 {
			return 0, errBadLength
		}
		v = v*10 + int64(c-'0')
	}
	return v, nil
}

// hasToken reports whether the comma-separated list holds token (lower case).
func hasToken(list []byte, token string) bool {
	for len(list) > 0 {
		var item []byte
		item, list, _ = bytes.Cut(list, []byte(","))
		if header.EqualFold(bytes.Trim(item, " \t"), token) {
			return true
		}
	}
	return false
}

// lastTokenIs reports whether the list's final element is token (lower case).
func lastTokenIs(list []byte, token string) bool {
	if i := bytes.LastIndexByte(list, ','); i >= 0 {
		list = list[i+1:]
	}
	return header.EqualFold(bytes.Trim(list, " \t"), token)
}
