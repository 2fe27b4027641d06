package pq

import (
	"encoding/binary"

	"github.com/pqloop/pqloop/crypto/noise"
)

// Version1 is the only protocol version. It fixes one suite; a peer that
// wants another suite must use another version, so there is nothing to
// negotiate and nothing to downgrade.
const Version1 byte = 0x01

// SuiteXWingAESGCMSHA256 is the suite of Version1: X-Wing, AES-256-GCM,
// SHA-256, as in the Noise protocol names.
const SuiteXWingAESGCMSHA256 uint16 = 0x0001

// Pattern identifiers sent in clear in message 1 and hashed into the prologue.
const (
	PatternNK byte = 0x01 // Noise_pqNK_XWing_AESGCM_SHA256
	PatternIK byte = 0x02 // Noise_pqIK_XWing_AESGCM_SHA256
)

// Frame types. Every frame starts with type (1 byte) and body length (2
// bytes, big-endian); for records those 3 bytes are the AEAD's associated
// data, so neither can be altered without failing the tag.
const (
	frameInit      byte = 0x01 // handshake message 1
	frameResponse  byte = 0x02 // handshake message 2
	recordClose    byte = 0x15 // orderly end of stream, empty plaintext
	recordData     byte = 0x17 // application data
	recordRekey    byte = 0x18 // the sender switches its key after this record
	frameHeaderLen      = 3
)

// Record bounds.
const (
	// MaxRecordPlaintext is the largest plaintext in one record (16 KiB,
	// like TLS 1.3's 2^14, RFC 8446 §5.1).
	MaxRecordPlaintext = 16384
	// RecordOverhead is what a record adds to its plaintext.
	RecordOverhead = frameHeaderLen + noise.TagLen
	maxRecordBody  = MaxRecordPlaintext + noise.TagLen
)

// Handshake payload bounds: the client offers at most maxOffers protocol
// names of at most MaxProtocolLen bytes each, after a TAI64N timestamp.
const (
	MaxProtocolLen  = 32
	maxOffers       = 8
	tai64nLen       = 12
	maxInitPayload  = tai64nLen + 1 + maxOffers*(1+MaxProtocolLen)
	maxRespPayload  = 1 + MaxProtocolLen
	mac1Len         = 16
	initPreambleLen = 1 + 2 + 1 // version, suite, pattern
)

// prologueLabel starts the Noise prologue (§6); version, suite and pattern
// follow, so a changed clear byte fails message 1's first tag.
const prologueLabel = "pqloop secure channel"

func prologue(version byte, suite uint16, pattern byte) []byte {
	p := make([]byte, 0, len(prologueLabel)+initPreambleLen)
	p = append(p, prologueLabel...)
	p = append(p, version)
	p = binary.BigEndian.AppendUint16(p, suite)
	return append(p, pattern)
}

func noisePattern(id byte) *noise.Pattern {
	switch id {
	case PatternNK:
		return noise.PQNK
	case PatternIK:
		return noise.PQIK
	}
	return nil
}

// maxInitBody bounds message 1's frame body for a pattern: the preamble, the
// Noise message with the largest payload, and mac1.
func maxInitBody(p *noise.Pattern) int {
	return initPreambleLen + p.MessageLen(0, maxInitPayload) + mac1Len
}

func maxResponseBody(p *noise.Pattern) int { return p.MessageLen(1, maxRespPayload) }

// appendFrameHeader appends type and length.
func appendFrameHeader(dst []byte, typ byte, n int) []byte {
	return append(dst, typ, byte(n>>8), byte(n))
}

// peekFrame reads a frame header. ok is false until 3 bytes are available.
func peekFrame(in []byte) (typ byte, n int, ok bool) {
	if len(in) < frameHeaderLen {
		return 0, 0, false
	}
	return in[0], int(binary.BigEndian.Uint16(in[1:3])), true
}

// handshakeFrame looks for a whole handshake frame of type want with a body
// of at most maxBody bytes at the start of in. ok is false while it is
// incomplete; a wrong type or an over-long length fails at once, without
// waiting for the body.
func handshakeFrame(in []byte, want byte, maxBody int) (frame []byte, ok bool, err error) {
	typ, n, ok := peekFrame(in)
	switch {
	case !ok:
		return nil, false, nil
	case typ != want:
		return nil, false, ErrUnexpectedFrame
	case n > maxBody:
		return nil, false, ErrFrameTooLong
	case len(in) < frameHeaderLen+n:
		return nil, false, nil
	}
	return in[:frameHeaderLen+n], true, nil
}
