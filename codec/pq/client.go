package pq

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/pqloop/pqloop/crypto/noise"
)

// ClientConfig is the client's side of a channel. One config may serve many
// connections at once; it must not be copied after first use.
type ClientConfig struct {
	// ServerKey is the server's pinned public key (required).
	ServerKey *noise.PublicKey
	// StaticKey, when set, runs pqIK and authenticates the client with it;
	// when nil the client is anonymous (pqNK).
	StaticKey *noise.PrivateKey
	// Protocols are offered in order of preference, at most 8 names of 1..32
	// visible ASCII bytes (say "h2", "http/1.1").
	Protocols []string
	// RekeyAfterRecords and RekeyAfterTime renew the send key; zero takes
	// the defaults, and the record count is capped at RejectAfterRecords/2.
	RekeyAfterRecords uint64
	RekeyAfterTime    time.Duration
	// Rand supplies ephemeral and encapsulation seeds; nil means crypto/rand.
	Rand io.Reader

	// lastStamp makes message 1 timestamps strictly increase across the
	// connections dialled with this config, even if the clock stalls or
	// steps back, so a pqIK server never sees one twice.
	stampMu   sync.Mutex
	lastStamp int64
}

func (cfg *ClientConfig) stamp(now int64) int64 {
	cfg.stampMu.Lock()
	defer cfg.stampMu.Unlock()
	if now <= cfg.lastStamp {
		now = cfg.lastStamp + 1
	}
	cfg.lastStamp = now
	return now
}

// Client is the client role of one connection. Its methods must not be
// called concurrently.
type Client struct {
	hs       *noise.HandshakeState
	pattern  *noise.Pattern
	offers   []string
	protocol string
	records
}

var errNoOffers = errors.New("pq: client must offer 1..8 valid protocol names")

// NewClient builds message 1 at time now (Unix nanoseconds, for the TAI64N
// timestamp) and queues it in Output.
func NewClient(cfg *ClientConfig, now int64) (*Client, error) {
	if len(cfg.Protocols) == 0 || len(cfg.Protocols) > maxOffers {
		return nil, errNoOffers
	}
	for _, p := range cfg.Protocols {
		if !validProtocol([]byte(p)) {
			return nil, errNoOffers
		}
	}
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	patternID, pattern := PatternNK, noise.PQNK
	if cfg.StaticKey != nil {
		patternID, pattern = PatternIK, noise.PQIK
	}
	hs, err := noise.NewHandshakeState(&noise.Config{
		Pattern:      pattern,
		Initiator:    true,
		Prologue:     prologue(Version1, SuiteXWingAESGCMSHA256, patternID),
		LocalStatic:  cfg.StaticKey,
		RemoteStatic: cfg.ServerKey,
		Rand:         r,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{hs: hs, pattern: pattern, offers: cfg.Protocols}
	c.configureRekey(cfg.RekeyAfterRecords, cfg.RekeyAfterTime)
	c.now = now

	var payload [maxInitPayload]byte
	p := appendInitPayload(payload[:0], tai64nFromUnixNano(cfg.stamp(now)), cfg.Protocols)
	msgLen := pattern.MessageLen(0, len(p))
	out := appendFrameHeader(make([]byte, 0, frameHeaderLen+initPreambleLen+msgLen+mac1Len),
		frameInit, initPreambleLen+msgLen+mac1Len)
	out = append(out, Version1)
	out = binary.BigEndian.AppendUint16(out, SuiteXWingAESGCMSHA256)
	out = append(out, patternID)
	if out, err = hs.WriteMessage(out, p); err != nil {
		return nil, err
	}
	key := newMAC1Key(cfg.ServerKey.Bytes())
	c.pending = key.appendMAC1(out)
	return c, nil
}

// Feed consumes message 2 or one record from the start of in, at time now.
// It behaves like Server.Feed: plaintext aliases in, io.EOF is the server's
// orderly close, any other error means close the connection.
func (c *Client) Feed(in []byte, now int64) (consumed int, plaintext []byte, err error) {
	if c.err != nil {
		return 0, nil, c.err
	}
	c.now = now
	if c.hs == nil {
		return c.openRecord(in)
	}
	frame, ok, err := handshakeFrame(in, frameResponse, maxResponseBody(c.pattern))
	if err == nil && ok {
		err = c.finish(frame[frameHeaderLen:], now)
	}
	if err != nil {
		c.hs.Wipe()
		c.hs = nil
		return 0, nil, c.fail(err)
	}
	if !ok {
		return 0, nil, nil
	}
	return len(frame), nil, nil
}

func (c *Client) finish(msg []byte, now int64) error {
	var buf [maxRespPayload]byte
	payload, err := c.hs.ReadMessage(buf[:0], msg)
	if err != nil {
		return err
	}
	proto, err := parseResponsePayload(payload)
	if err != nil {
		return err
	}
	offered := false
	for _, o := range c.offers {
		offered = offered || o == string(proto)
	}
	if !offered {
		return ErrNoCommonProtocol
	}
	send, recv, err := c.hs.Split()
	if err != nil {
		return err
	}
	c.hs = nil
	c.protocol = string(proto)
	c.start(send, recv, now)
	return nil
}

// Established reports whether message 2 has been accepted.
func (c *Client) Established() bool { return c.ready && c.err == nil }

// Protocol returns the inner protocol the server chose.
func (c *Client) Protocol() string { return c.protocol }
