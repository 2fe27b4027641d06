package http1

// startBody sets up body framing once the head is complete (RFC 9112 §6.3):
// chunked, Content-Length, or no body at all, which is what a request
// without either has.
func (p *Parser) startBody(req *Request, lim *Limits) *Error {
	p.phase = phaseBody
	p.pos = p.headEnd
	if req.Chunked {
		p.chunked = true
		return nil
	}
	length := max(req.ContentLength, 0)
	if length > lim.MaxBody {
		return errBodyTooLarge
	}
	p.bodyEnd = int64(p.headEnd) + length
	return nil
}

// parseBody advances through the body; it reports whether the body is
// complete, with p.pos then just after it.
func (p *Parser) parseBody(buf []byte, lim *Limits) (bool, *Error) {
	if p.chunked {
		return p.parseChunked(buf, lim)
	}
	if int64(len(buf)) < p.bodyEnd {
		return false, nil
	}
	p.pos = int(p.bodyEnd)
	return true, nil
}

// body returns the complete body, decoding a chunked one in place.
func (p *Parser) body(buf []byte) []byte {
	if p.chunked {
		return buf[p.headEnd:decodeChunksInPlace(buf, p.headEnd)]
	}
	return buf[p.headEnd:p.bodyEnd]
}
