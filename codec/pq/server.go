package pq

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"sync"
	"time"

	"github.com/pqloop/pqloop/crypto/noise"
	"github.com/pqloop/pqloop/crypto/pqkey"
)

// ServerConfig is one listener's policy. It is shared by all of the
// listener's connections and must not be modified or copied once the first
// Server has been created from it.
type ServerConfig struct {
	// StaticKey is the server's key pair (required).
	StaticKey *noise.PrivateKey
	// RequireClientAuth refuses pqNK: every client must run pqIK with a key
	// in AuthorizedClients.
	RequireClientAuth bool
	// AuthorizedClients are the client keys accepted for pqIK. A pqIK
	// handshake with any other key is refused; nil refuses all pqIK.
	AuthorizedClients *pqkey.AuthorizedSet
	// Protocols are the inner protocols served, in order of preference
	// (say "h2", "http/1.1").
	Protocols []string
	// RekeyAfterRecords and RekeyAfterTime renew the send key; zero takes
	// DefaultRekeyAfterRecords and DefaultRekeyAfterTime, and the record
	// count is capped at RejectAfterRecords/2.
	RekeyAfterRecords uint64
	RekeyAfterTime    time.Duration
	// Limiter bounds handshakes per source address; nil takes
	// NewRateLimiter(0, 0, 0) at first use.
	Limiter *RateLimiter
	// Rand supplies encapsulation seeds; nil means crypto/rand.
	Rand io.Reader

	once   sync.Once
	mac1   mac1Key
	replay replayGuard
}

func (c *ServerConfig) init() {
	c.once.Do(func() {
		if c.StaticKey == nil {
			return
		}
		c.mac1 = newMAC1Key(c.StaticKey.Public.Bytes())
		if c.Limiter == nil {
			c.Limiter = NewRateLimiter(0, 0, 0)
		}
		if c.Rand == nil {
			c.Rand = rand.Reader
		}
	})
}

var errNoServerKey = errors.New("pq: ServerConfig has no StaticKey")

type serverState uint8

const (
	awaitInit serverState = iota
	established
)

// Server is the server role of one connection. Methods must not be called
// concurrently, but a Server touches nothing outside itself except its
// ServerConfig's limiter and replay guard, which lock; so the engine may run
// the expensive handshake step (the Feed that completes message 1: one
// decapsulation, and one encapsulation for pqNK or two for pqIK) on a worker goroutine while
// the event loop leaves this Server alone.
type Server struct {
	cfg    *ServerConfig
	remote netip.Addr
	state  serverState
	records

	protocol  string
	client    *pqkey.Client // pqIK only
	anonymous bool          // pqNK
	confirmed bool          // a record from the client has been opened
	initTime  tai64n
}

// NewServer starts the server side of a connection from remote, whose
// address keys the handshake rate limit.
func NewServer(cfg *ServerConfig, remote netip.Addr) *Server {
	cfg.init()
	s := &Server{cfg: cfg, remote: remote}
	s.configureRekey(cfg.RekeyAfterRecords, cfg.RekeyAfterTime)
	if cfg.StaticKey == nil {
		s.err = errNoServerKey // every Feed reports it
	}
	return s
}

// Feed consumes handshake message 1 or one record from the start of in, at
// time now (Unix nanoseconds). consumed is 0 while the frame is incomplete.
// plaintext aliases in (it is opened in place) and must be used or copied
// before the next call. After a handshake frame, Output holds message 2.
// io.EOF means the client closed its direction in order; any other error
// means close the connection.
//
// The Feed that completes message 1 is the expensive step; see Server.
func (s *Server) Feed(in []byte, now int64) (consumed int, plaintext []byte, err error) {
	if s.err != nil {
		return 0, nil, s.err
	}
	s.now = now
	if s.state == established {
		consumed, plaintext, err = s.openRecord(in)
		if consumed > 0 && err == nil && !s.confirmed {
			s.confirm()
		}
		return consumed, plaintext, err
	}
	frame, ok, err := handshakeFrame(in, frameInit, maxInitBody(noise.PQIK))
	if err == nil && ok {
		err = s.handshake(frame, now)
	}
	if err != nil {
		return 0, nil, s.fail(err)
	}
	if !ok {
		return 0, nil, nil
	}
	return len(frame), nil, nil
}

