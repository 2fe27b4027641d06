package http2

import "errors"

// ErrCode is an RFC 9113 §7 error code, carried by RST_STREAM and GOAWAY.
type ErrCode uint32

// RFC 9113 §7 error codes.
const (
	ErrCodeNo                 ErrCode = 0x0
	ErrCodeProtocol           ErrCode = 0x1
	ErrCodeInternal           ErrCode = 0x2
	ErrCodeFlowControl        ErrCode = 0x3
	ErrCodeSettingsTimeout    ErrCode = 0x4
	ErrCodeStreamClosed       ErrCode = 0x5
	ErrCodeFrameSize          ErrCode = 0x6
	ErrCodeRefusedStream      ErrCode = 0x7
	ErrCodeCancel             ErrCode = 0x8
	ErrCodeCompression        ErrCode = 0x9
	ErrCodeConnect            ErrCode = 0xa
	ErrCodeEnhanceYourCalm    ErrCode = 0xb
	ErrCodeInadequateSecurity ErrCode = 0xc
	ErrCodeHTTP11Required     ErrCode = 0xd
)

var errCodeNames = [...]string{
	"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
	"SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
	"CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
	"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
}

func (e ErrCode) String() string {
	if int(e) < len(errCodeNames) {
		return errCodeNames[e]
	}
	return "UNKNOWN_ERROR"
}

// ConnError is a connection error (RFC 9113 §5.4.1): the connection sends
// GOAWAY with Code and closes. Reason is a fixed string that says which
// rule was broken; it is also sent as GOAWAY debug data.
type ConnError struct {
	Code   ErrCode
	Reason string
}

func (e *ConnError) Error() string {
	return "http2: connection error " + e.Code.String() + ": " + e.Reason
}

// connErr builds the errors the connection returns. They are values built
// from constants, so reporting one allocates only on the error path.
func connErr(code ErrCode, reason string) error { return &ConnError{Code: code, Reason: reason} }

// Errors returned by the ServerConn write methods.
var (
	ErrStreamClosed     = errors.New("http2: stream is closed or unknown")
	ErrStreamBufferFull = errors.New("http2: stream output buffer is full")
	ErrHeadersSent      = errors.New("http2: response headers already sent")
	ErrHeadersNotSent   = errors.New("http2: response headers not sent yet")
	ErrInvalidStatus    = errors.New("http2: status code out of range 100-999")
	ErrInvalidHeader    = errors.New("http2: invalid response header field")
	ErrConnClosed       = errors.New("http2: connection is closed")
	ErrUpgradeTooLate   = errors.New("http2: upgrade must come before any input")
	ErrInvalidUpgrade   = errors.New("http2: invalid HTTP2-Settings for upgrade")
)
