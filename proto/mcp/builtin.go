package mcp

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"time"
)

// EchoInput is the argument of the echo tool.
type EchoInput struct {
	Text string `json:"text" jsonschema:"the text to send back"`
}

// HashInput is the argument of the hash tool.
type HashInput struct {
	Text      string `json:"text" jsonschema:"the text to hash (its UTF-8 bytes)"`
	Algorithm string `json:"algorithm,omitempty" jsonschema:"sha256 (default), sha384, sha512, sha1 or md5"`
	Encoding  string `json:"encoding,omitempty" jsonschema:"hex (default) or base64"`
}

// HashOutput is the structured result of the hash tool.
type HashOutput struct {
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"`
}

// UUIDInput is the argument of the uuid tool.
type UUIDInput struct {
	Version int `json:"version,omitempty" jsonschema:"4 (random, default) or 7 (time-ordered)"`
	Count   int `json:"count,omitempty" jsonschema:"how many, 1 to 100 (default 1)"`
}

// UUIDOutput is the structured result of the uuid tool.
type UUIDOutput struct {
	UUIDs []string `json:"uuids"`
}

// TimeInput is the argument of the time tool.
type TimeInput struct {
	Zone string `json:"zone,omitempty" jsonschema:"an IANA zone such as Europe/Paris (default UTC)"`
}

// TimeOutput is the structured result of the time tool.
type TimeOutput struct {
	RFC3339 string `json:"rfc3339"`
	Unix    int64  `json:"unix"`
	Zone    string `json:"zone"`
}

// maxUUIDs bounds one uuid call.
const maxUUIDs = 100

// AddBuiltins adds the tools, resource and prompt of pqloop's default
// configuration: echo (inline: the benchmark path), hash, uuid, time, the
// pqloop://server/info resource and the summarize prompt.
func AddBuiltins(r *Registry) {
	must(AddTool(r, Tool{Name: "echo", Description: "Returns the text it is given.",
		Annotations: &ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true}}, Inline,
		func(c *Call, in EchoInput) (*ToolResult, struct{}, error) {
			return c.Text(in.Text), struct{}{}, nil
		}))
	must(AddTool(r, Tool{Name: "hash", Description: "Hashes text with SHA-256, SHA-384, SHA-512, SHA-1 or MD5.",
		Annotations: &ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true}}, Inline, hashTool))
	must(AddTool(r, Tool{Name: "uuid", Description: "Generates random (v4) or time-ordered (v7) UUIDs.",
		Annotations: &ToolAnnotations{ReadOnlyHint: true}}, Inline, uuidTool))
	must(AddTool(r, Tool{Name: "time", Description: "Tells the current time, in UTC or a named zone.",
		Annotations: &ToolAnnotations{ReadOnlyHint: true}}, Offload, timeTool))
	must(r.AddResource(Resource{URI: "pqloop://server/info", Name: "server-info", Title: "pqloop server",
		Description: "What this server is and which MCP revisions it speaks.", MimeType: "application/json"},
		func(c *Call, uri string) ([]ResourceContents, error) {
			var b strings.Builder
			b.WriteString(`{"name":"pqloop","revisions":[`)
			for i, rev := range Revisions {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + string(rev) + `"`)
			}
			b.WriteString(`]}`)
			return []ResourceContents{{URI: uri, MimeType: "application/json", Text: b.String()}}, nil
		}))
	must(r.AddPrompt(Prompt{Name: "summarize", Description: "Asks the model to summarise a text.",
		Arguments: []PromptArgument{{Name: "text", Description: "the text to summarise", Required: true},
			{Name: "style", Description: "brief (default) or detailed"}}},
		func(c *Call, args map[string]string) (*PromptResult, error) {
			style := args["style"]
			if style == "" {
				style = "brief"
			}
			return &PromptResult{Description: "Summarise a text", Messages: []PromptMessage{{Role: "user",
				Content: TextContent("Write a " + style + " summary of the following text:\n\n" + args["text"])}}}, nil
		}))
	r.SetCompletion(func(c *Call, refType, ref, arg, value string) (*Completion, error) {
		if refType == "ref/prompt" && ref == "summarize" && arg == "style" {
			return completeFrom([]string{"brief", "detailed"}, value), nil
		}
		return nil, nil
	})
}

// completeFrom returns the candidates that start with value.
func completeFrom(candidates []string, value string) *Completion {
	out := []string{}
	for _, v := range candidates {
		if strings.HasPrefix(v, value) {
			out = append(out, v)
		}
	}
	return &Completion{Values: out, Total: len(out)}
}

func must(err error) {
	if err != nil {
		panic(err) // a built-in that does not register is a programming error
	}
}

func hashTool(c *Call, in HashInput) (*ToolResult, HashOutput, error) {
	var h hash.Hash
	algo := in.Algorithm
	switch algo {
	case "", "sha256":
		algo, h = "sha256", sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	case "sha1":
		h = sha1.New()
	case "md5":
		h = md5.New()
	default:
		return nil, HashOutput{}, errors.New("unknown algorithm " + algo + ": use sha256, sha384, sha512, sha1 or md5")
	}
	h.Write([]byte(in.Text))
	sum := h.Sum(nil)
	var digest string
	switch in.Encoding {
	case "", "hex":
		digest = hex.EncodeToString(sum)
	case "base64":
		digest = base64.StdEncoding.EncodeToString(sum)
	default:
		return nil, HashOutput{}, errors.New("unknown encoding " + in.Encoding + ": use hex or base64")
	}
	return nil, HashOutput{Algorithm: algo, Digest: digest}, nil
}

func uuidTool(c *Call, in UUIDInput) (*ToolResult, UUIDOutput, error) {
	n := in.Count
	if n == 0 {
		n = 1
	}
	if n < 1 || n > maxUUIDs {
		return nil, UUIDOutput{}, errors.New("count must be 1 to 100")
	}
	out := UUIDOutput{UUIDs: make([]string, n)}
	for i := range out.UUIDs {
		switch in.Version {
		case 0, 4:
			out.UUIDs[i] = newUUID(4, time.Time{})
		case 7:
			out.UUIDs[i] = newUUID(7, time.Now())
		default:
			return nil, UUIDOutput{}, errors.New("version must be 4 or 7")
		}
	}
	return nil, out, nil
}

// newUUID makes an RFC 9562 UUID: version 4 (section 5.4, 122 random bits)
// or version 7 (section 5.7, 48-bit Unix milliseconds then random bits).
func newUUID(version byte, now time.Time) string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	if version == 7 {
		ms := uint64(now.UnixMilli())
		for i := 0; i < 6; i++ {
			u[i] = byte(ms >> (40 - 8*i))
		}
	}
	u[6] = u[6]&0x0f | version<<4
	u[8] = u[8]&0x3f | 0x80 // the RFC 9562 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

// timeTool is offloaded: loading a zone reads the tz database from disk.
func timeTool(c *Call, in TimeInput) (*ToolResult, TimeOutput, error) {
	loc := time.UTC
	if in.Zone != "" {
		l, err := time.LoadLocation(in.Zone)
		if err != nil {
			return nil, TimeOutput{}, errors.New("unknown zone " + in.Zone)
		}
		loc = l
	}
	now := time.Now().In(loc)
	return nil, TimeOutput{RFC3339: now.Format(time.RFC3339Nano), Unix: now.Unix(), Zone: loc.String()}, nil
}
