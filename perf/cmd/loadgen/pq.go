package main

import (
	"errors"

	"github.com/pqloop/pqloop/perf/loadgen"
)

// pqOptions are the flags of -proto pq.
type pqOptions struct {
	serverKey string // file holding the server's static public key
	key       string // file holding the client's static private key, if any
	inner     string // HTTP spoken inside the channel: h1 or h2c
}

// newPQDialer is the seam for the PQ channel: it returns a loadgen.Dialer
// whose connections complete the pq handshake to addr and then carry the
// protocol offered. pqdial.go sets it to the pqnet implementation.
var newPQDialer func(addr string, opts pqOptions, protocol string) (loadgen.Dialer, error)

// dialer resolves -proto pq into the HTTP protocol spoken inside the
// channel and the dialer that opens it.
func (o pqOptions) dialer(addr string) (loadgen.Protocol, loadgen.Dialer, error) {
	if newPQDialer == nil {
		return "", nil, errors.New("-proto pq: this build has no PQ channel")
	}
	if o.serverKey == "" {
		return "", nil, errors.New("-proto pq needs -server-key")
	}
	// The inner protocol is negotiated in the handshake under its ALPN name.
	var proto loadgen.Protocol
	var alpn string
	switch o.inner {
	case "h1", "":
		proto, alpn = loadgen.HTTP1, "http/1.1"
	case "h2c":
		proto, alpn = loadgen.H2C, "h2"
	default:
		return "", nil, errors.New("-inner must be h1 or h2c")
	}
	d, err := newPQDialer(addr, o, alpn)
	return proto, d, err
}
