package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/testidp"
)

const (
	oidcAudience = "https://skillgate.test"
	teamSkill    = "teams/analytics/sql-style"
)

// oidcAuthConfig is the auth.oidc block for one provider, mapped the way a
// Keycloak realm is: roles in realm_access.roles, groups as teams.
func oidcAuthConfig(issuer string) string {
	return fmt.Sprintf(`  oidc:
    providers:
      - issuer: %s
        audience: %s
        claims:
          roles: realm_access.roles
          teams: groups
        role_map:
          skill-admin: [admin]
          skill-analyst: [analyst]
          skill-viewer: [viewer]
        clock_skew: 30s
`, issuer, oidcAudience)
}

// TestOIDCWithRealProvider signs in through a certified OpenID provider
// (oidc-provider on Node.js) with real grants and uses the tokens against
// skillgate: a service with the client credentials grant, a person with the
// authorization code grant and PKCE, and a refreshed token.
func TestOIDCWithRealProvider(t *testing.T) {
	node := testidp.StartNode(t, testidp.NodeConfig{
		Resource: oidcAudience,
		Clients: []testidp.NodeClient{
			{ID: "svc-analyst", Secret: "svc-analyst-secret-0123456789", GrantTypes: []string{"client_credentials"},
				Claims: map[string]any{"realm_access": map[string]any{"roles": []any{"skill-analyst"}}, "groups": []any{"analytics"}}},
			{ID: "svc-unmapped", Secret: "svc-unmapped-secret-0123456789", GrantTypes: []string{"client_credentials"},
				Claims: map[string]any{"realm_access": map[string]any{"roles": []any{"admin"}}}},
			{ID: "cli-app", Public: true, GrantTypes: []string{"authorization_code", "refresh_token"},
				RedirectURIs: []string{"http://127.0.0.1:1/callback"}},
		},
		Accounts: map[string]map[string]any{
			"alice": {"email": "alice@example.test", "realm_access": map[string]any{"roles": []any{"skill-admin"}}},
		},
	})
	ts := newTestServer(t, testServerOptions{auth: oidcAuthConfig(node.Issuer())})
	waitForProvider(t, ts, node.ClientCredentials(t, "svc-analyst", "svc-analyst-secret-0123456789", ""))

	t.Run("client credentials", func(t *testing.T) {
		token := node.ClientCredentials(t, "svc-analyst", "svc-analyst-secret-0123456789", "")
		// Roles and teams come from the token: the analyst persona runs
		// scripts and sees its team's drive.
		if out, isErr := runGreet(t, ts.baseURL, token); isErr {
			t.Fatalf("run_skill_script with an analyst token failed: %s", out)
		}
		if ids := listAll(t, ts, token); !slices.Contains(ids, teamSkill) {
			t.Fatalf("the groups claim did not give the team drive: %v", ids)
		}
		for _, kind := range allTransports[:3] {
			c := connect(t, ts, kind, token)
			if names := toolNames(t, c); !slices.Contains(names, "run_skill_script") {
				t.Fatalf("%s: tools %v", kind, names)
			}
		}
	})
	t.Run("unmapped role grants nothing", func(t *testing.T) {
		token := node.ClientCredentials(t, "svc-unmapped", "svc-unmapped-secret-0123456789", "")
		// The role map is set, so an IdP role that shares a persona
		// role's name is not that role.
		if err := listToolsErr(t, ts, token); err == nil || !strings.Contains(err.Error(), "persona") {
			t.Fatalf("a token whose IdP role is not in the role map got in (err = %v)", err)
		}
	})
	t.Run("authorization code", func(t *testing.T) {
		tokens := node.AuthorizationCode(t, "cli-app", "http://127.0.0.1:1/callback", "alice")
		// alice is an admin: the REST API, behind the admin scope, serves
		// her with the same token.
		resp := rawRequest(t, http.MethodGet, ts.baseURL+"/v1/api-keys", tokens.AccessToken, "", "")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/api-keys with alice's access token: %d %s", resp.StatusCode, body)
		}
		// The ID token is for the client (aud cli-app), not for skillgate.
		resp = rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", tokens.IDToken, "", initializeBody)
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "audience") {
			t.Fatalf("ID token used as an access token: %d %s, want 401 about the audience", resp.StatusCode, body)
		}
		refreshed := node.Refresh(t, "cli-app", tokens.RefreshToken)
		if refreshed.AccessToken == tokens.AccessToken {
			t.Fatal("refresh returned the same access token")
		}
		if status := initializeStatus(t, ts.baseURL, refreshed.AccessToken); status != http.StatusOK {
			t.Fatalf("initialize with the refreshed token: %d", status)
		}
	})
	t.Run("audit names the token's subject", func(t *testing.T) {
		token := node.ClientCredentials(t, "svc-analyst", "svc-analyst-secret-0123456789", "")
		runGreet(t, ts.baseURL, token)
		// The audit log is written asynchronously: poll, bounded.
		want := "oidc|" + node.Issuer() + "|svc-analyst"
		var body []byte
		for range 50 {
			resp := rawRequest(t, http.MethodGet, ts.baseURL+"/v1/audit?action=tool.call", testKeys["admin"], "", "")
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), want) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("audit log does not name the OIDC caller %q:\n%s", want, body)
	})
}

