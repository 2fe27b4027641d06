package http1

// Limits bound what one request may make the parser hold. Every limit is
// inclusive: a request exactly at a limit is accepted, one byte or field more
// is rejected. A zero or negative field means its default.
type Limits struct {
	// MaxRequestLine bounds the request line, without its CRLF (→ 414).
	MaxRequestLine int
	// MaxHeaderBytes bounds the whole header block, from the request line
	// through the empty line that ends it, CRLFs included (→ 431). It also
	// bounds a chunked body's trailer section. Keep it above MaxRequestLine+1.
	MaxHeaderBytes int
	// MaxHeaderFields bounds the number of field lines in the header block,
	// and separately in the trailer section (→ 431).
	MaxHeaderFields int
	// MaxBody bounds the decoded body, whether framed by Content-Length or
	// chunked (→ 413). Content-Length is checked before any body byte is read.
	MaxBody int64
}

const (
	defaultMaxRequestLine  = 8 << 10
	defaultMaxHeaderBytes  = 64 << 10
	defaultMaxHeaderFields = 100
	defaultMaxBody         = 10 << 20
)

// DefaultLimits returns the limits a zero Limits stands for.
func DefaultLimits() Limits {
	return Limits{
		MaxRequestLine:  defaultMaxRequestLine,
		MaxHeaderBytes:  defaultMaxHeaderBytes,
		MaxHeaderFields: defaultMaxHeaderFields,
		MaxBody:         defaultMaxBody,
	}
}

// effective replaces unset fields with their defaults.
func (l Limits) effective() Limits {
	if l.MaxRequestLine <= 0 {
		l.MaxRequestLine = defaultMaxRequestLine
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = defaultMaxHeaderBytes
	}
	if l.MaxHeaderFields <= 0 {
		l.MaxHeaderFields = defaultMaxHeaderFields
	}
	if l.MaxBody <= 0 {
		l.MaxBody = defaultMaxBody
	}
	return l
}
