// Package loadgen drives an HTTP server with a fixed number of connections
// and reports throughput and latency. It speaks HTTP/1.1 (keep-alive, with
// optional pipelining) and cleartext HTTP/2 with prior knowledge (many
// concurrent streams per connection), over any transport a Dialer returns,
// so the post-quantum channel plugs in without touching the protocols.
//
// Each connection is served by one goroutine that owns its socket, its read
// buffer and a sans-IO session (h1Session, h2Session): the goroutine reads,
// hands the bytes to the session, and writes whatever the session queued, so
// a batch of responses read in one syscall is answered by a batch of requests
// written in one syscall, as wrk and h2load do.
//
// Two loops are offered. Closed loop (the default) starts a new request as
// soon as one completes. Open loop (Config.Rate) starts requests at a
// constant arrival rate and measures each latency from the time the request
// was meant to be sent, not from when a free connection let it go: the
// correction for coordinated omission that wrk2 introduced.
package loadgen
