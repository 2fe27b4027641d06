package config

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Size
	}{
		{"0", 0},
		{"65536", 65536},
		{"64KiB", 64 * KiB},
		{"64 KiB", 64 * KiB},
		{" 10MiB ", 10 * MiB},
		{"10mib", 10 * MiB},
		{"4MB", 4_000_000},
		{"4mb", 4_000_000},
		{"1KB", 1000},
		{"2GiB", 2 * GiB},
		{"3GB", 3e9},
		{"1TiB", TiB},
		{"5TB", 5e12},
		{"512B", 512},
		{"9223372036854775807", math.MaxInt64},
		{"8191PiB" /* not a unit */, -1},
	} {
		got, err := ParseSize(tc.in)
		if tc.want < 0 {
			if err == nil {
				t.Errorf("ParseSize(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSizeRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "KiB", "-1", "-1KiB", "+5", "1.5MiB", "0x10", "1e6", "10 M", "10Mb/s", "64KiBs",
		"9223372036854775808",      // MaxInt64+1
		"8388608TiB",               // 2^63 bytes: overflows
		"9007199254740992KiB",      // 2^63 bytes
		"99999999999999999999999B", // overflows before the unit
	} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
	// The largest multiple of a unit that fits is accepted; one more is not.
	if _, err := ParseSize("8388607TiB"); err != nil {
		t.Errorf("ParseSize(8388607TiB): %v", err)
	}
	_, err := ParseSize("1.5MiB")
	if err == nil || !strings.Contains(err.Error(), `"1.5MiB"`) {
		t.Errorf("error should quote the input, got %v", err)
	}
}

func TestSizeString(t *testing.T) {
	for _, tc := range []struct {
		in   Size
		want string
	}{
		{0, "0"},
		{1, "1"},
		{1000, "1KB"},
		{1024, "1KiB"},
		{64 * KiB, "64KiB"},
		{8000, "8KB"},
		{65535, "65535"},
		{1 << 31, "2GiB"},
		{1<<31 - 1, "2147483647"},
		{4 * MB, "4MB"},
		{1000 * KiB, "1000KiB"},
		{-5, "-5"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(tc.in), got, tc.want)
		}
		if tc.in >= 0 {
			if back, err := ParseSize(tc.in.String()); err != nil || back != tc.in {
				t.Errorf("ParseSize(%q) = %d, %v; want %d back", tc.in.String(), back, err, tc.in)
			}
		}
	}
}

func TestSizeJSON(t *testing.T) {
	var v struct{ A, B, C Size }
	if err := json.Unmarshal([]byte(`{"A": 4096, "B": "64KiB", "C": "4MB"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 4096 || v.B != 64*KiB || v.C != 4*MB {
		t.Fatalf("decoded %+v", v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"A":"4KiB","B":"64KiB","C":"4MB"}`; got != want {
		t.Fatalf("json = %s, want %s", got, want)
	}
	for _, bad := range []string{`{"A": -1}`, `{"A": "x"}`, `{"A": 1.5}`, `{"A": true}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("json %s: want an error", bad)
		}
	}
}

func TestSizeYAML(t *testing.T) {
	var v struct{ A, B, C Size }
	if err := yaml.Unmarshal([]byte("a: 4096\nb: 64KiB\nc: \"4MB\"\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 4096 || v.B != 64*KiB || v.C != 4*MB {
		t.Fatalf("decoded %+v", v)
	}
	v.A = 4097
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "a: 4097\nb: 64KiB\nc: 4MB\n"; got != want {
		t.Fatalf("yaml = %q, want %q", got, want)
	}
	for _, bad := range []string{"a: [1]", "a: -1", "a: {b: 1}"} {
		if err := yaml.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("yaml %q: want an error", bad)
		}
	}
}

func TestSizeText(t *testing.T) {
	var s Size
	if err := s.UnmarshalText([]byte("16KiB")); err != nil || s != 16*KiB {
		t.Fatalf("UnmarshalText = %d, %v", s, err)
	}
	if text, _ := s.MarshalText(); string(text) != "16KiB" {
		t.Fatalf("MarshalText = %q", text)
	}
}
