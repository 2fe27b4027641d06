package http1

import (
	"bytes"
	"math"

	"github.com/pqloop/pqloop/codec/header"
)

// Chunked transfer coding (RFC 9112 §7.1):
//
//	chunked-body   = *chunk last-chunk trailer-section CRLF
//	chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	chunk-size     = 1*HEXDIG
//	last-chunk     = 1*("0") [ chunk-ext ] CRLF
//	chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val  = token / quoted-string
//
// The body is first validated as it arrives, without moving a byte, so the
// caller may move or copy its buffer between calls; once the whole body is
// in, it is decoded in place in one pass.

type chunkPhase uint8

const (
	chunkSizeLine chunkPhase = iota
	chunkData
	chunkDataEnd // the CRLF after chunk-data
	chunkTrailer
)

const (
	// maxChunkLine bounds a chunk-size line, extensions included, as Go's
	// net/http does (maxLineLength in net/http/internal/chunked.go).
	maxChunkLine = 4096

	// A client could otherwise send a few data bytes per kilobyte of
	// extensions and make the server buffer framing without bound. As in Go's
	// net/http (golang.org/issue/64433), each chunk line costs its length,
	// each chunk earns chunkOverheadAllowance plus twice its data, and the
	// debt may never exceed maxChunkOverheadExcess.
	chunkOverheadAllowance = 16
	maxChunkOverheadExcess = 16 << 10
)

// parseChunked validates the chunked body from p.pos on; it reports whether
// the whole body, trailer section included, has arrived.
func (p *Parser) parseChunked(buf []byte, lim *Limits) (bool, *Error) {
	for {
		switch p.chunkPhase {
		case chunkSizeLine:
			line, next, err := p.nextLine(buf, lineBound{p.pos + maxChunkLine + len(crlf), errChunkLineTooLong})
			if err != nil || next < 0 {
				return false, err
			}
			size, err := parseChunkSizeLine(line)
			if err != nil {
				return false, err
			}
			if size > lim.MaxBody-p.bodyLen {
				return false, errBodyTooLarge
			}
			p.chunkExcess += int64(next-p.pos) - chunkOverheadAllowance - 2*size
			p.chunkExcess = max(p.chunkExcess, 0)
			if p.chunkExcess > maxChunkOverheadExcess {
				return false, errChunkOverhead
			}
			p.pos = next
			if size == 0 {
				p.chunkPhase = chunkTrailer
				p.trailerStart = next
				p.fields = 0
				continue
			}
			p.bodyLen += size
			p.chunkLeft = size
			p.chunkPhase = chunkData
		case chunkData:
			if arrived := int64(len(buf) - p.pos); arrived < p.chunkLeft {
				p.chunkLeft -= arrived
				p.pos = len(buf)
				return false, nil
			}
			p.pos += int(p.chunkLeft)
			p.chunkLeft = 0
			p.chunkPhase = chunkDataEnd
		case chunkDataEnd:
			// Judge a lone first byte now, so a split CRLF fails as early
			// as a whole one.
			arrived := min(len(buf)-p.pos, len(crlf))
			if string(buf[p.pos:p.pos+arrived]) != crlf[:arrived] {
				return false, errBadChunkFraming
			}
			if arrived < len(crlf) {
				return false, nil
			}
			p.pos += len(crlf)
			p.chunkPhase = chunkSizeLine
		case chunkTrailer:
			line, next, err := p.nextLine(buf, lineBound{p.trailerStart + lim.MaxHeaderBytes, errHeaderTooLarge})
			if err != nil || next < 0 {
				return false, err
			}
			p.pos = next
			if len(line) == 0 {
				return true, nil
			}
			// Trailer fields are checked like header fields, then dropped:
			// nothing downstream asks for them.
			if p.fields == lim.MaxHeaderFields {
				return false, errTooManyFields
			}
			p.fields++
			if _, err := parseFieldLine(line); err != nil {
				return false, err
			}
		}
	}
}

// parseChunkSizeLine parses a chunk-size line without its CRLF, checking and
// ignoring any extensions.
func parseChunkSizeLine(line []byte) (int64, *Error) {
	var size int64
	i := 0
	for ; i < len(line); i++ {
		d, ok := hexValue(line[i])
		if !ok {
			break
		}
		if size > math.MaxInt64>>4 { // one more digit would overflow
			return 0, errChunkSizeOverflow
		}
		size = size<<4 | int64(d)
	}
	if i == 0 {
		return 0, errBadChunkSize
	}
	if !validChunkExtensions(line[i:]) {
		return 0, errBadChunkExtension
	}
	return size, nil
}

// validChunkExtensions reports whether ext matches chunk-ext.
func validChunkExtensions(ext []byte) bool {
	i := skipWhitespace(ext, 0)
	for i < len(ext) {
		if ext[i] != ';' {
			return false
		}
		i = skipWhitespace(ext, i+1)
		if i = skipToken(ext, i); i < 0 {
			return false
		}
		i = skipWhitespace(ext, i)
		if i < len(ext) && ext[i] == '=' {
			i = skipWhitespace(ext, i+1)
			if i < len(ext) && ext[i] == '"' {
				i = skipQuotedString(ext, i)
			} else {
				i = skipToken(ext, i)
			}
			if i < 0 {
				return false
			}
			i = skipWhitespace(ext, i)
		}
	}
	return true
}

func skipWhitespace(b []byte, i int) int {
	for i < len(b) && isWhitespace(b[i]) {
		i++
	}
	return i
}

// skipToken returns the offset after the token at b[i:], or -1 if there is
// none.
func skipToken(b []byte, i int) int {
	start := i
	for i < len(b) && header.IsTokenChar(b[i]) {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

// skipQuotedString returns the offset after the quoted-string at b[i:]
// (RFC 9110 §5.6.4), or -1 if it is malformed or unterminated.
func skipQuotedString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i++; i == len(b) || !isQuotedPairChar(b[i]) {
				return -1
			}
		case !isQdtext(c):
			return -1
		}
	}
	return -1
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || 0x23 <= c && c <= 0x5b || 0x5d <= c && c != 0x7f
}

// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
func isQuotedPairChar(c byte) bool {
	return c == '\t' || c >= ' ' && c != 0x7f
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeChunksInPlace moves the data of the validated chunked body starting
// at buf[from] together at buf[from], returning the offset after it.
func decodeChunksInPlace(buf []byte, from int) int {
	w, r := from, from
	for {
		lf := r + bytes.IndexByte(buf[r:], '\n')
		size, _ := parseChunkSizeLine(buf[r : lf-1])
		if size == 0 {
			return w
		}
		r = lf + 1
		w += copy(buf[w:], buf[r:r+int(size)])
		r += int(size) + len(crlf)
	}
}
