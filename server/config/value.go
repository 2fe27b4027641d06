package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The kinds of value a setting holds: string, bool, int, int64, Size, time.Duration and []string.
// These functions are the only places that switch on them.

// setText parses text into the setting ptr points at. The environment, flags and YAML scalars all
// go through here, so a value means the same thing wherever it is written.
func setText(ptr any, text string) error {
	switch p := ptr.(type) {
	case *string:
		*p = text
	case *bool:
		v, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("want true or false, got %s", quote(text))
		}
		*p = v
	case *int:
		v, err := strconv.ParseInt(text, 10, strconv.IntSize)
		if err != nil {
			return fmt.Errorf("want an integer, got %s", quote(text))
		}
		*p = int(v)
	case *int64:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer, got %s", quote(text))
		}
		*p = v
	case *Size:
		v, err := ParseSize(text)
		if err != nil {
			return err
		}
		*p = v
	case *time.Duration:
		v, err := time.ParseDuration(text)
		if err != nil {
			return fmt.Errorf("want a duration like \"10s\" or \"30m\", got %s", quote(text))
		}
		*p = v
	case *[]string:
		*p = splitList(text)
	default:
		panic(fmt.Sprintf("config: setting of unsupported type %T", ptr))
	}
	return nil
}

// setNull handles a YAML key given no value ("admin:" or "admin: ~"): it empties a string or a
// list; other kinds have no empty value to take.
func setNull(ptr any) error {
	switch p := ptr.(type) {
	case *string:
		*p = ""
	case *[]string:
		*p = nil
	default:
		return errors.New("needs a value")
	}
	return nil
}

// splitList reads a comma-separated list, as lists are written in the environment and in flags.
func splitList(text string) []string {
	var list []string
	for item := range strings.SplitSeq(text, ",") {
		if item = strings.TrimSpace(item); item != "" {
			list = append(list, item)
		}
	}
	return list
}

// formatValue spells a value the way a user would write it.
func formatValue(v any) string {
	switch v := v.(type) {
	case string:
		return quote(v)
	case time.Duration:
		return formatDuration(v)
	case []string:
		return "[" + strings.Join(v, ", ") + "]"
	default:
		return fmt.Sprint(v)
	}
}

// maxQuoted bounds how much of a bad value an error message repeats.
const maxQuoted = 64

// quote quotes a value for an error message, cut short if it is long.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + "…"
}

// formatBound spells a range bound in the unit of the setting it bounds.
func formatBound(kind any, n int64) string {
	switch kind.(type) {
	case Size:
		return Size(n).String()
	case time.Duration:
		return formatDuration(time.Duration(n))
	default:
		return strconv.FormatInt(n, 10)
	}
}

// formatDuration drops the zero tails time.Duration.String keeps: "30m" rather than "30m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// integer returns the magnitude a range check compares.
func integer(v any) int64 {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case Size:
		return int64(v)
	case time.Duration:
		return int64(v)
	default:
		panic(fmt.Sprintf("config: range on setting of type %T", v))
	}
}

// equalValues compares two values of one setting; a nil list equals an empty one.
func equalValues(a, b any) bool {
	if a, ok := a.([]string); ok {
		return slices.Equal(a, b.([]string))
	}
	return a == b
}
