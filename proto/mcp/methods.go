package mcp

import (
	"strconv"
	"strings"

	"github.com/bytedance/sonic"
	"github.com/pqloop/pqloop/proto/jsonrpc"
)

// The methods a client may call, in Stats.Calls order.
const (
	mInitialize = iota
	mPing
	mDiscover
	mToolsList
	mToolsCall
	mResourcesList
	mTemplatesList
	mResourcesRead
	mSubscribe
	mUnsubscribe
	mPromptsList
	mPromptsGet
	mComplete
	mSetLevel
	mListen
	mUnknown
	methodCount
)

type methodHandler func(s *Server, c *Call) (any, error)

type methodInfo struct {
	name    string
	handler methodHandler
}

var methodTable = [mUnknown]methodInfo{
	mInitialize:    {"initialize", (*Server).initialize},
	mPing:          {"ping", (*Server).ping},
	mDiscover:      {"server/discover", (*Server).discover},
	mToolsList:     {"tools/list", (*Server).toolsList},
	mToolsCall:     {"tools/call", (*Server).toolsCall},
	mResourcesList: {"resources/list", (*Server).resourcesList},
	mTemplatesList: {"resources/templates/list", (*Server).templatesList},
	mResourcesRead: {"resources/read", (*Server).resourcesRead},
	mSubscribe:     {"resources/subscribe", (*Server).subscribe},
	mUnsubscribe:   {"resources/unsubscribe", (*Server).unsubscribe},
	mPromptsList:   {"prompts/list", (*Server).promptsList},
	mPromptsGet:    {"prompts/get", (*Server).promptsGet},
	mComplete:      {"completion/complete", (*Server).complete},
	mSetLevel:      {"logging/setLevel", (*Server).setLevel},
	mListen:        {"subscriptions/listen", (*Server).listen},
}

// methodIndex maps a method name to its index: a scan of the short table,
// no map lookup and no allocation.
func methodIndex(name string) int {
	for i := range methodTable {
		if methodTable[i].name == name {
			return i
		}
	}
	return mUnknown
}

func init() {
	for i, m := range methodTable {
		MethodNames[i] = m.name
	}
	MethodNames[mUnknown] = "other"
}

// rawJSON is a result already encoded.
type rawJSON []byte

var emptyResult = rawJSON(`{}`)

func (s *Server) ping(*Call) (any, error) { return emptyResult, nil }

// serverCapabilities is what this server offers, the same in every revision.
const serverCapabilities = `{"tools":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},"prompts":{"listChanged":true},"logging":{},"completions":{}}`

type initializeResult struct {
	ProtocolVersion Revision               `json:"protocolVersion"`
	Capabilities    sonic.NoCopyRawMessage `json:"capabilities"`
	ServerInfo      Implementation         `json:"serverInfo"`
	Instructions    string                 `json:"instructions,omitempty"`
}

// initialize negotiates the revision (2025-06-18 basic/lifecycle: the
// requested one if supported, else the latest this server has) and opens
// the session.
func (s *Server) initialize(c *Call) (any, error) {
	rev, ok := parseRevision([]byte(c.p.ProtocolVersion))
	if !ok || rev.stateless() {
		rev = LatestSessionRevision
	}
	c.rev = rev
	if !s.opts.Stateless {
		ss := &session{id: newSessionID(), rev: rev, clientInfo: c.p.ClientInfo, caps: c.p.Capabilities}
		ss.logLevel.Store(int32(defaultLogLevel))
		ss.touch(s.now())
		if !s.sessions.add(ss, s.opts.MaxSessions) {
			c.status = 503
			return nil, jsonrpc.NewError(jsonrpc.CodeInternalError, "too many sessions")
		}
		s.stats.SessionsOpen.Store(s.sessions.count.Load())
		c.sess = ss
	}
	return &initializeResult{
		ProtocolVersion: rev,
		Capabilities:    sonic.NoCopyRawMessage(serverCapabilities),
		ServerInfo:      s.opts.ServerInfo,
		Instructions:    s.opts.Instructions,
	}, nil
}

type discoverResult struct {
	SupportedVersions []Revision             `json:"supportedVersions"`
	Capabilities      sonic.NoCopyRawMessage `json:"capabilities"`
	Instructions      string                 `json:"instructions,omitempty"`
	Meta              map[string]any         `json:"_meta"`
}

