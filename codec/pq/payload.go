package pq

// Handshake payloads, encrypted inside the Noise messages:
//
//	message 1: TAI64N (12) ‖ count (1) ‖ count × (len (1) ‖ protocol name)
//	message 2: len (1) ‖ chosen protocol name
//
// The client's offers work like ALPN; the server answers with one of them.

// validProtocol accepts 1..MaxProtocolLen visible ASCII bytes, as an ALPN
// identifier such as "h2" or "http/1.1".
func validProtocol(p []byte) bool {
	if len(p) == 0 || len(p) > MaxProtocolLen {
		return false
	}
	for _, c := range p {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

func appendInitPayload(dst []byte, ts tai64n, offers []string) []byte {
	dst = append(dst, ts[:]...)
	dst = append(dst, byte(len(offers)))
	for _, p := range offers {
		dst = append(dst, byte(len(p)))
		dst = append(dst, p...)
	}
	return dst
}

// initPayload is message 1's payload. offers aliases the decrypted buffer.
type initPayload struct {
	ts     tai64n
	offers [maxOffers][]byte
	n      int
}

func parseInitPayload(b []byte) (p initPayload, err error) {
	if len(b) < tai64nLen+1 {
		return p, ErrBadPayload
	}
	copy(p.ts[:], b)
	p.n = int(b[tai64nLen])
	b = b[tai64nLen+1:]
	if p.n == 0 || p.n > maxOffers {
		return p, ErrBadPayload
	}
	for i := 0; i < p.n; i++ {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return p, ErrBadPayload
		}
		p.offers[i], b = b[1:1+int(b[0])], b[1+int(b[0]):]
		if !validProtocol(p.offers[i]) {
			return p, ErrBadPayload
		}
	}
	if len(b) != 0 {
		return p, ErrBadPayload
	}
	return p, nil
}

// choose returns the first of the server's protocols that the client offered.
func (p *initPayload) choose(server []string) (string, bool) {
	for _, s := range server {
		for _, o := range p.offers[:p.n] {
			if string(o) == s {
				return s, true
			}
		}
	}
	return "", false
}

func parseResponsePayload(b []byte) ([]byte, error) {
	if len(b) < 1 || len(b) != 1+int(b[0]) || !validProtocol(b[1:]) {
		return nil, ErrBadPayload
	}
	return b[1:], nil
}
