// Package config holds pqloop's configuration: the typed settings every subsystem reads, their
// defaults, and how a YAML file, PQLOOP_* environment variables and command-line flags combine
// into the effective configuration (flags > env > file > defaults).
//
// Every setting is described once, in the field table (fields.go): its bounds, whether changing it
// needs a restart, whether it is secret, and its documentation. Loading, validation, the reload
// diff, redaction, docs/CONFIG.md and config/pqloop.yaml are all derived from that table.
//
// This is start-up code: it may use reflection and fmt freely; nothing here runs per request.
package config

import (
	"runtime"
	"time"
)

// Config is the complete configuration of a pqloop process.
type Config struct {
	Server ServerConfig `yaml:"server"`
	Log    LogConfig    `yaml:"log"`
	Engine EngineConfig `yaml:"engine"`
	HTTP   HTTPConfig   `yaml:"http"`
	HTTP2  HTTP2Config  `yaml:"http2"`
	MCP    MCPConfig    `yaml:"mcp"`
	PQ     PQConfig     `yaml:"pq"`
}

// ServerConfig holds the listening addresses and the admin endpoint.
type ServerConfig struct {
	Listen     string `yaml:"listen"`
	Admin      string `yaml:"admin"`
	AdminToken string `yaml:"admin_token"`
	AccessLog  bool   `yaml:"access_log"`
}

