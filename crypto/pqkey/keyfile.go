package pqkey

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pqloop/pqloop/crypto/noise"
)

// File formats.
const (
	// PublicKeyType starts a public key line: "pqloop-xwing <base64> [comment]",
	// like an OpenSSH .pub file. The base64 (RFC 4648 §4, padded) holds the
	// 1216-byte X-Wing encapsulation key.
	PublicKeyType = "pqloop-xwing"
	// PrivateKeyPEMType is the PEM block type of a private key file; the block
	// holds the 32-byte X-Wing seed.
	PrivateKeyPEMType = "PQLOOP X-WING PRIVATE KEY"
	// PublicKeySuffix is appended to the private key path to name the public
	// key file.
	PublicKeySuffix = ".pub"
	// maxKeyFile bounds what is read from a key file.
	maxKeyFile = 8192
)

// Errors.
var (
	ErrPublicKeyFormat  = errors.New("pqkey: not a pqloop-xwing public key")
	ErrPrivateKeyFormat = errors.New("pqkey: not a pqloop X-Wing private key")
	ErrKeyPermissions   = errors.New("pqkey: private key file is readable by group or others (want mode 0600)")
)

// Generate creates a key pair from rand.
func Generate(rand io.Reader) (*noise.PrivateKey, error) { return noise.GeneratePrivateKey(rand) }

// Keygen implements `pqloop keygen --out path`: it creates a key pair, writes
// the private key to path with mode 0600 and the public key to path+".pub",
// and returns the fingerprint to print. It refuses to overwrite either file.
// The private key is wiped from memory before returning.
func Keygen(path string, rand io.Reader, comment string) (fingerprint string, err error) {
	key, err := Generate(rand)
	if err != nil {
		return "", err
	}
	defer key.Wipe()
	if err := WritePrivateKey(path, key); err != nil {
		return "", err
	}
	if err := writeNew(path+PublicKeySuffix, MarshalPublicKey(&key.Public, comment), 0o644); err != nil {
		return "", err
	}
	return Fingerprint(&key.Public), nil
}

// WritePrivateKey writes key's seed as PEM to a new file with mode 0600.
func WritePrivateKey(path string, key *noise.PrivateKey) error {
	block := pem.EncodeToMemory(&pem.Block{Type: PrivateKeyPEMType, Bytes: key.Seed()})
	defer clear(block)
	return writeNew(path, block, 0o600)
}

func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MarshalPublicKey returns the public key line, ending in a newline.
func MarshalPublicKey(pub *noise.PublicKey, comment string) []byte {
	var b bytes.Buffer
	b.WriteString(PublicKeyType)
	b.WriteByte(' ')
	b.WriteString(base64.StdEncoding.EncodeToString(pub.Bytes()))
	if comment = strings.TrimSpace(comment); comment != "" {
		b.WriteByte(' ')
		b.WriteString(comment)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// ParsePublicKey parses a public key line (type, base64, optional comment)
// and checks the key.
func ParsePublicKey(line []byte) (*noise.PublicKey, error) {
	fields := strings.Fields(string(line))
	if len(fields) < 2 || fields[0] != PublicKeyType {
		return nil, ErrPublicKeyFormat
	}
	raw, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(raw) != noise.PublicKeySize {
		return nil, ErrPublicKeyFormat
	}
	return noise.ParsePublicKey(raw)
}

// LoadPublicKey reads a public key file.
func LoadPublicKey(path string) (*noise.PublicKey, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	pub, err := ParsePublicKey(bytes.TrimSpace(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pub, nil
}

// LoadPrivateKey reads a private key file. Like OpenSSH it refuses a file
// that group or others may read. The caller should Wipe the key when done.
func LoadPrivateKey(path string) (*noise.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrKeyPermissions)
	}
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	block, rest := pem.Decode(data)
	if block == nil || block.Type != PrivateKeyPEMType || len(bytes.TrimSpace(rest)) != 0 ||
		len(block.Bytes) != noise.PrivateKeySize {
		return nil, fmt.Errorf("%s: %w", path, ErrPrivateKeyFormat)
	}
	defer clear(block.Bytes)
	return noise.NewPrivateKey(block.Bytes)
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s: key file longer than %d bytes", path, maxKeyFile)
	}
	return data, nil
}