// waitForProvider waits until the server has discovered the provider, which
// it does in the background, by presenting a valid token until it is not
// refused as unreachable (at most 15 s).
func waitForProvider(t *testing.T, ts *testServer, token string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		status := initializeStatus(t, ts.baseURL, token)
		if status != http.StatusUnauthorized {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not discover the identity provider within 15s; logs:\n%s", ts.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestOIDCRefusals sends tokens no real provider would issue, through real
// HTTP, and checks each gets a 401 that says what is wrong, while API keys
// keep working.
func TestOIDCRefusals(t *testing.T) {
	is := testidp.NewIssuer(t)
	ts := newTestServer(t, testServerOptions{auth: oidcAuthConfig(is.URL())})
	valid := func() map[string]any {
		c := is.Claims("svc", oidcAudience)
		c["realm_access"] = map[string]any{"roles": []any{"skill-analyst"}}
		return c
	}
	waitForProvider(t, ts, is.Sign(t, valid()))
	stranger := testidp.NewIssuer(t)
	with := func(k string, v any) map[string]any {
		c := valid()
		c[k] = v
		return c
	}
	tests := []struct {
		name, token, want string
	}{
		{"alg none", is.Unsigned(t, valid()), "accepted algorithm"},
		{"HS256 with the RSA public key", is.HMACWithPublicKey(t, valid()), "accepted algorithm"},
		{"expired", is.Sign(t, with("exp", time.Now().Add(-time.Minute).Unix())), "Token has expired"},
		{"not yet valid", is.Sign(t, with("nbf", time.Now().Add(time.Minute).Unix())), "not valid yet"},
		{"wrong issuer", stranger.Sign(t, stranger.Claims("svc", oidcAudience)), "Token issuer is not accepted: \"" + stranger.URL() + "\""},
		{"wrong audience", is.Sign(t, with("aud", "https://other.test")), "audience"},
		{"unknown kid", is.SignHeader(t, map[string]any{"alg": "RS256", "kid": "not-published"}, valid()), "unknown kid"},
		{"tampered payload", tamper(is.Sign(t, valid()), with("realm_access", map[string]any{"roles": []any{"skill-admin"}})), "signature does not verify"},
		{"larger than the header limit", is.Sign(t, with("pad", strings.Repeat("x", 17000))), "longer than 16384 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", tt.token, "", initializeBody)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate = %q, want invalid_token", got)
			}
			e := assertErrorBody(t, body, "invalid_token")
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.want) {
				t.Fatalf("message %q, want it to mention %q", msg, tt.want)
			}
		})
	}
	// Past the server's header limit, net/http itself refuses the request
	// before any handler runs.
	huge := is.Sign(t, with("pad", strings.Repeat("x", 100<<10)))
	resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", huge, "", initializeBody)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 130 KiB token: status %d, want 431", resp.StatusCode)
	}
	if status := initializeStatus(t, ts.baseURL, testKeys["analyst"]); status != http.StatusOK {
		t.Fatalf("API key beside OIDC: %d", status)
	}
	if status := initializeStatus(t, ts.baseURL, is.Sign(t, valid())); status != http.StatusOK {
		t.Fatalf("valid token after the refusals: %d", status)
	}
}

// tamper returns token with its payload replaced by claims, keeping the
// original header and signature.
func tamper(token string, claims map[string]any) string {
	raw, _ := json.Marshal(claims)
	parts := strings.Split(token, ".")
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
}

// TestOIDCProviderDownAtStartup starts skillgate while its identity provider
// is down: API keys work at once, tokens are refused as unreachable, and
// once the provider answers, tokens work without a restart.
func TestOIDCProviderDownAtStartup(t *testing.T) {
	is := testidp.NewIssuer(t)
	is.SetDown(true)
	ts := newTestServer(t, testServerOptions{auth: oidcAuthConfig(is.URL())})
	if status := initializeStatus(t, ts.baseURL, testKeys["analyst"]); status != http.StatusOK {
		t.Fatalf("API key while the provider is down: %d", status)
	}
	claims := is.Claims("svc", oidcAudience)
	claims["realm_access"] = map[string]any{"roles": []any{"skill-analyst"}}
	token := is.Sign(t, claims)
	resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", token, "", initializeBody)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token while the provider is down: %d %s", resp.StatusCode, body)
	}
	e := assertErrorBody(t, body, "invalid_token")
	if msg, _ := e["message"].(string); !strings.Contains(msg, "unreachable") || !strings.Contains(msg, is.URL()) {
		t.Fatalf("message %q, want it to say the provider is unreachable", msg)
	}
	is.SetDown(false)
	waitForProvider(t, ts, token)
	if status := initializeStatus(t, ts.baseURL, token); status != http.StatusOK {
		t.Fatalf("token after the provider came back: %d", status)
	}
	if !strings.Contains(ts.logs.String(), "identity provider unreachable; retrying") {
		t.Errorf("the outage was not logged:\n%s", ts.logs)
	}
}
