package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/pqloop/pqloop/codec/header"
)

// Protocol names the HTTP version spoken on each connection.
type Protocol string

const (
	// HTTP1 is HTTP/1.1 with keep-alive and optional pipelining.
	HTTP1 Protocol = "h1"
	// H2C is HTTP/2 over cleartext with prior knowledge (RFC 9113 §3.3).
	H2C Protocol = "h2c"
)

// DefaultTimeout is how long a request may stay unanswered before it is
// counted as a timeout and its connection replaced.
const DefaultTimeout = 10 * time.Second

// Config describes one run.
type Config struct {
	Protocol Protocol
	// URL is the request target; its host is the default dial address and
	// the Host / :authority sent.
	URL *url.URL
	// Dial opens connections; nil means TCPDialer(URL.Host).
	Dial Dialer

	// Connections is how many connections run concurrently.
	Connections int
	// Depth is how many requests each connection keeps in flight: the
	// pipeline depth for HTTP/1.1, concurrent streams for HTTP/2.
	Depth int
	// Reconnect opens a new connection for every request, to measure
	// connection set-up (TCP, or the PQ handshake) per second.
	Reconnect bool

	// Duration bounds the measured part of the run; Requests bounds how
	// many requests start after the warmup. At least one must be set; both
	// means whichever ends first.
	Duration time.Duration
	Requests int64
	// Warmup runs load before measuring starts: only responses completing
	// after it are measured.
	Warmup time.Duration
	// Rate, if positive, switches to open loop: requests per second over all
	// connections, latency measured from each request's intended send time.
	Rate float64
	// Timeout is how long a request may stay unanswered; 0 means DefaultTimeout.
	Timeout time.Duration

	Method string
	Header header.List
	Body   []byte
}

// validate checks the config and fills defaults.
func (c *Config) validate() error {
	switch c.Protocol {
	case HTTP1, H2C:
	case "":
		c.Protocol = HTTP1
	default:
		return fmt.Errorf("loadgen: unknown protocol %q (want h1 or h2c)", c.Protocol)
	}
	if c.URL == nil || c.URL.Host == "" {
		return errors.New("loadgen: URL with a host is required")
	}
	if c.URL.Scheme != "http" {
		return fmt.Errorf("loadgen: scheme %q not supported: use http:// (the PQ channel is chosen by the dialer)", c.URL.Scheme)
	}
	if _, _, err := net.SplitHostPort(c.URL.Host); err != nil {
		u := *c.URL // the caller's URL stays as given
		u.Host = net.JoinHostPort(u.Host, "80")
		c.URL = &u
	}
	if c.Dial == nil {
		c.Dial = TCPDialer(c.URL.Host)
	}
	if c.Connections <= 0 {
		return errors.New("loadgen: at least one connection is required")
	}
	if c.Depth <= 0 {
		c.Depth = 1
	}
	if c.Reconnect {
		c.Depth = 1
	}
	if c.Duration <= 0 && c.Requests <= 0 {
		return errors.New("loadgen: set a duration or a request count")
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Method == "" {
		c.Method = "GET"
	}
	if !header.ValidToken([]byte(c.Method)) {
		return fmt.Errorf("loadgen: invalid method %q", c.Method)
	}
	for _, f := range c.Header {
		if !header.ValidToken(f.Name) || !header.ValidValue(f.Value) {
			return fmt.Errorf("loadgen: invalid header %q: %q", f.Name, f.Value)
		}
		if header.EqualFold(f.Name, "content-length") || header.EqualFold(f.Name, "host") {
			return fmt.Errorf("loadgen: header %s is set by the load generator", f.Name)
		}
		if c.Protocol == H2C && connectionSpecific(f.Name) {
			return fmt.Errorf("loadgen: header %s is not allowed in HTTP/2 (RFC 9113 §8.2.2)", f.Name)
		}
	}
	return nil
}

// connectionSpecific reports the fields RFC 9113 §8.2.2 forbids in HTTP/2.
func connectionSpecific(name []byte) bool {
	for _, n := range []string{"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"} {
		if header.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// ParseHeader parses one "Name: value" flag argument.
func ParseHeader(s string) (header.Field, error) {
	name, value, ok := strings.Cut(s, ":")
	f := header.Field{Name: []byte(strings.TrimSpace(name)), Value: []byte(strings.TrimSpace(value))}
	if !ok || !header.ValidToken(f.Name) || !header.ValidValue(f.Value) {
		return header.Field{}, fmt.Errorf("loadgen: header %q is not of the form 'Name: value'", s)
	}
	return f, nil
}

// requestPath is the request-target sent: path plus query.
func (c *Config) requestPath() string {
	p := c.URL.RequestURI()
	if p == "" {
		p = "/"
	}
	return p
}
