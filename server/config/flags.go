package config

import (
	"errors"
	"flag"
	"strings"
)

// Flags records the configuration flags given on the command line, for Load to apply last.
type Flags struct {
	// Config is the --config flag: the path of the YAML file, "" for none.
	Config string

	settings []flagSetting // in command-line order, so a later flag wins
}

type flagSetting struct{ field, source, value string }

// flagShortcuts are the flags for settings changed often enough to deserve one; --set reaches the
// rest.
var flagShortcuts = []struct{ flag, field string }{
	{"listen", "server.listen"},
	{"admin", "server.admin"},
	{"pq-listen", "pq.listen"},
	{"pq-key", "pq.private_key_file"},
	{"conformance", "mcp.conformance_fixtures"},
	{"log-level", "log.level"},
	{"loops", "engine.loops"},
}

// BindFlags defines --config, the shortcut flags above and --set section.key=value on fs. Values
// are parsed by Load, exactly like environment values, so errors are reported together.
func BindFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{}
	fs.StringVar(&f.Config, "config", "", "YAML configuration `file` (see docs/CONFIG.md)")
	for _, s := range flagShortcuts {
		target := lookupField(s.field)
		_, isBool := target.pointer(&Config{}).(*bool)
		fs.Var(&shortcutFlag{flags: f, flag: s.flag, field: s.field, isBool: isBool}, s.flag, usage(target, isBool))
	}
	fs.Var(setFlag{f}, "set", "set any `section.key=value`, e.g. engine.max_conns=500; repeatable")
	return f
}

// usage is a flag's help text. The flag package shows the back-quoted word as the argument's
// name: "-loops 0..1024", "-listen host:port"; a bool flag takes none.
func usage(f *field, isBool bool) string {
	text := f.doc + " Sets " + f.name
	allowed, _, _ := strings.Cut(f.allowed(), ",")
	switch {
	case isBool:
		return text + "."
	case allowed == "":
		return text + " (`string`)."
	}
	return text + " (`" + allowed + "`)."
}

// shortcutFlag is a flag.Value recording one shortcut flag.
type shortcutFlag struct {
	flags       *Flags
	flag, field string
	isBool      bool
}

func (s *shortcutFlag) String() string   { return "" }
func (s *shortcutFlag) IsBoolFlag() bool { return s.isBool }
func (s *shortcutFlag) Set(value string) error {
	s.flags.settings = append(s.flags.settings, flagSetting{s.field, "flag --" + s.flag, value})
	return nil
}

// setFlag is the flag.Value of --set section.key=value.
type setFlag struct{ flags *Flags }

func (s setFlag) String() string { return "" }
func (s setFlag) Set(arg string) error {
	name, value, ok := strings.Cut(arg, "=")
	if !ok {
		return errors.New("want section.key=value")
	}
	if lookupField(name) == nil {
		return errors.New(name + ": unknown setting (docs/CONFIG.md lists them)")
	}
	s.flags.settings = append(s.flags.settings, flagSetting{name, "flag --set " + name, value})
	return nil
}
