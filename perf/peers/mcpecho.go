package main

import (
	"encoding/json"
	"io"
	"net/http"
)

// A stateless MCP server reduced to what the benchmark calls: initialize,
// tools/list and tools/call of `echo`, one JSON response per POST. It is
// the baseline for "HTTP server + encoding/json" without an MCP framework.

type rpcRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  struct {
		Name      string `json:"name"`
		Arguments struct {
			Text string `json:"text"`
		} `json:"arguments"`
	} `json:"params"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type textContent struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

var echoTool = map[string]any{
	"name":        "echo",
	"description": "Echoes the text it is given.",
	"inputSchema": map[string]any{
		"type":       "object",
		"properties": map[string]any{"text": map[string]any{"type": "string"}},
		"required":   []string{"text"},
	},
}

// answerMCP returns the HTTP status and body for one POSTed JSON-RPC message.
func answerMCP(body []byte) (int, []byte) {
	var req rpcRequest
	if err := json.Unmarshal(body, &req); err != nil || req.JSONRPC != "2.0" {
		b, _ := json.Marshal(rpcResponse{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{-32700, "parse error"}})
		return http.StatusBadRequest, b
	}
	if req.ID == nil { // a notification
		return http.StatusAccepted, nil
	}
	resp := rpcResponse{JSONRPC: "2.0", ID: req.ID}
	switch req.Method {
	case "initialize":
		resp.Result = map[string]any{
			"protocolVersion": "2025-11-25",
			"capabilities":    map[string]any{"tools": map[string]any{}},
			"serverInfo":      map[string]any{"name": "peer-echo", "version": "1.0.0"},
		}
	case "tools/list":
		resp.Result = map[string]any{"tools": []any{echoTool}}
	case "tools/call":
		if req.Params.Name != "echo" {
			resp.Error = &rpcError{-32602, "unknown tool"}
			break
		}
		resp.Result = map[string]any{"content": []textContent{{Type: "text", Text: req.Params.Arguments.Text}}}
	case "ping":
		resp.Result = map[string]any{}
	default:
		resp.Error = &rpcError{-32601, "method not found"}
	}
	b, _ := json.Marshal(resp)
	return http.StatusOK, b
}

func serveMCPEcho(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	status, out := answerMCP(body)
	if out != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(out)
}
