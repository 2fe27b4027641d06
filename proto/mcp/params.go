package mcp

import "github.com/bytedance/sonic"

// params is the union of the params objects of the methods this server
// answers, decoded once per request (one sonic pass, strings aliasing the
// body) so no method pays for a second decode of the envelope.
type params struct {
	Name            string                 `json:"name"`      // tools/call, prompts/get
	Arguments       sonic.NoCopyRawMessage `json:"arguments"` // tools/call, prompts/get
	Meta            requestMeta            `json:"_meta"`
	Cursor          string                 `json:"cursor"`    // */list
	URI             string                 `json:"uri"`       // resources/read, subscribe
	Level           string                 `json:"level"`     // logging/setLevel
	RequestID       sonic.NoCopyRawMessage `json:"requestId"` // notifications/cancelled
	ProtocolVersion string                 `json:"protocolVersion"`
	Capabilities    clientCaps             `json:"capabilities"`  // initialize
	ClientInfo      Implementation         `json:"clientInfo"`    // initialize
	Ref             completionRef          `json:"ref"`           // completion/complete
	Argument        completionArg          `json:"argument"`      // completion/complete
	Notifications   *listenSet             `json:"notifications"` // subscriptions/listen
}

// requestMeta is params._meta: the progress token, and in 2026-07-28 the
// per-request protocol facts that replaced the session.
type requestMeta struct {
	ProgressToken   sonic.NoCopyRawMessage `json:"progressToken"`
	ProtocolVersion string                 `json:"io.modelcontextprotocol/protocolVersion"`
	ClientInfo      Implementation         `json:"io.modelcontextprotocol/clientInfo"`
	ClientCaps      clientCaps             `json:"io.modelcontextprotocol/clientCapabilities"`
	LogLevel        string                 `json:"io.modelcontextprotocol/logLevel"`
}

// The _meta keys of 2026-07-28 (schema.ts, "io.modelcontextprotocol/" prefix).
const (
	metaServerInfo = "io.modelcontextprotocol/serverInfo"
)

type completionRef struct {
	Type string `json:"type"` // "ref/prompt" or "ref/resource"
	Name string `json:"name"`
	URI  string `json:"uri"`
}

type completionArg struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
