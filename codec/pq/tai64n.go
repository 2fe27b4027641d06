package pq

import "encoding/binary"

// TAI64N timestamps, as WireGuard's message 1 carries them (whitepaper §5.1):
// 8 bytes of seconds since 1970 offset by 2^62 + 10 (TAI64 label plus the
// TAI-UTC offset of 1972), then 4 bytes of nanoseconds. Big-endian, so the
// byte order is the time order.
const (
	tai64Base = 1<<62 + 10
	// tai64nWhitener rounds nanoseconds down to 2^24 ns (~16.8 ms) so the
	// timestamp does not give away a precise clock reading (wireguard-go
	// tai64n.go uses the same whitening).
	tai64nWhitener = 1 << 24
)

type tai64n [tai64nLen]byte

func tai64nFromUnixNano(ns int64) (t tai64n) {
	sec := ns / 1e9
	nano := ns % 1e9
	if nano < 0 {
		sec--
		nano += 1e9
	}
	nano -= nano % tai64nWhitener
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
