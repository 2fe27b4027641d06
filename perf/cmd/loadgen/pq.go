package main

import (
	"errors"

	"github.com/pqloop/pqloop/perf/loadgen"
)

// pqOptions are the flags of -proto pq.
type pqOptions struct {
	serverKey string // file holding the server's static public key
	key       string // file holding the client's static private key, if any
}

// newPQDialer is the seam for the PQ channel: it returns a loadgen.Dialer
// whose connections run the pq handshake to addr and then carry HTTP/1.1.
// It is nil until package pqnet exists; wiring it is one assignment in an
// init function, e.g. newPQDialer = pqnetDialer.
var newPQDialer func(addr string, opts pqOptions) (loadgen.Dialer, error)

func (o pqOptions) dialer(addr string) (loadgen.Dialer, error) {
	if newPQDialer == nil {
		return nil, errors.New("-proto pq: this build has no PQ channel yet (package pqnet is not wired in)")
	}
	if o.serverKey == "" {
		return nil, errors.New("-proto pq needs -server-key")
	}
	return newPQDialer(addr, o)
}
