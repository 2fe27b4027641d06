package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Size is a byte count. It is written as a plain integer or as an integer with a unit:
// "64KiB", "10MiB" (powers of 1024) or "4MB" (powers of 1000). Units are case-insensitive;
// fractions and negative values are rejected.
type Size int64

// Binary (IEC 80000-13) and decimal (SI) byte multiples.
const (
	B   Size = 1
	KiB Size = 1 << 10
	MiB Size = 1 << 20
	GiB Size = 1 << 30
	TiB Size = 1 << 40
	KB  Size = 1e3
	MB  Size = 1e6
	GB  Size = 1e9
	TB  Size = 1e12
)

// sizeUnits lists the units from largest to smallest, binary before decimal, so that String picks
// the shortest exact spelling and prefers the binary one ("64KiB" rather than "65536").
var sizeUnits = []struct {
	name string
	size Size
}{
	{"TiB", TiB}, {"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB},
	{"TB", TB}, {"GB", GB}, {"MB", MB}, {"KB", KB},
	{"B", B},
}

// ParseSize parses "65536", "64KiB", "64 KiB", "4MB" and the like.
func ParseSize(s string) (Size, error) {
	text := strings.TrimSpace(s)
	digits := len(text) - len(strings.TrimLeft(text, "0123456789"))
	if digits == 0 {
		return 0, fmt.Errorf("want a size like 65536, \"64KiB\" or \"4MB\", got %s", quote(s))
	}
	n, err := strconv.ParseInt(text[:digits], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %s is too large", quote(s))
	}
	unit := strings.TrimSpace(text[digits:])
	if unit == "" {
		return Size(n), nil
	}
	for _, u := range sizeUnits {
		if strings.EqualFold(unit, u.name) {
			if n > math.MaxInt64/int64(u.size) {
				return 0, fmt.Errorf("size %s is too large", quote(s))
			}
			return Size(n) * u.size, nil
		}
	}
	return 0, fmt.Errorf("size %s has unknown unit %s (want B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)", quote(s), quote(unit))
}

// String spells the size with the largest unit that divides it exactly, or as a plain integer.
func (s Size) String() string {
	if s > 0 {
		for _, u := range sizeUnits[:len(sizeUnits)-1] {
			if s%u.size == 0 {
				return strconv.FormatInt(int64(s/u.size), 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(s), 10)
}

// MarshalText implements encoding.TextMarshaler.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Size) UnmarshalText(text []byte) error {
	v, err := ParseSize(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalJSON writes the size as a string, with its unit: "64KiB".
func (s Size) MarshalJSON() ([]byte, error) { return strconv.AppendQuote(nil, s.String()), nil }

// UnmarshalJSON accepts a JSON number or a string with a unit.
func (s *Size) UnmarshalJSON(data []byte) error {
	text := string(data)
	if unquoted, err := strconv.Unquote(text); err == nil {
		text = unquoted
	}
	return s.UnmarshalText([]byte(text))
}

// MarshalYAML writes the size as a plain integer when it has no exact unit, else as "64KiB".
func (s Size) MarshalYAML() (any, error) {
	text := s.String()
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	return text, nil
}

// UnmarshalYAML accepts an integer or a string with a unit.
func (s *Size) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return errors.New("want a size like 65536 or \"64KiB\"")
	}
	return s.UnmarshalText([]byte(node.Value))
}
