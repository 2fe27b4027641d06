package mcp

import (
	"strconv"
	"unicode/utf8"
)

// maxInputDepth bounds the nesting of tool arguments the validator walks, so
// hostile input cannot exhaust the stack. Deeper input is rejected.
const maxInputDepth = 64

// validationError says which value broke which rule. Its text is what the
// client sees in the isError result.
type validationError struct {
	path   string
	reason string
}

func (e *validationError) Error() string {
	if e.path == "" {
		return "invalid arguments: " + e.reason
	}
	return "invalid arguments: " + e.path + ": " + e.reason
}

// Validate checks the JSON value in raw against s. It walks the bytes
// directly and allocates only to report a failure.
func (s *Schema) Validate(raw []byte) error {
	v := validator{in: raw}
	v.skipSpace()
	if err := v.value(s, 0); err != nil {
		return err
	}
	v.skipSpace()
	if v.pos != len(v.in) {
		return v.fail("", "trailing data after the value")
	}
	return nil
}

type validator struct {
	in  []byte
	pos int
}

func (v *validator) fail(path, reason string) error {
	return &validationError{path: path, reason: reason}
}

func (v *validator) skipSpace() {
	for v.pos < len(v.in) {
		switch v.in[v.pos] {
		case ' ', '\t', '\r', '\n':
			v.pos++
		default:
			return
		}
	}
}

// value validates the value at pos against s (nil: anything) and moves past it.
func (v *validator) value(s *Schema, depth int) error {
	if depth > maxInputDepth {
		return v.fail("", "nested deeper than "+strconv.Itoa(maxInputDepth))
	}
	if v.pos >= len(v.in) {
		return v.fail("", "unexpected end of input")
	}
	start := v.pos
	switch c := v.in[v.pos]; {
	case c == '{':
		return v.object(s, depth)
	case c == '[':
		return v.array(s, depth)
	case c == '"':
		str, err := v.str()
		if err != nil {
			return err
		}
		if s == nil {
			return nil
		}
		if !s.Type.allows("string") {
			return v.fail("", "expected "+s.Type[0]+", got string")
		}
		n := utf8.RuneCountInString(str)
		if s.MinLength != nil && n < *s.MinLength {
			return v.fail("", "shorter than "+strconv.Itoa(*s.MinLength))
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			return v.fail("", "longer than "+strconv.Itoa(*s.MaxLength))
		}
		if len(s.Enum) > 0 && !enumHasString(s.Enum, str) {
			return v.fail("", "not one of the allowed values")
		}
		return nil
	case c == 't' || c == 'f':
		lit := "false"
		if c == 't' {
			lit = "true"
		}
		if err := v.literal(lit); err != nil {
			return err
		}
		if s != nil && !s.Type.allows("boolean") {
			return v.fail("", "expected "+s.Type[0]+", got boolean")
		}
		return nil
	case c == 'n':
		if err := v.literal("null"); err != nil {
			return err
		}
		if s != nil && !s.Type.allows("null") {
			return v.fail("", "expected "+s.Type[0]+", got null")
		}
		return nil
	case c == '-' || '0' <= c && c <= '9':
		integer := v.number()
		f, err := strconv.ParseFloat(string(v.in[start:v.pos]), 64)
		if err != nil {
			return v.fail("", "malformed number")
		}
		if s == nil {
			return nil
		}
		kind := "number"
		if integer || f == float64(int64(f)) {
			kind = "integer"
		}
		if !s.Type.allows(kind) {
			return v.fail("", "expected "+s.Type[0]+", got "+kind)
		}
		if s.Minimum != nil && f < *s.Minimum {
			return v.fail("", "below the minimum")
		}
		if s.Maximum != nil && f > *s.Maximum {
			return v.fail("", "above the maximum")
		}
		if len(s.Enum) > 0 && !enumHasNumber(s.Enum, f) {
			return v.fail("", "not one of the allowed values")
		}
		return nil
	}
	return v.fail("", "invalid JSON")
}

