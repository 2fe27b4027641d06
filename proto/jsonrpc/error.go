package jsonrpc

import "github.com/bytedance/sonic"

// Error is a JSON-RPC error object (section 5.1). It is also a Go error, so
// handlers can return one to choose the code the client sees.
type Error struct {
	Code    int                    `json:"code"`
	Message string                 `json:"message"`
	Data    sonic.NoCopyRawMessage `json:"data,omitempty"` // JSON, or nil
}

func (e *Error) Error() string { return e.Message }

// NewError returns an error with code and message and no data.
func NewError(code int, message string) *Error { return &Error{Code: code, Message: message} }
