package http2

import "github.com/pqloop/pqloop/codec/header"

// The response encoder never inserts into the dynamic table: fields go out
// as static-table references or literals without indexing (RFC 7541
// §6.2.2). That keeps no per-connection encoder state, and a client's
// SETTINGS_HEADER_TABLE_SIZE never needs answering.

// appendInt writes a §5.1 integer with an n-bit prefix; first holds the
// representation's pattern bits above the prefix.
func appendInt(b []byte, first byte, n uint8, v uint64) []byte {
	mask := uint64(1)<<n - 1
	if v < mask {
		return append(b, first|byte(v))
	}
	b = append(b, first|byte(mask))
	v -= mask
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendString(b []byte, s []byte) []byte {
	return append(appendInt(b, 0, 7, uint64(len(s))), s...)
}

// statusIndex maps the statuses of the static table to their index.
func statusIndex(status int) uint64 {
	switch status {
	case 200:
		return 8
	case 204:
		return 9
	case 206:
		return 10
	case 304:
		return 11
	case 400:
		return 12
	case 404:
		return 13
	case 500:
		return 14
	}
	return 0
}

const staticStatusName = 8 // ":status" in the static table

func appendStatus(b []byte, status int) []byte {
	if i := statusIndex(status); i != 0 {
		return appendInt(b, 0x80, 7, i)
	}
	b = appendInt(b, 0, 4, staticStatusName)
	return append(b, 3, byte('0'+status/100), byte('0'+status/10%10), byte('0'+status%10))
}

// appendField writes a literal field without indexing, naming a static
// entry when one exists.
func appendField(b []byte, name, value []byte) []byte {
	if i, ok := staticNameIndex[string(name)]; ok {
		b = appendInt(b, 0, 4, uint64(i))
	} else {
		b = appendString(append(b, 0), name)
	}
	return appendString(b, value)
}

// validResponseField reports whether a handler's field may be sent: a
// lower-case token name (RFC 9113 §8.2.1) and a valid value.
func validResponseField(f *header.Field) bool {
	return validFieldName(f.Name) && header.ValidValue(f.Value)
}

// connectionSpecific reports the RFC 9113 §8.2.2 fields that HTTP/2 must not
// carry; a handler sharing header lists with HTTP/1.1 may still hold them.
func connectionSpecific(name []byte) bool {
	switch len(name) {
	case 2:
		return header.EqualFold(name, "te")
	case 7:
		return header.EqualFold(name, "upgrade")
	case 10:
		return header.EqualFold(name, "connection") || header.EqualFold(name, "keep-alive")
	case 16:
		return header.EqualFold(name, "proxy-connection")
	case 17:
		return header.EqualFold(name, "transfer-encoding")
	}
	return false
}

// encodeFields appends the fields of h, skipping connection-specific ones.
func encodeFields(b []byte, h header.List) ([]byte, error) {
	for i := range h {
		f := &h[i]
		if !validResponseField(f) {
			return b, ErrInvalidHeader
		}
		if connectionSpecific(f.Name) {
			continue
		}
		b = appendField(b, f.Name, f.Value)
	}
	return b, nil
}
