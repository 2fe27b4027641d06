package http1

import (
	"bytes"

	"github.com/pqloop/pqloop/codec/header"
)

// parseRequestLine parses a request line without its CRLF (RFC 9112 §3):
//
//	request-line = method SP request-target SP HTTP-version
func parseRequestLine(line []byte, req *Request) *Error {
	methodEnd := bytes.IndexByte(line, ' ')
	targetEnd := bytes.LastIndexByte(line, ' ')
	if methodEnd < 0 || methodEnd == targetEnd {
		return errBadRequestLine
	}
	method := line[:methodEnd]
	if !header.ValidToken(method) {
		return errBadMethod
	}
	version, err := parseVersion(line[targetEnd+1:])
	if err != nil {
		return err
	}
	req.Method = method
	req.Version = version
	return parseTarget(method, line[methodEnd+1:targetEnd], req)
}

// httpVersionPrefix starts HTTP-version = HTTP-name "/" DIGIT "." DIGIT
// (RFC 9112 §2.3); the name is case-sensitive.
const httpVersionPrefix = "HTTP/"

// parseVersion maps HTTP/1.x to a Version. Other well-formed versions
// ("HTTP/2.0", "HTTP/3") get 505; anything else is a malformed request line.
func parseVersion(b []byte) (Version, *Error) {
	if len(b) < len(httpVersionPrefix) || string(b[:len(httpVersionPrefix)]) != httpVersionPrefix {
		return 0, errBadVersion
	}
	number := b[len(httpVersionPrefix):]
	if len(number) == 3 && number[0] == '1' && number[1] == '.' && isDigit(number[2]) {
		if number[2] == '0' {
			return HTTP10, nil
		}
		// RFC 9110 §2.5: a higher minor version is processed as the
		// highest one implemented.
		return HTTP11, nil
	}
	if validVersionNumber(number) {
		return 0, errUnsupportedVersion
	}
	return 0, errBadVersion
}

// validVersionNumber reports whether b is 1*DIGIT [ "." 1*DIGIT ], the
// shapes versions have taken ("2.0", "3").
func validVersionNumber(b []byte) bool {
	major, minor, dotted := bytes.Cut(b, []byte{'.'})
	return allDigits(major) && (!dotted || allDigits(minor))
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseTarget checks the request-target against the four forms of RFC 9112
// §3.2 and fills req's Target, Path, Query and, for absolute-form, Host.
func parseTarget(method, target []byte, req *Request) *Error {
	if !validTargetBytes(target) {
		return errBadTarget
	}
	req.Target = target
	switch {
	case string(method) == "CONNECT":
		// authority-form = uri-host ":" port, and only for CONNECT.
		host, port, ok := cutLast(target, ':')
		if !ok || len(host) == 0 || !validHost(target) || !allDigits(port) {
			return errBadTarget
		}
		req.Path = target[:0]
	case target[0] == '/':
		req.Path, req.Query = splitQuery(target)
	case string(target) == "*":
		// asterisk-form, only for a server-wide OPTIONS.
		if string(method) != "OPTIONS" {
			return errBadTarget
		}
		req.Path = target
	default:
		return parseAbsoluteForm(target, req)
	}
	return nil
}

// parseAbsoluteForm parses absolute-form = scheme "://" authority
// path-abempty [ "?" query ]. Userinfo is refused (RFC 9110 §4.2.4).
func parseAbsoluteForm(target []byte, req *Request) *Error {
	colon := bytes.IndexByte(target, ':')
	if colon <= 0 || !validScheme(target[:colon]) || !bytes.HasPrefix(target[colon+1:], []byte("//")) { // scheme "://"
		return errBadTarget
	}
	authorityStart := colon + len("://")
	rest := target[authorityStart:]
	authorityEnd := bytes.IndexAny(rest, "/?")
	if authorityEnd < 0 {
		authorityEnd = len(rest)
	}
	authority := rest[:authorityEnd]
	if len(authority) == 0 || !validHost(authority) {
		return errBadTarget
	}
	req.Host = authority
	req.Path, req.Query = splitQuery(rest[authorityEnd:])
	if len(req.Path) == 0 {
		// An empty path means "/" (RFC 9110 §4.2.3); the slash before the
		// authority is one, and keeps Path aliasing Target.
		req.Path = target[authorityStart-1 : authorityStart]
	}
	return nil
}

func splitQuery(b []byte) (path, query []byte) {
	path, query, _ = bytes.Cut(b, []byte{'?'})
	return path, query
}

func cutLast(b []byte, sep byte) (before, after []byte, found bool) {
	i := bytes.LastIndexByte(b, sep)
	if i < 0 {
		return b, nil, false
	}
	return b[:i], b[i+1:], true
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
func validScheme(b []byte) bool {
	for i, c := range b {
		alpha := 'a' <= c|0x20 && c|0x20 <= 'z'
		if !alpha && (i == 0 || !isDigit(c) && c != '+' && c != '-' && c != '.') {
			return false
		}
	}
	return len(b) > 0
}

// RFC 3986 §2 character classes.
const (
	unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	subDelims  = "!$&'()*+,;="
)

// targetChars are the bytes a request-target may hold: every URI character
// but '#', since a fragment is never sent (RFC 9112 §3.2). Controls, space
// and non-ASCII bytes are refused rather than guessed at.
var targetChars = byteSet(unreserved + subDelims + ":/?[]@%")

// hostChars are the bytes of uri-host [ ":" port ]: reg-name, IP-literal and
// IPv4address all draw from them (RFC 3986 §3.2.2). '@' is not among them,
// so userinfo is refused.
var hostChars = byteSet(unreserved + subDelims + ":[]%")

func byteSet(chars string) (set [256]bool) {
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return set
}

func validTargetBytes(b []byte) bool {
	return len(b) > 0 && validURIBytes(b, &targetChars)
}

func validHost(b []byte) bool { return validURIBytes(b, &hostChars) }

// validURIBytes reports whether every byte of b is in set and every '%'
// starts a pct-encoded triplet.
func validURIBytes(b []byte, set *[256]bool) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !set[c] {
			return false
		}
		if c == '%' {
			if i+2 >= len(b) {
				return false
			}
			if _, ok := hexValue(b[i+1]); !ok {
				return false
			}
			if _, ok := hexValue(b[i+2]); !ok {
				return false
			}
			i += 2
		}
	}
	return true
}
