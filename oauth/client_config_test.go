package oauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// configPath is the path part of a registration's registration_client_uri.
func (r registration) configPath() string {
	return strings.TrimPrefix(r.str("registration_client_uri"), testIssuer)
}

func TestClientConfigurationRead(t *testing.T) {
	ts := newTestServer(t)
	a := ts.register(t, mcpRegistration)
	b := ts.register(t, `{"redirect_uris":["https://b.example.com/cb"],"client_name":"B"}`)
	ctx := context.Background()
	if err := ts.SeedClients(ctx, []ConfiguredClient{{ID: "configured", RedirectURIs: []string{"https://c.example.com/cb"}}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		path       string
		header     []string
		wantStatus int
		challenge  string
	}{
		{"right token", a.configPath(), bearer(a.str("registration_access_token")), 200, ""},
		{"wrong token", a.configPath(), bearer("nope"), 401, `Bearer realm="skillgate", error="invalid_token"`},
		{"another client's token", a.configPath(), bearer(b.str("registration_access_token")), 401, `Bearer realm="skillgate", error="invalid_token"`},
		{"missing token", a.configPath(), nil, 401, `Bearer realm="skillgate"`},
		{"basic credentials", a.configPath(), []string{"Authorization", "Basic Zm9vOmJhcg=="}, 401, `Bearer realm="skillgate"`},
		{"unknown client", "/register/cl_unknown", bearer(a.str("registration_access_token")), 401, `Bearer realm="skillgate", error="invalid_token"`},
		{"client from platform.yaml", "/register/configured", bearer("anything"), 401, `Bearer realm="skillgate", error="invalid_token"`},
		{"client from platform.yaml with an empty token", "/register/configured", []string{"Authorization", "Bearer "}, 401, `Bearer realm="skillgate"`},
	}
	var refusal []byte
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := ts.do(t, http.MethodGet, tc.path, nil, tc.header...)
			checkNoNull(t, body)
			if tc.wantStatus != http.StatusOK {
				checkError(t, resp, body, tc.wantStatus, "invalid_token")
				if got := resp.Header.Get("WWW-Authenticate"); got != tc.challenge {
					t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
				}
				// An unknown client and a wrong token look the same.
				if strings.Contains(tc.challenge, "error=") {
					if refusal == nil {
						refusal = body
					} else if !bytes.Equal(body, refusal) {
						t.Errorf("refusal %s differs from %s", body, refusal)
					}
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			got := decodeObject(t, body)
			want := decodeObject(t, a.raw)
			for k, v := range want {
				if k == "client_secret" || k == "client_secret_expires_at" {
					continue
				}
				if !equalJSON(got[k], v) {
					t.Errorf("%s = %#v, want %#v as registered", k, got[k], v)
				}
			}
			if _, ok := got["client_secret"]; ok {
				t.Errorf("client_secret returned on read: only its hash is kept")
			}
		})
	}
}

func equalJSON(a, b any) bool {
	la, oka := a.([]any)
	lb, okb := b.([]any)
	if oka && okb {
		return slices.EqualFunc(la, lb, equalJSON)
	}
	return a == b
}

func TestClientConfigurationUpdate(t *testing.T) {
	ts := newTestServer(t, manyRegistrations)
	ctx := context.Background()
	public := ts.register(t, mcpRegistration)
	confidential := ts.register(t, `{"redirect_uris":["https://app.example.com/cb"],"client_name":"Conf"}`)
	secret := confidential.str("client_secret")

	tests := []struct {
		name       string
		reg        registration
		token      string // default the registration's
		body       string
		wantStatus int
		wantError  string
		wantInDesc string
		check      func(t testing.TB, m map[string]any, c store.OAuthClient)
	}{
		{
			name: "full replacement", reg: public,
			body:       `{"client_id":"%ID%","redirect_uris":["http://127.0.0.1/callback"],"grant_types":["authorization_code"],"token_endpoint_auth_method":"none","scope":"skills:read","logo_uri":"https://app.example.com/l.png"}`,
			wantStatus: 200,
			check: func(t testing.TB, m map[string]any, c store.OAuthClient) {
				if c.Name != "" || m["client_name"] != nil {
					t.Errorf("client_name kept (%q), want it removed: an update replaces everything", c.Name)
				}
				if !slices.Equal(c.RedirectURIs, []string{"http://127.0.0.1/callback"}) || !slices.Equal(c.GrantTypes, []string{"authorization_code"}) {
					t.Errorf("stored %q %q", c.RedirectURIs, c.GrantTypes)
				}
				if c.Scope != "skills:read" || m["scope"] != "skills:read" || m["logo_uri"] != "https://app.example.com/l.png" {
					t.Errorf("scope %q, response %v", c.Scope, m)
				}
				if !c.UpdatedAt.After(c.CreatedAt) && !c.UpdatedAt.Equal(c.CreatedAt) {
					t.Errorf("UpdatedAt = %v before CreatedAt %v", c.UpdatedAt, c.CreatedAt)
				}
			},
		},
		{
			name: "the response of a read sent back", reg: public, body: "%READ%", wantStatus: 200,
		},
		{
			name: "confidential with its secret", reg: confidential,
			body:       `{"client_id":"%ID%","client_secret":"` + secret + `","redirect_uris":["https://app.example.com/cb2"],"token_endpoint_auth_method":"client_secret_post"}`,
			wantStatus: 200,
			check: func(t testing.TB, m map[string]any, c store.OAuthClient) {
				sum := sha256.Sum256([]byte(secret))
				if !bytes.Equal(c.SecretHash, sum[:]) {
					t.Errorf("the secret changed")
				}
				if _, ok := m["client_secret"]; ok {
					t.Errorf("client_secret in the update response")
				}
				if c.TokenEndpointAuthMethod != "client_secret_post" {
					t.Errorf("method = %q", c.TokenEndpointAuthMethod)
				}
			},
		},
		{
			name: "confidential without its secret", reg: confidential,
			body: `{"client_id":"%ID%","redirect_uris":["https://app.example.com/cb3"]}`, wantStatus: 200,
		},
		{name: "wrong client_secret", reg: confidential,
			body:       `{"client_id":"%ID%","client_secret":"wrong","redirect_uris":["https://app.example.com/cb"]}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "client_secret does not match"},
		{name: "client_secret for a public client", reg: public,
			body:       `{"client_id":"%ID%","client_secret":"x","redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "client_secret does not match"},
		{name: "client_id missing", reg: public,
			body:       `{"redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "client_id"},
		{name: "client_id of another client", reg: public,
			body:       `{"client_id":"` + confidential.str("client_id") + `","redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "client_id"},
		{name: "public to confidential", reg: public,
			body:       `{"client_id":"%ID%","redirect_uris":["https://app.example.com/cb"]}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "token_endpoint_auth_method cannot change"},
		{name: "confidential to public", reg: confidential,
			body:       `{"client_id":"%ID%","redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "token_endpoint_auth_method cannot change"},
		{name: "invalid redirect URI", reg: public,
			body:       `{"client_id":"%ID%","redirect_uris":["http://app.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_redirect_uri"},
		{name: "bad JSON", reg: public, body: `{`, wantStatus: 400, wantError: "invalid_client_metadata"},
		{name: "wrong token", reg: public, token: "nope",
			body:       `{"client_id":"%ID%","redirect_uris":["https://evil.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 401, wantError: "invalid_token"},
		{name: "another client's token", reg: public, token: confidential.str("registration_access_token"),
			body:       `{"client_id":"%ID%","redirect_uris":["https://evil.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 401, wantError: "invalid_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.reg.str("client_id")
			token := tc.reg.str("registration_access_token")
			if tc.token != "" {
				token = tc.token
			}
			before, err := ts.DB.Client(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			body := strings.ReplaceAll(tc.body, "%ID%", id)
			if body == "%READ%" {
				_, read := ts.do(t, http.MethodGet, tc.reg.configPath(), nil, bearer(token)...)
				body = string(read)
			}
			resp, b := ts.do(t, http.MethodPut, tc.reg.configPath(), strings.NewReader(body),
				append(bearer(token), "Content-Type", "application/json")...)
			checkNoNull(t, b)
			after, err := ts.DB.Client(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantStatus != http.StatusOK {
				m := checkError(t, resp, b, tc.wantStatus, tc.wantError)
				if d, _ := m["error_description"].(string); !strings.Contains(d, tc.wantInDesc) {
					t.Errorf("error_description = %q, want it to mention %q", d, tc.wantInDesc)
				}
				if !slices.Equal(after.RedirectURIs, before.RedirectURIs) || !after.UpdatedAt.Equal(before.UpdatedAt) {
					t.Errorf("a refused update changed the client")
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d: %s", resp.StatusCode, b)
			}
			m := decodeObject(t, b)
			if m["client_id"] != id || m["registration_access_token"] != token || m["registration_client_uri"] != tc.reg.str("registration_client_uri") {
				t.Errorf("response %s does not identify the client and its token", b)
			}
			if !bytes.Equal(after.RegistrationTokenHash, before.RegistrationTokenHash) || !after.CreatedAt.Equal(before.CreatedAt) ||
				after.RegisteredFrom != before.RegisteredFrom {
				t.Errorf("the update changed what it must keep")
			}
			// A read returns what the update stored.
			_, read := ts.do(t, http.MethodGet, tc.reg.configPath(), nil, bearer(token)...)
			if rm := decodeObject(t, read); !equalJSON(rm["redirect_uris"], m["redirect_uris"]) || rm["client_name"] != m["client_name"] {
				t.Errorf("read %s after update %s", read, b)
			}
			if tc.check != nil {
				tc.check(t, m, after)
			}
		})
	}
}

func TestClientConfigurationDelete(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	a := ts.register(t, mcpRegistration)
	id := a.str("client_id")
	token := a.str("registration_access_token")
	grant := store.OAuthGrant{ID: "grt_test_delete", ClientID: id, Identity: store.OAuthIdentity{Source: "static_key", CredentialID: "static:" + testKeyName},
		Resource: testIssuer + "/mcp", Scopes: []string{"skills:read"}, CreatedAt: time.Now().UTC()}
	if err := ts.DB.CreateGrant(ctx, grant); err != nil {
		t.Fatal(err)
	}

	resp, b := ts.do(t, http.MethodDelete, a.configPath(), nil, bearer("wrong")...)
	checkError(t, resp, b, http.StatusUnauthorized, "invalid_token")
	if _, err := ts.DB.Client(ctx, id); err != nil {
		t.Fatalf("a refused delete deleted the client: %v", err)
	}
	resp, b = ts.do(t, http.MethodDelete, a.configPath(), nil)
	checkError(t, resp, b, http.StatusUnauthorized, "invalid_token")

	resp, b = ts.do(t, http.MethodDelete, a.configPath(), nil, bearer(token)...)
	if resp.StatusCode != http.StatusNoContent || len(b) != 0 {
		t.Fatalf("delete: status %d, body %q; want 204 and no body", resp.StatusCode, b)
	}
	if _, err := ts.DB.Client(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("client after delete: %v, want ErrNotFound", err)
	}
	if g, err := ts.DB.Grant(ctx, grant.ID); err != nil || g.RevokedAt.IsZero() {
		t.Errorf("grant after delete: revoked at %v (%v), want revoked", g.RevokedAt, err)
	}
	// Now the token opens nothing, and the client is unknown.
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		resp, b = ts.do(t, method, a.configPath(), nil, bearer(token)...)
		checkError(t, resp, b, http.StatusUnauthorized, "invalid_token")
	}
	if _, oerr := ts.client(ctx, id); oerr == nil || oerr.status != http.StatusUnauthorized || oerr.Code != "invalid_client" {
		t.Errorf("client(deleted) = %v, want 401 invalid_client", oerr)
	}
}

func TestClientConfigurationMethod(t *testing.T) {
	ts := newTestServer(t)
	a := ts.register(t, mcpRegistration)
	for _, method := range []string{http.MethodPost, http.MethodPatch} {
		t.Run(method, func(t *testing.T) {
			resp, b := ts.do(t, method, a.configPath(), strings.NewReader("{}"),
				append(bearer(a.str("registration_access_token")), "Content-Type", "application/json")...)
			checkError(t, resp, b, http.StatusMethodNotAllowed, "invalid_request")
			if got := resp.Header.Get("Allow"); got != "GET, PUT, DELETE" {
				t.Errorf("Allow = %q", got)
			}
		})
	}
}

func TestClientsPersistAcrossReopen(t *testing.T) {
	first := newTestServer(t)
	a := first.register(t, `{"redirect_uris":["https://app.example.com/cb"],"client_name":"Persisted","contacts":["a@example.com"],"scope":"skills:read"}`)
	first.Close()

	second := newTestServerAt(t, first.Path)
	ctx := context.Background()
	c, oerr := second.client(ctx, a.str("client_id"))
	if oerr != nil {
		t.Fatalf("client after reopen: %v", oerr)
	}
	sum := sha256.Sum256([]byte(a.str("client_secret")))
	if c.Name != "Persisted" || !bytes.Equal(c.SecretHash, sum[:]) || c.Scope != "skills:read" {
		t.Errorf("client after reopen = %+v", c)
	}
	resp, b := second.do(t, http.MethodGet, a.configPath(), nil, bearer(a.str("registration_access_token"))...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("read after reopen: %d %s", resp.StatusCode, b)
	}
	if m := decodeObject(t, b); !equalJSON(m["contacts"], []any{"a@example.com"}) || m["client_id_issued_at"] != a.body["client_id_issued_at"] {
		t.Errorf("read after reopen = %s, registered %s", b, a.raw)
	}
}

func TestClientLookup(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	a := ts.register(t, mcpRegistration)
	tests := []struct {
		name       string
		id         string
		wantStatus int // 0: found
		wantCode   string
	}{
		{"registered", a.str("client_id"), 0, ""},
		{"unknown", "cl_unknown", http.StatusUnauthorized, "invalid_client"},
		{"empty", "", http.StatusUnauthorized, "invalid_client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, oerr := ts.client(ctx, tc.id)
			switch {
			case tc.wantStatus == 0 && (oerr != nil || c.ID != tc.id):
				t.Errorf("client(%q) = %v, %v", tc.id, c.ID, oerr)
			case tc.wantStatus != 0 && (oerr == nil || oerr.status != tc.wantStatus || oerr.Code != tc.wantCode):
				t.Errorf("client(%q) error = %v, want %d %s", tc.id, oerr, tc.wantStatus, tc.wantCode)
			}
		})
	}
	t.Run("store failure", func(t *testing.T) {
		broken := newTestServer(t)
		broken.DB.Close()
		_, oerr := broken.client(ctx, a.str("client_id"))
		if oerr == nil || oerr.status != http.StatusServiceUnavailable || oerr.Code != "temporarily_unavailable" {
			t.Errorf("client() on a closed store = %v, want 503 temporarily_unavailable", oerr)
		}
	})
}

func TestSeedClients(t *testing.T) {
	ctx := context.Background()
	secretHash := sha256.Sum256([]byte("configured-secret"))
	web := ConfiguredClient{ID: "web", Name: "Web app", SecretSHA256: secretHash[:],
		RedirectURIs: []string{"https://web.example.com/cb"}, Scope: "skills:read"}
	cli := ConfiguredClient{ID: "cli", Name: "CLI", RedirectURIs: []string{"http://127.0.0.1/callback"},
		GrantTypes: []string{"authorization_code", "refresh_token"}}
	ci := ConfiguredClient{ID: "ci", Name: "CI", SecretSHA256: secretHash[:], GrantTypes: []string{"client_credentials"}}

	t.Run("created, updated and removed", func(t *testing.T) {
		ts := newTestServer(t)
		if err := ts.SeedClients(ctx, []ConfiguredClient{web, cli, ci}); err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			method    string
			responses []string
		}{
			"web": {"client_secret_basic", []string{"code"}},
			"cli": {"none", []string{"code"}},
			"ci":  {"client_secret_basic", []string{}},
		}
		for id, w := range want {
			c, err := ts.DB.Client(ctx, id)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if c.TokenEndpointAuthMethod != w.method || !slices.Equal(c.ResponseTypes, w.responses) ||
				c.RegistrationTokenHash != nil || c.RegisteredFrom != "config" {
				t.Errorf("%s stored as %+v", id, c)
			}
		}
		if c, _ := ts.DB.Client(ctx, "web"); !bytes.Equal(c.SecretHash, secretHash[:]) || c.Scope != "skills:read" ||
			!slices.Equal(c.GrantTypes, []string{"authorization_code"}) {
			t.Errorf("web stored as %+v", c)
		}
		created, _ := ts.DB.Client(ctx, "web")

		// A restart with the same configuration changes nothing; a
		// changed client is updated; a removed one is deleted.
		if err := ts.SeedClients(ctx, []ConfiguredClient{web, cli, ci}); err != nil {
			t.Fatal(err)
		}
		if c, _ := ts.DB.Client(ctx, "web"); !c.UpdatedAt.Equal(created.UpdatedAt) {
			t.Errorf("unchanged client rewritten")
		}
		renamed := web
		renamed.Name = "Web app 2"
		if err := ts.SeedClients(ctx, []ConfiguredClient{renamed, cli}); err != nil {
			t.Fatal(err)
		}
		c, err := ts.DB.Client(ctx, "web")
		if err != nil || c.Name != "Web app 2" || !c.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("web after update = %+v (%v)", c, err)
		}
		if _, err := ts.DB.Client(ctx, "ci"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ci, no longer configured: %v, want deleted", err)
		}
	})

	t.Run("dynamic clients are neither overwritten nor removed", func(t *testing.T) {
		ts := newTestServer(t)
		a := ts.register(t, mcpRegistration)
		clash := cli
		clash.ID = a.str("client_id")
		if err := ts.SeedClients(ctx, []ConfiguredClient{clash}); err == nil || !strings.Contains(err.Error(), "dynamically registered") {
			t.Errorf("SeedClients over a dynamic client = %v, want an error", err)
		}
		if err := ts.SeedClients(ctx, nil); err != nil {
			t.Fatal(err)
		}
		c, err := ts.DB.Client(ctx, clash.ID)
		if err != nil || c.Name != "Claude Code" || c.RegistrationTokenHash == nil {
			t.Errorf("dynamic client = %+v (%v), want it untouched", c, err)
		}
	})

	invalid := []struct {
		name    string
		client  ConfiguredClient
		wantErr string
	}{
		{"no id", ConfiguredClient{RedirectURIs: []string{"https://a.example.com/cb"}}, "no id"},
		{"no redirect URIs", ConfiguredClient{ID: "x"}, "redirect_uris is required"},
		{"bad redirect URI", ConfiguredClient{ID: "x", RedirectURIs: []string{"http://a.example.com/cb"}}, "must use https"},
		{"bad secret hash", ConfiguredClient{ID: "x", SecretSHA256: []byte("short"), RedirectURIs: []string{"https://a.example.com/cb"}}, "SHA-256"},
		{"unsupported scope", ConfiguredClient{ID: "x", Scope: "admin", RedirectURIs: []string{"https://a.example.com/cb"}}, `"admin"`},
		{"unsupported grant", ConfiguredClient{ID: "x", GrantTypes: []string{"password"}}, `"password"`},
		{"client credentials without a secret", ConfiguredClient{ID: "x", GrantTypes: []string{"client_credentials"}}, "needs a client secret"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			err := ts.SeedClients(ctx, []ConfiguredClient{tc.client})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("SeedClients = %v, want an error about %q", err, tc.wantErr)
			}
		})
	}
	t.Run("duplicate id", func(t *testing.T) {
		ts := newTestServer(t)
		if err := ts.SeedClients(ctx, []ConfiguredClient{cli, cli}); err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("SeedClients = %v, want an error about the duplicate", err)
		}
	})
}
