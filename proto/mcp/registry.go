package mcp

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bytedance/sonic"
	"github.com/pqloop/pqloop/proto/jsonrpc"
)

// RunMode says where a tool's handler runs.
type RunMode uint8

const (
	// Offload runs the handler on the bounded offload pool: it may block.
	// The default.
	Offload RunMode = iota
	// Inline runs the handler on the event loop: it must not block, sleep,
	// do I/O or call Sample / Elicit / ListRoots.
	Inline
)

// ToolHandler handles a tools/call. args is the raw "arguments" object,
// already validated against the tool's input schema. A returned error
// becomes an isError result carrying its text, except a *jsonrpc.Error,
// which becomes a protocol error.
type ToolHandler func(c *Call, args []byte) (*ToolResult, error)

// TypedToolHandler handles a tools/call whose arguments decode into In. It
// returns either a full result, or nil and out, which becomes the
// structuredContent (and a JSON text block for older clients).
type TypedToolHandler[In, Out any] func(c *Call, in In) (*ToolResult, Out, error)

// ResourceHandler reads the resource at uri.
type ResourceHandler func(c *Call, uri string) ([]ResourceContents, error)

// PromptHandler renders a prompt with its arguments.
type PromptHandler func(c *Call, args map[string]string) (*PromptResult, error)

// CompletionHandler suggests values for one argument of a prompt
// (ref.type "ref/prompt", name) or resource template ("ref/resource", URI
// template): the argument's name and the partial value typed so far.
type CompletionHandler func(c *Call, refType, ref, argument, value string) (*Completion, error)

type toolEntry struct {
	tool    Tool
	schema  *Schema // enforced on the arguments
	run     RunMode
	handler ToolHandler
	wire    []byte // the Tool as tools/list sends it
}

type resourceEntry struct {
	res     Resource
	handler ResourceHandler
	wire    []byte
}

type templateEntry struct {
	tmpl    ResourceTemplate
	prefix  string // the literal text before the first variable
	handler ResourceHandler
	wire    []byte
}

type promptEntry struct {
	prompt  Prompt
	handler PromptHandler
	wire    []byte
}

// catalog is an immutable snapshot of what the registry holds. Readers
// load it with one atomic read; writers copy it, change the copy and swap it
// in, so the request path never takes a lock.
type catalog struct {
	tools     []*toolEntry
	toolIndex map[string]*toolEntry
	resources []*resourceEntry
	resIndex  map[string]*resourceEntry
	templates []*templateEntry
	prompts   []*promptEntry
	promptIdx map[string]*promptEntry
	complete  CompletionHandler
}

// ListKind names a list whose changes clients may be told about.
type ListKind uint8

const (
	ListTools ListKind = iota
	ListResources
	ListPrompts
	listNone // a change no client is told about
)

// Registry holds the tools, resources, resource templates and prompts a
// server offers. It is safe for concurrent use; adding after the server has
// started notifies connected clients (notifications/*/list_changed). A
// registry serves one Server: the last New given it gets the notices.
type Registry struct {
	mu       sync.Mutex // serialises writers
	cat      atomic.Pointer[catalog]
	onChange atomic.Pointer[func(ListKind)]
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{}
	r.cat.Store(&catalog{toolIndex: map[string]*toolEntry{}, resIndex: map[string]*resourceEntry{}, promptIdx: map[string]*promptEntry{}})
	return r
}

func (r *Registry) load() *catalog { return r.cat.Load() }

// update applies fn to a copy of the catalog and publishes it.
func (r *Registry) update(kind ListKind, fn func(c *catalog) error) error {
	r.mu.Lock()
	old := r.cat.Load()
	c := &catalog{
		tools: append([]*toolEntry(nil), old.tools...), toolIndex: make(map[string]*toolEntry, len(old.toolIndex)+1),
		resources: append([]*resourceEntry(nil), old.resources...), resIndex: make(map[string]*resourceEntry, len(old.resIndex)+1),
		templates: append([]*templateEntry(nil), old.templates...),
		prompts:   append([]*promptEntry(nil), old.prompts...), promptIdx: make(map[string]*promptEntry, len(old.promptIdx)+1),
		complete: old.complete,
	}
	for k, v := range old.toolIndex {
		c.toolIndex[k] = v
	}
	for k, v := range old.resIndex {
		c.resIndex[k] = v
	}
	for k, v := range old.promptIdx {
		c.promptIdx[k] = v
	}
	err := fn(c)
	if err == nil {
		r.cat.Store(c)
	}
	r.mu.Unlock()
	if err == nil && kind != listNone {
		if f := r.onChange.Load(); f != nil {
			(*f)(kind)
		}
	}
	return err
}

