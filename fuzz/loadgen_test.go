package fuzz

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/pqloop/pqloop/perf/loadgen"
	"golang.org/x/net/http2"
)

// fuzzLoadgen runs one request of the load generator against a "server"
// that answers whatever it is first sent with the fuzzer's bytes and then
// hangs up. The run must end, with a response or a counted error, never a
// panic or a hang: the loadgen reads untrusted bytes from servers under test.
func fuzzLoadgen(t *testing.T, proto loadgen.Protocol, response []byte) {
	u, _ := url.Parse("http://fuzz.invalid/health")
	dial := func(context.Context) (net.Conn, error) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			// Wait for the request (or the h2 preface) before answering.
			if _, err := bufio.NewReader(server).ReadByte(); err != nil {
				return
			}
			go io.Copy(io.Discard, server)
			server.Write(response)
		}()
		return client, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := loadgen.Run(ctx, loadgen.Config{
		Protocol: proto, URL: u, Dial: dial, Connections: 1, Depth: 2,
		Requests: 2, Duration: 2 * time.Second, Timeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("run outlived its duration: %+v", res)
	}
}

// FuzzLoadgenHTTP1Response feeds arbitrary bytes to the loadgen's HTTP/1.1
// response decoder through a real run.
func FuzzLoadgenHTTP1Response(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nshort"))
	f.Fuzz(func(t *testing.T, response []byte) { fuzzLoadgen(t, loadgen.HTTP1, response) })
}

// FuzzLoadgenH2Response feeds arbitrary frames to the loadgen's HTTP/2
// client session through a real run.
func FuzzLoadgenH2Response(f *testing.F) {
	var seed frameBuffer
	fr := http2.NewFramer(&seed, nil)
	fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 1})
	fr.WriteSettingsAck()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x88}, EndHeaders: true}) // :status 200
	fr.WriteData(1, true, []byte("Hello, world!"))
	fr.WritePing(false, [8]byte{1})
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: []byte{0x8d}, EndStream: true}) // :status 404, CONTINUATION due
	fr.WriteContinuation(3, true, nil)
	f.Add([]byte(seed))
	seed = seed[:0]
	fr.WriteRSTStream(1, http2.ErrCodeCancel)
	fr.WriteGoAway(0, http2.ErrCodeProtocol, []byte("bye"))
	f.Add([]byte(seed))
	f.Fuzz(func(t *testing.T, response []byte) { fuzzLoadgen(t, loadgen.H2C, response) })
}

type frameBuffer []byte

func (b *frameBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }
