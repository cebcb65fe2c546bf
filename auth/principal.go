package auth

import (
	"context"
	"slices"
	"time"
)

// Source says which kind of credential authenticated a Principal.
type Source string

// Sources of a Principal.
const (
	SourceStaticKey  Source = "static_key"  // a key written in platform.yaml
	SourceManagedKey Source = "managed_key" // a key stored (hashed) in the database
	SourceOIDC       Source = "oidc"        // a JWT from a configured identity provider
	SourceOAuth      Source = "oauth"       // a token issued by skillgate's own authorization server
)

// Principal is an authenticated caller, whatever credential it used.
type Principal struct {
	// Subject names the caller: a key's name, or a token's sub claim.
	Subject string
	// CredentialID is the stable public id of the credential: "key_..." for
	// managed keys, "static:<name>" for static keys; empty for tokens.
	CredentialID string
	// User owns the caller's personal skill drive; empty for a credential
	// that acts for an organisation.
	User string
	// Org is the organisation the caller belongs to or acts for, if any.
	Org string
	// Teams name the team skill drives the caller sees.
	Teams []string
	// Roles select the caller's persona.
	Roles []string
	// Scopes narrow what the caller may do. nil means the persona decides
	// alone; a non-nil empty list grants nothing. See Effective.
	Scopes []string
	// Claims are custom claims the credential carries.
	Claims map[string]string
	// AllowedSkills are the only skills the caller may use; nil means no
	// restriction beyond the persona and skill drives.
	AllowedSkills []string
	// RateLimitPerMinute caps the caller's requests; 0 means no cap.
	RateLimitPerMinute int
	// ParentID is the managed key that minted the caller's key, if any.
	ParentID string
	// SecretID names which secret of a managed key was presented (the hex
	// SHA-256 of it, not usable as a credential), so that a session opened
	// with a secret that is later rotated away stops with it.
	SecretID string
	// Source is the kind of credential used.
	Source Source
	// Issuer is the token issuer for OIDC and OAuth principals.
	Issuer string
	// GrantID is the OAuth grant an access token of skillgate's own was
	// issued under; revoking the grant stops the token.
	GrantID string
	// Linked is, for an OAuth principal, the source of the credential
	// linked to its grant (the API key that signed in): the token acts
	// through that key, its limits and its quota.
	Linked Source
	// ExpiresAt is when the credential stops being valid; zero means never.
	ExpiresAt time.Time
}

// AllowsSkill reports whether the credential's own skill list admits the
// skill. It does not consult the persona or the skill drives.
func (p Principal) AllowsSkill(id string) bool {
	return p.AllowedSkills == nil || slices.Contains(p.AllowedSkills, id)
}

// ManagedKeyID returns the id of the managed key the caller acts through:
// the key it presented, or the key linked to the OAuth grant its token was
// issued under. It is "" when no managed key is involved. Quotas, key
// visibility and audit rows follow it, so a token never escapes its key.
func (p Principal) ManagedKeyID() string {
	if p.Source == SourceManagedKey || (p.Source == SourceOAuth && p.Linked == SourceManagedKey) {
		return p.CredentialID
	}
	return ""
}

// Identity is a stable string naming the credential holder, used to bind MCP
// sessions to the caller that opened them. Two principals with the same
// Identity are the same caller; it contains no secret.
func (p Principal) Identity() string {
	if p.CredentialID != "" {
		return string(p.Source) + "|" + p.CredentialID
	}
	return string(p.Source) + "|" + p.Issuer + "|" + p.Subject
}

// SameIdentity reports whether p and q have the same Identity, without
// building either string: it runs on every MCP message.
func (p Principal) SameIdentity(q Principal) bool {
	if p.Source != q.Source || p.CredentialID != q.CredentialID {
		return false
	}
	return p.CredentialID != "" || (p.Issuer == q.Issuer && p.Subject == q.Subject)
}

type principalKey struct{}

// NewContext returns a copy of ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the Principal in ctx, if any. Callers MUST treat a
// missing Principal as "not authenticated" and refuse (fail closed).
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
