// Package httpd runs the HTTP codecs on the engine: it is the Protocol the
// main listener's connections speak (HTTP/1.1, and HTTP/2 by prior
// knowledge or Upgrade: h2c) and, inside the PQ channel, the inner protocol.
// It turns parsed requests into httpx exchanges, calls the router, and
// serialises what handlers answer, counting everything per loop.
//
// A file per concept: conn.go sniffs the protocol, h1.go and h2.go drive
// the two codecs, exchange.go carries responses that outlive their handler
// call (offload, streaming), metrics.go counts, requestid.go names requests.
package httpd
