package main

import (
	"context"
	"net"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/noise"
	"github.com/pqloop/pqloop/crypto/pqkey"
	"github.com/pqloop/pqloop/perf/loadgen"
	"github.com/pqloop/pqloop/pqnet"
)

func init() { newPQDialer = pqnetDialer }

// pqnetDialer opens PQ channels with package pqnet: pqNK when no client key
// is given, pqIK with one. Every connection runs a full handshake, which is
// what -reconnect measures.
func pqnetDialer(addr string, o pqOptions, alpn string) (loadgen.Dialer, error) {
	serverKey, err := pqkey.LoadPublicKey(o.serverKey)
	if err != nil {
		return nil, err
	}
	var key *noise.PrivateKey
	if o.key != "" {
		if key, err = pqkey.LoadPrivateKey(o.key); err != nil {
			return nil, err
		}
	}
	cfg := &pq.ClientConfig{ServerKey: serverKey, StaticKey: key, Protocols: []string{alpn}}
	return func(ctx context.Context) (net.Conn, error) {
		return pqnet.Dial(ctx, "tcp", addr, cfg)
	}, nil
}
