package mcp

import (
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/bytedance/sonic"
)

// The conformance fixtures: the tools, resources and prompts the official
// suite (npm @modelcontextprotocol/conformance, src/scenarios/server/*.ts)
// calls by name, with the results its scenarios check.

// fixturePNG is a 1x1 red PNG; fixtureWAV a 1-sample silent WAV.
const (
	fixturePNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
	fixtureWAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQIAAAAAAA=="
	// fixtureStepDelay is the pause between the steps of the logging and
	// progress fixtures ("~50ms" in the scenarios).
	fixtureStepDelay = 50 * time.Millisecond
)

// NoArgs is the input of tools that take no arguments.
type NoArgs struct{}

// AddConformanceFixtures adds the fixtures to r.
func AddConformanceFixtures(r *Registry) {
	static := func(name, desc string, content ...Content) {
		must(AddTool(r, Tool{Name: name, Description: desc}, Inline,
			func(c *Call, _ NoArgs) (*ToolResult, struct{}, error) {
				return &ToolResult{Content: content}, struct{}{}, nil
			}))
	}
	static("test_simple_text", "Returns simple text.", TextContent("This is a simple text response for testing."))
	static("test_image_content", "Returns an image.", Content{Type: "image", Data: fixturePNG, MimeType: "image/png"})
	static("test_audio_content", "Returns audio.", Content{Type: "audio", Data: fixtureWAV, MimeType: "audio/wav"})
	static("test_embedded_resource", "Returns an embedded resource.", Content{Type: "resource", Resource: &ResourceContents{
		URI: "test://embedded-resource", MimeType: "text/plain", Text: "This is an embedded resource content."}})
	static("test_multiple_content_types", "Returns text, an image and a resource.",
		TextContent("Multiple content types test:"),
		Content{Type: "image", Data: fixturePNG, MimeType: "image/png"},
		Content{Type: "resource", Resource: &ResourceContents{URI: "test://mixed-content-resource",
			MimeType: "application/json", Text: `{"test":"data","value":123}`}})
	must(AddTool(r, Tool{Name: "test_error_handling", Description: "Always fails."}, Inline,
		func(c *Call, _ NoArgs) (*ToolResult, struct{}, error) {
			return nil, struct{}{}, errors.New("This tool intentionally returns an error for testing")
		}))
	must(AddTool(r, Tool{Name: "test_tool_with_logging", Description: "Logs three messages while it runs."}, Offload,
		func(c *Call, _ NoArgs) (*ToolResult, struct{}, error) {
			c.Log(LevelInfo, "conformance", "Tool execution started")
			sleep(c, fixtureStepDelay)
			c.Log(LevelInfo, "conformance", "Tool processing data")
			sleep(c, fixtureStepDelay)
			c.Log(LevelInfo, "conformance", "Tool execution completed")
			return c.Text("Tool with logging executed successfully"), struct{}{}, nil
		}))
	must(AddTool(r, Tool{Name: "test_tool_with_progress", Description: "Reports progress 0, 50, 100 of 100."}, Offload,
		func(c *Call, _ NoArgs) (*ToolResult, struct{}, error) {
			c.Progress(0, 100, "")
			sleep(c, fixtureStepDelay)
			c.Progress(50, 100, "")
			sleep(c, fixtureStepDelay)
			c.Progress(100, 100, "")
			return c.Text("Tool with progress executed successfully"), struct{}{}, nil
		}))
	type samplingIn struct {
		Prompt string `json:"prompt" jsonschema:"the prompt to send to the model"`
	}
	must(AddTool(r, Tool{Name: "test_sampling", Description: "Asks the client's model to answer a prompt."}, Offload,
		func(c *Call, in samplingIn) (*ToolResult, struct{}, error) {
			res, err := c.Sample(map[string]any{
				"messages":  []any{map[string]any{"role": "user", "content": TextContent(in.Prompt)}},
				"maxTokens": 100,
			})
			if err != nil {
				return nil, struct{}{}, err
			}
			var msg struct {
				Content Content `json:"content"`
			}
			_ = sonic.Unmarshal(res, &msg)
			return c.Text("LLM response: " + msg.Content.Text), struct{}{}, nil
		}))
	type elicitIn struct {
		Message string `json:"message" jsonschema:"the message to show the user"`
	}
	elicit := func(c *Call, params any) (*ToolResult, struct{}, error) {
		res, err := c.Elicit(params)
		if err != nil {
			return nil, struct{}{}, err
		}
		var answer struct {
			Action  string                 `json:"action"`
			Content sonic.NoCopyRawMessage `json:"content"`
		}
		_ = sonic.Unmarshal(res, &answer)
		content := string(answer.Content)
		if content == "" {
			content = "{}"
		}
		return c.Text("Elicitation completed: action=" + answer.Action + ", content=" + content), struct{}{}, nil
	}
	must(AddTool(r, Tool{Name: "test_elicitation", Description: "Asks the user for a username and an email."}, Offload,
		func(c *Call, in elicitIn) (*ToolResult, struct{}, error) {
			return elicit(c, map[string]any{"message": in.Message, "requestedSchema": sonic.NoCopyRawMessage(
				`{"type":"object","properties":{"username":{"type":"string","description":"User's response"},` +
					`"email":{"type":"string","description":"User's email address"}},"required":["username","email"]}`)})
		}))
	must(AddTool(r, Tool{Name: "test_elicitation_sep1034_defaults", Description: "Elicits with defaults for every primitive type."}, Offload,
		func(c *Call, _ NoArgs) (*ToolResult, struct{}, error) {
			return elicit(c, map[string]any{"message": "Please review and update the form fields with defaults",
				"requestedSchema": sonic.NoCopyRawMessage(`{"type":"object","properties":{` +
					`"name":{"type":"string","description":"User name","default":"John Doe"},` +
					`"age":{"type":"integer","description":"User age","default":30},` +
					`"score":{"type":"number","description":"User score","default":95.5},` +
					`"status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},` +
					`"verified":{"type":"boolean","description":"Verification status","default":true}},"required":[]}`)})
		}))
	must(AddTool(r, Tool{Name: "test_elicitation_sep1330_enums", Description: "Elicits with the five enum schema forms."}, Offload,
		func(c *Call, _ NoArgs) (*ToolResult, struct{}, error) {
			return elicit(c, map[string]any{"message": "Please select options from the enum fields",
				"requestedSchema": sonic.NoCopyRawMessage(`{"type":"object","properties":{` +
					`"untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},` +
					`"titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},` +
					`"legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},` +
					`"untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},` +
					`"titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}` +
					`},"required":[]}`)})
		}))
	must(r.AddRawTool(Tool{Name: "json_schema_2020_12_tool", Description: "Tool with JSON Schema 2020-12 features",
		InputSchema: []byte(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",` +
			`"$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},` +
			`"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false}`)},
		Inline, func(c *Call, args []byte) (*ToolResult, error) {
			return TextResult("Received: " + string(args)), nil
		}))
	must(AddTool(r, Tool{Name: "test_reconnection", Description: "Closes its SSE stream mid-call; the result arrives on resumption."}, Offload,
		func(c *Call, _ NoArgs) (*ToolResult, struct{}, error) {
			c.CloseStream()
			sleep(c, 2*fixtureStepDelay)
			return c.Text("Reconnection test completed"), struct{}{}, nil
		}))

	// pqloop's own fixtures, for the interop tests: a tool that waits and
	// counts the waits the client cancelled, and the counter as a resource,
	// so a test against a server in another process can see cancellation.
	var cancelled atomic.Int64
	type sleepIn struct {
		Millis int `json:"ms" jsonschema:"how long to wait, at most 60000"`
	}
	must(AddTool(r, Tool{Name: "pqloop_sleep", Description: "Waits, reporting progress; counts cancelled waits."}, Offload,
		func(c *Call, in sleepIn) (*ToolResult, struct{}, error) {
			if in.Millis < 0 || in.Millis > 60000 {
				return nil, struct{}{}, errors.New("ms must be 0 to 60000")
			}
			c.Progress(0, float64(in.Millis), "waiting")
			t := time.NewTimer(time.Duration(in.Millis) * time.Millisecond)
			defer t.Stop()
			select {
			case <-t.C:
				c.Progress(float64(in.Millis), float64(in.Millis), "done")
				return c.Text("slept " + strconv.Itoa(in.Millis) + "ms"), struct{}{}, nil
			case <-c.Context().Done():
				cancelled.Add(1)
				return nil, struct{}{}, c.Context().Err()
			}
		}))
	must(r.AddResource(Resource{URI: "pqloop://fixtures/cancelled", Name: "cancelled-waits",
		Description: "How many pqloop_sleep calls were cancelled", MimeType: "text/plain"},
		func(c *Call, uri string) ([]ResourceContents, error) {
			return []ResourceContents{{URI: uri, MimeType: "text/plain", Text: strconv.FormatInt(cancelled.Load(), 10)}}, nil
		}))

	must(r.AddResource(Resource{URI: "test://static-text", Name: "static-text", Description: "A static text resource",
		MimeType: "text/plain"}, func(c *Call, uri string) ([]ResourceContents, error) {
		return []ResourceContents{{URI: uri, MimeType: "text/plain", Text: "This is the content of the static text resource."}}, nil
	}))
	must(r.AddResource(Resource{URI: "test://static-binary", Name: "static-binary", Description: "A static binary resource",
		MimeType: "image/png"}, func(c *Call, uri string) ([]ResourceContents, error) {
		return []ResourceContents{{URI: uri, MimeType: "image/png", Blob: fixturePNG}}, nil
	}))
	must(r.AddResource(Resource{URI: "test://watched-resource", Name: "watched-resource", Description: "A resource to subscribe to",
		MimeType: "text/plain"}, func(c *Call, uri string) ([]ResourceContents, error) {
		return []ResourceContents{{URI: uri, MimeType: "text/plain", Text: "Watched resource content"}}, nil
	}))
	must(r.AddResourceTemplate(ResourceTemplate{URITemplate: "test://template/{id}/data", Name: "template-data",
		Description: "Data by id", MimeType: "application/json"}, func(c *Call, uri string) ([]ResourceContents, error) {
		vars, _ := matchTemplate("test://template/{id}/data", uri)
		id, _ := sonic.MarshalString(vars["id"])
		text := `{"id":` + id + `,"templateTest":true,"data":` + mustQuote("Data for ID: "+vars["id"]) + `}`
		return []ResourceContents{{URI: uri, MimeType: "application/json", Text: text}}, nil
	}))

	must(r.AddPrompt(Prompt{Name: "test_simple_prompt", Description: "A simple prompt without arguments"},
		func(c *Call, _ map[string]string) (*PromptResult, error) {
			return &PromptResult{Messages: []PromptMessage{{Role: "user", Content: TextContent("This is a simple prompt for testing.")}}}, nil
		}))
	must(r.AddPrompt(Prompt{Name: "test_prompt_with_arguments", Description: "A prompt with required arguments",
		Arguments: []PromptArgument{{Name: "arg1", Description: "First test argument", Required: true},
			{Name: "arg2", Description: "Second test argument", Required: true}}},
		func(c *Call, a map[string]string) (*PromptResult, error) {
			return &PromptResult{Messages: []PromptMessage{{Role: "user",
				Content: TextContent("Prompt with arguments: arg1='" + a["arg1"] + "', arg2='" + a["arg2"] + "'")}}}, nil
		}))
	must(r.AddPrompt(Prompt{Name: "test_prompt_with_embedded_resource", Description: "A prompt with an embedded resource",
		Arguments: []PromptArgument{{Name: "resourceUri", Description: "URI of the resource to embed", Required: true}}},
		func(c *Call, a map[string]string) (*PromptResult, error) {
			return &PromptResult{Messages: []PromptMessage{
				{Role: "user", Content: Content{Type: "resource", Resource: &ResourceContents{URI: a["resourceUri"],
					MimeType: "text/plain", Text: "Embedded resource content for testing."}}},
				{Role: "user", Content: TextContent("Please process the embedded resource above.")}}}, nil
		}))
	must(r.AddPrompt(Prompt{Name: "test_prompt_with_image", Description: "A prompt with an image"},
		func(c *Call, _ map[string]string) (*PromptResult, error) {
			return &PromptResult{Messages: []PromptMessage{
				{Role: "user", Content: Content{Type: "image", Data: fixturePNG, MimeType: "image/png"}},
				{Role: "user", Content: TextContent("Please analyze the image above.")}}}, nil
		}))
	builtin := r.load().complete
	r.SetCompletion(func(c *Call, refType, ref, arg, value string) (*Completion, error) {
		if refType == "ref/prompt" && ref == "test_prompt_with_arguments" {
			return completeFrom([]string{"paris", "park", "party", "test", "testing"}, value), nil
		}
		if builtin != nil {
			return builtin(c, refType, ref, arg, value)
		}
		return nil, nil
	})
}

func mustQuote(s string) string {
	b, _ := sonic.MarshalString(s)
	return b
}

// sleep waits d or until the call is cancelled.
func sleep(c *Call, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.Context().Done():
	}
}
