package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// field describes one setting. The table below is the single source of truth for what a setting
// is called in YAML, in the environment and in docs/CONFIG.md, what values it accepts, whether a
// reload can apply it, and whether it is secret.
type field struct {
	name    string   // dotted YAML path: "engine.loops"
	doc     string   // one sentence for docs/CONFIG.md and config/pqloop.yaml
	bounds  *bounds  // inclusive range of an integer, size or duration; nil for other kinds
	oneOf   []string // the values an enumerated string may take
	rule    *rule    // extra check on a string, or on each element of a list
	restart bool     // a running server cannot apply a change; SIGHUP reports it
	secret  bool     // redacted wherever the configuration is shown

	index []int // path to the struct field, resolved from the yaml tags in init
}

// bounds is the inclusive range of an integer, size or duration setting.
type bounds struct{ lo, hi int64 }

func ints(lo, hi int64) *bounds              { return &bounds{lo, hi} }
func sizes(lo, hi Size) *bounds              { return &bounds{int64(lo), int64(hi)} }
func durations(lo, hi time.Duration) *bounds { return &bounds{int64(lo), int64(hi)} }

func (b *bounds) contains(v int64) bool { return b.lo <= v && v <= b.hi }

// section and key split the dotted name: "engine" and "loops".
func (f *field) section() string { return f.name[:strings.IndexByte(f.name, '.')] }
func (f *field) key() string     { return f.name[strings.IndexByte(f.name, '.')+1:] }

// envName is the environment variable of the setting: PQLOOP_ENGINE_LOOPS.
func (f *field) envName() string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(f.name, ".", "_"))
}

// value is the setting inside c, settable; get and pointer are its value and address.
func (f *field) value(c *Config) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByIndex(f.index)
}
func (f *field) get(c Config) any      { return f.value(&c).Interface() }
func (f *field) pointer(c *Config) any { return f.value(c).Addr().Interface() }

// lookupField finds a setting by its dotted name, nil if there is none.
func lookupField(name string) *field { return fieldsByName[name] }

var (
	fieldsByName = map[string]*field{}
	fieldsByEnv  = map[string]*field{}
	sections     []string // in declaration order
)

// init resolves each table entry to its struct field by following the yaml tags, so the table
// cannot name a setting that does not exist. TestTableCoversConfig checks the converse.
func init() {
	for i := range fields {
		f := &fields[i]
		index, err := yamlIndex(reflect.TypeOf(Config{}), f.name)
		if err != nil {
			panic("config: field table: " + err.Error())
		}
		f.index = index
		fieldsByName[f.name] = f
		fieldsByEnv[f.envName()] = f
		if len(sections) == 0 || sections[len(sections)-1] != f.section() {
			sections = append(sections, f.section())
		}
	}
}

// yamlIndex finds the struct field a dotted YAML path names.
func yamlIndex(t reflect.Type, path string) ([]int, error) {
	var index []int
	for _, key := range strings.Split(path, ".") {
		if t.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%s: %s is not a section", path, t)
		}
		found := false
		for i := range t.NumField() {
			if yamlKey(t.Field(i)) == key {
				index = append(index, i)
				t = t.Field(i).Type
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: no struct field has yaml key %q", path, key)
		}
	}
	return index, nil
}

func yamlKey(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
	return name
}

// sectionKeys lists the keys of a section, for "unknown key" messages.
func sectionKeys(section string) []string {
	var keys []string
	for i := range fields {
		if fields[i].section() == section {
			keys = append(keys, fields[i].key())
		}
	}
	return keys
}
