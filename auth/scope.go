package auth

import (
	"slices"
	"strings"
)

// Scopes a credential may hold. ScopeAdmin grants every other scope, and a
// pattern "resource:*" (such as "keys:*") grants every scope of that
// resource.
const (
	ScopeSkillsRead    = "skills:read"
	ScopeSkillsExecute = "skills:execute"
	ScopeKeysRead      = "keys:read"
	ScopeKeysWrite     = "keys:write"
	ScopeAdmin         = "admin"
)

// KnownScopes are the scopes skillgate checks, in a fixed order.
var knownScopes = [...]string{ScopeSkillsRead, ScopeSkillsExecute, ScopeKeysRead, ScopeKeysWrite, ScopeAdmin}

// KnownScopes returns the scopes skillgate checks.
func KnownScopes() []string { return knownScopes[:] }

// ValidScope reports whether s is a known scope or a "resource:*" pattern
// of a known resource.
func ValidScope(s string) bool {
	if slices.Contains(knownScopes[:], s) {
		return true
	}
	res, ok := strings.CutSuffix(s, ":*")
	if !ok {
		return false
	}
	for _, k := range knownScopes {
		if strings.HasPrefix(k, res+":") {
			return true
		}
	}
	return false
}

// Grants reports whether the scopes held grant the scope needed: held
// contains it, a pattern of its resource, or ScopeAdmin.
func Grants(held []string, need string) bool {
	res, _, _ := strings.Cut(need, ":")
	for _, h := range held {
		if h == need || h == ScopeAdmin || h == res+":*" {
			return true
		}
	}
	return false
}

// Expand returns the known scopes that scopes grant, in KnownScopes order:
// patterns spelled out and ScopeAdmin expanded to everything.
func Expand(scopes []string) []string {
	out := []string{}
	for _, k := range knownScopes {
		if Grants(scopes, k) {
			out = append(out, k)
		}
	}
	return out
}

// Effective returns what a credential may do: the known scopes granted both
// by the credential's own scopes and by the ceiling its roles allow. held
// nil means the credential asks for everything its roles allow; a non-nil
// empty held grants nothing. A credential can never exceed its roles.
func Effective(held, ceiling []string) []string {
	allowed := Expand(ceiling)
	if held == nil {
		return allowed
	}
	out := []string{}
	for _, s := range allowed {
		if Grants(held, s) {
			out = append(out, s)
		}
	}
	return out
}
