package config

import (
	"errors"
	"fmt"
	"strings"
)

// Interpolate replaces environment references in s:
//
//	${NAME}          the value of NAME; an error if NAME is not set
//	${NAME:-default} the value of NAME if set (even to ""), else default
//	$$               a literal $
//
// NAME is letters, digits and underscores, not starting with a digit. A
// default is taken literally up to the first "}" and cannot itself hold a
// reference. A "$" followed by anything else is kept as it is. Values from
// lookupEnv are inserted as they are, never interpolated again. A nil
// lookupEnv means no variable is set. On error Interpolate returns "" and
// every problem found, joined; the errors name variables but never values.
func Interpolate(s string, lookupEnv func(string) (string, bool)) (string, error) {
	out, errs := interpolate(s, lookupEnv)
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return out, nil
}

// interpolate is Interpolate returning each error separately, along with
// the best-effort result (unset variables replaced by "").
func interpolate(s string, lookupEnv func(string) (string, bool)) (string, []error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	var b strings.Builder
	var errs []error
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c != '$':
			b.WriteByte(c)
			i++
			continue
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i += 2
			continue
		case !strings.HasPrefix(s[i:], "${"):
			b.WriteByte('$')
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			errs = append(errs, errors.New("${ without a closing } (write $$ for a literal $)"))
			break
		}
		ref := s[i+2 : i+2+end]
		i += 2 + end + 1
		name, def, hasDef := strings.Cut(ref, ":-")
		switch {
		case !validVarName(name):
			errs = append(errs, errors.New("malformed reference: write ${NAME} or ${NAME:-default}, NAME made of letters, digits and _ (write $$ for a literal $)"))
			continue
		case hasDef && strings.Contains(def, "${"):
			errs = append(errs, fmt.Errorf("the default for %s holds another ${...}, which is not supported", name))
			continue
		}
		if v, ok := lookupEnv(name); ok {
			b.WriteString(v)
		} else if hasDef {
			b.WriteString(def)
		} else {
			errs = append(errs, fmt.Errorf("environment variable %s is not set (set it, or write ${%s:-value})", name, name))
		}
	}
	return b.String(), errs
}

// validVarName reports whether name is a shell-style variable name.
func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
