package mcp

import (
	"slices"

	"github.com/bytedance/sonic"
	"github.com/pqloop/pqloop/proto/jsonrpc"
)

// listenSet is what a 2026-07-28 client asks to hear about with
// subscriptions/listen: it replaces the GET stream, resources/subscribe and
// the session's implicit list_changed delivery of the 2025 revisions.
type listenSet struct {
	ToolsListChanged      bool     `json:"toolsListChanged,omitempty"`
	PromptsListChanged    bool     `json:"promptsListChanged,omitempty"`
	ResourcesListChanged  bool     `json:"resourcesListChanged,omitempty"`
	ResourceSubscriptions []string `json:"resourceSubscriptions,omitempty"`
}

func (l *listenSet) empty() bool {
	return !l.ToolsListChanged && !l.PromptsListChanged && !l.ResourcesListChanged && len(l.ResourceSubscriptions) == 0
}

func (l *listenSet) wants(kind ListKind) bool {
	switch kind {
	case ListTools:
		return l.ToolsListChanged
	case ListPrompts:
		return l.PromptsListChanged
	case ListResources:
		return l.ResourcesListChanged
	}
	return false
}

// listener is one open subscriptions/listen request: its SSE stream stays
// open, carrying the notifications it asked for, until the client leaves.
type listener struct {
	set    listenSet
	stream *eventStream
}

// The _meta key naming the subscription in the acknowledgement and result.
const metaSubscriptionID = "io.modelcontextprotocol/subscriptionId"

// errDetached tells reply that the handler answered (or will answer) on
// its own stream: nothing is sent now.
var errDetached = jsonrpc.NewError(jsonrpc.CodeInternalError, "detached")

// listen serves subscriptions/listen: it acknowledges what it will send
// (notifications/subscriptions/acknowledged) and keeps the stream open.
// With nothing to listen to, it answers at once.
func (s *Server) listen(c *Call) (any, error) {
	set := c.p.Notifications
	if set == nil {
		return nil, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "notifications is required")
	}
	set.ResourceSubscriptions = slices.Clone(set.ResourceSubscriptions) // the body is reused
	id := append(sonic.NoCopyRawMessage(nil), c.id...)
	if set.empty() || c.batch {
		return map[string]any{"_meta": map[string]any{metaSubscriptionID: id}}, nil
	}
	ack, err := sonic.Marshal(map[string]any{"notifications": set, "_meta": map[string]any{metaSubscriptionID: id}})
	if err != nil {
		return nil, err
	}
	st := c.openStream()
	st.closeAfterEnd = false
	// Listen first, acknowledge second: a client that acts on the
	// acknowledgement must not miss the change it provokes.
	s.listeners.Store(&listener{set: *set, stream: st}, struct{}{})
	st.send(jsonrpc.AppendRequest(nil, nil, "notifications/subscriptions/acknowledged", ack), false)
	return nil, errDetached
}

// eachListener calls fn for every listener still connected and forgets the
// others.
func (s *Server) eachListener(fn func(*listener)) {
	s.listeners.Range(func(k, _ any) bool {
		l := k.(*listener)
		if !l.stream.connected() {
			s.listeners.Delete(l)
			l.stream.close()
			return true
		}
		fn(l)
		return true
	})
}