// discover answers the 2026-07-28 server/discover probe.
func (s *Server) discover(c *Call) (any, error) {
	return &discoverResult{
		SupportedVersions: Revisions,
		Capabilities:      sonic.NoCopyRawMessage(serverCapabilities),
		Instructions:      s.opts.Instructions,
		Meta:              map[string]any{metaServerInfo: s.opts.ServerInfo},
	}, nil
}

// page returns the slice [start, end) of n items for cursor, and the next
// cursor ("" on the last page). Cursors are opaque to clients (2025-06-18
// server/utilities/pagination); here they are the decimal offset.
func (s *Server) page(cursor string, n int) (start, end int, next string, err error) {
	if cursor != "" {
		v, perr := strconv.Atoi(cursor)
		if perr != nil || v < 0 || v > n {
			return 0, 0, "", errBadCursor
		}
		start = v
	}
	end = start + s.opts.PageSize
	if end >= n {
		end = n
	} else {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

// appendList writes {"<key>":[items…],"nextCursor":…} from pre-encoded items.
func appendList(key string, items [][]byte, next string) rawJSON {
	n := 32 + len(key)
	for _, it := range items {
		n += len(it) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"`...)
	b = append(b, key...)
	b = append(b, `":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	b = append(b, ']')
	if next != "" {
		b = append(b, `,"nextCursor":`...)
		b = jsonrpc.AppendString(b, next)
	}
	return append(b, '}')
}

func (s *Server) toolsList(c *Call) (any, error) {
	cat := s.reg.load()
	start, end, next, err := s.page(c.p.Cursor, len(cat.tools))
	if err != nil {
		return nil, err
	}
	items := make([][]byte, 0, end-start)
	for _, t := range cat.tools[start:end] {
		items = append(items, t.wire)
	}
	return appendList("tools", items, next), nil
}

// toolsCall runs the tool. Input that fails the schema is an isError
// result, not a protocol error (2025-06-18 server/tools, "Error Handling").
func (s *Server) toolsCall(c *Call) (any, error) {
	t := c.tool
	if t == nil {
		return nil, errUnknownTool
	}
	args := []byte(c.p.Arguments)
	if len(args) == 0 || string(args) == "null" {
		args = []byte("{}")
	}
	if err := t.schema.Validate(args); err != nil {
		return ErrorResult(err.Error()), nil
	}
	res, err := t.handler(c, args)
	if err != nil {
		if je, ok := asProtocolError(err); ok {
			return nil, je
		}
		return ErrorResult(err.Error()), nil
	}
	if res == nil {
		res = &ToolResult{}
	}
	return res, nil
}

func (s *Server) resourcesList(c *Call) (any, error) {
	cat := s.reg.load()
	start, end, next, err := s.page(c.p.Cursor, len(cat.resources))
	if err != nil {
		return nil, err
	}
	items := make([][]byte, 0, end-start)
	for _, r := range cat.resources[start:end] {
		items = append(items, r.wire)
	}
	return appendList("resources", items, next), nil
}

func (s *Server) templatesList(c *Call) (any, error) {
	cat := s.reg.load()
	start, end, next, err := s.page(c.p.Cursor, len(cat.templates))
	if err != nil {
		return nil, err
	}
	items := make([][]byte, 0, end-start)
	for _, t := range cat.templates[start:end] {
		items = append(items, t.wire)
	}
	return appendList("resourceTemplates", items, next), nil
}

type readResult struct {
	Contents []ResourceContents `json:"contents"`
}

// resourceNotFound is -32002 up to 2025-11-25 and -32602 from 2026-07-28.
func resourceNotFound(rev Revision, uri string) error {
	code := CodeResourceNotFound
	if rev.stateless() {
		code = jsonrpc.CodeInvalidParams
	}
	data, _ := sonic.Marshal(map[string]string{"uri": uri})
	return &jsonrpc.Error{Code: code, Message: "resource not found", Data: data}
}

func (s *Server) resourcesRead(c *Call) (any, error) {
	if c.p.URI == "" {
		return nil, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "uri is required")
	}
	cat := s.reg.load()
	uri := strings.Clone(c.p.URI)
	var h ResourceHandler
	if r, ok := cat.resIndex[uri]; ok {
		h = r.handler
	} else {
		for _, t := range cat.templates {
			if !strings.HasPrefix(uri, t.prefix) {
				continue
			}
			if _, ok := matchTemplate(t.tmpl.URITemplate, uri); ok {
				h = t.handler
				break
			}
		}
	}
	if h == nil {
		return nil, resourceNotFound(c.rev, uri)
	}
	contents, err := h(c, uri)
	if err != nil {
		if je, ok := asProtocolError(err); ok {
			return nil, je
		}
		return nil, jsonrpc.NewError(jsonrpc.CodeInternalError, err.Error())
	}
	if contents == nil {
		contents = []ResourceContents{}
	}
	return &readResult{Contents: contents}, nil
}

func (s *Server) subscribe(c *Call) (any, error)   { return s.setSubscription(c, true) }
func (s *Server) unsubscribe(c *Call) (any, error) { return s.setSubscription(c, false) }

func (s *Server) setSubscription(c *Call, on bool) (any, error) {
	if c.p.URI == "" {
		return nil, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "uri is required")
	}
	if c.sess == nil {
		return nil, jsonrpc.NewError(jsonrpc.CodeInvalidRequest, "subscriptions need a session")
	}
	c.sess.mu.Lock()
	if c.sess.subs == nil {
		c.sess.subs = map[string]bool{}
	}
	if on {
		c.sess.subs[strings.Clone(c.p.URI)] = true
	} else {
		delete(c.sess.subs, c.p.URI)
	}
	c.sess.mu.Unlock()
	return emptyResult, nil
}

func (s *Server) promptsList(c *Call) (any, error) {
	cat := s.reg.load()
	start, end, next, err := s.page(c.p.Cursor, len(cat.prompts))
	if err != nil {
		return nil, err
	}
	items := make([][]byte, 0, end-start)
	for _, p := range cat.prompts[start:end] {
		items = append(items, p.wire)
	}
	return appendList("prompts", items, next), nil
}

func (s *Server) promptsGet(c *Call) (any, error) {
	p, ok := s.reg.load().promptIdx[c.p.Name]
	if !ok {
		return nil, errUnknownPrompt
	}
	args := map[string]string{}
	if len(c.p.Arguments) > 0 && string(c.p.Arguments) != "null" {
		if err := jsonrpc.Unmarshal(c.p.Arguments, &args); err != nil {
			return nil, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "prompt arguments must be an object of strings")
		}
	}
	for _, a := range p.prompt.Arguments {
		if _, ok := args[a.Name]; a.Required && !ok {
			return nil, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "missing required argument "+a.Name)
		}
	}
	res, err := p.handler(c, args)
	if err != nil {
		if je, ok := asProtocolError(err); ok {
			return nil, je
		}
		return nil, jsonrpc.NewError(jsonrpc.CodeInternalError, err.Error())
	}
	return res, nil
}

type completeResult struct {
	Completion *Completion `json:"completion"`
}

// maxCompletionValues is the most values a completion may carry
// (2025-06-18 server/utilities/completion: "maximum 100 items").
const maxCompletionValues = 100

func (s *Server) complete(c *Call) (any, error) {
	ref := c.p.Ref.Name
	if c.p.Ref.Type == "ref/resource" {
		ref = c.p.Ref.URI
	} else if c.p.Ref.Type != "ref/prompt" {
		return nil, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "ref.type must be ref/prompt or ref/resource")
	}
	comp := &Completion{Values: []string{}}
	if h := s.reg.load().complete; h != nil {
		got, err := h(c, c.p.Ref.Type, ref, c.p.Argument.Name, c.p.Argument.Value)
		if err != nil {
			if je, ok := asProtocolError(err); ok {
				return nil, je
			}
			return nil, jsonrpc.NewError(jsonrpc.CodeInternalError, err.Error())
		}
		if got != nil {
			comp = got
		}
	}
	if comp.Values == nil {
		comp.Values = []string{}
	}
	if len(comp.Values) > maxCompletionValues {
		comp.Values = comp.Values[:maxCompletionValues]
		comp.HasMore = true
	}
	return &completeResult{Completion: comp}, nil
}

func (s *Server) setLevel(c *Call) (any, error) {
	level, ok := parseLogLevel(c.p.Level)
	if !ok {
		return nil, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "unknown log level")
	}
	if c.sess != nil {
		c.sess.logLevel.Store(int32(level))
	}
	return emptyResult, nil
}