// validToolName follows the 2025-11-25 tool naming guidance: 1 to 128
// characters from A-Z a-z 0-9 _ - . /
func validToolName(name string) bool {
	if len(name) == 0 || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.' || c == '/') {
			return false
		}
	}
	return true
}

// AddRawTool adds a tool whose handler takes the raw arguments. t.InputSchema
// must be a *Schema, JSON bytes (json.RawMessage / []byte) or nil (any
// object). A tool of the same name is replaced.
func (r *Registry) AddRawTool(t Tool, run RunMode, h ToolHandler) error {
	if !validToolName(t.Name) {
		return errors.New("mcp: invalid tool name " + t.Name)
	}
	var schema *Schema
	switch s := t.InputSchema.(type) {
	case nil:
		schema = &Schema{Type: SchemaType{"object"}}
		t.InputSchema = schema
	case *Schema:
		schema = s
	case []byte:
		schema = new(Schema)
		if err := sonic.Unmarshal(s, schema); err != nil {
			return errors.New("mcp: tool " + t.Name + ": input schema: " + err.Error())
		}
		t.InputSchema = sonic.NoCopyRawMessage(s)
	default:
		if v := reflect.ValueOf(s); v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return r.AddRawTool(withSchema(t, v.Bytes()), run, h)
		}
		return errors.New("mcp: tool " + t.Name + ": input schema must be *Schema or JSON bytes")
	}
	if ob, ok := t.OutputSchema.([]byte); ok {
		t.OutputSchema = sonic.NoCopyRawMessage(ob)
	}
	wire, err := sonic.Marshal(&t)
	if err != nil {
		return err
	}
	e := &toolEntry{tool: t, schema: schema, run: run, handler: h, wire: wire}
	return r.update(ListTools, func(c *catalog) error {
		if old, ok := c.toolIndex[t.Name]; ok {
			for i, x := range c.tools {
				if x == old {
					c.tools[i] = e
				}
			}
		} else {
			c.tools = append(c.tools, e)
		}
		c.toolIndex[t.Name] = e
		return nil
	})
}

func withSchema(t Tool, b []byte) Tool { t.InputSchema = b; return t }

// AddTool adds a tool whose input schema is generated from In and whose
// arguments are decoded into an In for fn. When Out is not struct{}, its
// schema is published as the outputSchema and fn's out is sent as
// structuredContent. Set t.InputSchema to publish a hand-written schema.
func AddTool[In, Out any](r *Registry, t Tool, run RunMode, fn TypedToolHandler[In, Out]) error {
	if t.InputSchema == nil {
		s, err := SchemaFor(reflect.TypeFor[In]())
		if err != nil {
			return err
		}
		t.InputSchema = s
	}
	outType := reflect.TypeFor[Out]()
	structured := outType != reflect.TypeFor[struct{}]()
	if structured && t.OutputSchema == nil {
		s, err := SchemaFor(outType)
		if err != nil {
			return err
		}
		t.OutputSchema = s
	}
	return r.AddRawTool(t, run, func(c *Call, args []byte) (*ToolResult, error) {
		var in In
		if len(args) > 0 {
			if err := jsonrpc.Unmarshal(args, &in); err != nil {
				return ErrorResult("invalid arguments: " + err.Error()), nil
			}
		}
		res, out, err := fn(c, in)
		if err != nil || res != nil || !structured {
			return res, err
		}
		text, err := sonic.Marshal(out)
		if err != nil {
			return nil, err
		}
		return &ToolResult{Content: []Content{TextContent(string(text))}, StructuredContent: sonic.NoCopyRawMessage(text)}, nil
	})
}

