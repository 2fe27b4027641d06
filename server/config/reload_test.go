package config

import (
	"reflect"
	"slices"
	"testing"
)

// mutate changes the setting f in c to some other valid-or-not value of its kind.
func mutate(f *field, c *Config) {
	v := f.value(c)
	switch p := v.Addr().Interface().(type) {
	case *string:
		*p += "x"
	case *bool:
		*p = !*p
	case *[]string:
		*p = append(*p, "https://new.example")
	default:
		v.SetInt(v.Int() + 1)
	}
}

// Changing any one setting is seen by Changed, and by RestartRequired exactly when the table says
// the setting needs a restart.
func TestEachSettingChange(t *testing.T) {
	for i := range fields {
		f := &fields[i]
		old, next := Default(), Default()
		mutate(f, &next)
		if got := Changed(old, next); !reflect.DeepEqual(got, []string{f.name}) {
			t.Errorf("%s: Changed = %v", f.name, got)
		}
		got := RestartRequired(old, next)
		if want := f.restart; want != (len(got) == 1 && got[0] == f.name) || len(got) > 1 {
			t.Errorf("%s: RestartRequired = %v, restart %v", f.name, got, f.restart)
		}
	}
}

func TestRestartRequired(t *testing.T) {
	old := Default()
	if got := RestartRequired(old, old); got != nil {
		t.Fatalf("no change: %v", got)
	}
	next := old
	next.Server.Listen = "127.0.0.1:8081"
	next.Engine.Loops = 2
	next.Engine.PinCPUs = false
	next.PQ.PrivateKeyFile = "new.key"
	next.Log.Level = "debug"
	next.HTTP.MaxBody = 20 * MiB
	next.Engine.IdleTimeout *= 2
	next.MCP.AllowedOrigins = []string{"https://app.example.com"}
	next.Server.AdminToken = "rotated-token-0123456789"

	restart := []string{"server.listen", "engine.loops", "engine.pin_cpus", "pq.private_key_file"}
	live := []string{"server.admin_token", "log.level", "engine.idle_timeout", "http.max_body", "mcp.allowed_origins"}
	if got := RestartRequired(old, next); !reflect.DeepEqual(got, restart) {
		t.Errorf("RestartRequired = %v, want %v", got, restart)
	}
	if got, all := Changed(old, next), append(slices.Clone(restart), live...); !slices.Equal(sorted(got), sorted(all)) {
		t.Errorf("Changed = %v, want %v", got, all)
	}

	applied, needRestart := Reload(old, next)
	if !reflect.DeepEqual(needRestart, restart) {
		t.Errorf("Reload reports %v", needRestart)
	}
	if got := Changed(old, applied); !slices.Equal(sorted(got), sorted(live)) {
		t.Errorf("Reload applied %v, want only the live settings %v", got, live)
	}
	if applied.Server.Listen != old.Server.Listen || applied.HTTP.MaxBody != next.HTTP.MaxBody {
		t.Errorf("Reload: listen %s max_body %s", applied.Server.Listen, applied.HTTP.MaxBody)
	}
}

func TestEmptyListIsNoChange(t *testing.T) {
	old, next := Default(), Default()
	next.MCP.AllowedOrigins = []string{}
	if got := Changed(old, next); got != nil {
		t.Fatalf("nil → [] reported as %v", got)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
