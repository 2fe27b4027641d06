package pqkey

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pqloop/pqloop/crypto/noise"
)

// Authorised-clients file bounds.
const (
	// MaxAuthorizedLine bounds one line: an inline key is 1624 base64
	// characters plus name and type.
	MaxAuthorizedLine = 4096
	// MaxAuthorizedClients bounds the entries of one file.
	MaxAuthorizedClients = 65536
	// MaxClientName bounds a client name.
	MaxClientName = 64
)

// Client is one authorised client key.
type Client struct {
	Name        string
	Key         *noise.PublicKey
	Fingerprint string
}

// AuthorizedSet is the set of client keys a listener accepts for pqIK. It is
// read-only after loading, so connections share it without locking. Keys
// are parsed once, so a handshake does not re-check them.
type AuthorizedSet struct {
	byKey  map[string]*Client // packed public key -> client
	byName map[string]*Client
}

// Lookup returns the client whose packed public key is key. It does not
// allocate.
func (s *AuthorizedSet) Lookup(key []byte) (*Client, bool) {
	if s == nil {
		return nil, false
	}
	c, ok := s.byKey[string(key)]
	return c, ok
}

// Len returns the number of clients.
func (s *AuthorizedSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.byKey)
}

// NewAuthorizedSet builds a set from clients; names and keys must be unique.
func NewAuthorizedSet(clients ...Client) (*AuthorizedSet, error) {
	s := &AuthorizedSet{byKey: make(map[string]*Client), byName: make(map[string]*Client)}
	for i := range clients {
		if err := s.add(clients[i]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *AuthorizedSet) add(c Client) error {
	if !validClientName(c.Name) {
		return fmt.Errorf("pqkey: invalid client name %q (1..%d of A-Z a-z 0-9 . _ @ -)", c.Name, MaxClientName)
	}
	if _, dup := s.byName[c.Name]; dup {
		return fmt.Errorf("pqkey: client name %q listed twice", c.Name)
	}
	if prev, dup := s.byKey[string(c.Key.Bytes())]; dup {
		return fmt.Errorf("pqkey: clients %q and %q share a key", prev.Name, c.Name)
	}
	if len(s.byKey) >= MaxAuthorizedClients {
		return fmt.Errorf("pqkey: more than %d authorised clients", MaxAuthorizedClients)
	}
	if c.Fingerprint == "" {
		c.Fingerprint = Fingerprint(c.Key)
	}
	p := &c
	s.byKey[string(c.Key.Bytes())] = p
	s.byName[c.Name] = p
	return nil
}

func validClientName(n string) bool {
	if len(n) == 0 || len(n) > MaxClientName {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '_' || c == '@' || c == '-') {
			return false
		}
	}
	return true
}

// LoadAuthorized reads an authorised-clients file. Relative key file paths
// in it are taken relative to the file's directory.
func LoadAuthorized(path string) (*AuthorizedSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := ParseAuthorized(f, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseAuthorized reads the authorised-clients format: one client per line,
//
//	# comment
//	<name> pqloop-xwing <base64 public key> [comment]
//	<name> <path to a .pub file>
//
// Blank lines and lines starting with '#' are ignored. Relative paths are
// resolved against dir.
func ParseAuthorized(r io.Reader, dir string) (*AuthorizedSet, error) {
	s, _ := NewAuthorizedSet()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, MaxAuthorizedLine), MaxAuthorizedLine)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, spec, _ := strings.Cut(string(line), " ")
		spec = strings.TrimSpace(spec)
		var key *noise.PublicKey
		var err error
		switch {
		case spec == "":
			err = fmt.Errorf("missing key")
		case strings.HasPrefix(spec, PublicKeyType+" "):
			key, err = ParsePublicKey([]byte(spec))
		default:
			p := spec
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			key, err = LoadPublicKey(p)
		}
		if err == nil {
			err = s.add(Client{Name: name, Key: key})
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("authorised clients: %w", err)
	}
	return s, nil
}