// LogConfig selects the log verbosity and encoding.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// EngineConfig sizes the gnet event loops, the per-connection limits and the offload pool.
type EngineConfig struct {
	Loops             int           `yaml:"loops"`
	PinCPUs           bool          `yaml:"pin_cpus"`
	ReadBufferCap     Size          `yaml:"read_buffer_cap"`
	MaxConns          int           `yaml:"max_conns"`
	MaxConnsPerIP     int           `yaml:"max_conns_per_ip"`
	HeaderTimeout     time.Duration `yaml:"header_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	WriteStallTimeout time.Duration `yaml:"write_stall_timeout"`
	MaxOutputBuffer   Size          `yaml:"max_output_buffer"`
	OffloadWorkers    int           `yaml:"offload_workers"`
	OffloadQueue      int           `yaml:"offload_queue"`
	DrainTimeout      time.Duration `yaml:"drain_timeout"`
}

// EventLoops is the number of event loops to start: Loops, or GOMAXPROCS when Loops is 0.
func (e EngineConfig) EventLoops() int {
	if e.Loops == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return e.Loops
}

// OffloadWorkerCount is the size of the offload pool: OffloadWorkers, or 4×GOMAXPROCS when it is 0.
func (e EngineConfig) OffloadWorkerCount() int {
	if e.OffloadWorkers == 0 {
		return offloadWorkersPerProc * runtime.GOMAXPROCS(0)
	}
	return e.OffloadWorkers
}

// offloadWorkersPerProc sizes the default offload pool: handlers that block (file or network I/O)
// leave the CPU idle, so a few workers per processor keep it busy.
const offloadWorkersPerProc = 4

// HTTPConfig bounds what an HTTP/1.1 request may carry.
type HTTPConfig struct {
	MaxRequestLine  Size `yaml:"max_request_line"`
	MaxHeaderBytes  Size `yaml:"max_header_bytes"`
	MaxHeaderFields int  `yaml:"max_header_fields"`
	MaxBody         Size `yaml:"max_body"`
	H2C             bool `yaml:"h2c"`
}

// HTTP2Config holds the SETTINGS pqloop advertises (RFC 9113 §6.5.2).
type HTTP2Config struct {
	MaxConcurrentStreams int  `yaml:"max_concurrent_streams"`
	InitialWindowSize    Size `yaml:"initial_window_size"`
	MaxFrameSize         Size `yaml:"max_frame_size"`
	MaxHeaderListSize    Size `yaml:"max_header_list_size"`
	// Stream timers; SETTINGS do not carry these.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	StallTimeout   time.Duration `yaml:"stall_timeout"`
}

// MCPConfig configures the MCP Streamable HTTP endpoint.
type MCPConfig struct {
	Enabled             bool          `yaml:"enabled"`
	Path                string        `yaml:"path"`
	Stateless           bool          `yaml:"stateless"`
	SessionIdleTimeout  time.Duration `yaml:"session_idle_timeout"`
	MaxSessions         int           `yaml:"max_sessions"`
	AllowedOrigins      []string      `yaml:"allowed_origins"`
	ConformanceFixtures bool          `yaml:"conformance_fixtures"`
	ReplayBuffer        int           `yaml:"replay_buffer"`
	PageSize            int           `yaml:"page_size"`
}

// PQConfig configures the post-quantum channel listener.
type PQConfig struct {
	Listen             string        `yaml:"listen"`
	PrivateKeyFile     string        `yaml:"private_key_file"`
	ClientKeysFile     string        `yaml:"client_keys_file"`
	RequireClientAuth  bool          `yaml:"require_client_auth"`
	RekeyAfterRecords  int64         `yaml:"rekey_after_records"`
	RekeyInterval      time.Duration `yaml:"rekey_interval"`
	HandshakeRatePerIP int           `yaml:"handshake_rate_per_ip"`
	StateDir           string        `yaml:"state_dir"`
}

// Protocol constants the defaults and bounds come from.
const (
	// RFC 9112 §3: recipients SHOULD support request lines of at least 8000 octets.
	rfc9112MinRequestLine = 8000

	// RFC 9113 §6.5.2 and §6.9.2: the SETTINGS bounds and initial values.
	rfc9113DefaultInitialWindowSize = 65535
	rfc9113MaxWindowSize            = 1<<31 - 1
	rfc9113DefaultMaxFrameSize      = 1 << 14
	rfc9113MaxFrameSize             = 1<<24 - 1

	// wireguard-go's RekeyAfterTime and RekeyAfterMessages: the same bounds suit the pq channel,
	// whose records use a 64-bit counter nonce like WireGuard's transport messages.
	wireguardRekeyAfterTime     = 120 * time.Second
	wireguardRekeyAfterMessages = 1 << 60
)

// Default returns the built-in configuration: safe for a loopback development server.
func Default() Config {
	return Config{
		Server: ServerConfig{
			Listen: "127.0.0.1:8080",
			Admin:  "127.0.0.1:9090",
		},
		Log: LogConfig{Level: "info", Format: "text"},
		Engine: EngineConfig{
			PinCPUs:           true,
			ReadBufferCap:     64 * KiB,
			MaxConns:          10000,
			MaxConnsPerIP:     1000,
			HeaderTimeout:     10 * time.Second,
			IdleTimeout:       60 * time.Second,
			WriteStallTimeout: 10 * time.Second,
			MaxOutputBuffer:   4 * MiB,
			OffloadQueue:      1024,
			DrainTimeout:      30 * time.Second,
		},
		HTTP: HTTPConfig{
			MaxRequestLine:  8 * KiB,
			MaxHeaderBytes:  64 * KiB,
			MaxHeaderFields: 100,
			MaxBody:         10 * MiB,
			H2C:             true,
		},
		HTTP2: HTTP2Config{
			MaxConcurrentStreams: 250,
			InitialWindowSize:    1 * MiB,
			MaxFrameSize:         rfc9113DefaultMaxFrameSize,
			MaxHeaderListSize:    64 * KiB,
			RequestTimeout:       60 * time.Second,
			StallTimeout:         30 * time.Second,
		},
		MCP: MCPConfig{
			Enabled:            true,
			Path:               "/mcp",
			SessionIdleTimeout: 30 * time.Minute,
			MaxSessions:        10000,
			ReplayBuffer:       256,
			PageSize:           50,
		},
		PQ: PQConfig{
			RekeyAfterRecords:  1 << 20,
			RekeyInterval:      wireguardRekeyAfterTime,
			HandshakeRatePerIP: 20,
			StateDir:           ".state",
		},
	}
}
