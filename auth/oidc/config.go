package oidc

import (
	"slices"
	"time"
)

// Config describes one identity provider whose tokens are accepted.
type Config struct {
	// Issuer is the provider's issuer URL, exactly as its tokens' iss claim
	// and its discovery document spell it.
	Issuer string
	// Audience must be one of the token's aud values.
	Audience string
	// ClientID, if set, must be the token's authorized party: its azp
	// claim or, for RFC 9068 access tokens, its client_id claim.
	ClientID string
	// Claims names the claims the Principal is built from.
	Claims Claims
	// RoleMap maps a value of the roles claim (an IdP group or role) to
	// skillgate roles. When it is set, only mapped values give roles.
	RoleMap map[string][]string
	// ClockSkew is how far the provider's clock may be from ours when
	// checking exp, nbf and iat; zero allows none. platform.yaml's default
	// is DefaultClockSkew.
	ClockSkew time.Duration
	// Algorithms are the signature algorithms accepted. Default
	// AsymmetricAlgorithms; symmetric ones and "none" are never accepted.
	Algorithms []string
	// Login, if set, lets people sign in with this provider on the
	// authorization server's sign-in page.
	Login *Login
}

// Login is the client skillgate's sign-in page uses at the provider (the
// authorization code flow with PKCE).
type Login struct {
	// ClientID and ClientSecret are skillgate's client at the provider;
	// its redirect URI there is <public_url>/authorize/callback.
	ClientID     string
	ClientSecret string
	// Name labels the sign-in button, e.g. "Acme SSO".
	Name string
}

// Claims names the claims a Principal is built from. Each is a claim name or
// a dotted path into nested objects ("realm_access.roles"); a name that
// itself contains dots, like Auth0's "https://example.com/roles", is found
// as written before it is treated as a path. Empty fields take the default
// named on each.
type Claims struct {
	// Subject names the caller. Default "sub".
	Subject string
	// Email is the caller's email; it names the caller's personal skill
	// drive (falling back to the subject). Default "email".
	Email string
	// Roles hold the roles (or groups) that select a persona: a list of
	// strings or one string. Default "roles".
	Roles string
	// Org names the caller's organisation. Default: none.
	Org string
	// Teams name the team skill drives the caller sees. Default: none.
	Teams string
	// Scopes hold the skillgate scopes the token grants, space-separated
	// ("scope") or as a list ("scp"). Default: none, and the persona alone
	// decides what the caller may do; when set, the token's scopes narrow
	// the persona's and values that are not skillgate scopes are ignored.
	Scopes string
}

// DefaultClockSkew is the clock skew allowed when platform.yaml does not say.
const DefaultClockSkew = time.Minute

// AsymmetricAlgorithms are the JWS algorithms a provider may sign with. HMAC
// algorithms are absent on purpose: their key is a shared secret, and a
// verifier that accepted them could be fooled with the public key as the
// secret.
var AsymmetricAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA",
}

// ValidAlgorithm reports whether alg may be listed in Config.Algorithms.
func ValidAlgorithm(alg string) bool { return slices.Contains(AsymmetricAlgorithms, alg) }

// withDefaults returns c with empty fields set to their defaults.
func (c Config) withDefaults() Config {
	fill := func(s *string, def string) {
		if *s == "" {
			*s = def
		}
	}
	fill(&c.Claims.Subject, "sub")
	fill(&c.Claims.Email, "email")
	fill(&c.Claims.Roles, "roles")
	if len(c.Algorithms) == 0 {
		c.Algorithms = AsymmetricAlgorithms
	}
	return c
}
