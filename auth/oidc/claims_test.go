package oidc_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/oidc"
	"github.com/skillgate/skillgate/internal/testidp"
)

// TestClaimMapping runs the claim shapes of real providers through the
// mapping: Keycloak's nested roles, Entra's scp list, Auth0's namespaced
// claims, groups mapped to roles.
func TestClaimMapping(t *testing.T) {
	is := testidp.NewIssuer(t)
	tests := []struct {
		name   string
		claims oidc.Claims
		roles  map[string][]string
		token  map[string]any
		want   auth.Principal
	}{{
		name:   "keycloak realm roles",
		claims: oidc.Claims{Roles: "realm_access.roles", Teams: "groups"},
		token: map[string]any{"realm_access": map[string]any{"roles": []any{"analyst", "offline_access"}},
			"groups": []any{"data", "ml"}, "email": "bob@example.test", "email_verified": true},
		want: auth.Principal{User: "bob@example.test", Roles: []string{"analyst", "offline_access"}, Teams: []string{"data", "ml"}},
	}, {
		name:   "keycloak client roles through a role map",
		claims: oidc.Claims{Roles: "resource_access.skillgate.roles"},
		roles:  map[string][]string{"skill-admins": {"admin"}, "skill-users": {"analyst"}},
		token: map[string]any{"resource_access": map[string]any{
			"skillgate": map[string]any{"roles": []any{"skill-users", "unmapped"}}}},
		want: auth.Principal{Roles: []string{"analyst"}},
	}, {
		name:   "a group named like a role grants nothing once a role map is set",
		claims: oidc.Claims{Roles: "groups"},
		roles:  map[string][]string{"skill-admins": {"admin"}},
		token:  map[string]any{"groups": []any{"admin"}},
		want:   auth.Principal{},
	}, {
		name:   "auth0 namespaced claim holding dots",
		claims: oidc.Claims{Roles: "https://skillgate.example.com/roles", Org: "org_id"},
		token:  map[string]any{"https://skillgate.example.com/roles": []any{"viewer"}, "org_id": "org_42"},
		want:   auth.Principal{Roles: []string{"viewer"}, Org: "org_42"},
	}, {
		name:   "scopes as a space-separated string keep skillgate's only",
		claims: oidc.Claims{Scopes: "scope"},
		token:  map[string]any{"scope": "openid email skills:read", "roles": "analyst"},
		want:   auth.Principal{Roles: []string{"analyst"}, Scopes: []string{"skills:read"}},
	}, {
		name:   "entra scp list with no skillgate scope grants none",
		claims: oidc.Claims{Scopes: "scp"},
		token:  map[string]any{"scp": []any{"User.Read"}},
		want:   auth.Principal{Scopes: []string{}},
	}, {
		name:   "custom subject and email claims",
		claims: oidc.Claims{Subject: "oid", Email: "upn"},
		token:  map[string]any{"oid": "0000-1111", "upn": "carol@example.test", "email_verified": true},
		want:   auth.Principal{Subject: "0000-1111", User: "carol@example.test"},
	}, {
		name:  "an unverified email names nobody's drive",
		token: map[string]any{"email": "ceo@example.test", "email_verified": false},
		want:  auth.Principal{},
	}, {
		name:   "one string is one value, spaces and all",
		claims: oidc.Claims{Roles: "roles", Teams: "groups"},
		roles:  map[string][]string{"Domain Admins": {"admin"}},
		token:  map[string]any{"roles": "Domain Admins", "groups": "Data Team"},
		want:   auth.Principal{Roles: []string{"admin"}, Teams: []string{"Data Team"}},
	}, {
		name:  "a string of several words is not several roles",
		token: map[string]any{"roles": "Help-Desk not admin"},
		want:  auth.Principal{Roles: []string{"Help-Desk not admin"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, is, oidc.Config{Claims: tt.claims, RoleMap: tt.roles}, newClock())
			claims := is.Claims("sub-1", audience)
			for k, v := range tt.token {
				claims[k] = v
			}
			got, err := verify(t, p, is.Sign(t, claims))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := tt.want
			if want.Subject == "" {
				want.Subject = "sub-1"
			}
			if want.User == "" {
				// Without a verified email, the user is the subject
				// within its issuer: no one else's name.
				want.User = is.URL() + "#" + want.Subject
			}
			if got.Subject != want.Subject || got.User != want.User || got.Org != want.Org ||
				!slices.Equal(got.Roles, want.Roles) || !slices.Equal(got.Teams, want.Teams) ||
				(got.Scopes == nil) != (want.Scopes == nil) || !slices.Equal(got.Scopes, want.Scopes) {
				t.Fatalf("Principal = %+v\nwant        %+v", got, want)
			}
		})
	}
}

func TestVerifyRefusesTokenWithoutSubject(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{}, newClock())
	claims := is.Claims("", audience)
	delete(claims, "sub")
	_, err := verify(t, p, is.Sign(t, claims))
	if !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("err = %v, want ErrInvalidToken", err)
	}
}
