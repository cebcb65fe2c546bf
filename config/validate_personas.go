package config

import (
	"sort"
	"strings"
)

func (v *validator) personas(p Personas) {
	defs := p.Definitions
	if len(defs) == 0 {
		defs = defaultPersonas()
	}
	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	sort.Strings(names)

	for _, name := range names {
		field := joinField("personas.definitions", name)
		if strings.TrimSpace(name) == "" {
			v.add(field, "persona name is empty")
		}
		d := defs[name]
		if len(d.Roles) == 0 {
			v.add(field+".roles", "persona has no roles, so no caller can get it")
		}
		for i, r := range d.Roles {
			if strings.TrimSpace(r) == "" {
				v.add(indexField(field+".roles", i), "role is empty")
			}
		}
		v.patterns(field+".tools.allow", d.Tools.Allow)
		v.patterns(field+".tools.deny", d.Tools.Deny)
		v.patterns(field+".skills.allow", d.Skills.Allow)
		v.patterns(field+".skills.deny", d.Skills.Deny)
		v.scopes(field+".scopes", d.Scopes)
	}

	if p.DefaultPersona != "" {
		if _, ok := defs[p.DefaultPersona]; !ok {
			v.add("personas.default_persona", "names no defined persona (defined: %s)", strings.Join(names, ", "))
		}
	}
}

// patterns checks a list of glob patterns as personas.Match understands
// them: '*' is any run of characters (slashes included) and '?' one
// character. Brackets and backslashes are refused rather than silently taken
// literally, since a user writing them expects classes or escapes.
func (v *validator) patterns(field string, globs []string) {
	for i, g := range globs {
		f := indexField(field, i)
		if strings.TrimSpace(g) == "" {
			v.add(f, "glob pattern is empty")
		} else if strings.ContainsAny(g, `[]\`) {
			v.add(f, "not a valid glob pattern: only * (any characters, including /) and ? (one character) are special; [ ] and \\ are not supported")
		}
	}
}
