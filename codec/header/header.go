// Package header holds what HTTP/1.1 and HTTP/2 share about header fields:
// the field type codecs hand out, and the RFC 9110 character rules both
// validate against. One table serves both codecs.
package header

// Field is one header field. Name and Value alias the buffer they were
// parsed from (or the constants they were built from); they are valid only
// as long as that buffer is.
type Field struct {
	Name  []byte
	Value []byte
}

// List is an ordered list of fields, as received or to be sent.
type List []Field

// Get returns the value of the first field whose name equals name, ignoring
// ASCII case, or nil. name should be lower case.
func (l List) Get(name string) []byte {
	for i := range l {
		if EqualFold(l[i].Name, name) {
			return l[i].Value
		}
	}
	return nil
}

// Has reports whether a field named name is present.
func (l List) Has(name string) bool {
	for i := range l {
		if EqualFold(l[i].Name, name) {
			return true
		}
	}
	return false
}

// EqualFold reports whether b equals s under ASCII case folding; s must be
// lower case. It does not allocate.
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// tchar marks the RFC 9110 §5.6.2 token characters:
//
//	tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//	        "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsTokenChar reports whether c may appear in a token (method, field name).
func IsTokenChar(c byte) bool { return tchar[c] }

// ValidToken reports whether b is a non-empty RFC 9110 token.
func ValidToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tchar[c] {
			return false
		}
	}
	return true
}

// ValidValue reports whether b is a valid field value (RFC 9110 §5.5):
// visible ASCII, obs-text, SP and HTAB, and no leading or trailing
// whitespace. CR, LF, NUL and other controls are rejected, which is what
// stops response splitting and request smuggling through values.
func ValidValue(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	if n := len(b); n > 0 && (isSpace(b[0]) || isSpace(b[n-1])) {
		return false
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }
