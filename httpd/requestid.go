package httpd

// maxRequestIDLen bounds a client-supplied X-Request-ID we echo back.
const maxRequestIDLen = 128

// saneRequestID reports whether a client's X-Request-ID may be echoed in
// our response and logs: short, and only characters that cannot break a
// header or a log line.
func saneRequestID(id []byte) bool {
	if len(id) == 0 || len(id) > maxRequestIDLen {
		return false
	}
	for _, c := range id {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '='
		if !ok {
			return false
		}
	}
	return true
}

const hexDigits = "0123456789abcdef"

// newRequestID writes 16 random-looking hex digits into dst using the
// loop's splitmix64 state: unique enough to correlate logs, and free.
func (ls *loopState) newRequestID(dst *[16]byte) []byte {
	ls.seed += 0x9e3779b97f4a7c15
	z := ls.seed
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	for i := 15; i >= 0; i-- {
		dst[i] = hexDigits[z&0xf]
		z >>= 4
	}
	return dst[:]
}
