// Package http1 is a sans-IO HTTP/1.1 server codec (RFC 9112): it parses
// requests out of the bytes a connection has buffered and appends responses
// to a caller's buffer. It never touches sockets, clocks or goroutines, and
// allocates nothing in steady state.
package http1

import (
	"bytes"

	"github.com/pqloop/pqloop/codec/header"
)

// Result says what Parse needs next.
type Result uint8

const (
	// NeedMore: the request is incomplete; call again once more bytes have
	// arrived. n is 0.
	NeedMore Result = iota
	// NeedContinue: the header block is complete and req's head fields are
	// filled, Expect100 is set and the body has not fully arrived. The caller
	// sends Continue100 (or a final status) and keeps calling Parse; it gets
	// NeedContinue once per request, NeedMore after that.
	NeedContinue
	// Complete: req is filled and n is the request's length in buf.
	Complete
)

// maxLeadingEmptyLines bounds the empty lines ignored before a request line:
// RFC 9112 §2.2 asks servers to ignore at least one, sent by clients that
// end a body with an extra CRLF.
const maxLeadingEmptyLines = 8

type phase uint8

const (
	phaseHead phase = iota
	phaseBody
)

// Parser parses requests from one connection. Its zero value is ready to use
// with default limits. It keeps its progress through a request as offsets
// from the start of buf, so however many calls a request arrives in, each
// byte is looked at a bounded number of times (a body once, a head that
// spans calls twice: once as it arrives, once more to fill req), and the
// caller may move or copy the buffered bytes between calls.
type Parser struct {
	Limits Limits

	phase      phase
	emptyLines int // leading empty lines ignored
	start      int // offset of the request line
	pos        int // offset of the first byte not yet parsed
	scanned    int // buf[pos:scanned] holds no LF: the line search resumes here
	fields     int // field lines seen in the current field section
	headEnd    int // offset just after the header block's empty line

	// Body progress.
	chunked      bool
	bodyEnd      int64 // Content-Length framing: offset just after the body
	chunkPhase   chunkPhase
	chunkLeft    int64 // data bytes of the current chunk not yet arrived
	bodyLen      int64 // decoded chunked body bytes announced so far
	chunkExcess  int64 // framing bytes not paid for by data; see chunked.go
	trailerStart int
}

// Reset forgets any partly parsed request, for reusing p on a new connection.
// Parse resets p itself after each Complete request and after an error.
func (p *Parser) Reset() {
	*p = Parser{Limits: p.Limits}
}

// Parse parses one request from buf, which holds everything buffered from
// the start of this request (and possibly requests pipelined after it):
// between calls the caller may only add bytes at the end, though it may
// move or copy the whole. On Complete the caller handles req, then discards n bytes and calls again.
// On error, err is an *Error whose Status the caller answers before closing.
// Parse modifies buf only when it returns Complete for a chunked request,
// whose body it decodes in place.
func (p *Parser) Parse(buf []byte, req *Request) (res Result, n int, err error) {
	res, n, e := p.parse(buf, req)
	if e != nil {
		p.Reset()
		return NeedMore, 0, e
	}
	if res == Complete {
		p.Reset()
	}
	return res, n, nil
}

func (p *Parser) parse(buf []byte, req *Request) (Result, int, *Error) {
	lim := p.Limits.effective()
	headNow := p.phase == phaseHead
	if headNow {
		resumed := p.pos > p.start
		if !resumed {
			req.Reset()
		}
		done, err := p.parseHead(buf, req, &lim)
		if err != nil || !done {
			return NeedMore, 0, err
		}
		if resumed {
			// The lines parsed by earlier calls alias bytes the caller may
			// have moved since: parse the (already validated) head again.
			p.reparseHead(buf, req, &lim)
		}
		if err := interpretFields(req); err != nil {
			return NeedMore, 0, err
		}
		if err := p.startBody(req, &lim); err != nil {
			return NeedMore, 0, err
		}
	}
	done, err := p.parseBody(buf, &lim)
	if err != nil {
		return NeedMore, 0, err
	}
	if !done {
		if headNow && req.Expect100 {
			return NeedContinue, 0, nil
		}
		return NeedMore, 0, nil
	}
	if !headNow {
		p.reparseHead(buf, req, &lim)
		interpretFields(req) // succeeded on these bytes before
	}
	req.Body = p.body(buf)
	return Complete, p.pos, nil
}

