package pqnet

import (
	"net"
	"net/netip"

	"github.com/pqloop/pqloop/codec/pq"
)

// Server wraps an accepted socket in the server role; the handshake runs on
// first Read, Write or Handshake.
func Server(raw net.Conn, cfg *pq.ServerConfig) *Conn {
	var remote netip.Addr
	if ap, err := netip.ParseAddrPort(raw.RemoteAddr().String()); err == nil {
		remote = ap.Addr()
	}
	s := pq.NewServer(cfg, remote)
	return newConn(raw, s, s)
}

// Listener accepts connections and wraps each in the server role. A
// goroutine per connection serves it, as with net/http; the production
// server runs codec/pq on its event loops instead.
type Listener struct {
	net.Listener
	cfg *pq.ServerConfig
}

// Listen listens on addr; Accept returns *Conn values whose handshake runs
// on first use.
func Listen(network, addr string, cfg *pq.ServerConfig) (*Listener, error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	return NewListener(ln, cfg), nil
}

// NewListener wraps an existing listener.
func NewListener(ln net.Listener, cfg *pq.ServerConfig) *Listener {
	return &Listener{Listener: ln, cfg: cfg}
}

// Accept waits for the next connection.
func (l *Listener) Accept() (net.Conn, error) {
	raw, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return Server(raw, l.cfg), nil
}
