package personas

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNoPersona means the caller's roles match no persona and no default is set.
var ErrNoPersona = errors.New("no persona matches the caller's roles")

// Set is the configured personas. It is immutable and safe for concurrent use.
type Set struct {
	byPriority []Persona // highest priority first, then by name
	fallback   *Persona
}

// NewSet returns the set of personas, with defaultPersona (empty for none)
// given to callers whose roles match no persona.
func NewSet(personas []Persona, defaultPersona string) (*Set, error) {
	s := &Set{byPriority: slices.Clone(personas)}
	seen := make(map[string]bool, len(personas))
	for _, p := range personas {
		if p.Name == "" {
			return nil, errors.New("persona with an empty name")
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("persona %q defined twice", p.Name)
		}
		seen[p.Name] = true
	}
	slices.SortStableFunc(s.byPriority, func(a, b Persona) int {
		if a.Priority != b.Priority {
			return b.Priority - a.Priority
		}
		return strings.Compare(a.Name, b.Name)
	})
	if defaultPersona != "" {
		i := slices.IndexFunc(s.byPriority, func(p Persona) bool { return p.Name == defaultPersona })
		if i < 0 {
			return nil, fmt.Errorf("default persona %q is not defined", defaultPersona)
		}
		s.fallback = &s.byPriority[i]
	}
	return s, nil
}

// Resolve returns the highest-priority persona holding any of roles, the
// default persona if none does, or ErrNoPersona.
func (s *Set) Resolve(roles []string) (Persona, error) {
	for _, p := range s.byPriority {
		for _, r := range roles {
			if slices.Contains(p.Roles, r) {
				return p, nil
			}
		}
	}
	if s.fallback != nil {
		return *s.fallback, nil
	}
	return Persona{}, ErrNoPersona
}

// All returns the personas, highest priority first.
func (s *Set) All() []Persona { return slices.Clone(s.byPriority) }

// RoleScopes returns the scopes of the persona the roles resolve to: the
// ceiling of any credential holding them. Roles that match no persona get
// no scope at all.
func (s *Set) RoleScopes(roles []string) []string {
	p, err := s.Resolve(roles)
	if err != nil {
		return []string{}
	}
	return slices.Clone(p.Scopes)
}