// RemoveTool removes the named tool, reporting whether it was there.
func (r *Registry) RemoveTool(name string) bool {
	found := false
	_ = r.update(ListTools, func(c *catalog) error {
		e, ok := c.toolIndex[name]
		if !ok {
			return errNotChanged
		}
		found = true
		delete(c.toolIndex, name)
		for i, x := range c.tools {
			if x == e {
				c.tools = append(c.tools[:i], c.tools[i+1:]...)
				break
			}
		}
		return nil
	})
	return found
}

var errNotChanged = errors.New("not changed")

// AddResource adds a resource read by h.
func (r *Registry) AddResource(res Resource, h ResourceHandler) error {
	if res.URI == "" || res.Name == "" {
		return errors.New("mcp: a resource needs a uri and a name")
	}
	wire, err := sonic.Marshal(&res)
	if err != nil {
		return err
	}
	e := &resourceEntry{res: res, handler: h, wire: wire}
	return r.update(ListResources, func(c *catalog) error {
		if _, ok := c.resIndex[res.URI]; !ok {
			c.resources = append(c.resources, e)
		} else {
			for i, x := range c.resources {
				if x.res.URI == res.URI {
					c.resources[i] = e
				}
			}
		}
		c.resIndex[res.URI] = e
		return nil
	})
}

// AddResourceTemplate adds a template; h reads any URI it matches. Matching
// is by RFC 6570 level-1 expansion: each {var} stands for one or more
// characters other than '/'.
func (r *Registry) AddResourceTemplate(t ResourceTemplate, h ResourceHandler) error {
	if t.URITemplate == "" || t.Name == "" {
		return errors.New("mcp: a resource template needs a uriTemplate and a name")
	}
	wire, err := sonic.Marshal(&t)
	if err != nil {
		return err
	}
	prefix, _, _ := strings.Cut(t.URITemplate, "{")
	e := &templateEntry{tmpl: t, prefix: prefix, handler: h, wire: wire}
	return r.update(ListResources, func(c *catalog) error {
		c.templates = append(c.templates, e)
		return nil
	})
}

// AddPrompt adds a prompt rendered by h.
func (r *Registry) AddPrompt(p Prompt, h PromptHandler) error {
	if p.Name == "" {
		return errors.New("mcp: a prompt needs a name")
	}
	wire, err := sonic.Marshal(&p)
	if err != nil {
		return err
	}
	e := &promptEntry{prompt: p, handler: h, wire: wire}
	return r.update(ListPrompts, func(c *catalog) error {
		if _, ok := c.promptIdx[p.Name]; !ok {
			c.prompts = append(c.prompts, e)
		} else {
			for i, x := range c.prompts {
				if x.prompt.Name == p.Name {
					c.prompts[i] = e
				}
			}
		}
		c.promptIdx[p.Name] = e
		return nil
	})
}

// SetCompletion sets the handler for completion/complete.
func (r *Registry) SetCompletion(h CompletionHandler) {
	_ = r.update(listNone, func(c *catalog) error { c.complete = h; return nil })
}

// matchTemplate reports whether uri is an expansion of tmpl and returns the
// variables' values.
func matchTemplate(tmpl, uri string) (map[string]string, bool) {
	vars := map[string]string{}
	for tmpl != "" {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			return vars, tmpl == uri
		}
		if !strings.HasPrefix(uri, tmpl[:i]) {
			return nil, false
		}
		uri = uri[i:]
		tmpl = tmpl[i+1:]
		j := strings.IndexByte(tmpl, '}')
		if j < 0 {
			return nil, false
		}
		name := tmpl[:j]
		tmpl = tmpl[j+1:]
		// The value runs to the next literal of the template (or a '/').
		end := strings.IndexByte(uri, '/')
		if next, _, _ := strings.Cut(tmpl, "{"); next != "" {
			if k := strings.Index(uri, next); k >= 0 && (end < 0 || k < end) {
				end = k
			}
		}
		if end < 0 {
			end = len(uri)
		}
		if end == 0 {
			return nil, false
		}
		vars[name] = uri[:end]
		uri = uri[end:]
	}
	return vars, uri == ""
}

// asProtocolError reports whether err should be a JSON-RPC error rather
// than an isError tool result.
func asProtocolError(err error) (*jsonrpc.Error, bool) {
	var je *jsonrpc.Error
	if errors.As(err, &je) {
		return je, true
	}
	return nil, false
}
