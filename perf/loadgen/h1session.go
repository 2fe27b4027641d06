package loadgen

import "strconv"

// h1Session pipelines up to depth identical HTTP/1.1 requests on one
// connection. The request bytes are encoded once per run.
type h1Session struct {
	request  []byte // the encoded request, shared read-only by all sessions
	bodyless bool   // HEAD: responses carry no body
	depth    int
	sent     sendTimes
	dec      responseDecoder
	out      outBuffer
	ended    bool // the server said Connection: close
}

// encodeH1Request builds the request bytes every HTTP/1.1 session sends.
func encodeH1Request(c *Config) []byte {
	b := make([]byte, 0, 256+len(c.Body))
	b = append(b, c.Method...)
	b = append(b, ' ')
	b = append(b, c.requestPath()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.URL.Host...)
	b = append(b, "\r\n"...)
	for _, f := range c.Header {
		b = append(b, f.Name...)
		b = append(b, ": "...)
		b = append(b, f.Value...)
		b = append(b, "\r\n"...)
	}
	if len(c.Body) > 0 || c.Method == "POST" || c.Method == "PUT" {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(c.Body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, c.Body...)
}

func newH1Session(request []byte, c *Config) *h1Session {
	return &h1Session{
		request:  request,
		bodyless: c.Method == "HEAD",
		depth:    c.Depth,
		sent:     newSendTimes(c.Depth),
		out:      outBuffer{b: make([]byte, 0, c.Depth*len(request))},
	}
}

func (s *h1Session) ready() bool        { return !s.ended && s.sent.size < s.depth }
func (s *h1Session) inflight() int      { return s.sent.size }
func (s *h1Session) oldest() int64      { return s.sent.front() }
func (s *h1Session) closing() bool      { return s.ended }
func (s *h1Session) output() *outBuffer { return &s.out }
func (s *h1Session) start(sentAt int64) { s.sent.push(sentAt); s.out.b = append(s.out.b, s.request...) }

func (s *h1Session) receive(in []byte, r reporter) (int, error) {
	off := 0
	for off < len(in) {
		if s.sent.size == 0 {
			return off, errUnsolicited
		}
		n, done, err := s.dec.decode(in[off:], s.bodyless)
		off += n
		if err != nil {
			return off, err
		}
		if !done {
			break
		}
		r.completed(s.dec.status, s.sent.pop())
		if s.dec.close {
			// Whatever else was pipelined will not be answered.
			s.ended = true
			for s.sent.size > 0 {
				s.sent.pop()
				r.failed()
			}
			return len(in), nil
		}
	}
	return off, nil
}
