package http1_test

import (
	"strings"
	"testing"

	"github.com/pqloop/pqloop/codec/http1"
)

const get = "GET / HTTP/1.1\r\nHost: example.com\r\n"

// post returns a POST head with the given extra field lines and body.
func post(fields, body string) string {
	return "POST /mcp HTTP/1.1\r\nHost: example.com\r\n" + fields + "\r\n" + body
}

func chunkedPost(body string) string {
	return post("Transfer-Encoding: chunked\r\n", body)
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status int
		reason string
	}{
		{"bare LF ends request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare_lf"},
		{"bare LF inside value", get + "X: a\nb\r\n\r\n", 400, "bare_lf"},
		{"bare LF ends head", get + "\n", 400, "bare_lf"},
		{"too many empty lines", strings.Repeat("\r\n", 9) + get + "\r\n", 400, "leading_empty_lines"},

		{"no spaces", "GET\r\n\r\n", 400, "bad_request_line"},
		{"one space", "GET /\r\n\r\n", 400, "bad_request_line"},
		{"empty line then garbage", "\r\nhello\r\n\r\n", 400, "bad_request_line"},
		{"method not a token", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_method"},
		{"empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_method"},
		{"TLS on plain port", "\x16\x03\x01\x02\x00\x01 \x00\x01\xfc\x03 \x03\r\n\r\n", 400, "bad_method"},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"empty target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"bad percent", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"cut percent", "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"control in target", "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"non-ASCII target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"asterisk not OPTIONS", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"CONNECT origin-form", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"CONNECT without port", "CONNECT a.example HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"absolute userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"absolute empty authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"absolute bad scheme", "GET 1http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"absolute no slashes", "GET http:a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target"},
		{"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400, "bad_version"},
		{"version junk", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400, "bad_version"},
		{"version empty", "GET / HTTP/\r\nHost: a\r\n\r\n", 400, "bad_version"},
		{"HTTP/2.0 text", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "unsupported_version"},
		{"HTTP/3", "GET / HTTP/3\r\nHost: a\r\n\r\n", 505, "unsupported_version"},
		{"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505, "unsupported_version"},

		{"obs-fold", get + "X: a\r\n b\r\n\r\n", 400, "obs_fold"},
		{"obs-fold tab", get + "X: a\r\n\tb\r\n\r\n", 400, "obs_fold"},
		{"space before first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "obs_fold"},
		{"no colon", get + "X a\r\n\r\n", 400, "missing_colon"},
		{"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "space_before_colon"},
		{"tab before colon", get + "X\t: a\r\n\r\n", 400, "space_before_colon"},
		{"empty name", get + ": a\r\n\r\n", 400, "bad_field_name"},
		{"name not a token", get + "X(y): a\r\n\r\n", 400, "bad_field_name"},
		{"NUL in value", get + "X: a\x00b\r\n\r\n", 400, "bad_field_value"},
		{"bare CR in value", get + "X: a\rb\r\n\r\n", 400, "bad_field_value"},
		{"DEL in value", get + "X: a\x7fb\r\n\r\n", 400, "bad_field_value"},
		{"control in value", get + "X: \x1b[31m\r\n\r\n", 400, "bad_field_value"},

		{"no Host on 1.1", "GET / HTTP/1.1\r\n\r\n", 400, "missing_host"},
		{"no Host on 1.1 absolute-form", "GET http://a/ HTTP/1.1\r\n\r\n", 400, "missing_host"},
		{"two Hosts", get + "Host: b\r\n\r\n", 400, "multiple_host"},
		{"two Hosts equal", get + "host: example.com\r\n\r\n", 400, "multiple_host"},
		{"Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "bad_host"},
		{"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, "bad_host"},
		{"CL not digits", post("Content-Length: abc\r\n", ""), 400, "bad_content_length"},
		{"CL negative", post("Content-Length: -1\r\n", ""), 400, "bad_content_length"},
		{"CL plus", post("Content-Length: +1\r\n", ""), 400, "bad_content_length"},
		{"CL list", post("Content-Length: 1, 1\r\n", "a"), 400, "bad_content_length"},
		{"CL empty", post("Content-Length: \r\n", ""), 400, "bad_content_length"},
		{"CL overflow", post("Content-Length: 9223372036854775808\r\n", ""), 400, "bad_content_length"},
		{"two CL equal", post("Content-Length: 1\r\nContent-Length: 1\r\n", "a"), 400, "multiple_content_length"},
		{"two CL differ", post("Content-Length: 1\r\nContent-Length: 2\r\n", "ab"), 400, "multiple_content_length"},
		{"CL and TE", post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400, "cl_and_te"},
		{"TE and CL", post("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "0\r\n\r\n"), 400, "cl_and_te"},
		{"TE list", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 400, "bad_transfer_encoding"},
		{"TE chunked twice", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), 400, "bad_transfer_encoding"},
		{"two TE fields", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400, "bad_transfer_encoding"},
		{"TE empty", post("Transfer-Encoding: \r\n", ""), 400, "bad_transfer_encoding"},
		{"TE with parameter", post("Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n"), 400, "bad_transfer_encoding"},
		{"TE unknown", post("Transfer-Encoding: gzip\r\n", ""), 501, "unsupported_transfer_coding"},
		{"TE on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "transfer_encoding_http10"},
		{"Expect other", post("Expect: 200-ok\r\nContent-Length: 1\r\n", "a"), 417, "unsupported_expectation"},
		{"two HTTP2-Settings", get + "HTTP2-Settings: AAA\r\nHTTP2-Settings: AAA\r\n\r\n", 400, "multiple_http2_settings"},

		{"CL over default body limit", post("Content-Length: 10485761\r\n", ""), 413, "body_too_large"},
		{"chunk size not hex", chunkedPost("x\r\nabc\r\n0\r\n\r\n"), 400, "bad_chunk_size"},
		{"chunk size empty", chunkedPost(";a\r\n0\r\n\r\n"), 400, "bad_chunk_size"},
		{"chunk size signed", chunkedPost("-1\r\n0\r\n\r\n"), 400, "bad_chunk_size"},
		{"chunk size overflow", chunkedPost("10000000000000000\r\n"), 400, "chunk_size_overflow"},
		{"chunk size over limit", chunkedPost("a00001\r\n"), 413, "body_too_large"},
		{"chunk size space", chunkedPost("3 x\r\nabc\r\n0\r\n\r\n"), 400, "bad_chunk_extension"},
		{"extension without name", chunkedPost("3;\r\nabc\r\n0\r\n\r\n"), 400, "bad_chunk_extension"},
		{"extension without value", chunkedPost("3;a=\r\nabc\r\n0\r\n\r\n"), 400, "bad_chunk_extension"},
		{"extension open quote", chunkedPost("3;a=\"x\r\nabc\r\n0\r\n\r\n"), 400, "bad_chunk_extension"},
		{"extension bad escape", chunkedPost("3;a=\"\\\x01\"\r\nabc\r\n0\r\n\r\n"), 400, "bad_chunk_extension"},
		{"chunk line too long", chunkedPost("1;a=" + strings.Repeat("x", 4096) + "\r\na\r\n0\r\n\r\n"), 400, "chunk_line_too_long"},
		{"data longer than size", chunkedPost("3\r\nabcd\r\n0\r\n\r\n"), 400, "bad_chunk_framing"},
		{"data without CRLF", chunkedPost("3\r\nabc0\r\n\r\n"), 400, "bad_chunk_framing"},
		{"data with bare LF", chunkedPost("3\r\nabc\n0\r\n\r\n"), 400, "bad_chunk_framing"},
		{"size line bare LF", chunkedPost("3\nabc\r\n0\r\n\r\n"), 400, "bare_lf"},
		{"extension-heavy chunks", chunkedPost(strings.Repeat("1;"+strings.Repeat("e", 1000)+"\r\na\r\n", 20) + "0\r\n\r\n"), 400, "chunk_overhead"},
		{"trailer obs-fold", chunkedPost("0\r\nX: a\r\n b\r\n\r\n"), 400, "obs_fold"},
		{"trailer bad name", chunkedPost("0\r\nX y: a\r\n\r\n"), 400, "bad_field_name"},
		{"trailer bad value", chunkedPost("0\r\nX: \x00\r\n\r\n"), 400, "bad_field_value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustReject(t, http1.Limits{}, tt.in, tt.status, tt.reason)
		})
	}
}
