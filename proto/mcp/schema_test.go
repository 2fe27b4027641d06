package mcp

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bytedance/sonic"
)

type schemaProbe struct {
	Name  string            `json:"name" jsonschema:"who"`
	Count int               `json:"count,omitempty"`
	Ratio float64           `json:"ratio,omitempty"`
	Tags  []string          `json:"tags,omitempty"`
	Attrs map[string]bool   `json:"attrs,omitempty"`
	Inner *struct{ A bool } `json:"inner,omitempty"`
	Skip  string            `json:"-"`
	hid   int
}

func TestSchemaFor(t *testing.T) {
	s, err := SchemaFor(reflect.TypeFor[schemaProbe]())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sonic.Marshal(s)
	for _, want := range []string{`"additionalProperties":false`, `"name":{"type":"string","description":"who"}`, `"count":{"type":"integer"}`,
		`"ratio":{"type":"number"}`, `"tags":{"type":"array","items":{"type":"string"}}`, `"attrs":{"additionalProperties":{"type":"boolean"},"type":"object"}`, `"required":["name"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("schema lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), "Skip") || strings.Contains(string(b), "hid") {
		t.Errorf("hidden fields published: %s", b)
	}
	type loop struct{ Next *loop }
	if _, err := SchemaFor(reflect.TypeFor[loop]()); err == nil {
		t.Error("a recursive type got a schema")
	}
	if _, err := SchemaFor(reflect.TypeFor[chan int]()); err == nil {
		t.Error("a channel got a schema")
	}
}

func TestValidate(t *testing.T) {
	s, _ := SchemaFor(reflect.TypeFor[schemaProbe]())
	one := 1
	s.Properties["count"].Minimum = ptr(0.0)
	s.Properties["count"].Maximum = ptr(10.0)
	s.Properties["name"].MinLength = &one
	ok := []string{
		`{"name":"a"}`, ` {"name":"é","count":10,"ratio":1.5,"tags":["x"],"attrs":{"k":true},"inner":{"A":false}} `,
		`{"name":"a\"b","count":0}`, `{"name":"a","ratio":2}`,
	}
	bad := map[string]string{
		`{}`:                           "required",
		`{"name":""}`:                  "shorter",
		`{"name":1}`:                   "expected string",
		`{"name":"a","count":1.5}`:     "expected integer",
		`{"name":"a","count":11}`:      "maximum",
		`{"name":"a","count":-1}`:      "minimum",
		`{"name":"a","extra":1}`:       "unknown property",
		`{"name":"a","tags":[1]}`:      "expected string",
		`{"name":"a","attrs":{"k":1}}`: "expected boolean",
		`[]`:                           "expected object",
		`{"name":"a"} x`:               "trailing",
		`{"name":"a"`:                  "end of input",
		`{"name":"a",}`:                "property name",
		`{"name":"a\u0001"}`:           "",
		"{\"name\":\"a\x01\"}":         "control character",
	}
	for _, in := range ok {
		if err := s.Validate([]byte(in)); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	for in, want := range bad {
		err := s.Validate([]byte(in))
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

// TestValidateDepthBound: maxInputDepth levels of nesting are walked,
// one more is refused.
func TestValidateDepthBound(t *testing.T) {
	any := &Schema{}
	nest := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	if err := any.Validate(nest(maxInputDepth + 1)); err != nil {
		t.Fatalf("depth %d: %v", maxInputDepth, err)
	}
	if err := any.Validate(nest(maxInputDepth + 2)); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("depth %d accepted: %v", maxInputDepth+1, err)
	}
}

func TestValidateAllocatesNothing(t *testing.T) {
	s, _ := SchemaFor(reflect.TypeFor[EchoInput]())
	in := []byte(`{"text":"hello world"}`)
	if n := testing.AllocsPerRun(100, func() { _ = s.Validate(in) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

func TestMatchTemplate(t *testing.T) {
	cases := []struct {
		tmpl, uri string
		ok        bool
		vars      map[string]string
	}{
		{"test://template/{id}/data", "test://template/123/data", true, map[string]string{"id": "123"}},
		{"test://template/{id}/data", "test://template//data", false, nil},
		{"test://template/{id}/data", "test://template/1/2/data", false, nil},
		{"file:///{dir}/{name}.txt", "file:///a/b.txt", true, map[string]string{"dir": "a", "name": "b"}},
		{"x://{a}", "x://", false, nil},
	}
	for _, c := range cases {
		vars, ok := matchTemplate(c.tmpl, c.uri)
		if ok != c.ok || ok && !reflect.DeepEqual(vars, c.vars) {
			t.Errorf("%s ~ %s: %v %v", c.tmpl, c.uri, ok, vars)
		}
	}
}

func ptr[T any](v T) *T { return &v }
