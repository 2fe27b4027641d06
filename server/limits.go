package server

import (
	"github.com/pqloop/pqloop/codec/http1"
	"github.com/pqloop/pqloop/codec/http2"
	"github.com/pqloop/pqloop/engine"
	"github.com/pqloop/pqloop/httpd"
	"github.com/pqloop/pqloop/server/config"
)

// heldInputSlack is what a connection may hold beyond its largest request:
// the start of the next pipelined request, or a frame header.
const heldInputSlack = 64 << 10

// engineLimits maps the configuration onto the engine's live limits.
func engineLimits(c *config.Config) engine.Limits {
	largest := int(c.HTTP.MaxBody) + int(c.HTTP.MaxHeaderBytes) + int(c.HTTP.MaxRequestLine)
	if fs := int(c.HTTP2.MaxFrameSize); fs > largest {
		largest = fs
	}
	return engine.Limits{
		MaxConns:          c.Engine.MaxConns,
		MaxConnsPerIP:     c.Engine.MaxConnsPerIP,
		HeaderTimeout:     c.Engine.HeaderTimeout,
		IdleTimeout:       c.Engine.IdleTimeout,
		WriteStallTimeout: c.Engine.WriteStallTimeout,
		MaxOutput:         int(c.Engine.MaxOutputBuffer),
		MaxHeldInput:      largest + heldInputSlack,
	}
}

// httpLimits maps the configuration onto the HTTP layer's live limits.
func httpLimits(c *config.Config) httpd.Limits {
	h2 := http2.DefaultConfig()
	h2.MaxConcurrentStreams = uint32(c.HTTP2.MaxConcurrentStreams)
	h2.InitialWindowSize = uint32(c.HTTP2.InitialWindowSize)
	h2.MaxFrameSize = uint32(c.HTTP2.MaxFrameSize)
	h2.MaxHeaderListSize = uint32(c.HTTP2.MaxHeaderListSize)
	h2.RequestTimeout = c.HTTP2.RequestTimeout
	h2.StallTimeout = c.HTTP2.StallTimeout
	h2.MaxRequestBody = int64(c.HTTP.MaxBody)
	return httpd.Limits{
		HTTP1: http1.Limits{
			MaxRequestLine:  int(c.HTTP.MaxRequestLine),
			MaxHeaderBytes:  int(c.HTTP.MaxHeaderBytes),
			MaxHeaderFields: c.HTTP.MaxHeaderFields,
			MaxBody:         int64(c.HTTP.MaxBody),
		},
		HTTP2:     h2,
		AccessLog: c.Server.AccessLog,
		MaxOutput: int(c.Engine.MaxOutputBuffer),
	}
}
