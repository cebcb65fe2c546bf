package personas

// Persona is a named policy granted to callers holding any of its roles.
type Persona struct {
	Name        string
	DisplayName string
	Description string
	Roles       []string
	Priority    int
	Tools       Rules
	Skills      Rules
	// Scopes are the most a caller with this persona may hold; nil or
	// empty grants none.
	Scopes []string
}

// AllowsTool reports whether the persona may see and call the named tool.
func (p Persona) AllowsTool(name string) bool { return p.Tools.Allows(name) }

// AllowsSkill reports whether the persona may see, read and run the skill.
func (p Persona) AllowsSkill(id string) bool { return p.Skills.Allows(id) }

// Rules allow and deny names by glob pattern (see Match). The zero value
// allows nothing: access is granted only by an explicit allow.
type Rules struct {
	Allow []string
	Deny  []string
}

// Allows reports whether name matches an Allow pattern and no Deny pattern.
func (r Rules) Allows(name string) bool {
	for _, pat := range r.Deny {
		if Match(pat, name) {
			return false
		}
	}
	for _, pat := range r.Allow {
		if Match(pat, name) {
			return true
		}
	}
	return false
}
