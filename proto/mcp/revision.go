package mcp

// Revision is an MCP specification revision, named by its date. The dates
// compare in time order as strings.
type Revision string

// The revisions this server speaks, from the modelcontextprotocol
// specification (docs/specification/<rev>/).
const (
	Rev20250326 Revision = "2025-03-26" // Streamable HTTP; JSON-RPC batches allowed
	Rev20250618 Revision = "2025-06-18" // batches removed; MCP-Protocol-Version header; structuredContent
	Rev20251125 Revision = "2025-11-25" // priming SSE event; 403 on bad Origin
	Rev20260728 Revision = "2026-07-28" // stateless: server/discover, per-request _meta, Mcp-Method / Mcp-Name
)

// Revisions lists the supported revisions, newest first, as server/discover
// and the unsupported-version error data advertise them.
var Revisions = []Revision{Rev20260728, Rev20251125, Rev20250618, Rev20250326}

// LatestSessionRevision is the newest revision with initialize and sessions:
// the answer to an initialize asking for something this server lacks.
const LatestSessionRevision = Rev20251125

// DefaultRevision is assumed when a request carries no MCP-Protocol-Version
// header and nothing else says which revision is in use (2025-06-18, basic/
// transports: "the server SHOULD assume protocol version 2025-03-26").
const DefaultRevision = Rev20250326

// parseRevision returns the supported revision named by b.
func parseRevision(b []byte) (Revision, bool) {
	for _, r := range Revisions {
		if string(b) == string(r) {
			return r, true
		}
	}
	return "", false
}

// stateless reports whether r negotiates per request (server/discover, no
// initialize, no sessions) rather than per session.
func (r Revision) stateless() bool { return r >= Rev20260728 }

// allowsBatch reports whether r allows JSON-RPC batches on /mcp: only
// 2025-03-26 does (2025-06-18 changelog: "Remove support for JSON-RPC batching").
func (r Revision) allowsBatch() bool { return r == Rev20250326 }

// hasPrimingEvent reports whether SSE responses start with an event that
// carries only an id, so a client can resume (2025-11-25 basic/transports).
func (r Revision) hasPrimingEvent() bool { return r >= Rev20251125 }

// hasResultType reports whether results carry resultType (2026-07-28).
func (r Revision) hasResultType() bool { return r >= Rev20260728 }
