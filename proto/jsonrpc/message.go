// Package jsonrpc is a sans-IO JSON-RPC 2.0 codec: it decodes envelopes from
// a body that is already in memory and appends replies to a buffer. It never
// touches sockets, clocks or goroutines.
//
// Decoding aliases the input: the ID, Params, Result and Error slices and the
// Method string point into the buffer given to Decode, so a Message is valid
// only as long as that buffer is.
package jsonrpc

import (
	"errors"
	"unsafe"

	"github.com/bytedance/sonic"
	"github.com/bytedance/sonic/decoder"
)

// Kind tells the four shapes a decoded message can take apart.
type Kind uint8

const (
	KindInvalid      Kind = iota
	KindRequest           // has method and id: expects a reply
	KindNotification      // has method, no id: no reply
	KindResponse          // has id and result
	KindError             // has id (maybe null) and error
)

// Message is one decoded JSON-RPC envelope.
type Message struct {
	JSONRPC string                 `json:"jsonrpc"`
	ID      sonic.NoCopyRawMessage `json:"id"`     // verbatim: a string, number or null; nil when absent
	Method  string                 `json:"method"` // requests and notifications
	Params  sonic.NoCopyRawMessage `json:"params"` // raw, decoded by the method's handler
	Result  sonic.NoCopyRawMessage `json:"result"`
	Error   sonic.NoCopyRawMessage `json:"error"`
}

// Kind classifies m; KindInvalid when it matches no shape of section 4/5.
func (m *Message) Kind() Kind {
	if m.JSONRPC != Version {
		return KindInvalid
	}
	if m.Method != "" {
		if m.Result != nil || m.Error != nil {
			return KindInvalid
		}
		if m.ID == nil {
			return KindNotification
		}
		if !ValidID(m.ID) {
			return KindInvalid
		}
		if m.Params != nil && !structured(m.Params) {
			return KindInvalid // section 4.2: params is an object or an array
		}
		return KindRequest
	}
	if m.ID == nil || !ValidID(m.ID) {
		return KindInvalid
	}
	switch {
	case m.Result != nil && m.Error == nil:
		return KindResponse
	case m.Error != nil && m.Result == nil:
		return KindError
	}
	return KindInvalid
}

// ValidID reports whether raw is a string, a number or null (section 4),
// written as RFC 8259 allows, so it may be echoed verbatim in a reply. The
// id is checked token by token here because sonic keeps a raw member
// without checking every escape.
func ValidID(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	switch c := raw[0]; {
	case c == '"':
		return validString(raw)
	case c == '-', '0' <= c && c <= '9':
		return validNumber(raw)
	case c == 'n':
		return string(raw) == "null"
	}
	return false
}

// validString checks a whole string token (RFC 8259 section 7): no raw
// control characters, no bare quote inside, only the defined escapes.
func validString(b []byte) bool {
	if len(b) < 2 || b[len(b)-1] != '"' {
		return false
	}
	for i := 1; i < len(b)-1; i++ {
		switch c := b[i]; {
		case c < 0x20, c == '"':
			return false
		case c == '\\':
			i++
			if i >= len(b)-1 {
				return false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 > len(b)-2 || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return false
				}
				i += 4
			default:
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// validNumber checks a whole number token (RFC 8259 section 6):
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	if b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

func structured(raw []byte) bool { return len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') }

// ErrParse is returned for bodies that are not JSON at all (-32700).
var ErrParse = errors.New("jsonrpc: parse error")

// ErrShape is returned for JSON whose members have the wrong types, such
// as a numeric method: not a Request object (-32600).
var ErrShape = errors.New("jsonrpc: invalid request")

// strict is the sonic configuration for everything read off the wire:
// member names match exactly ("jsonrpC" is not "jsonrpc"), and strings
// holding raw control characters, which RFC 8259 section 7 forbids, are
// refused, so an id echoed verbatim is always valid JSON.
var strict = sonic.Config{CaseSensitive: true, ValidateString: true}.Froze()

// Unmarshal decodes b into v with the same strict rules as Decode.
// Strings and NoCopyRawMessage fields alias b.
func Unmarshal(b []byte, v any) error { return strict.UnmarshalFromString(stringOf(b), v) }

// Decode decodes one envelope from b into m. The message aliases b.
// Envelope validity is then judged by m.Kind.
func Decode(b []byte, m *Message) error {
	*m = Message{}
	if err := Unmarshal(b, m); err != nil {
		var mismatch *decoder.MismatchTypeError
		if errors.As(err, &mismatch) {
			return ErrShape
		}
		return ErrParse
	}
	return nil
}

// IsBatch reports whether body is a JSON array (a batch, section 6), looking
// only at its first non-space byte.
func IsBatch(body []byte) bool {
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '[':
			return true
		}
		return false
	}
	return false
}

// SplitBatch splits a batch body into its elements, aliasing body. An empty
// batch is an invalid request (section 6), reported by the caller.
func SplitBatch(body []byte) ([]sonic.NoCopyRawMessage, error) {
	var parts []sonic.NoCopyRawMessage
	if err := Unmarshal(body, &parts); err != nil {
		return nil, ErrParse
	}
	return parts, nil
}

// stringOf views b as a string without copying; b must not change while the
// string is in use, which holds for a request body during its handler.
func stringOf(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
