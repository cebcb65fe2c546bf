package oauth

import (
	"slices"
	"strings"

	"github.com/skillgate/skillgate/auth"
)

// defaultScopes are granted when a request asks for none: what an MCP
// client needs to use skills.
var defaultScopes = []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute}

// parseScope splits a scope parameter (RFC 6749 section 3.3) into distinct
// values, in order.
func parseScope(raw string) []string {
	var out []string
	for _, s := range strings.Fields(raw) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// requestedScopes keeps the requested scopes this server supports, ignoring
// the rest, as MCP clients send scopes of other servers; none left means
// the defaults.
func (s *Server) requestedScopes(raw string) []string {
	var out []string
	for _, sc := range parseScope(raw) {
		if slices.Contains(s.opts.SupportedScopes, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return slices.Clone(defaultScopes)
	}
	return out
}

// grantable narrows requested to what p may hold: a token never carries a
// scope its holder could not use directly.
func (s *Server) grantable(p auth.Principal, requested []string) []string {
	allowed := s.opts.Scopes(p)
	out := []string{}
	for _, sc := range requested {
		if auth.Grants(allowed, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// subset reports whether every scope in a is in b.
func subset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

func joinScopes(scopes []string) string { return strings.Join(scopes, " ") }
