package config

import (
	"fmt"
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
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, "must be a duration such as 30s, 5m or 1h30m"
	}
	return Duration(v), ""
}

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
