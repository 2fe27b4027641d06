package loadgen

import (
	"context"
	"net"
)

// A Dialer opens one transport connection to the server under test. Plain
// TCP is TCPDialer; the post-quantum channel (package pqnet) supplies its
// own, which returns a net.Conn carrying the same HTTP bytes.
type Dialer func(ctx context.Context) (net.Conn, error)

// TCPDialer returns a Dialer for plain TCP to addr (host:port) with Nagle's
// algorithm off, so small requests leave at once.
func TCPDialer(addr string) Dialer {
	var d net.Dialer
	return func(ctx context.Context) (net.Conn, error) {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		return c, nil
	}
}