func (v *validator) object(s *Schema, depth int) error {
	if s != nil && !s.Type.allows("object") {
		return v.fail("", "expected "+s.Type[0]+", got object")
	}
	v.pos++ // {
	// Required properties are counted, not tracked by name: a bitmask
	// covers the first 64, which is far past any real tool's list.
	var seen uint64
	for first := true; ; first = false {
		v.skipSpace()
		if v.pos >= len(v.in) {
			return v.fail("", "unexpected end of input")
		}
		if v.in[v.pos] == '}' && first {
			v.pos++
			break
		}
		if v.in[v.pos] != '"' {
			return v.fail("", "expected a property name")
		}
		key, err := v.str()
		if err != nil {
			return err
		}
		v.skipSpace()
		if v.pos >= len(v.in) || v.in[v.pos] != ':' {
			return v.fail(key, "expected ':'")
		}
		v.pos++
		v.skipSpace()
		var sub *Schema
		if s != nil {
			if p, ok := s.Properties[key]; ok {
				sub = p
				for i, r := range s.Required {
					if r == key && i < 64 {
						seen |= 1 << i
					}
				}
			} else if s.NoAdditional {
				return v.fail(key, "unknown property")
			} else {
				sub = s.AdditionalProperties
			}
		}
		if err := v.value(sub, depth+1); err != nil {
			if ve, ok := err.(*validationError); ok && ve.path == "" {
				ve.path = key
			} else if ok {
				ve.path = key + "." + ve.path
			}
			return err
		}
		done, err := v.afterElement('}')
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	if s != nil {
		for i, r := range s.Required {
			if i < 64 && seen&(1<<i) == 0 {
				return v.fail(r, "required property missing")
			}
		}
	}
	return nil
}

func (v *validator) array(s *Schema, depth int) error {
	if s != nil && !s.Type.allows("array") {
		return v.fail("", "expected "+s.Type[0]+", got array")
	}
	var items *Schema
	if s != nil {
		items = s.Items
	}
	v.pos++ // [
	n := 0
	for first := true; ; first = false {
		v.skipSpace()
		if v.pos >= len(v.in) {
			return v.fail("", "unexpected end of input")
		}
		if v.in[v.pos] == ']' && first {
			v.pos++
			break
		}
		if err := v.value(items, depth+1); err != nil {
			return err
		}
		n++
		done, err := v.afterElement(']')
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	if s != nil {
		if s.MinItems != nil && n < *s.MinItems {
			return v.fail("", "fewer than "+strconv.Itoa(*s.MinItems)+" items")
		}
		if s.MaxItems != nil && n > *s.MaxItems {
			return v.fail("", "more than "+strconv.Itoa(*s.MaxItems)+" items")
		}
	}
	return nil
}

// str reads a string at pos. Without escapes it aliases the input; with
// them it decodes into a fresh string.
// afterElement reads what follows an object member or array element: a
// ',' (more follow) or the closing byte (done).
func (v *validator) afterElement(closing byte) (done bool, err error) {
	v.skipSpace()
	if v.pos >= len(v.in) {
		return false, v.fail("", "unexpected end of input")
	}
	switch v.in[v.pos] {
	case ',':
		v.pos++
		return false, nil
	case closing:
		v.pos++
		return true, nil
	}
	return false, v.fail("", "expected ',' or '"+string(closing)+"'")
}

func (v *validator) str() (string, error) {
	v.pos++ // opening quote
	start := v.pos
	escaped := false
	for v.pos < len(v.in) {
		c := v.in[v.pos]
		switch {
		case c == '"':
			raw := v.in[start:v.pos]
			v.pos++
			if !escaped {
				return stringOf(raw), nil
			}
			s, err := strconv.Unquote(`"` + string(raw) + `"`)
			if err != nil {
				return "", v.fail("", "malformed string")
			}
			return s, nil
		case c == '\\':
			escaped = true
			v.pos += 2
		case c < 0x20:
			return "", v.fail("", "control character in string")
		default:
			v.pos++
		}
	}
	return "", v.fail("", "unterminated string")
}

func (v *validator) literal(lit string) error {
	if len(v.in)-v.pos < len(lit) || string(v.in[v.pos:v.pos+len(lit)]) != lit {
		return v.fail("", "invalid JSON")
	}
	v.pos += len(lit)
	return nil
}

// number moves past a number and reports whether it was written as an
// integer (no fraction, no exponent).
func (v *validator) number() bool {
	integer := true
	for v.pos < len(v.in) {
		switch c := v.in[v.pos]; {
		case '0' <= c && c <= '9', c == '-', c == '+':
		case c == '.', c == 'e', c == 'E':
			integer = false
		default:
			return integer
		}
		v.pos++
	}
	return integer
}

func enumHasString(enum []any, s string) bool {
	for _, e := range enum {
		if es, ok := e.(string); ok && es == s {
			return true
		}
	}
	return false
}

func enumHasNumber(enum []any, f float64) bool {
	for _, e := range enum {
		switch n := e.(type) {
		case float64:
			if n == f {
				return true
			}
		case int64:
			if float64(n) == f {
				return true
			}
		case int:
			if float64(n) == f {
				return true
			}
		}
	}
	return false
}
