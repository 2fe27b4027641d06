package jsonrpc

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestKind(t *testing.T) {
	cases := []struct {
		in   string
		want Kind
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, KindRequest},
		{`{"jsonrpc":"2.0","id":"a-1","method":"ping","params":{}}`, KindRequest},
		{`{"jsonrpc":"2.0","id":-7,"method":"x","params":[1]}`, KindRequest},
		{`{"jsonrpc":"2.0","id":null,"method":"x"}`, KindRequest},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, KindNotification},
		{`{"jsonrpc":"2.0","id":3,"result":{}}`, KindResponse},
		{`{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"x"}}`, KindError},
		{`{"jsonrpc":"1.0","id":1,"method":"ping"}`, KindInvalid},            // wrong version
		{`{"id":1,"method":"ping"}`, KindInvalid},                            // no version
		{`{"jsonrpc":"2.0","id":{},"method":"ping"}`, KindInvalid},           // object id
		{`{"jsonrpc":"2.0","id":true,"method":"ping"}`, KindInvalid},         // boolean id
		{`{"jsonrpc":"2.0","id":1,"method":"ping","params":3}`, KindInvalid}, // scalar params
		{`{"jsonrpc":"2.0","id":1}`, KindInvalid},                            // neither method nor result
		{`{"jsonrpc":"2.0","id":1,"result":1,"error":{}}`, KindInvalid},      // both
		{`{"jsonrpc":"2.0","id":1,"method":"x","result":1}`, KindInvalid},
	}
	for _, c := range cases {
		var m Message
		if err := Decode([]byte(c.in), &m); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := m.Kind(); got != c.want {
			t.Errorf("%s: kind %d, want %d", c.in, got, c.want)
		}
	}
}

func TestDecodeKeepsIDVerbatim(t *testing.T) {
	for _, id := range []string{`1`, `"x"`, `null`, `12345678901234567890`, `"\u00e9"`} {
		var m Message
		if err := Decode([]byte(`{"jsonrpc":"2.0","id":`+id+`,"method":"ping"}`), &m); err != nil {
			t.Fatal(err)
		}
		if string(m.ID) != id {
			t.Errorf("id %s came back as %s", id, m.ID)
		}
		if got := string(AppendResult(nil, m.ID, []byte(`{}`))); got != `{"jsonrpc":"2.0","id":`+id+`,"result":{}}` {
			t.Errorf("reply %s", got)
		}
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, in := range []string{``, `{`, `{"jsonrpc":"2.0",}`, `nul`, `{"jsonrpc":2.0"}`, "\xff"} {
		var m Message
		if err := Decode([]byte(in), &m); err == nil && m.Kind() != KindInvalid {
			t.Errorf("%q decoded as a valid message", in)
		}
	}
}

func TestBatch(t *testing.T) {
	body := []byte(" \n[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}, {\"jsonrpc\":\"2.0\",\"method\":\"b\"}]")
	if !IsBatch(body) || IsBatch([]byte(`{"a":[]}`)) || IsBatch(nil) {
		t.Fatal("IsBatch")
	}
	parts, err := SplitBatch(body)
	if err != nil || len(parts) != 2 {
		t.Fatalf("SplitBatch: %v %d", err, len(parts))
	}
	var m Message
	if Decode(parts[1], &m) != nil || m.Kind() != KindNotification || m.Method != "b" {
		t.Fatalf("second element: %+v", m)
	}
	if _, err := SplitBatch([]byte(`[1,`)); err == nil {
		t.Fatal("truncated batch accepted")
	}
}

func TestAppendErrorIsValidJSON(t *testing.T) {
	b := AppendError(nil, nil, CodeParseError, "bad \"input\"\n\x01", []byte(`{"k":1}`))
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	e := v["error"].(map[string]any)
	if v["id"] != nil || e["code"].(float64) != CodeParseError || e["message"] != "bad \"input\"\n\x01" {
		t.Fatalf("%s", b)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl\x00\x1f\t\r\n", "é ✓ 😀", "bad\xffutf8", strings.Repeat("x", 300)} {
		got := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q -> %s: %v", s, got, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("%q round-tripped to %q", s, back)
		}
	}
}

func TestAppendStringAllocatesNothing(t *testing.T) {
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = AppendString(buf[:0], "hello \"world\"\n") }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

func TestAppendRequest(t *testing.T) {
	if got := string(AppendRequest(nil, nil, "notifications/progress", []byte(`{"progress":1}`))); got != `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}` {
		t.Fatal(got)
	}
	if got := string(AppendRequest(nil, []byte(`"s1"`), "roots/list", nil)); got != `{"jsonrpc":"2.0","id":"s1","method":"roots/list"}` {
		t.Fatal(got)
	}
}

// TestDecodeIsStrict: found by FuzzMCPJSONRPC: a raw control character in a
// string id was accepted and echoed into an invalid reply; member names are
// matched exactly.
func TestDecodeIsStrict(t *testing.T) {
	var m Message
	if err := Decode([]byte("{\"jsonrpc\":\"2.0\",\"id\":\"\x00\",\"method\":\"0\"}"), &m); err == nil {
		t.Fatalf("raw NUL in an id accepted: %q", m.ID)
	}
	if err := Decode([]byte(`{"jsonrpC":"2.0","id":1,"method":"0"}`), &m); err != nil || m.Kind() != KindInvalid {
		t.Fatalf("jsonrpC taken for jsonrpc: %v %d", err, m.Kind())
	}
}

func TestDecodeTellsShapeFromSyntax(t *testing.T) {
	var m Message
	if err := Decode([]byte(`{"jsonrpc":"2.0","id":1,"method":5}`), &m); err != ErrShape {
		t.Fatalf("numeric method: %v, want ErrShape", err)
	}
	if err := Decode([]byte(`{"jsonrpc":"2.0","id":1,"method":"a"`), &m); err != ErrParse {
		t.Fatalf("truncated: %v, want ErrParse", err)
	}
}

func TestValidID(t *testing.T) {
	good := []string{`0`, `-0`, `12`, `-1.5e+3`, `1E9`, `""`, `"a"`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9"`, `"é"`, `null`}
	bad := []string{``, `01`, `-`, `1.`, `.5`, `1e`, `+1`, `1x`, `"`, `"a`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"\x00\"", "\"\\\xef\"", `"a"b"`, `nul`, `true`, `{}`, `[]`}
	for _, id := range good {
		if !ValidID([]byte(id)) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range bad {
		if ValidID([]byte(id)) {
			t.Errorf("%q accepted", id)
		}
	}
}
