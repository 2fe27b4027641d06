package mcp

import (
	"errors"
	"reflect"
	"strings"

	"github.com/bytedance/sonic"
)

// Schema is the subset of JSON Schema (2020-12, the dialect MCP tool schemas
// use) that pqloop generates from Go types and enforces on tool input:
// type, properties, required, additionalProperties, items, enum, the numeric
// and length bounds. Keywords outside it are kept in the published schema
// (raw tools publish their schema verbatim) but not enforced.
type Schema struct {
	Type                 SchemaType         `json:"type,omitempty"`
	Description          string             `json:"description,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *Schema            `json:"-"`
	NoAdditional         bool               `json:"-"` // additionalProperties: false
	Items                *Schema            `json:"items,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	MinLength            *int               `json:"minLength,omitempty"`
	MaxLength            *int               `json:"maxLength,omitempty"`
	MinItems             *int               `json:"minItems,omitempty"`
	MaxItems             *int               `json:"maxItems,omitempty"`
	Default              any                `json:"default,omitempty"`
}

// SchemaType is the "type" keyword: one name, or a list of names.
type SchemaType []string

// MarshalJSON writes one name as a string, several as an array.
func (t SchemaType) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return sonic.Marshal(t[0])
	}
	return sonic.Marshal([]string(t))
}

// UnmarshalJSON accepts a name or a list of names.
func (t *SchemaType) UnmarshalJSON(b []byte) error {
	var one string
	if err := sonic.Unmarshal(b, &one); err == nil {
		*t = SchemaType{one}
		return nil
	}
	var many []string
	if err := sonic.Unmarshal(b, &many); err != nil {
		return err
	}
	*t = many
	return nil
}

func (t SchemaType) allows(name string) bool {
	if len(t) == 0 {
		return true
	}
	for _, n := range t {
		if n == name || n == "number" && name == "integer" {
			return true
		}
	}
	return false
}

// MarshalJSON adds additionalProperties to the generated fields.
func (s *Schema) MarshalJSON() ([]byte, error) {
	type plain Schema // no methods: no recursion
	var extra []byte
	switch {
	case s.NoAdditional:
		extra = []byte("false")
	case s.AdditionalProperties != nil:
		b, err := sonic.Marshal(s.AdditionalProperties)
		if err != nil {
			return nil, err
		}
		extra = b
	}
	b, err := sonic.Marshal((*plain)(s))
	if err != nil || extra == nil {
		return b, err
	}
	if string(b) == "{}" {
		return append(append([]byte(`{"additionalProperties":`), extra...), '}'), nil
	}
	out := append([]byte(`{"additionalProperties":`), extra...)
	out = append(out, ',')
	return append(out, b[1:]...), nil
}

// UnmarshalJSON reads a schema, including a boolean additionalProperties.
func (s *Schema) UnmarshalJSON(b []byte) error {
	type plain Schema
	var w struct {
		plain
		AdditionalProperties sonic.NoCopyRawMessage `json:"additionalProperties"`
	}
	if err := sonic.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Schema(w.plain)
	switch a := string(w.AdditionalProperties); {
	case a == "false":
		s.NoAdditional = true
	case a == "" || a == "true":
	default:
		s.AdditionalProperties = new(Schema)
		if err := s.AdditionalProperties.UnmarshalJSON(w.AdditionalProperties); err != nil {
			return err
		}
	}
	return nil
}

// errSchemaType is returned for Go types that have no JSON Schema (channels,
// functions, complex numbers).
var errSchemaType = errors.New("mcp: type has no JSON Schema")

// SchemaFor builds the schema of Go type t from its shape and its json and
// jsonschema struct tags (`jsonschema:"the field's description"`), as the
// official Go SDK does. Fields without omitempty are required. It runs once,
// at registration.
func SchemaFor(t reflect.Type) (*Schema, error) { return schemaFor(t, map[reflect.Type]bool{}) }

func schemaFor(t reflect.Type, seen map[reflect.Type]bool) (*Schema, error) {
	switch t.Kind() {
	case reflect.Pointer:
		return schemaFor(t.Elem(), seen)
	case reflect.Bool:
		return &Schema{Type: SchemaType{"boolean"}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Schema{Type: SchemaType{"integer"}}, nil
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: SchemaType{"number"}}, nil
	case reflect.String:
		return &Schema{Type: SchemaType{"string"}}, nil
	case reflect.Interface:
		return &Schema{}, nil // any JSON value
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return &Schema{Type: SchemaType{"string"}}, nil // base64, as encoding/json writes []byte
		}
		items, err := schemaFor(t.Elem(), seen)
		if err != nil {
			return nil, err
		}
		return &Schema{Type: SchemaType{"array"}, Items: items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, errSchemaType
		}
		v, err := schemaFor(t.Elem(), seen)
		if err != nil {
			return nil, err
		}
		return &Schema{Type: SchemaType{"object"}, AdditionalProperties: v}, nil
	case reflect.Struct:
		if seen[t] {
			return nil, errors.New("mcp: recursive type " + t.String() + " has no finite schema")
		}
		seen[t] = true
		defer delete(seen, t)
		s := &Schema{Type: SchemaType{"object"}, Properties: map[string]*Schema{}, NoAdditional: true}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fs, err := schemaFor(f.Type, seen)
			if err != nil {
				return nil, err
			}
			if d := f.Tag.Get("jsonschema"); d != "" {
				fs.Description = d
			}
			s.Properties[name] = fs
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				s.Required = append(s.Required, name)
			}
		}
		return s, nil
	}
	return nil, errSchemaType
}
