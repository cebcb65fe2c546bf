package oidc

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
)

// claimMapper builds a Principal from verified claims as a Config says.
type claimMapper struct {
	cfg Config
}

// principal maps claims to the caller they describe.
func (m claimMapper) principal(c map[string]any) (auth.Principal, error) {
	names := m.cfg.Claims
	subject, _ := lookup(c, names.Subject).(string)
	if subject == "" {
		return auth.Principal{}, fmt.Errorf("%w: the token has no %s claim naming the caller", auth.ErrInvalidToken, names.Subject)
	}
	email := verifiedEmail(c, names.Email)
	p := auth.Principal{
		Subject: subject,
		User:    cmp.Or(email, m.cfg.Issuer+"#"+subject),
		Roles:   m.roles(valuesOf(lookup(c, names.Roles))),
		Source:  auth.SourceOIDC,
		Issuer:  m.cfg.Issuer,
	}
	if email != "" {
		p.Claims = map[string]string{"email": email}
	}
	if names.Org != "" {
		p.Org, _ = lookup(c, names.Org).(string)
	}
	if names.Teams != "" {
		p.Teams = valuesOf(lookup(c, names.Teams))
	}
	if names.Scopes != "" {
		// A token that grants no skillgate scope grants nothing: the list
		// is non-nil, so the persona's scopes are not used in its place.
		p.Scopes = []string{}
		for _, s := range scopesOf(lookup(c, names.Scopes)) {
			if auth.ValidScope(s) {
				p.Scopes = append(p.Scopes, s)
			}
		}
	}
	if exp, ok, _ := numericDate(c, "exp"); ok {
		p.ExpiresAt = exp.UTC().Truncate(time.Second)
	}
	return p, nil
}

// roles applies the role map: without one, the claim's values are the
// roles; with one, only values it maps give roles, so an IdP group that
// happens to share a persona role's name grants nothing by accident.
func (m claimMapper) roles(values []string) []string {
	if m.cfg.RoleMap == nil {
		return values
	}
	var roles []string
	for _, v := range values {
		for _, r := range m.cfg.RoleMap[v] {
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	return roles
}

// lookup finds a claim by name or dotted path. A top-level claim whose name
// is the whole path wins, so namespaced claims such as
// "https://example.com/roles" work as written.
func lookup(c map[string]any, path string) any {
	if v, ok := c[path]; ok {
		return v
	}
	var cur any = c
	for seg := range strings.SplitSeq(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = obj[seg]; !ok {
			return nil
		}
	}
	return cur
}

// valuesOf reads a claim that holds strings: a JSON array of strings (other
// elements are skipped) or one string, which is one value even when it holds
// spaces ("Domain Admins"); providers send a one-element list that way.
func valuesOf(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// scopesOf reads a scope claim: space-separated in one string, the way
// OAuth writes scope (RFC 8693 section 4.2), or a list (Entra's scp).
func scopesOf(v any) []string {
	if s, ok := v.(string); ok {
		return strings.Fields(s)
	}
	return valuesOf(v)
}

// verifiedEmail returns the email claim if the token vouches for it with
// email_verified: true. An unverified address may be anyone's (a
// self-service sign-up, an editable profile field), and the email names a
// personal skill drive and the keys a caller owns, so it is never taken on
// trust.
func verifiedEmail(c map[string]any, claim string) string {
	email, _ := lookup(c, claim).(string)
	if verified, _ := c["email_verified"].(bool); !verified {
		return ""
	}
	return email
}

// payloadOf decodes the middle part of a compact JWS.
func payloadOf(token string) ([]byte, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: a JWT has three dot-separated parts", auth.ErrInvalidToken)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: the payload is not base64url", auth.ErrInvalidToken)
	}
	return raw, nil
}
