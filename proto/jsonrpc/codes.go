package jsonrpc

// Error codes from the JSON-RPC 2.0 specification, section 5.1.
const (
	CodeParseError     = -32700 // invalid JSON was received
	CodeInvalidRequest = -32600 // the JSON sent is not a valid Request object
	CodeMethodNotFound = -32601 // the method does not exist or is not available
	CodeInvalidParams  = -32602 // invalid method parameter(s)
	CodeInternalError  = -32603 // internal JSON-RPC error
)

// Version is the only value the "jsonrpc" member may take (section 4).
const Version = "2.0"