// HandshakeReady reports whether in starts with a complete message 1 frame,
// so the next Feed runs the expensive handshake step. An engine uses it to
// hand that one Feed (with a copy of the frame) to a worker goroutine.
func (s *Server) HandshakeReady(in []byte) bool {
	_, ok, err := handshakeFrame(in, frameInit, maxInitBody(noise.PQIK))
	return s.state == awaitInit && s.err == nil && ok && err == nil
}

// handshake processes message 1 (the whole frame) and queues message 2.
// Cheap checks come first; the rate limiter is charged only for messages
// that carry a valid mac1, before any decapsulation.
func (s *Server) handshake(frame []byte, now int64) error {
	body := frame[frameHeaderLen:]
	if len(body) < initPreambleLen+mac1Len {
		return noise.ErrShortMessage
	}
	version, suite, patternID := body[0], binary.BigEndian.Uint16(body[1:3]), body[3]
	if version != Version1 {
		return ErrVersion
	}
	if suite != SuiteXWingAESGCMSHA256 {
		return ErrSuite
	}
	pattern := noisePattern(patternID)
	if pattern == nil || pattern == noise.PQNK && s.cfg.RequireClientAuth {
		return ErrPattern
	}
	if len(body) > maxInitBody(pattern) {
		return ErrFrameTooLong
	}
	if !s.cfg.mac1.verify(frame) {
		return ErrMAC1
	}
	if !s.cfg.Limiter.Allow(s.remote, now) {
		return ErrRateLimited
	}

	hs, err := noise.NewHandshakeState(&noise.Config{
		Pattern:     pattern,
		Prologue:    prologue(version, suite, patternID),
		LocalStatic: s.cfg.StaticKey,
		Rand:        s.cfg.Rand,
		ResolveRemoteStatic: func(key []byte) (*noise.PublicKey, error) {
			c, ok := s.cfg.AuthorizedClients.Lookup(key)
			if !ok {
				return nil, ErrUnauthorized
			}
			s.client = c
			return c.Key, nil
		},
	})
	if err != nil {
		return err
	}
	defer hs.Wipe()
	var buf [maxInitPayload]byte
	msg := body[initPreambleLen : len(body)-mac1Len]
	payload, err := hs.ReadMessage(buf[:0], msg)
	if err != nil {
		return err
	}
	p, err := parseInitPayload(payload)
	if err != nil {
		return err
	}
	if s.client != nil && !s.cfg.replay.fresh(s.client.Key.Bytes(), p.ts) {
		return ErrReplay
	}
	proto, ok := p.choose(s.cfg.Protocols)
	if !ok {
		return ErrNoCommonProtocol
	}

	var resp [1 + MaxProtocolLen]byte
	resp[0] = byte(len(proto))
	copy(resp[1:], proto)
	start := len(s.pending)
	s.pending = appendFrameHeader(s.pending, frameResponse, pattern.MessageLen(1, 1+len(proto)))
	if s.pending, err = hs.WriteMessage(s.pending, resp[:1+len(proto)]); err != nil {
		s.pending = s.pending[:start]
		return err
	}
	send, recv, err := hs.Split()
	if err != nil {
		return err
	}
	s.start(send, recv, now)
	s.protocol = proto
	s.anonymous = pattern == noise.PQNK
	s.initTime = p.ts
	s.state = established
	return nil
}

// confirm runs when the first record from the client opens. For pqIK that
// proves the client holds its private key (only it could decapsulate
// message 2's skem), so its handshake counts as complete and its timestamp
// now guards against replays of message 1.
func (s *Server) confirm() {
	s.confirmed = true
	if s.client != nil {
		s.cfg.replay.confirm(s.client.Key.Bytes(), s.initTime)
	}
}

// Established reports whether keys are set: Seal works and records flow.
func (s *Server) Established() bool { return s.state == established && s.err == nil }

// Protocol returns the inner protocol chosen in the handshake.
func (s *Server) Protocol() string { return s.protocol }

// Peer describes the client: for pqIK its key's fingerprint and name from
// the authorised set. authenticated turns true once the client has proved
// its key with a valid record; it stays false for anonymous pqNK clients.
func (s *Server) Peer() (fingerprint, name string, authenticated bool) {
	if s.client == nil {
		return "", "", false
	}
	return s.client.Fingerprint, s.client.Name, s.confirmed
}
