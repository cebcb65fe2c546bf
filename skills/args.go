package skills

import (
	"errors"
	"fmt"
	"strings"
)

// checkArgs enforces MaxArgs, MaxArgBytes and no NUL bytes.
func checkArgs(args []string) error {
	if len(args) > MaxArgs {
		return fmt.Errorf("%w: %d arguments, at most %d allowed", ErrInvalidArgs, len(args), MaxArgs)
	}
	for i, a := range args {
		if len(a) > MaxArgBytes {
			return fmt.Errorf("%w: argument %d is %d bytes, at most %d allowed", ErrInvalidArgs, i+1, len(a), MaxArgBytes)
		}
		if strings.IndexByte(a, 0) >= 0 {
			return fmt.Errorf("%w: argument %d contains a NUL byte", ErrInvalidArgs, i+1)
		}
	}
	return nil
}

// checkEnv accepts a RunnerConfig.Env entry KEY=VALUE whose KEY is a
// portable variable name other than HOME and TMPDIR, which a Runner sets
// to the private run folder. Values may be secrets, so errors show only
// the name.
func checkEnv(kv string) error {
	key, _, ok := strings.Cut(kv, "=")
	if !ok {
		return errors.New("not KEY=VALUE")
	}
	if key == "" {
		return errors.New("empty variable name")
	}
	for i, r := range key {
		ok := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return errors.New("the variable name must match [A-Za-z_][A-Za-z0-9_]*")
		}
	}
	switch {
	case strings.IndexByte(kv, 0) >= 0:
		return fmt.Errorf("%s: the value contains a NUL byte", key)
	case key == "HOME" || key == "TMPDIR":
		return fmt.Errorf("%s may not be set; each run gets its own", key)
	}
	return nil
}
