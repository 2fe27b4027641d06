package http2

// ClientPreface is the connection preface a client sends first (RFC 9113 §3.4).
const ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// IsPreface sniffs the client preface, so one listener can serve HTTP/2
// with prior knowledge next to HTTP/1.1. needMore means b is a proper
// prefix of the preface and more bytes are needed to decide.
func IsPreface(b []byte) (match bool, needMore bool) {
	n := min(len(b), len(ClientPreface))
	if string(b[:n]) != ClientPreface[:n] {
		return false, false
	}
	return n == len(ClientPreface), n < len(ClientPreface)
}
