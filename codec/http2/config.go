package http2

import "time"

// Config bounds one server connection. Every limit protects memory or CPU
// against a misbehaving client; DefaultConfig documents the chosen values,
// and a limit left zero takes its default.
type Config struct {
	// Advertised in our SETTINGS (RFC 9113 §6.5.2).
	MaxConcurrentStreams uint32 // streams open at once; past it: RST_STREAM(REFUSED_STREAM)
	InitialWindowSize    uint32 // per-stream receive window, at least 65,535
	MaxFrameSize         uint32 // largest frame we accept, 16,384..16,777,215
	HeaderTableSize      uint32 // HPACK dynamic table the client may use
	MaxHeaderListSize    uint32 // decoded request header list (§4.1 sizes); past it: 431

	ConnWindowSize     uint32 // connection receive window, opened by a WINDOW_UPDATE at start
	MaxHeaderBlockSize int    // compressed block across CONTINUATION frames; past it: GOAWAY
	MaxRequestBody     int64  // body bytes per request; past it: 413 and RST_STREAM(NO_ERROR)

	// MaxBufferedPerStream bounds response bytes queued for lack of flow
	// control window; MaxBufferedPerConn bounds the sum of queued response
	// bytes and buffered request bodies.
	MaxBufferedPerStream int
	MaxBufferedPerConn   int
	// MaxPendingOutput bounds unflushed output: a control frame that needs
	// an answer while more is pending is an ENHANCE_YOUR_CALM connection
	// error (a peer that sends PINGs but never reads).
	MaxPendingOutput int

	// Flood limits, counted per RateWindow. Control frames are SETTINGS,
	// PING, PRIORITY, GOAWAY, unknown types, empty DATA and CONTINUATION
	// frames, WINDOW_UPDATEs that answer no DATA we sent, and requests
	// after our GOAWAY. Resets are client
	// RST_STREAMs and streams we refused or reset for a client fault (rapid
	// reset, CVE-2023-44487). Past either: GOAWAY(ENHANCE_YOUR_CALM).
	RateWindow       time.Duration
	MaxControlFrames int
	MaxResets        int

	// Timeouts, checked by Tick. Zero disables one.
	HeaderTimeout   time.Duration // a header block split over CONTINUATION frames must end
	RequestTimeout  time.Duration // from HEADERS to END_STREAM; past it: RST_STREAM(CANCEL)
	StallTimeout    time.Duration // queued response data waiting on a zero window; RST_STREAM(CANCEL)
	IdleTimeout     time.Duration // no stream open; GOAWAY(NO_ERROR)
	SettingsTimeout time.Duration // our SETTINGS unacknowledged; GOAWAY(SETTINGS_TIMEOUT)
}

// DefaultConfig returns the limits pqloop serves with.
func DefaultConfig() Config {
	return Config{
		MaxConcurrentStreams: 250,
		InitialWindowSize:    256 << 10,
		MaxFrameSize:         minMaxFrameSize,
		HeaderTableSize:      defaultHeaderTableSize,
		MaxHeaderListSize:    64 << 10,
		ConnWindowSize:       1 << 20,
		MaxHeaderBlockSize:   64 << 10,
		MaxRequestBody:       10 << 20,
		MaxBufferedPerStream: 1 << 20,
		MaxBufferedPerConn:   64 << 20,
		MaxPendingOutput:     4 << 20,
		RateWindow:           time.Second,
		MaxControlFrames:     1000,
		MaxResets:            200,
		HeaderTimeout:        10 * time.Second,
		RequestTimeout:       60 * time.Second,
		StallTimeout:         30 * time.Second,
		IdleTimeout:          120 * time.Second,
		SettingsTimeout:      10 * time.Second,
	}
}

// normalized fills limits left zero from DefaultConfig and clamps values
// the protocol does not allow. The initial window is at least the RFC
// default because a client may send that much before it sees our SETTINGS.
func (c Config) normalized() Config {
	d := DefaultConfig()
	orDefault(&c.MaxConcurrentStreams, d.MaxConcurrentStreams)
	orDefault(&c.InitialWindowSize, d.InitialWindowSize)
	orDefault(&c.ConnWindowSize, d.ConnWindowSize)
	orDefault(&c.MaxFrameSize, d.MaxFrameSize)
	orDefault(&c.HeaderTableSize, d.HeaderTableSize)
	orDefault(&c.MaxHeaderListSize, d.MaxHeaderListSize)
	orDefault(&c.MaxRequestBody, d.MaxRequestBody)
	orDefault(&c.MaxBufferedPerStream, d.MaxBufferedPerStream)
	orDefault(&c.MaxBufferedPerConn, d.MaxBufferedPerConn)
	orDefault(&c.MaxPendingOutput, d.MaxPendingOutput)
	orDefault(&c.RateWindow, d.RateWindow)
	orDefault(&c.MaxControlFrames, d.MaxControlFrames)
	orDefault(&c.MaxResets, d.MaxResets)
	c.InitialWindowSize = min(max(c.InitialWindowSize, defaultInitialWindowSize), maxWindowSize)
	c.ConnWindowSize = min(max(c.ConnWindowSize, defaultInitialWindowSize), maxWindowSize)
	c.MaxFrameSize = min(max(c.MaxFrameSize, minMaxFrameSize), maxMaxFrameSize)
	if c.MaxHeaderBlockSize <= 0 {
		c.MaxHeaderBlockSize = int(c.MaxHeaderListSize)
	}
	return c
}

func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}
