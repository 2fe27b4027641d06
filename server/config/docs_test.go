package config

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// go test ./server/config -run TestGeneratedFiles -update rewrites the generated parts of
// docs/CONFIG.md and the whole of config/pqloop.yaml from the field table.
var update = flag.Bool("update", false, "rewrite docs/CONFIG.md's tables and config/pqloop.yaml")

const (
	docsPath        = "../../docs/CONFIG.md"
	defaultFilePath = "../../config/pqloop.yaml"
)

const defaultFileHeader = `# pqloop configuration: the file "make run" serves with.
#
# Every setting is listed with its built-in default, so this file loads to exactly the
# configuration pqloop uses with no file at all; change what you need and delete the rest if you
# like. Each comment gives what the setting does, then its range, its environment variable and
# whether a SIGHUP reload applies it. docs/CONFIG.md explains the rules.
#
# Generated from server/config's field table:
#   go test ./server/config -run TestGeneratedFiles -update
`

// Generated blocks of docs/CONFIG.md, between these markers.
var docBlocks = []struct {
	name     string
	generate func() string
}{
	{"fields", fieldsMarkdown},
	{"flags", flagsMarkdown},
}

func TestGeneratedFiles(t *testing.T) {
	yamlText, err := Default().YAML()
	if err != nil {
		t.Fatal(err)
	}
	checkGenerated(t, defaultFilePath, []byte(defaultFileHeader+"\n"+string(yamlText)))

	docs, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	want := string(docs)
	for _, b := range docBlocks {
		begin, end := "<!-- begin generated "+b.name+" -->\n", "<!-- end generated "+b.name+" -->"
		before, rest, ok1 := strings.Cut(want, begin)
		_, after, ok2 := strings.Cut(rest, end)
		if !ok1 || !ok2 {
			t.Fatalf("%s lacks the markers %q … %q", docsPath, strings.TrimSpace(begin), end)
		}
		want = before + begin + b.generate() + end + after
	}
	checkGenerated(t, docsPath, []byte(want))
}

func checkGenerated(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./server/config -run TestGeneratedFiles -update", path)
	}
}

// The default file loads to Default(): make run serves exactly the documented defaults.
func TestDefaultFileIsDefault(t *testing.T) {
	got, err := Load(defaultFilePath, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := Changed(Default(), got); diff != nil {
		t.Fatalf("%s differs from Default() in %v", defaultFilePath, diff)
	}
}

// Every setting appears in docs/CONFIG.md with its environment name, whatever the generated
// blocks say.
func TestDocsMentionEveryField(t *testing.T) {
	docs, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fields {
		f := &fields[i]
		for _, s := range []string{"`" + f.name + "`", "`" + f.envName() + "`"} {
			if !bytes.Contains(docs, []byte(s)) {
				t.Errorf("%s does not mention %s", docsPath, s)
			}
		}
	}
	for _, s := range flagShortcuts {
		if !bytes.Contains(docs, []byte("`--"+s.flag+"`")) {
			t.Errorf("%s does not mention --%s", docsPath, s.flag)
		}
	}
}

// The table and the Config struct describe the same settings, and every entry is complete.
func TestTableCoversConfig(t *testing.T) {
	var leaves []string
	config := reflect.TypeOf(Config{})
	for i := range config.NumField() {
		section := config.Field(i)
		for j := range section.Type.NumField() {
			leaves = append(leaves, yamlKey(section)+"."+yamlKey(section.Type.Field(j)))
		}
	}
	var names []string
	for i := range fields {
		f := &fields[i]
		names = append(names, f.name)
		if f.doc == "" || !strings.HasSuffix(f.doc, ".") {
			t.Errorf("%s: doc should be a sentence", f.name)
		}
		switch v := f.get(Default()); v.(type) {
		case int, int64, Size, time.Duration:
			if f.bounds == nil || f.bounds.lo >= f.bounds.hi || !f.bounds.contains(integer(v)) {
				t.Errorf("%s: a number needs bounds around its default", f.name)
			}
		default:
			if f.bounds != nil {
				t.Errorf("%s: bounds on a %T", f.name, v)
			}
		}
	}
	if !reflect.DeepEqual(leaves, names) {
		t.Errorf("struct settings:\n  %v\ntable:\n  %v", leaves, names)
	}
	if len(fieldsByEnv) != len(fields) || len(fieldsByName) != len(fields) {
		t.Error("names or environment names collide")
	}
}

func fieldsMarkdown() string {
	var b strings.Builder
	for _, section := range sections {
		b.WriteString("\n### " + section + "\n\n")
		b.WriteString("| Setting | Type | Default | Range | Environment | Reload | Meaning |\n")
		b.WriteString("|---|---|---|---|---|---|---|\n")
		for i := range fields {
			f := &fields[i]
			if f.section() != section {
				continue
			}
			v := f.get(Default())
			reload := "live"
			if f.restart {
				reload = "restart"
			}
			if f.secret {
				reload += ", secret"
			}
			cells := []string{
				"`" + f.name + "`", typeName(v), "`" + formatValue(v) + "`", f.allowed(),
				"`" + f.envName() + "`", reload, f.doc,
			}
			b.WriteString("| " + strings.ReplaceAll(strings.Join(cells, " \x00 "), "|", `\|`))
			b.WriteString(" |\n")
		}
	}
	b.WriteString("\n")
	return strings.ReplaceAll(b.String(), "\x00", "|")
}

func flagsMarkdown() string {
	var b strings.Builder
	b.WriteString("\n| Flag | Sets |\n|---|---|\n")
	b.WriteString("| `--config FILE` | the YAML file to load |\n")
	for _, s := range flagShortcuts {
		b.WriteString("| `--" + s.flag + "` | `" + s.field + "` |\n")
	}
	b.WriteString("| `--set section.key=value` | any setting; repeatable |\n\n")
	return b.String()
}

func typeName(v any) string {
	switch v.(type) {
	case int, int64:
		return "integer"
	case Size:
		return "size"
	case time.Duration:
		return "duration"
	case []string:
		return "list of strings"
	}
	return reflect.TypeOf(v).Name()
}
