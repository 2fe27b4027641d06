package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// FieldError is one problem with one setting, e.g. "engine.loops: must be 0..1024, got 5000".
// Source, when known, says where the value was written: "pqloop.yaml:12", "env PQLOOP_ENGINE_LOOPS"
// or "flag --loops". Messages never repeat the value of a secret.
type FieldError struct {
	Source string
	Field  string
	Msg    string
}

func (e *FieldError) Error() string {
	if e.Source == "" {
		return e.Field + ": " + e.Msg
	}
	return e.Source + ": " + e.Field + ": " + e.Msg
}

// Validate checks every setting against its range and rules. The error joins one *FieldError per
// problem, so a user fixes them all in one pass.
func (c *Config) Validate() error { return joinFieldErrors(c.problems()) }

func (c *Config) problems() []*FieldError {
	var errs []*FieldError
	fail := func(name, format string, args ...any) {
		errs = append(errs, &FieldError{Field: name, Msg: fmt.Sprintf(format, args...)})
	}
	for i := range fields {
		f := &fields[i]
		v := f.get(*c)
		switch {
		case f.bounds != nil && !f.bounds.contains(integer(v)):
			fail(f.name, "must be %s..%s, got %s", formatBound(v, f.bounds.lo), formatBound(v, f.bounds.hi), formatValue(v))
		case f.oneOf != nil && !slices.Contains(f.oneOf, v.(string)):
			fail(f.name, "must be one of %s, got %s", strings.Join(f.oneOf, "|"), formatValue(v))
		case f.rule != nil:
			items, isList := v.([]string)
			if !isList {
				items = []string{v.(string)}
			}
			for _, item := range items {
				if err := f.rule.check(item); err != nil {
					fail(f.name, "%v", err)
				}
			}
		}
	}
	errs = append(errs, c.crossProblems()...)
	return errs
}

// crossProblems checks rules that relate two settings; each names the setting to change.
func (c *Config) crossProblems() []*FieldError {
	var errs []*FieldError
	listeners := []struct{ name, addr string }{
		{"server.listen", c.Server.Listen}, {"server.admin", c.Server.Admin}, {"pq.listen", c.PQ.Listen},
	}
	for i, l := range listeners {
		for _, earlier := range listeners[:i] {
			if l.addr != "" && l.addr == earlier.addr && !ephemeralPort(l.addr) {
				errs = append(errs, &FieldError{Field: l.name,
					Msg: fmt.Sprintf("must differ from %s (both %s)", earlier.name, l.addr)})
			}
		}
	}
	if c.PQ.RequireClientAuth && c.PQ.ClientKeysFile == "" {
		errs = append(errs, &FieldError{Field: "pq.require_client_auth",
			Msg: "needs pq.client_keys_file: with no allowed keys every client would be refused"})
	}
	return errs
}

func ephemeralPort(addr string) bool {
	_, port, _ := net.SplitHostPort(addr)
	return port == "0"
}

func joinFieldErrors(list []*FieldError) error {
	errs := make([]error, len(list))
	for i, e := range list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// A rule is an extra check on a string setting, or on each element of a list setting.
type rule struct {
	allowed string // what the check accepts, for docs and comments
	check   func(string) error
}

var (
	requiredAddress = &rule{"host:port", checkRequiredAddress}
	optionalAddress = &rule{"host:port, or empty", checkOptionalAddress}
	adminToken      = &rule{fmt.Sprintf("empty, or %d..%d RFC 6750 b64token characters", minAdminToken, maxAdminToken), checkAdminToken}
	urlPath         = &rule{"absolute path", checkURLPath}
	origin          = &rule{"scheme://host[:port] origins", checkOrigin}
	nonEmpty        = &rule{"not empty", checkNonEmpty}
)

func checkRequiredAddress(addr string) error {
	if addr == "" {
		return errors.New("must not be empty")
	}
	return checkOptionalAddress(addr)
}

// checkOptionalAddress accepts "" (listener disabled) or host:port with a numeric port; an empty host
// listens on every interface.
func checkOptionalAddress(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port, got %s", quote(addr))
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || port != strconv.FormatUint(n, 10) {
		return fmt.Errorf("port must be 0..65535, got %s", quote(port))
	}
	return nil
}

// Admin token bounds: long enough that guessing is hopeless, short enough to fit in one header.
const (
	minAdminToken = 16
	maxAdminToken = 4096
)

// checkAdminToken accepts "" (no authentication) or an RFC 6750 §2.1 b64token of bounded length, the
// syntax a Bearer credential must have. Errors describe the token without repeating it.
func checkAdminToken(token string) error {
	if token == "" {
		return nil
	}
	if len(token) < minAdminToken || len(token) > maxAdminToken {
		return fmt.Errorf("must be empty or %d..%d characters, got %d", minAdminToken, maxAdminToken, len(token))
	}
	body := strings.TrimRight(token, "=")
	for i := 0; i < len(body); i++ {
		if !isB64TokenChar(body[i]) {
			return errors.New("must use only RFC 6750 b64token characters: A-Z a-z 0-9 - . _ ~ + / and trailing =")
		}
	}
	return nil
}

// isB64TokenChar reports the characters of RFC 6750 §2.1's b64token, apart from its trailing "=".
func isB64TokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~+/", c) >= 0
}

// checkURLPath accepts an absolute path made of RFC 3986 §3.3 pchar characters and slashes: the
// b64token set plus the remaining sub-delims, ":", "@" and "%" of percent-encoding.
func checkURLPath(path string) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("must start with /, got %s", quote(path))
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if !(isB64TokenChar(c) || strings.IndexByte("!$&'()*,;=:@%", c) >= 0) {
			return fmt.Errorf("must use only RFC 3986 path characters, got %s", quote(path))
		}
	}
	return nil
}

// checkOrigin accepts an origin exactly as a browser serializes it in the Origin header (RFC 6454 §6.1):
// lower-case scheme://host, with the port only when it is not the scheme's default.
func checkOrigin(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#") {
		return fmt.Errorf("want an origin like \"https://app.example.com\" or \"http://localhost:3000\", got %s", quote(s))
	}
	if hasPort := u.Port() != "" || strings.HasSuffix(u.Host, ":"); hasPort && checkOptionalAddress(u.Host) != nil {
		return fmt.Errorf("port must be 0..65535, got %s", quote(s))
	}
	if strings.ToLower(s) != s {
		return fmt.Errorf("must be lower case, as browsers send it, got %s", quote(s))
	}
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		return fmt.Errorf("must omit the default port, as browsers do, got %s", quote(s))
	}
	return nil
}

func checkNonEmpty(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	return nil
}
