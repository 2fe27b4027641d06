// Package httpx is the handler API: the protocol-neutral request and response
// that route handlers see, whether the exchange arrived over HTTP/1.1, HTTP/2
// or either of them inside the PQ channel.
//
// A handler runs on the connection's event loop and must not block. Work that
// blocks goes to the bounded offload pool with Response.Go; a response that
// outlives the handler call (server-sent events) is opened with
// Response.Stream. Both are carried out by the driver that owns the
// connection (package httpd on the event loops, or NetHTTP in tests and
// tools), behind the Exchange interface.
//
// Lifetimes: the byte slices of a Request alias the connection's input buffer
// and are valid only until the handler returns. Response.Go hands fn a deep
// copy, so fn may keep using it until it returns.
package httpx
