package http2_test

import (
	"fmt"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/codec/http2"
)

type hello struct{}

func (hello) OnRequest(c *http2.ServerConn, r *http2.Request) {
	c.WriteHeaders(r.StreamID, 200, header.List{{Name: []byte("content-type"), Value: []byte("text/plain")}}, false)
	c.WriteData(r.StreamID, []byte("hello\n"), true)
}

func (hello) OnStreamReset(*http2.ServerConn, uint32, http2.ErrCode) {}

// The caller owns the socket: it feeds what it read, keeps what Feed did
// not consume, writes Output and calls Advance with what was written.
func ExampleServerConn() {
	c := http2.NewServerConn(http2.DefaultConfig(), hello{})
	defer c.Close()

	in := []byte(http2.ClientPreface +
		"\x00\x00\x00\x04\x00\x00\x00\x00\x00" + // SETTINGS
		"\x00\x00\x03\x01\x05\x00\x00\x00\x01\x82\x86\x84" + // HEADERS: GET http /, END_STREAM|END_HEADERS
		"\x00\x00\x03\x01\x05\x00\x00") // the start of a second request
	now := int64(1) // monotonic ns from the caller's clock
	n, err := c.Feed(in, now)
	fmt.Println(n, len(in)-n, err)

	out := c.Output() // SETTINGS, WINDOW_UPDATE, then the response
	c.Advance(len(out))
	fmt.Println(len(c.Output()), c.Done())

	c.Shutdown() // graceful: GOAWAY, then Done once streams finish
	fmt.Println(c.Done())
	// Output:
	// 45 7 <nil>
	// 0 false
	// true
}
