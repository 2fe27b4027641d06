package mcp

import (
	"net/netip"
	"strings"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/httpx"
)

// The media types Streamable HTTP exchanges (2025-06-18 basic/transports).
const (
	mediaJSON = "application/json"
	mediaSSE  = "text/event-stream"
)

// originAllowed checks Origin against the allow-list, to stop DNS
// rebinding (2025-11-25 basic/transports, "Security Warning": servers MUST
// validate Origin and answer 403 when it is not acceptable). A request
// without Origin does not come from a browser page and is accepted.
func (s *Server) originAllowed(r *httpx.Request) bool {
	o := r.Header.Get("origin")
	if o == nil {
		return true
	}
	if (*s.allowed.Load())[string(o)] {
		return true
	}
	return isLoopbackOrigin(string(o))
}

// isLoopbackOrigin reports whether origin is http(s)://<loopback>[:port],
// loopback being localhost, 127.0.0.0/8 or [::1].
func isLoopbackOrigin(origin string) bool {
	var rest string
	switch {
	case strings.HasPrefix(origin, "http://"):
		rest = origin[len("http://"):]
	case strings.HasPrefix(origin, "https://"):
		rest = origin[len("https://"):]
	default:
		return false
	}
	host := rest
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return false
		}
		host = rest[1:end]
		if tail := rest[end+1:]; tail != "" && !validPort(tail) {
			return false
		}
	} else if i := strings.IndexByte(rest, ':'); i >= 0 {
		host = rest[:i]
		if !validPort(rest[i:]) {
			return false
		}
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// validPort checks ":digits".
func validPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// accepts reports whether the Accept fields list a media range that covers
// mediaType (type/subtype, type/* or */*). Parameters are ignored.
func accepts(h header.List, mediaType string) bool {
	slash := strings.IndexByte(mediaType, '/')
	for i := range h {
		if !header.EqualFold(h[i].Name, "accept") {
			continue
		}
		v := stringOf(h[i].Value)
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			item, _, _ = strings.Cut(item, ";")
			item = strings.TrimSpace(item)
			if strings.EqualFold(item, mediaType) || item == "*/*" ||
				strings.HasSuffix(item, "/*") && strings.EqualFold(item[:len(item)-1], mediaType[:slash+1]) {
				return true
			}
		}
	}
	return false
}

// isJSONContent reports whether Content-Type is application/json, with any
// parameters (charset).
func isJSONContent(h header.List) bool {
	v := h.Get("content-type")
	if v == nil {
		return false
	}
	mt, _, _ := strings.Cut(stringOf(v), ";")
	return strings.EqualFold(strings.TrimSpace(mt), mediaJSON)
}
