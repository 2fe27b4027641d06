package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

const (
	// maxFileSize bounds the configuration file Load reads; a complete one is a few KiB.
	maxFileSize = 1 << 20
	// maxProblems bounds the problems reported in detail, so a file that is not a configuration
	// at all yields a screenful rather than megabytes; the rest are counted.
	maxProblems = 20
)

// Load builds the effective configuration: Default(), then the YAML file at path (none when path is
// ""), then PQLOOP_<SECTION>_<KEY> variables from env (as os.Environ gives them), then the flags f
// recorded (f may be nil). The result is validated. The error joins one line per problem, each
// naming the setting and where its value came from; on error the Config is the zero value.
func Load(path string, env []string, f *Flags) (Config, error) {
	l := newLoader()
	if path != "" {
		l.file(path)
	}
	l.env(env)
	if f != nil {
		for _, s := range f.settings {
			l.set(lookupField(s.field), s.source, s.value)
		}
	}
	return l.result()
}

// Parse reads a YAML configuration over the defaults and validates it, naming problems after
// name (a file name, or "-"). The environment and flags play no part.
func Parse(name string, data []byte) (Config, error) {
	l := newLoader()
	l.yaml(name, data)
	return l.result()
}

// Check validates the file at path on top of the defaults, ignoring the environment and flags, so
// a file checked in CI means the same on every machine. It backs `pqloop config check FILE`.
func Check(path string) error {
	_, err := Load(path, nil, nil)
	return err
}

type loader struct {
	cfg     Config
	sources map[string]string // setting name → where its value was last written
	errs    []error
	more    int // problems beyond maxProblems
}

func newLoader() *loader { return &loader{cfg: Default(), sources: map[string]string{}} }

// result validates what was loaded, naming for each problem where the value came from.
func (l *loader) result() (Config, error) {
	for _, e := range l.cfg.problems() {
		e.Source = l.sources[e.Field]
		l.add(e)
	}
	if l.more > 0 {
		l.errs = append(l.errs, fmt.Errorf("… and %d more problems", l.more))
	}
	if len(l.errs) > 0 {
		return Config{}, errors.Join(l.errs...)
	}
	return l.cfg, nil
}

// set parses text into the named setting and records where it came from.
func (l *loader) set(f *field, source, text string) {
	if err := setText(f.pointer(&l.cfg), text); err != nil {
		l.fail(source, f.name, err.Error())
		return
	}
	l.sources[f.name] = source
}

func (l *loader) add(err error) {
	if len(l.errs) == maxProblems {
		l.more++
		return
	}
	l.errs = append(l.errs, err)
}

func (l *loader) fail(source, name, msg string) {
	l.add(&FieldError{Source: source, Field: name, Msg: msg})
}

// Messages for names the table does not have list what would have been accepted.
func (l *loader) unknownSection(source, section string) {
	l.fail(source, section, "unknown section; sections are "+strings.Join(sections, ", "))
}

func (l *loader) unknownKey(source, section, key string) {
	l.fail(source, section+"."+key, "unknown key; "+knownKeys(section))
}

func knownKeys(section string) string {
	return section + " has " + strings.Join(sectionKeys(section), ", ")
}

func (l *loader) env(env []string) {
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		rest, ours := strings.CutPrefix(name, envPrefix)
		if !ours {
			continue
		}
		if f := fieldsByEnv[name]; f != nil {
			l.set(f, "env "+name, value)
			continue
		}
		// Section names have no underscore, so the first one ends the section. Variables outside
		// the known sections are left alone: other tools may share the prefix.
		section, key, _ := strings.Cut(strings.ToLower(rest), "_")
		switch {
		case sectionKeys(section) == nil:
		case key == "":
			l.fail("env "+name, section, "names a section, not a setting; "+knownKeys(section))
		default:
			l.unknownKey("env "+name, section, key)
		}
	}
}

func (l *loader) file(path string) {
	file, err := os.Open(path)
	if err != nil {
		l.add(err)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxFileSize+1))
	switch {
	case err != nil:
		l.add(fmt.Errorf("%s: %w", path, err))
	case len(data) > maxFileSize:
		l.add(fmt.Errorf("%s: larger than %s", path, Size(maxFileSize)))
	default:
		l.yaml(path, data)
	}
}

// yaml applies a YAML document. It walks the node tree itself, rather than decoding into the
// struct, so that every unknown key, duplicate key and bad value is reported with its line.
func (l *loader) yaml(path string, data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err != io.EOF {
			l.add(fmt.Errorf("%s: %w", path, err))
		}
		return
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		l.add(fmt.Errorf("%s:%d: only one YAML document is allowed", path, next.Line))
		return
	}
	if len(doc.Content) == 0 {
		return
	}
	at := func(n *yaml.Node) string { return fmt.Sprintf("%s:%d", path, n.Line) }
	root := resolve(doc.Content[0])
	if isNull(root) {
		return
	}
	if root.Kind != yaml.MappingNode {
		l.add(fmt.Errorf("%s: want a mapping of sections (server:, engine:, …)", at(root)))
		return
	}
	seenSections := map[string]int{}
	for sectionKey, body := range pairs(root) {
		section := sectionKey.Value
		if !l.firstTime(seenSections, at(sectionKey), section, sectionKey.Line) {
			continue
		}
		if sectionKeys(section) == nil {
			l.unknownSection(at(sectionKey), section)
			continue
		}
		if body = resolve(body); isNull(body) {
			continue
		}
		if body.Kind != yaml.MappingNode {
			l.fail(at(body), section, "want a mapping of settings")
			continue
		}
		seenKeys := map[string]int{}
		for key, value := range pairs(body) {
			name := section + "." + key.Value
			if !l.firstTime(seenKeys, at(key), name, key.Line) {
				continue
			}
			f := lookupField(name)
			if f == nil {
				l.unknownKey(at(key), section, key.Value)
				continue
			}
			if err := setNode(f.pointer(&l.cfg), resolve(value)); err != nil {
				l.fail(at(value), name, err.Error())
				continue
			}
			l.sources[name] = at(value)
		}
	}
}

// firstTime reports a key written twice, which YAML forbids and which would hide a setting.
func (l *loader) firstTime(seen map[string]int, source, name string, line int) bool {
	if first, dup := seen[name]; dup {
		l.fail(source, name, fmt.Sprintf("already set on line %d", first))
		return false
	}
	seen[name] = line
	return true
}

// setNode stores a YAML value: a scalar goes through setText like env and flag values do; a
// list must be a YAML sequence of scalars.
func setNode(ptr any, n *yaml.Node) error {
	list, isList := ptr.(*[]string)
	switch {
	case isNull(n):
		return setNull(ptr)
	case n.Kind == yaml.ScalarNode && !isList:
		return setText(ptr, n.Value)
	case n.Kind == yaml.SequenceNode && isList:
		items := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if item = resolve(item); item.Kind != yaml.ScalarNode || isNull(item) {
				return fmt.Errorf("line %d: want a string", item.Line)
			}
			items = append(items, item.Value)
		}
		*list = items
		return nil
	case isList:
		return errors.New("want a list, like [a, b]")
	default:
		return errors.New("want a single value")
	}
}

// pairs yields the key and value nodes of a mapping; keys are scalars in any file Load accepts,
// and a non-scalar key simply matches no section or setting.
func pairs(m *yaml.Node) func(yield func(key, value *yaml.Node) bool) {
	return func(yield func(key, value *yaml.Node) bool) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !yield(m.Content[i], m.Content[i+1]) {
				return
			}
		}
	}
}

// resolve follows an alias (*anchor) to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }
