package pqkey

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pqloop/pqloop/crypto/noise"
)

type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

func TestKeygenFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.key")
	fp, err := Keygen(path, &countingReader{}, "server@test")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	priv, err := LoadPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(path + PublicKeySuffix)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.Public.Bytes(), pub.Bytes()) || len(pub.Bytes()) != 1216 {
		t.Fatal("public key file does not match the private key")
	}
	if fp != Fingerprint(pub) || !strings.HasPrefix(fp, FingerprintPrefix) || len(fp) != len(FingerprintPrefix)+22 {
		t.Fatalf("fingerprint %q", fp)
	}
	line, _ := os.ReadFile(path + PublicKeySuffix)
	if !strings.HasSuffix(strings.TrimSpace(string(line)), " server@test") {
		t.Fatalf("comment missing: %q", line)
	}
	if _, err := Keygen(path, &countingReader{}, ""); !errors.Is(err, os.ErrExist) {
		t.Fatalf("Keygen over an existing key: %v", err)
	}
	os.Chmod(path, 0o640)
	if _, err := LoadPrivateKey(path); !errors.Is(err, ErrKeyPermissions) {
		t.Fatalf("group-readable key accepted: %v", err)
	}
}

func TestParsePublicKeyErrors(t *testing.T) {
	k, _ := Generate(&countingReader{})
	good := string(MarshalPublicKey(&k.Public, ""))
	for name, line := range map[string]string{
		"wrong type": strings.Replace(good, PublicKeyType, "ssh-ed25519", 1),
		"short key":  PublicKeyType + " AAAA",
		"not base64": PublicKeyType + " !!!!",
		"no key":     PublicKeyType,
		"empty":      "",
	} {
		if _, err := ParsePublicKey([]byte(line)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func key(t *testing.T, label string) *noise.PrivateKey {
	seed := sha256.Sum256([]byte(label))
	k, err := noise.NewPrivateKey(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAuthorizedFile(t *testing.T) {
	dir := t.TempDir()
	alice, bob, carol := key(t, "alice"), key(t, "bob"), key(t, "carol")
	os.WriteFile(filepath.Join(dir, "bob.pub"), MarshalPublicKey(&bob.Public, "bob"), 0o644)
	file := fmt.Sprintf("# clients\n\nalice %s\n  bob bob.pub\n", strings.TrimSpace(string(MarshalPublicKey(&alice.Public, "laptop"))))
	path := filepath.Join(dir, "authorized")
	os.WriteFile(path, []byte(file), 0o644)
	set, err := LoadAuthorized(path)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 2 {
		t.Fatalf("Len = %d", set.Len())
	}
	for _, c := range []struct {
		k    *noise.PrivateKey
		name string
		ok   bool
	}{{alice, "alice", true}, {bob, "bob", true}, {carol, "", false}} {
		got, ok := set.Lookup(c.k.Public.Bytes())
		if ok != c.ok || ok && (got.Name != c.name || got.Fingerprint != Fingerprint(&c.k.Public)) {
			t.Errorf("Lookup(%s) = %+v, %v", c.name, got, ok)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { set.Lookup(alice.Public.Bytes()) }); allocs != 0 {
		t.Errorf("Lookup allocates %v times", allocs)
	}

	inline := strings.TrimSpace(string(MarshalPublicKey(&alice.Public, "")))
	for name, content := range map[string]string{
		"duplicate name": "a " + inline + "\na bob.pub\n",
		"duplicate key":  "a " + inline + "\nb " + inline + "\n",
		"bad name":       "a/b " + inline + "\n",
		"missing key":    "alice\n",
		"missing file":   "alice nothere.pub\n",
		"long line":      "alice " + strings.Repeat("x", MaxAuthorizedLine) + "\n",
	} {
		if _, err := ParseAuthorized(strings.NewReader(content), dir); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Bound: a name of MaxClientName bytes is accepted, one more is not.
	if _, err := ParseAuthorized(strings.NewReader(strings.Repeat("n", MaxClientName)+" "+inline), dir); err != nil {
		t.Errorf("name at the limit: %v", err)
	}
	if _, err := ParseAuthorized(strings.NewReader(strings.Repeat("n", MaxClientName+1)+" "+inline), dir); err == nil {
		t.Error("name over the limit accepted")
	}
}
