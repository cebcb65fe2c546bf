package mcpserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/skills"
)

var (
	errNotAuthenticated = errors.New("not authenticated")
	// errSkillNotFound is the one answer for a skill that does not exist and
	// for one the caller may not see, so callers cannot probe for skills.
	errSkillNotFound = errors.New("skill not found")
)

// caller is who is making an MCP request and what they may do. It is
// resolved from the request context on every request: never from session
// state, which stateless protocol versions do not have.
type caller struct {
	principal auth.Principal
	persona   personas.Persona
	viewer    skills.Viewer
	// scopes are the principal's effective scopes: its own within its
	// persona's.
	scopes []string
}

type callerKey struct{}

// withCallerContext returns ctx carrying c, resolved once by admission so that the
// hooks, filters and tools of the same request do not resolve it again.
func withCallerContext(ctx context.Context, c caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

func (s *Server) callerFrom(ctx context.Context) (caller, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return caller{}, errNotAuthenticated
	}
	// A caller resolved for this very principal is reused; one resolved
	// for another (never expected) is not trusted.
	if c, ok := ctx.Value(callerKey{}).(caller); ok && c.principal.SameIdentity(p) {
		return c, nil
	}
	persona, err := s.personas.Resolve(p.Roles)
	if err != nil {
		return caller{}, fmt.Errorf("resolve persona for %s: %w", p.Subject, err)
	}
	return caller{
		principal: p,
		persona:   persona,
		viewer:    skills.Viewer{User: p.User, Teams: p.Teams},
		scopes:    auth.Effective(p.Scopes, persona.Scopes),
	}, nil
}

// toolScope returns the scope needed to call the named tool. A tool not
// listed needs a scope no one holds, so a new tool is closed until it is.
func toolScope(name string) string {
	switch name {
	case toolListSkills, toolGetSkill, toolReadSkillFile:
		return auth.ScopeSkillsRead
	case toolRunScript:
		return auth.ScopeSkillsExecute
	}
	return "unlisted-tool:" + name
}

// can reports whether the caller holds scope.
func (c caller) can(scope string) bool { return auth.Grants(c.scopes, scope) }

// mayCall reports whether the caller may see and call the named tool: its
// persona allows it and the caller holds its scope.
func (c caller) mayCall(tool string) bool {
	return c.persona.AllowsTool(tool) && c.can(toolScope(tool))
}

// canUse reports whether the caller may see, read and run sk: the skill is
// in a drive the caller sees, the persona allows it, and so does the
// credential's own list of skills.
func (c caller) canUse(sk skills.Skill) bool {
	return c.viewer.Sees(sk.Drive) && c.persona.AllowsSkill(sk.ID) && c.principal.AllowsSkill(sk.ID)
}

// skill returns the skill with id if the caller may use it.
func (s *Server) skill(c caller, id string) (skills.Skill, error) {
	sk, err := s.skills.Get(id)
	if err != nil || !c.canUse(sk) {
		return skills.Skill{}, fmt.Errorf("%w: %q", errSkillNotFound, id)
	}
	return sk, nil
}

// usableSkills returns the skills the caller may use, sorted by id.
func (s *Server) usableSkills(c caller) []skills.Skill {
	visible := s.skills.Visible(c.viewer)
	out := visible[:0]
	for _, sk := range visible {
		if c.canUse(sk) {
			out = append(out, sk)
		}
	}
	return out
}
