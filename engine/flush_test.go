package engine

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestWriteToResetPeer: clients that send and at once reset the connection
// make the server's write fail, and gnet closes the connection from inside
// that write (OnClose runs before Write returns). The engine must survive
// that re-entrance (it once returned a nil buffer to the pool and crashed)
// and go on serving.
func TestWriteToResetPeer(t *testing.T) {
	_, addr, _ := startEngine(t, Limits{MaxOutput: 1 << 20, MaxHeldInput: 1 << 20, IdleTimeout: time.Minute, HeaderTimeout: time.Minute})
	big := "big 200000\n" // an answer large enough to hit the reset mid-write
	for i := 0; i < 300; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetLinger(0) // Close sends RST, not FIN
		c.Write([]byte(strings.Repeat(big, 4)))
		c.Close()
	}
	ok := dial(t, addr, 0)
	ok.send("hello\n")
	if got := ok.readLine(); got != "hello\n" {
		t.Fatalf("after the resets the engine answered %q", got)
	}
}
