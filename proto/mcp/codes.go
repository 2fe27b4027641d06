package mcp

import "github.com/pqloop/pqloop/proto/jsonrpc"

// MCP's own JSON-RPC error codes (schema/<rev>/schema.ts).
const (
	// CodeResourceNotFound: resources/read of an unknown URI (up to 2025-11-25;
	// 2026-07-28 uses -32602).
	CodeResourceNotFound = -32002
	// CodeHeaderMismatch: an Mcp-* header disagrees with the body (2026-07-28).
	CodeHeaderMismatch = -32020
	// CodeMissingRequiredClientCapability: the request needs a capability the
	// client did not declare (2026-07-28).
	CodeMissingRequiredClientCapability = -32021
	// CodeUnsupportedProtocolVersion: the request's revision is not served
	// here; data lists the supported ones (2026-07-28).
	CodeUnsupportedProtocolVersion = -32022
)

var (
	errMethodNotFound = jsonrpc.NewError(jsonrpc.CodeMethodNotFound, "method not found")
	errUnknownTool    = jsonrpc.NewError(jsonrpc.CodeInvalidParams, "unknown tool")
	errUnknownPrompt  = jsonrpc.NewError(jsonrpc.CodeInvalidParams, "unknown prompt")
	errBadCursor      = jsonrpc.NewError(jsonrpc.CodeInvalidParams, "invalid cursor")
	errBadParams      = jsonrpc.NewError(jsonrpc.CodeInvalidParams, "invalid params")
)