// parseHead parses the complete lines of the header block not yet parsed,
// appending fields to req. It reports whether the block is complete.
func (p *Parser) parseHead(buf []byte, req *Request, lim *Limits) (bool, *Error) {
	for {
		requestLine := p.pos == p.start
		if requestLine && p.pos < len(buf) && !startsRequest(buf[p.pos]) {
			// Refuse a TLS handshake or other non-HTTP bytes at once,
			// rather than wait for a line end that may never come.
			return false, errBadMethod
		}
		line, next, err := p.nextLine(buf, p.headLineBound(lim))
		if err != nil || next < 0 {
			return false, err
		}
		if requestLine && len(line) == 0 {
			if p.emptyLines++; p.emptyLines > maxLeadingEmptyLines {
				return false, errLeadingEmptyLines
			}
			p.start, p.pos = next, next
			continue
		}
		p.pos = next
		switch {
		case requestLine:
			if err := parseRequestLine(line, req); err != nil {
				return false, err
			}
		case len(line) == 0:
			p.headEnd = next
			return true, nil
		default:
			if p.fields == lim.MaxHeaderFields {
				return false, errTooManyFields
			}
			p.fields++
			f, err := parseFieldLine(line)
			if err != nil {
				return false, err
			}
			req.Header = append(req.Header, f)
		}
	}
}

// startsRequest reports whether c may begin a request line or one of the
// empty lines allowed before it: a method's first byte, CR or LF.
func startsRequest(c byte) bool {
	return header.IsTokenChar(c) || c == '\r' || c == '\n'
}

// headLineBound returns the offset by which the line at p.pos must end (LF
// included) and the error for one that does not: the request line limit for
// the request line, then the header block limit.
func (p *Parser) headLineBound(lim *Limits) lineBound {
	blockEnd := p.start + lim.MaxHeaderBytes
	if p.pos == p.start {
		if lineEnd := p.pos + lim.MaxRequestLine + len(crlf); lineEnd <= blockEnd {
			return lineBound{lineEnd, errRequestLineTooLong}
		}
	}
	return lineBound{blockEnd, errHeaderTooLarge}
}

// reparseHead parses the complete, already validated head at
// buf[p.start:p.headEnd] into req again.
func (p *Parser) reparseHead(buf []byte, req *Request, lim *Limits) {
	saved := *p
	req.Reset()
	p.pos, p.scanned, p.fields = p.start, p.start, 0
	p.parseHead(buf[:p.headEnd], req, lim)
	*p = saved
}

// lineBound is where a line must end by: the offset just after its LF may
// not exceed end, or the line is rejected with tooLong.
type lineBound struct {
	end     int
	tooLong *Error
}

// nextLine finds the line starting at p.pos. It returns the line without its
// CRLF and the offset after it, or next < 0 while the line is incomplete.
// A line that cannot end within bound is rejected as soon as enough bytes
// have arrived to tell, so a line fed in pieces is judged exactly as the
// whole line is. An LF without a CR before it is rejected: RFC 9112 §2.2
// lets recipients accept it, refusing keeps every parser on the path in
// agreement about where lines end.
func (p *Parser) nextLine(buf []byte, bound lineBound) (line []byte, next int, err *Error) {
	from := max(p.pos, p.scanned)
	i := bytes.IndexByte(buf[from:], '\n')
	if i < 0 {
		p.scanned = len(buf)
		if len(buf) >= bound.end {
			return nil, -1, bound.tooLong
		}
		return nil, -1, nil
	}
	lf := from + i
	if lf+1 > bound.end {
		return nil, -1, bound.tooLong
	}
	if lf == p.pos || buf[lf-1] != '\r' {
		return nil, -1, errBareLF
	}
	return buf[p.pos : lf-1], lf + 1, nil
}
