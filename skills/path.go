package skills

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// validatePath checks a path relative to a skill folder and returns it
// unchanged if it is acceptable. It accepts only canonical slash paths
// whose every element is a plain, non-hidden name: nothing is cleaned or
// rewritten, so what is checked is exactly what is opened.
func validatePath(p string) (string, error) {
	switch {
	case p == "":
		return "", fmt.Errorf("%w: empty path", ErrInvalidPath)
	case len(p) > MaxPathBytes:
		return "", fmt.Errorf("%w: path longer than %d bytes", ErrInvalidPath, MaxPathBytes)
	case strings.IndexByte(p, 0) >= 0:
		return "", fmt.Errorf("%w: %q contains a NUL byte", ErrInvalidPath, p)
	case !utf8.ValidString(p):
		return "", fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidPath, p)
	case strings.IndexByte(p, '\\') >= 0:
		return "", fmt.Errorf("%w: %q contains a backslash; use '/'", ErrInvalidPath, p)
	case strings.HasPrefix(p, "/"):
		return "", fmt.Errorf("%w: %q is absolute; paths are relative to the skill folder", ErrInvalidPath, p)
	}
	for elem := range strings.SplitSeq(p, "/") {
		switch {
		case elem == "":
			return "", fmt.Errorf("%w: %q has an empty element", ErrInvalidPath, p)
		case elem == "..":
			return "", fmt.Errorf("%w: %q has a \"..\" element", ErrInvalidPath, p)
		case elem == ".":
			return "", fmt.Errorf("%w: %q has a \".\" element", ErrInvalidPath, p)
		case elem[0] == '.':
			return "", fmt.Errorf("%w: %q names a hidden file or folder", ErrInvalidPath, p)
		}
	}
	return p, nil
}

// validName checks a drive, team, user or skill folder name: one or more
// of [A-Za-z0-9._-], not starting with '.'.
func validName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrInvalidName)
	}
	if name[0] == '.' {
		return fmt.Errorf("%w: %q starts with '.'", ErrInvalidName, name)
	}
	if len(name) > MaxFolderNameBytes {
		return fmt.Errorf("%w: %q is longer than %d bytes", ErrInvalidName, name, MaxFolderNameBytes)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("%w: %q may hold only letters, digits, '.', '_' and '-'", ErrInvalidName, name)
		}
	}
	return nil
}
