package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// File is the path given to Load; empty for problems found by Validate.
	File string
	// Line is the 1-based line in File, or 0 when unknown.
	Line int
	// Field is the path of the offending field, like
	// auth.api_keys.keys[0].key; empty when the problem is the document as
	// a whole.
	Field string
	// Message says what is wrong. It never contains a configured value.
	Message string
}

// String formats p as "file:line: field: message", leaving out the parts
// that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		fmt.Fprintf(&b, "%s: ", p.File)
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a configuration. Load and Validate
// return it as their error, never empty.
type Problems []Problem

// Error lists the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// InFile returns a copy of ps with File set to file where it is empty, so
// that problems from Validate after flag overrides name the config file.
func (ps Problems) InFile(file string) Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		if p.File == "" {
			p.File = file
		}
		out[i] = p
	}
	return out
}

// sortByLine orders problems as they appear in the file; problems without
// a line come last, in the order they were found.
func (ps Problems) sortByLine() {
	sort.SliceStable(ps, func(i, j int) bool {
		li, lj := ps[i].Line, ps[j].Line
		if li == 0 || lj == 0 {
			return li != 0 && lj == 0
		}
		return li < lj
	})
}
