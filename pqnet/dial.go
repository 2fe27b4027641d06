package pqnet

import (
	"context"
	"net"

	"github.com/pqloop/pqloop/codec/pq"
)

// Client wraps an established socket in the client role; the handshake runs
// on first use or by Handshake.
func Client(raw net.Conn, cfg *pq.ClientConfig) (*Conn, error) {
	c, err := pq.NewClient(cfg, now())
	if err != nil {
		return nil, err
	}
	return newConn(raw, c, nil), nil
}

// Dial connects to addr and completes the handshake within ctx. The result
// is a net.Conn; Protocol says which inner protocol the server chose.
func Dial(ctx context.Context, network, addr string, cfg *pq.ClientConfig) (*Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c, err := Client(raw, cfg)
	if err != nil {
		raw.Close()
		return nil, err
	}
	if err := c.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return c, nil
}
