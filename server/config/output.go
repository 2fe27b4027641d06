package config

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// redacted replaces the value of a secret that is set; an unset secret stays "" so readers can
// tell whether, say, the admin token is configured.
const redacted = "[redacted]"

// Redacted returns a copy with every secret that is set replaced by "[redacted]".
func (c Config) Redacted() Config {
	for i := range fields {
		if f := &fields[i]; f.secret && f.value(&c).String() != "" {
			f.value(&c).SetString(redacted)
		}
	}
	return c
}

// YAML writes the configuration as a YAML file Load reads back to the same Config, each setting
// preceded by a comment: what it does, its range, its environment variable, and whether changing
// it needs a restart. Secrets are written as they are; use Redacted first to show it to people.
func (c Config) YAML() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	var body *yaml.Node
	var section string
	for i := range fields {
		f := &fields[i]
		if f.section() != section {
			section = f.section()
			body = &yaml.Node{Kind: yaml.MappingNode}
			root.Content = append(root.Content, scalar(section), body)
		}
		key := scalar(f.key())
		key.HeadComment = f.doc + "\n" + f.summary()
		value, err := yamlValue(f.get(c))
		if err != nil {
			return nil, err
		}
		body.Content = append(body.Content, key, value)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// summary is the second comment line of a setting in YAML output: range, env name, reload.
func (f *field) summary() string {
	var parts []string
	if r := f.allowed(); r != "" {
		parts = append(parts, r)
	}
	parts = append(parts, f.envName())
	if f.restart {
		parts = append(parts, "restart to change")
	} else {
		parts = append(parts, "reloadable")
	}
	if f.secret {
		parts = append(parts, "secret")
	}
	return strings.Join(parts, "; ")
}

// allowed describes the values a setting accepts beyond its type, or "" when any value of its
// type is fine.
func (f *field) allowed() string {
	switch {
	case f.bounds != nil:
		kind := f.get(Config{})
		return formatBound(kind, f.bounds.lo) + ".." + formatBound(kind, f.bounds.hi)
	case f.oneOf != nil:
		return strings.Join(f.oneOf, "|")
	case f.rule != nil:
		return f.rule.allowed
	}
	return ""
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func yamlValue(v any) (*yaml.Node, error) {
	n := &yaml.Node{}
	switch v := v.(type) {
	case time.Duration:
		return n, n.Encode(formatDuration(v))
	case []string:
		err := n.Encode(append([]string{}, v...))
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		return n, err
	}
	return n, n.Encode(v)
}

// RedactedJSON renders the configuration for the admin /config endpoint: sections and settings in
// the order of docs/CONFIG.md, durations and sizes as the strings YAML takes ("10s", "64KiB"),
// secrets redacted.
func (c Config) RedactedJSON() ([]byte, error) {
	c = c.Redacted()
	var out bytes.Buffer
	out.WriteByte('{')
	var section string
	for i := range fields {
		f := &fields[i]
		if f.section() != section {
			if section != "" {
				out.WriteString("},")
			}
			section = f.section()
			out.WriteString(`"` + section + `":{`)
		} else {
			out.WriteByte(',')
		}
		value, err := json.Marshal(jsonValue(f.get(c)))
		if err != nil {
			return nil, err
		}
		out.WriteString(`"` + f.key() + `":`)
		out.Write(value)
	}
	out.WriteString("}}")
	var indented bytes.Buffer
	if err := json.Indent(&indented, out.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

func jsonValue(v any) any {
	switch v := v.(type) {
	case time.Duration:
		return formatDuration(v)
	case []string:
		return append([]string{}, v...) // [] rather than null when empty
	}
	return v
}
