package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d like time.Duration, e.g. "1m30s".
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML reads a duration written as a string with a unit, such as
// "30s", "5m" or "1h30m". A bare number is an error, because its unit
// would be a guess.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, msg := parseDuration(n)
	if msg != "" {
		// A *yaml.TypeError lets the decoder carry on with the other
		// fields instead of abandoning the document.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
	}
	*d = v
	return nil
}

// MarshalYAML writes d as a string such as "30s".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// parseDuration returns the duration in n, or a message that explains what
// is wrong without repeating the value.
func parseDuration(n *yaml.Node) (Duration, string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return 0, "must be a duration such as 30s or 5m, got " + describe(n)
	}
	s := strings.TrimSpace(n.Value)
	if isBareNumber(s) {
		return 0, "a duration needs a unit: write it like 30s or 5m, not as a bare number"
	}
	v, err := ParseDuration(s)
	if err != nil {
		return 0, "must be a duration such as 30s, 5m, 1h30m or 7d"
	}
	return Duration(v), ""
}

// ParseDuration parses a duration as time.ParseDuration does, and also a
// whole number of days written with a d ("7d", "365d"), the unit people
// think of key lifetimes in.
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && !strings.ContainsAny(days, ".hmsuµn") {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n < -maxDays || n > maxDays {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// maxDays keeps a day count within time.Duration's range (about 292 years).
const maxDays = 100_000

// isBareNumber reports whether s is a decimal number without a unit.
func isBareNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == '_':
		default:
			return false
		}
	}
	return digits > 0
}
