package mcp

import "github.com/pqloop/pqloop/proto/jsonrpc"

// appendResult encodes a method's result onto dst. Tool results and
// pre-encoded results are written by hand, so the tools/call path does not
// go through reflection; anything else goes through sonic.
func appendResult(dst []byte, result any, rev Revision) ([]byte, error) {
	start := len(dst)
	var err error
	switch r := result.(type) {
	case *ToolResult:
		dst, err = appendToolResult(dst, r)
	case rawJSON:
		dst = append(dst, r...)
	default:
		dst, err = appendJSON(dst, r)
	}
	if err != nil {
		return dst[:start], err
	}
	if rev.hasResultType() {
		dst = insertResultType(dst, start)
	}
	return dst, nil
}

// resultTypeMember marks a result final (2026-07-28 schema.ts, ResultType
// "complete"; "input_required" is for multi-round-trip requests).
const resultTypeMember = `"resultType":"complete"`

// insertResultType adds resultTypeMember as the first member of the object
// that starts at dst[start].
func insertResultType(dst []byte, start int) []byte {
	if start >= len(dst) || dst[start] != '{' {
		return dst
	}
	add := resultTypeMember
	if dst[start+1] != '}' {
		add += ","
	}
	n := len(dst)
	dst = append(dst, add...)
	copy(dst[start+1+len(add):], dst[start+1:n])
	copy(dst[start+1:], add)
	return dst
}

func appendToolResult(dst []byte, r *ToolResult) ([]byte, error) {
	dst = append(dst, `{"content":[`...)
	var err error
	for i := range r.Content {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = appendContent(dst, &r.Content[i]); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ']')
	if r.StructuredContent != nil {
		dst = append(dst, `,"structuredContent":`...)
		if dst, err = appendJSON(dst, r.StructuredContent); err != nil {
			return dst, err
		}
	}
	if r.IsError {
		dst = append(dst, `,"isError":true`...)
	}
	return append(dst, '}'), nil
}

// appendContent writes one content block with the members its type
// requires present even when empty (schema.ts TextContent.text etc.).
func appendContent(dst []byte, c *Content) ([]byte, error) {
	switch c.Type {
	case "text", "image", "audio", "resource_link", "resource":
	default:
		return appendJSON(dst, c) // an unknown type: every member that is set
	}
	dst = append(dst, `{"type":`...)
	dst = jsonrpc.AppendString(dst, c.Type)
	switch c.Type {
	case "text":
		dst = append(dst, `,"text":`...)
		dst = jsonrpc.AppendString(dst, c.Text)
	case "image", "audio":
		dst = append(dst, `,"data":`...)
		dst = jsonrpc.AppendString(dst, c.Data)
		dst = append(dst, `,"mimeType":`...)
		dst = jsonrpc.AppendString(dst, c.MimeType)
	case "resource_link":
		dst = append(dst, `,"uri":`...)
		dst = jsonrpc.AppendString(dst, c.URI)
		dst = append(dst, `,"name":`...)
		dst = jsonrpc.AppendString(dst, c.Name)
		if c.MimeType != "" {
			dst = append(dst, `,"mimeType":`...)
			dst = jsonrpc.AppendString(dst, c.MimeType)
		}
	case "resource":
		dst = append(dst, `,"resource":`...)
		var err error
		if dst, err = appendJSON(dst, c.Resource); err != nil {
			return dst, err
		}
	}
	if c.Annotations != nil {
		dst = append(dst, `,"annotations":`...)
		var err error
		if dst, err = appendJSON(dst, c.Annotations); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendLogParams writes the params of notifications/message.
func appendLogParams(dst []byte, level LogLevel, logger string, data any) ([]byte, error) {
	dst = append(dst, `{"level":"`...)
	dst = append(dst, level.String()...)
	dst = append(dst, '"')
	if logger != "" {
		dst = append(dst, `,"logger":`...)
		dst = jsonrpc.AppendString(dst, logger)
	}
	dst = append(dst, `,"data":`...)
	dst, err := appendJSON(dst, data)
	return append(dst, '}'), err
}
