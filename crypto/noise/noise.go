// Package noise implements the parts of the Noise Protocol Framework
// (revision 34, https://noiseprotocol.org/noise.html) that pqloop's secure
// channel needs, extended with the post-quantum KEM patterns of PQNoise
// (Angel, Dowling, Hülsing, Schwabe, Weber; CCS 2022, ePrint 2022/539):
//
//	Noise_pqNK_XWing_AESGCM_SHA256: anonymous initiator, responder key pinned
//	Noise_pqIK_XWing_AESGCM_SHA256: both sides hold static keys
//
// The KEM is X-Wing (draft-connolly-cfrg-xwing-kem), the hybrid of ML-KEM-768
// and X25519, from github.com/cloudflare/circl/kem/xwing. The package is
// sans-IO: it reads no clock and starts no goroutine; randomness comes from an
// io.Reader the caller supplies, so tests can fix every seed.
package noise

import (
	"crypto/sha256"
	"errors"
	"math"

	"github.com/cloudflare/circl/kem/xwing"
)

// Protocol names (Noise §8), hashed into the initial handshake state.
const (
	ProtocolNamePQNK = "Noise_pqNK_XWing_AESGCM_SHA256"
	ProtocolNamePQIK = "Noise_pqIK_XWing_AESGCM_SHA256"
)

// Sizes of the primitives.
const (
	// HashLen is SHA-256's output length (Noise §4.3, §12.5).
	HashLen = sha256.Size
	// KeyLen is the cipher key length: 32 bytes for every Noise cipher (§4.2).
	KeyLen = 32
	// TagLen is the AES-GCM authentication tag length (§4.2, §12.4).
	TagLen = 16
	// MaxMessageLen bounds every Noise message, handshake or transport (§3).
	MaxMessageLen = 65535
	// nonceLen is AES-GCM's 96-bit nonce: 32 zero bits, then n big-endian (§12.4).
	nonceLen = 12
	// maxNonce is reserved for Rekey and never used to send (§5.1, §11.3).
	maxNonce = math.MaxUint64
)

// X-Wing sizes (draft-connolly-cfrg-xwing-kem, "X-Wing"): encapsulation key,
// decapsulation key (a 32-byte seed), ciphertext and shared secret.
const (
	PublicKeySize     = xwing.PublicKeySize  // 1216: ML-KEM-768 key (1184) ‖ X25519 key (32)
	PrivateKeySize    = xwing.PrivateKeySize // 32: the seed both halves expand from
	CiphertextSize    = xwing.CiphertextSize // 1120: ML-KEM-768 ciphertext (1088) ‖ X25519 share (32)
	SharedKeySize     = xwing.SharedKeySize  // 32
	EncapsSeedSize    = xwing.EncapsulationSeedSize
	ephemeralSeedSize = xwing.SeedSize // seed of an ephemeral key pair
)

// Errors. Every one of them means: abandon the session.
var (
	ErrNonceExhausted = errors.New("noise: nonce space exhausted, rekey or re-handshake")
	ErrAuth           = errors.New("noise: message authentication failed")
	ErrShortMessage   = errors.New("noise: handshake message truncated")
	ErrLongMessage    = errors.New("noise: handshake message too long")
	ErrBadKey         = errors.New("noise: peer sent an invalid X-Wing public key")
	ErrState          = errors.New("noise: handshake method called out of turn")
	ErrNoRemoteStatic = errors.New("noise: pattern needs the peer's static key")
	ErrNoLocalStatic  = errors.New("noise: pattern needs a local static key")
)
