package pq

import (
	"errors"

	"github.com/pqloop/pqloop/crypto/noise"
)

// Errors from Feed and Seal. Each one is final: the connection must close,
// and no plaintext of the offending frame has been released.
var (
	ErrUnexpectedFrame  = errors.New("pq: unexpected frame type")
	ErrFrameTooLong     = errors.New("pq: frame longer than allowed")
	ErrVersion          = errors.New("pq: unsupported protocol version")
	ErrSuite            = errors.New("pq: suite does not belong to the version")
	ErrPattern          = errors.New("pq: handshake pattern not accepted by this listener")
	ErrMAC1             = errors.New("pq: message 1 is not addressed to this server key (mac1)")
	ErrRateLimited      = errors.New("pq: handshake rate limit for this source address")
	ErrReplay           = errors.New("pq: message 1 timestamp is not newer than the last completed handshake")
	ErrUnauthorized     = errors.New("pq: client key is not authorised")
	ErrNoCommonProtocol = errors.New("pq: no inner protocol in common")
	ErrBadPayload       = errors.New("pq: malformed handshake payload")
	ErrNotEstablished   = errors.New("pq: handshake not complete")
	ErrKeyExhausted     = errors.New("pq: peer sent too many records under one key")
	ErrClosed           = errors.New("pq: channel closed for sending")
	// ErrAuth is any AEAD failure: a flipped bit, a reordered, duplicated,
	// replayed or truncated record, or a wrong key.
	ErrAuth = noise.ErrAuth
)
