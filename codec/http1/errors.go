package http1

import "strconv"

// Error is a protocol violation. The caller answers Status and closes the
// connection: after a framing error the rest of the stream cannot be trusted.
type Error struct {
	Status int
	// Reason is a short snake_case label, fit for a metric label.
	Reason string
}

func (e *Error) Error() string {
	return "http1: " + e.Reason + " (" + strconv.Itoa(e.Status) + ")"
}

// Reasons lists every Reason the parser can return, in declaration order, so
// metrics can pre-register them. Treat it as read-only.
var Reasons []string

func newError(status int, reason string) *Error {
	Reasons = append(Reasons, reason)
	return &Error{Status: status, Reason: reason}
}

// The parser's errors. Each is a single value so returning one allocates
// nothing and tests can compare by identity.
var (
	// Line framing (RFC 9112 §2.2).
	errBareLF             = newError(statusBadRequest, "bare_lf")
	errLeadingEmptyLines  = newError(statusBadRequest, "leading_empty_lines")
	errRequestLineTooLong = newError(statusURITooLong, "request_line_too_long")
	errHeaderTooLarge     = newError(statusHeaderFieldsTooLarge, "header_too_large")
	errTooManyFields      = newError(statusHeaderFieldsTooLarge, "too_many_fields")

	// Request line (RFC 9112 §3).
	errBadRequestLine     = newError(statusBadRequest, "bad_request_line")
	errBadMethod          = newError(statusBadRequest, "bad_method")
	errBadTarget          = newError(statusBadRequest, "bad_target")
	errBadVersion         = newError(statusBadRequest, "bad_version")
	errUnsupportedVersion = newError(statusHTTPVersionNotSupported, "unsupported_version")

	// Field lines (RFC 9112 §5).
	errObsFold          = newError(statusBadRequest, "obs_fold")
	errMissingColon     = newError(statusBadRequest, "missing_colon")
	errSpaceBeforeColon = newError(statusBadRequest, "space_before_colon")
	errBadFieldName     = newError(statusBadRequest, "bad_field_name")
	errBadFieldValue    = newError(statusBadRequest, "bad_field_value")

	// Field semantics (RFC 9110, RFC 9112 §6-7).
	errMissingHost               = newError(statusBadRequest, "missing_host")
	errMultipleHost              = newError(statusBadRequest, "multiple_host")
	errBadHost                   = newError(statusBadRequest, "bad_host")
	errBadContentLength          = newError(statusBadRequest, "bad_content_length")
	errMultipleContentLength     = newError(statusBadRequest, "multiple_content_length")
	errCLAndTE                   = newError(statusBadRequest, "cl_and_te")
	errBadTransferEncoding       = newError(statusBadRequest, "bad_transfer_encoding")
	errUnsupportedTransferCoding = newError(statusNotImplemented, "unsupported_transfer_coding")
	errTransferEncodingHTTP10    = newError(statusBadRequest, "transfer_encoding_http10")
	errUnsupportedExpectation    = newError(statusExpectationFailed, "unsupported_expectation")
	errMultipleHTTP2Settings     = newError(statusBadRequest, "multiple_http2_settings")

	// Body (RFC 9112 §6.2, §7.1).
	errBodyTooLarge      = newError(statusContentTooLarge, "body_too_large")
	errBadChunkSize      = newError(statusBadRequest, "bad_chunk_size")
	errChunkSizeOverflow = newError(statusBadRequest, "chunk_size_overflow")
	errBadChunkExtension = newError(statusBadRequest, "bad_chunk_extension")
	errChunkLineTooLong  = newError(statusBadRequest, "chunk_line_too_long")
	errBadChunkFraming   = newError(statusBadRequest, "bad_chunk_framing")
	errChunkOverhead     = newError(statusBadRequest, "chunk_overhead")
)
