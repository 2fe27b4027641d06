package pq

import "encoding/binary"

// TAI64N timestamps, as WireGuard's message 1 carries them (whitepaper §5.1):
// 8 bytes of seconds since 1970 offset by 2^62 + 10 (TAI64 label plus the
// TAI-UTC offset of 1972), then 4 bytes of nanoseconds. Big-endian, so the
// byte order is the time order. Unlike wireguard-go the nanoseconds are not
// rounded: parallel connections of one client need distinct timestamps, and
// only the server, which knows the time anyway, can read them.
const tai64Base = 1<<62 + 10

type tai64n [tai64nLen]byte

func tai64nFromUnixNano(ns int64) (t tai64n) {
	sec := ns / 1e9
	nano := ns % 1e9
	if nano < 0 {
		sec--
		nano += 1e9
	}
	binary.BigEndian.PutUint64(t[:8], uint64(tai64Base+sec))
	binary.BigEndian.PutUint32(t[8:], uint32(nano))
	return t
}

// after reports whether t is strictly later than u.
func (t tai64n) after(u tai64n) bool {
	for i := range t {
		if t[i] != u[i] {
			return t[i] > u[i]
		}
	}
	return false
}
