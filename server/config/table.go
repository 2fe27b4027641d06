package config

import "time"

// envPrefix starts every environment override: PQLOOP_<SECTION>_<KEY>.
const envPrefix = "PQLOOP_"

// Bounds shared by several fields.
var (
	connCount      = ints(1, 1_000_000)
	handlerTimeout = durations(100*time.Millisecond, 10*time.Minute)
	idleTimeout    = durations(time.Second, 24*time.Hour)
)

// fields lists every setting, in the order docs/CONFIG.md, config/pqloop.yaml and the admin
// /config endpoint show them. Sections are contiguous.
var fields = []field{
	{name: "server.listen", restart: true, rule: requiredAddress,
		doc: "Address (host:port) of the HTTP listener serving MCP."},
	{name: "server.admin", restart: true, rule: optionalAddress,
		doc: "Address of the admin listener (/health, /ready, /metrics, /config); empty disables it."},
	{name: "server.admin_token", secret: true, rule: adminToken,
		doc: "When set, admin endpoints other than /health and /ready require \"Authorization: Bearer <token>\"."},
	{name: "server.access_log",
		doc: "Log one line per completed request."},

	{name: "log.level", oneOf: []string{"debug", "info", "warn", "error"},
		doc: "Least severe level written to the log."},
	{name: "log.format", oneOf: []string{"text", "json"}, restart: true,
		doc: "Log line encoding."},

	{name: "engine.loops", bounds: ints(0, 1024), restart: true,
		doc: "Number of gnet event loops; 0 means GOMAXPROCS."},
	{name: "engine.pin_cpus", restart: true,
		doc: "Pin each event loop to its own OS thread and CPU."},
	{name: "engine.read_buffer_cap", bounds: sizes(4*KiB, 64*MiB), restart: true,
		doc: "Capacity of each event loop's socket read buffer."},
	{name: "engine.max_conns", bounds: connCount,
		doc: "Open connections above which new ones are refused."},
	{name: "engine.max_conns_per_ip", bounds: connCount,
		doc: "Open connections one client IP address may hold."},
	{name: "engine.header_timeout", bounds: handlerTimeout,
		doc: "Time a client has to send a complete request head."},
	{name: "engine.idle_timeout", bounds: idleTimeout,
		doc: "Time an idle keep-alive connection stays open."},
	{name: "engine.write_stall_timeout", bounds: handlerTimeout,
		doc: "Time a connection may sit with unsent output before it is closed (slow reader)."},
	{name: "engine.max_output_buffer", bounds: sizes(64*KiB, GiB),
		doc: "Unsent output a connection may queue before it is closed (slow reader)."},
	{name: "engine.offload_workers", bounds: ints(0, 4096), restart: true,
		doc: "Goroutines running blocking handlers off the event loops; 0 means 4×GOMAXPROCS."},
	{name: "engine.offload_queue", bounds: ints(1, 1_000_000), restart: true,
		doc: "Handler calls waiting for an offload worker before new ones are refused."},
	{name: "engine.drain_timeout", bounds: durations(0, 10*time.Minute),
		doc: "On shutdown, time given to in-flight requests before connections are closed."},

	{name: "http.max_request_line", bounds: sizes(rfc9112MinRequestLine, MiB),
		doc: "Longest HTTP/1.1 request line; the floor is RFC 9112 §3's recommended 8000 octets."},
	{name: "http.max_header_bytes", bounds: sizes(4*KiB, 16*MiB),
		doc: "Largest HTTP/1.1 header section."},
	{name: "http.max_header_fields", bounds: ints(1, 10_000),
		doc: "Most header fields in one request."},
	{name: "http.max_body", bounds: sizes(KiB, GiB),
		doc: "Largest request body."},
	{name: "http.h2c", restart: true,
		doc: "Accept HTTP/2 over cleartext (prior knowledge) on the HTTP listener."},

	{name: "http2.max_concurrent_streams", bounds: ints(1, 10_000),
		doc: "SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients."},
	{name: "http2.initial_window_size", bounds: sizes(rfc9113DefaultInitialWindowSize, rfc9113MaxWindowSize),
		doc: "SETTINGS_INITIAL_WINDOW_SIZE; RFC 9113 §6.9.2 caps it at 2^31-1."},
	{name: "http2.max_frame_size", bounds: sizes(rfc9113DefaultMaxFrameSize, rfc9113MaxFrameSize),
		doc: "SETTINGS_MAX_FRAME_SIZE; RFC 9113 §6.5.2 bounds it to 2^14..2^24-1."},
	{name: "http2.max_header_list_size", bounds: sizes(4*KiB, 16*MiB),
		doc: "SETTINGS_MAX_HEADER_LIST_SIZE: largest decoded header list."},
	{name: "http2.request_timeout", bounds: handlerTimeout,
		doc: "Time a stream has from its HEADERS to its last request byte before RST_STREAM(CANCEL)."},
	{name: "http2.stall_timeout", bounds: handlerTimeout,
		doc: "Time a response may wait on a zero flow-control window before RST_STREAM(CANCEL)."},

	{name: "mcp.enabled", restart: true,
		doc: "Serve the MCP Streamable HTTP endpoint."},
	{name: "mcp.path", restart: true, rule: urlPath,
		doc: "URL path of the MCP endpoint."},
	{name: "mcp.stateless", restart: true,
		doc: "Issue no Mcp-Session-Id; every request stands alone."},
	{name: "mcp.session_idle_timeout", bounds: idleTimeout,
		doc: "Time an unused MCP session is kept before it ends."},
	{name: "mcp.max_sessions", bounds: connCount,
		doc: "Live MCP sessions above which initialize is refused."},
	{name: "mcp.allowed_origins", rule: origin,
		doc: "Origins (scheme://host[:port]) allowed to call the endpoint; empty allows loopback origins only."},
	{name: "mcp.conformance_fixtures", restart: true,
		doc: "Register the tools, prompts and resources the MCP conformance suite expects."},
	{name: "mcp.replay_buffer", bounds: ints(0, 65_536),
		doc: "Events kept per SSE stream for resumption with Last-Event-ID; 0 disables resumption."},
	{name: "mcp.page_size", bounds: ints(1, 1000),
		doc: "Items per page of tools/list, prompts/list and resources/list."},

	{name: "pq.listen", restart: true, rule: optionalAddress,
		doc: "Address of the post-quantum channel listener; empty disables it."},
	{name: "pq.private_key_file", restart: true,
		doc: "File holding the server's static private key."},
	{name: "pq.client_keys_file", restart: true,
		doc: "File listing the client public keys allowed to connect."},
	{name: "pq.require_client_auth", restart: true,
		doc: "Refuse clients whose static key is not in client_keys_file."},
	{name: "pq.rekey_after_records", bounds: ints(1, wireguardRekeyAfterMessages),
		doc: "Records sent under one key before rekeying; at most WireGuard's 2^60."},
	{name: "pq.rekey_interval", bounds: durations(time.Second, 24*time.Hour),
		doc: "Time after which a channel rekeys (WireGuard's RekeyAfterTime is 2m)."},
	{name: "pq.handshake_rate_per_ip", bounds: ints(1, 10_000),
		doc: "Handshakes per second one client IP address may start."},
	{name: "pq.state_dir", restart: true, rule: nonEmpty,
		doc: "Directory for generated keys and other persistent state."},
}
