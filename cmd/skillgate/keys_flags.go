package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/skillgate/skillgate/config"
)

// command is what the keys and audit commands share: a flag set with
// --config, --data and --json.
type command struct {
	name  string // "keys create"
	flags *flag.FlagSet
	// config and data mean what they mean for serve.
	config, data string
	// json asks for JSON output, errors included.
	json bool
}

// newCommand returns a command named name ("keys create"); synopsis is
// the usage line after "skillgate".
func (a *app) newCommand(name, synopsis string) *command {
	c := &command{name: name, flags: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.flags.SetOutput(a.stderr)
	c.flags.StringVar(&c.config, "config", "", "path to platform.yaml (default: built-in defaults)")
	c.flags.StringVar(&c.data, "data", "", "directory of the SQLite database (default ./"+config.DefaultDataDir+")")
	c.flags.BoolVar(&c.json, "json", false, "print JSON, for scripts (errors too, on standard output)")
	c.flags.Usage = func() {
		fmt.Fprintf(c.flags.Output(), "Usage: skillgate %s\n\nFlags:\n", synopsis)
		c.flags.PrintDefaults()
	}
	return c
}

// parse parses args, whose flags may come before or after the positional
// arguments ("keys show ID --json"), and returns the positional ones. A
// "--" ends the flags.
func (c *command) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := c.flags.Parse(args); err != nil {
			return nil, err
		}
		rest := c.flags.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// given reports which flags the command line set.
func (c *command) given() map[string]bool {
	set := map[string]bool{}
	c.flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// usagef returns a usage error (exit status 2) of the command.
func (c *command) usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", errUsage, c.name, fmt.Sprintf(format, args...))
}

// wantsJSON reports whether args ask for JSON output, for errors found
// before the flags are fully parsed.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-json", "--json", "-json=true", "--json=true":
			return true
		}
	}
	return false
}

// listFlag is a repeatable flag whose values may also be comma-separated:
// --role a --role b, or --role a,b. Given means it appeared at all, so
// that "--scope ”" (an empty list) differs from no --scope (the default).
type listFlag struct {
	values []string
	given  bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(s string) error {
	l.given = true
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(l.values, v) {
			l.values = append(l.values, v)
		}
	}
	return nil
}

// list returns the values: nil when the flag was not given, a non-nil
// (perhaps empty) slice when it was.
func (l *listFlag) list() []string {
	if !l.given {
		return nil
	}
	if l.values == nil {
		return []string{}
	}
	return l.values
}

// claimsFlag is a repeatable --claim k=v. A value holding commas is one
// claim unless every comma-separated part is itself k=v, so that both
// "--claim a=1,b=2" and "--claim list=x,y" mean what they look like.
type claimsFlag struct {
	claims map[string]string
}

func (c *claimsFlag) String() string { return "" }

func (c *claimsFlag) Set(s string) error {
	if c.claims == nil {
		c.claims = map[string]string{}
	}
	if s == "" {
		return nil // "--claim ''": no claims
	}
	parts := strings.Split(s, ",")
	for _, p := range parts {
		if !strings.Contains(p, "=") {
			parts = []string{s}
			break
		}
	}
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return errors.New("want NAME=VALUE")
		}
		if _, dup := c.claims[k]; dup {
			return fmt.Errorf("claim %q given twice", k)
		}
		c.claims[k] = v
	}
	return nil
}

// parseExpiry reads an expiry: a duration from now ("30d", "12h") or an
// RFC 3339 time.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if d, err := config.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, errors.New("the duration must be positive")
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New(`want a duration such as 30d or 12h, or an RFC 3339 time such as 2026-12-31T23:59:59Z`)
	}
	return t, nil
}

// parseSince reads a lower time bound: a duration ago ("24h") or an RFC
// 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := config.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, errors.New("the duration must be positive")
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New(`want a duration ago such as 24h or 7d, or an RFC 3339 time`)
	}
	return t, nil
}

// keyIDArg returns the one positional argument, a key id. An argument
// that is not an id is not repeated: it may be a secret pasted in the
// wrong place.
func (c *command) keyIDArg(positional []string) (string, error) {
	switch {
	case len(positional) == 0:
		return "", c.usagef("give the key id (key_...)")
	case len(positional) > 1:
		return "", c.usagef("give one key id, not %d arguments", len(positional))
	case !strings.HasPrefix(positional[0], "key_") || len(positional[0]) > 64:
		return "", c.usagef("the argument is not a key id (key_...)")
	}
	return positional[0], nil
}

// noArgs refuses positional arguments, without repeating them.
func (c *command) noArgs(positional []string) error {
	if len(positional) > 0 {
		return c.usagef("unexpected argument (this command takes only flags)")
	}
	return nil
}
