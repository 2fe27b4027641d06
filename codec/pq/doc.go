// Package pq is the sans-IO codec of pqloop's post-quantum secure channel:
// the handshake framing around Noise_pqNK/pqIK_XWing_AESGCM_SHA256 (see
// crypto/noise), the record layer, rekeying, and the message-1 defences
// (mac1, per-address rate limit, per-client TAI64N replay guard).
//
// Server and Client are the two roles over one shared record layer. Neither
// touches a socket, a clock or a goroutine: callers feed received bytes with
// the current time (Unix nanoseconds) and write out what Output and Seal
// return. docs/PROTOCOL.md describes the wire format.
package pq
