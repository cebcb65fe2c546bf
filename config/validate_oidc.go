package config

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth/oidc"
	"github.com/skillgate/skillgate/internal/loopback"
)

func (v *validator) oidc(o OIDC) {
	issuerAt := map[string]string{}
	for i, p := range o.Providers {
		field := indexField("auth.oidc.providers", i)
		if msg := checkIssuer(p.Issuer); msg != "" {
			v.add(field+".issuer", "%s", msg)
		} else if first, dup := issuerAt[p.Issuer]; dup {
			v.add(field+".issuer", "same issuer as %s; list each provider once", v.ref(first))
		} else {
			issuerAt[p.Issuer] = field + ".issuer"
		}
		if strings.TrimSpace(p.Audience) == "" {
			v.add(field+".audience", "audience is missing: name the aud value the provider puts in tokens meant for skillgate, so tokens issued for other applications are refused")
		}
		v.claimPaths(field+".claims", p.Claims)
		for _, group := range slices.Sorted(maps.Keys(p.RoleMap)) {
			roles := p.RoleMap[group]
			key := field + ".role_map." + group
			if strings.TrimSpace(group) == "" {
				v.add(field+".role_map", "a mapped value is empty")
			}
			if len(roles) == 0 {
				v.add(key, "maps to no role")
			}
			for j, r := range roles {
				if strings.TrimSpace(r) == "" {
					v.add(indexField(key, j), "role is empty")
				}
			}
		}
		if p.ClockSkew != nil && (*p.ClockSkew < 0 || time.Duration(*p.ClockSkew) > MaxClockSkew) {
			v.add(field+".clock_skew", "must be between 0s and %s", MaxClockSkew)
		}
		if p.Login != nil && strings.TrimSpace(p.Login.ClientID) == "" {
			v.add(field+".login.client_id", "client_id is missing: skillgate's client at the provider, for sign-in")
		}
		for j, alg := range p.Algorithms {
			if !oidc.ValidAlgorithm(alg) {
				v.add(indexField(field+".algorithms", j), "not an accepted signature algorithm; use asymmetric ones only: %s (never none, never HS*)", strings.Join(oidc.AsymmetricAlgorithms, ", "))
			}
		}
	}
}

// claimPaths checks that each claim path set has no empty segment.
func (v *validator) claimPaths(field string, c OIDCClaims) {
	for _, c := range []struct{ name, path string }{
		{"subject", c.Subject}, {"email", c.Email}, {"roles", c.Roles},
		{"org", c.Org}, {"teams", c.Teams}, {"scopes", c.Scopes},
	} {
		if c.path != "" && (strings.TrimSpace(c.path) != c.path || strings.HasPrefix(c.path, ".") || strings.HasSuffix(c.path, ".") || strings.Contains(c.path, "..")) {
			v.add(field+"."+c.name, "not a claim name or dotted path like realm_access.roles")
		}
	}
}

// checkIssuer returns what is wrong with an issuer URL, or "". Issuers are
// https: their discovery document and keys decide who may sign in, so they
// must not be fetched over a network an attacker can tamper with. Plain
// http is allowed on loopback hosts, for local providers and tests.
func checkIssuer(issuer string) string {
	if issuer == "" {
		return "issuer is missing: the provider's issuer URL, as its tokens' iss claim holds it"
	}
	u, err := url.Parse(issuer)
	switch {
	case err != nil || u.Host == "" || u.User != nil:
		return "not an absolute URL like https://idp.example.com/realms/acme"
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(issuer, "?") || strings.HasSuffix(issuer, "#"):
		return "an issuer URL has no query or fragment"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && loopback.Host(u.Hostname()):
		return ""
	case u.Scheme == "http":
		return "must use https (plain http is allowed only on 127.0.0.1, ::1 or localhost)"
	default:
		return "must be an https URL"
	}
}
