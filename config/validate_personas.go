package config

import (
	"path"
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
	}

	if p.DefaultPersona != "" {
		if _, ok := defs[p.DefaultPersona]; !ok {
			v.add("personas.default_persona", "names no defined persona (defined: %s)", strings.Join(names, ", "))
		}
	}
}

// patterns checks a list of glob patterns as understood by path.Match.
func (v *validator) patterns(field string, globs []string) {
	for i, g := range globs {
		f := indexField(field, i)
		if strings.TrimSpace(g) == "" {
			v.add(f, "glob pattern is empty")
		} else if _, err := path.Match(g, ""); err != nil {
			v.add(f, "not a valid glob pattern (see path.Match)")
		}
	}
}
