// Package pqkey manages the X-Wing keys of pqloop's secure channel on disk:
// key generation (pqloop keygen), the private and public key file formats,
// fingerprints for logs, and the authorised-client-keys file. Public keys
// are 1216 bytes, so configuration names key files and logs show
// fingerprints. docs/PROTOCOL.md documents every format.
package pqkey

import (
	"crypto/sha256"
	"encoding/base64"

	"github.com/pqloop/pqloop/crypto/noise"
)

// FingerprintPrefix starts every fingerprint, naming the hash like OpenSSH.
const FingerprintPrefix = "SHA256:"

// fingerprintBytes is how much of the SHA-256 digest a fingerprint shows:
// 128 bits, for people comparing keys by eye. Pinning always uses the whole
// public key, never the fingerprint.
const fingerprintBytes = 16

// Fingerprint returns "SHA256:" and the unpadded base64 of the first 16
// bytes of SHA-256 over the packed public key.
func Fingerprint(pub *noise.PublicKey) string {
	sum := sha256.Sum256(pub.Bytes())
	return FingerprintPrefix + base64.RawStdEncoding.EncodeToString(sum[:fingerprintBytes])
}
