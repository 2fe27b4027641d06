package jsonrpc

import (
	"strings"
	"testing"
)

// TestDeepNestingIsRefused: a body nested far deeper than any message
// (a million levels, within the 4 MiB body limit) is an error, not a crash
// or a stack overflow: sonic bounds its nesting depth.
func TestDeepNestingIsRefused(t *testing.T) {
	const depth = 1 << 20
	nest := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	var m Message
	if err := Decode([]byte(`{"jsonrpc":"2.0","id":1,"method":"x","params":`+nest+`}`), &m); err == nil {
		t.Fatal("a million levels of params decoded")
	}
	if _, err := SplitBatch([]byte(nest)); err == nil {
		t.Fatal("a million levels of batch split")
	}
}
