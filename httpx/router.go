package httpx

import (
	"strings"
)

// Mode says where a route's handler runs.
type Mode uint8

const (
	// Inline runs the handler on the event loop: it must not block.
	Inline Mode = iota
	// Offload runs the handler on the bounded offload pool (Response.Go).
	Offload
)

// Route is one registered path. Its index in Router.Routes is the label the
// drivers' per-loop metrics count it under.
type Route struct {
	Path    string
	methods []methodHandler
	// Allow is the value of the Allow header for a 405 on this path.
	Allow string
}

type methodHandler struct {
	method string
	h      Handler
	mode   Mode
}

// Router maps exact paths and methods to handlers. It is built at start-up
// and read-only afterwards, so every loop may use it without locks.
type Router struct {
	Routes []Route
	byPath map[string]int
}

// Unmatched is the route index under which requests for unknown paths are
// counted.
const Unmatched = -1

// Handle registers h for method and path. HEAD is answered by the GET
// handler (the driver drops the body).
func (rt *Router) Handle(method, path string, mode Mode, h Handler) {
	if rt.byPath == nil {
		rt.byPath = make(map[string]int)
	}
	i, ok := rt.byPath[path]
	if !ok {
		i = len(rt.Routes)
		rt.Routes = append(rt.Routes, Route{Path: path})
		rt.byPath[path] = i
	}
	r := &rt.Routes[i]
	for _, m := range r.methods {
		if m.method == method {
			panic("httpx: duplicate route " + method + " " + path)
		}
	}
	r.methods = append(r.methods, methodHandler{method: method, h: h, mode: mode})
	var allow []string
	for _, m := range r.methods {
		allow = append(allow, m.method)
		if m.method == "GET" {
			allow = append(allow, "HEAD")
		}
	}
	r.Allow = strings.Join(allow, ", ")
}

// Lookup finds the route for path; it does not allocate.
func (rt *Router) Lookup(path []byte) int {
	if i, ok := rt.byPath[string(path)]; ok {
		return i
	}
	return Unmatched
}

// Serve answers r: the route's handler, or 404, or 405 with Allow. It
// returns the route index for metrics.
func (rt *Router) Serve(w *Response, r *Request) int {
	i := rt.Lookup(r.Path)
	if i == Unmatched {
		w.Error(404, "not found")
		return i
	}
	route := &rt.Routes[i]
	method := r.Method
	if string(method) == "HEAD" {
		method = []byte("GET")
	}
	for _, m := range route.methods {
		if m.method == string(method) {
			if m.mode == Offload {
				w.Go(r, m.h)
			} else {
				m.h(w, r)
			}
			return i
		}
	}
	w.SetHeader("allow", route.Allow)
	w.Error(405, "method not allowed")
	return i
}

// Handler returns Serve as a plain Handler.
func (rt *Router) Handler() Handler {
	return func(w *Response, r *Request) { rt.Serve(w, r) }
}
