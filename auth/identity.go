package auth

import (
	"context"

	"github.com/skillgate/skillgate/store"
)

// IdentityOf is the snapshot of p that is kept where a principal must
// outlive the request that authenticated it (an OAuth grant, a dashboard
// session): enough to check p again on every later request, and no
// secret.
func IdentityOf(p Principal) store.OAuthIdentity {
	return store.OAuthIdentity{
		Source: string(p.Source), CredentialID: p.CredentialID, SecretID: p.SecretID,
		Subject: p.Subject, Issuer: p.Issuer, User: p.User, Org: p.Org,
		Teams: p.Teams, Roles: p.Roles,
	}
}

// PrincipalOf returns the principal a kept identity stands for, as it was
// kept. Callers MUST check it again (a Verifier's Recheck) before trusting
// it: the credential may have been revoked since.
func PrincipalOf(id store.OAuthIdentity) Principal {
	return Principal{
		Source: Source(id.Source), CredentialID: id.CredentialID, SecretID: id.SecretID,
		Subject: id.Subject, Issuer: id.Issuer, User: id.User, Org: id.Org,
		Teams: id.Teams, Roles: id.Roles,
	}
}

// Rechecker checks a principal again; *Authenticator is one.
type Rechecker interface {
	Recheck(ctx context.Context, p Principal) (Principal, error)
}

// Recheck returns the principal a kept identity stands for now. A key is
// checked again by r (revoked, disabled, expired, rotated away), and its
// current limits apply. A person who signed in at an identity provider
// left no credential to check again: the bounded life of what was kept (a
// grant, a dashboard session) stands in for it, and the identity is
// returned as kept.
func Recheck(ctx context.Context, r Rechecker, id store.OAuthIdentity) (Principal, error) {
	p := PrincipalOf(id)
	if p.Source == SourceOIDC {
		return p, nil
	}
	return r.Recheck(ctx, p)
}
