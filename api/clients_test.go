package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/api"
	"github.com/skillgate/skillgate/oauth"
	"github.com/skillgate/skillgate/store"
)

// registerClient registers a confidential client at the authorization
// server's /register, as an MCP client does, and returns its id. Its
// secrets join those no API answer may show.
func (ta *testAPI) registerClient(t *testing.T, name string) string {
	t.Helper()
	ta.clock.Advance(time.Second)
	body := fmt.Sprintf(`{"client_name": %q, "redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "client_secret_basic"}`, name)
	resp, err := http.Post(ta.url+"/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg struct {
		ClientID          string `json:"client_id"`
		ClientSecret      string `json:"client_secret"`
		RegistrationToken string `json:"registration_access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated || reg.ClientSecret == "" {
		t.Fatalf("register: status %d, %+v, %v", resp.StatusCode, reg, err)
	}
	ta.mu.Lock()
	ta.secrets = append(ta.secrets, reg.ClientSecret, reg.RegistrationToken)
	ta.mu.Unlock()
	return reg.ClientID
}

// seedCLI configures the client "cli", as platform.yaml would.
func (ta *testAPI) seedCLI(t *testing.T) {
	t.Helper()
	err := ta.as.SeedClients(context.Background(), []oauth.ConfiguredClient{{ID: "cli", Name: "CLI",
		RedirectURIs: []string{"http://127.0.0.1/callback"}, GrantTypes: []string{"authorization_code", "refresh_token"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// grant stores a live grant of clientID and returns its id.
func (ta *testAPI) grant(t *testing.T, clientID string) string {
	t.Helper()
	g := store.OAuthGrant{
		ID: fmt.Sprintf("grt_test_%d", ta.clock.Now().UnixNano()), ClientID: clientID,
		Identity: store.OAuthIdentity{Source: "managed_key", CredentialID: "key_someone"},
		Resource: "http://127.0.0.1:1/mcp", Scopes: []string{"skills:read"}, CreatedAt: ta.clock.Now(),
	}
	ta.clock.Advance(time.Millisecond)
	if err := ta.db.CreateGrant(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g.ID
}

// revoked reports whether the grant id is revoked.
func (ta *testAPI) revoked(t *testing.T, id string) bool {
	t.Helper()
	g, err := ta.db.Grant(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return !g.RevokedAt.IsZero()
}

// listClients lists the clients as the administrator.
func (ta *testAPI) listClients(t *testing.T) []oauth.ClientView {
	t.Helper()
	var list api.ClientList
	ta.do(t, http.MethodGet, "/v1/oauth-clients", ta.admin, nil).want(t, http.StatusOK).decode(t, &list)
	return list.Clients
}

func TestOAuthClients(t *testing.T) {
	ctx := context.Background()
	ta := newTestAPI(t)
	ta.seedCLI(t)
	cliGrant := ta.grant(t, "cli")
	old := ta.registerClient(t, "Old client")
	id := ta.registerClient(t, "Claude Code")
	grants := []string{ta.grant(t, id), ta.grant(t, id)}
	usedAt := ta.clock.Now()
	if err := ta.db.TouchClient(ctx, id, usedAt); err != nil {
		t.Fatal(err)
	}

	// The listing, newest first, in snake_case, without secrets.
	resp := ta.do(t, http.MethodGet, "/v1/oauth-clients", ta.admin, nil).want(t, http.StatusOK)
	var raw struct {
		Clients []map[string]any `json:"clients"`
	}
	resp.decode(t, &raw)
	if len(raw.Clients) != 3 {
		t.Fatalf("listed %d clients, want 3: %s", len(raw.Clients), resp.body)
	}
	first := raw.Clients[0]
	want := map[string]any{
		"client_id": id, "client_name": "Claude Code", "redirect_uris": []any{"http://127.0.0.1:9/cb"},
		"grant_types": []any{"authorization_code"}, "token_endpoint_auth_method": "client_secret_basic",
		"configured": false, "registered_from": "127.0.0.1", "last_used_at": usedAt.Format(time.RFC3339Nano),
	}
	for k, v := range want {
		if got, _ := json.Marshal(first[k]); string(got) != mustJSON(t, v) {
			t.Errorf("%s = %s, want %s", k, got, mustJSON(t, v))
		}
	}
	if _, ok := first["created_at"]; !ok {
		t.Errorf("no created_at: %v", first)
	}
	if got := []any{raw.Clients[1]["client_id"], raw.Clients[2]["client_id"]}; got[0] != old || got[1] != "cli" {
		t.Errorf("then %v, want [%s cli]", got, old)
	}
	if raw.Clients[2]["configured"] != true || raw.Clients[1]["last_used_at"] != nil {
		t.Errorf("cli configured = %v, old last_used_at = %v", raw.Clients[2]["configured"], raw.Clients[1]["last_used_at"])
	}

	// Revoking the client's grants stops them, not other clients'.
	var rev api.GrantsRevoked
	ta.do(t, http.MethodPost, "/v1/oauth-clients/"+id+"/revoke-grants", ta.admin, nil).want(t, http.StatusOK).decode(t, &rev)
	if rev != (api.GrantsRevoked{ClientID: id, RevokedGrants: 2}) {
		t.Errorf("revoke-grants = %+v, want 2 grants of %s", rev, id)
	}
	for _, g := range grants {
		if !ta.revoked(t, g) {
			t.Errorf("grant %s is live after revoke-grants", g)
		}
	}
	if ta.revoked(t, cliGrant) {
		t.Error("another client's grant was revoked")
	}
	// An empty object is no body too; again, nothing is left to revoke.
	ta.do(t, http.MethodPost, "/v1/oauth-clients/"+id+"/revoke-grants", ta.admin, `{}`).want(t, http.StatusOK).decode(t, &rev)
	if rev.RevokedGrants != 0 {
		t.Errorf("revoking again revoked %d grants", rev.RevokedGrants)
	}

	// A configured client's grants can be revoked; it cannot be deleted.
	ta.do(t, http.MethodPost, "/v1/oauth-clients/cli/revoke-grants", ta.admin, nil).want(t, http.StatusOK).decode(t, &rev)
	if rev.RevokedGrants != 1 || !ta.revoked(t, cliGrant) {
		t.Errorf("revoke-grants of cli = %+v", rev)
	}
	e := ta.do(t, http.MethodDelete, "/v1/oauth-clients/cli", ta.admin, nil).want(t, http.StatusConflict).apiError(t)
	if e.Error != "conflict" || !strings.Contains(e.Suggestions[0], "platform.yaml") {
		t.Errorf("delete cli = %+v, want a conflict that points to platform.yaml", e)
	}

	// Deleting a dynamic client.
	var del api.ClientDeleted
	ta.do(t, http.MethodDelete, "/v1/oauth-clients/"+old, ta.admin, nil).want(t, http.StatusOK).decode(t, &del)
	if del != (api.ClientDeleted{ClientID: old, Deleted: true}) {
		t.Errorf("delete = %+v", del)
	}
	if _, err := ta.db.Client(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("client after delete: %v, want ErrNotFound", err)
	}
	var ids []string
	for _, v := range ta.listClients(t) {
		ids = append(ids, v.ID)
	}
	if !slices.Equal(ids, []string{id, "cli"}) {
		t.Errorf("after delete, listed %v", ids)
	}

	// Each change is in the audit log, under the administrator's key.
	var page api.AuditPage
	ta.do(t, http.MethodGet, "/v1/audit?action=oauth.client.delete", ta.admin, nil).want(t, http.StatusOK).decode(t, &page)
	if len(page.Events) != 2 {
		t.Fatalf("%d delete events, want the refusal and the deletion: %+v", len(page.Events), page.Events)
	}
	if ev := page.Events[0]; ev.Target != old || ev.Result != store.ResultOK || ev.KeyID == "" || !strings.HasPrefix(ev.Principal, "managed_key|") {
		t.Errorf("delete event = %+v", ev)
	}
	if ev := page.Events[1]; ev.Target != "cli" || ev.Result != store.ResultDenied {
		t.Errorf("refused delete event = %+v", ev)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOAuthClientRefusals(t *testing.T) {
	ta := newTestAPI(t)
	ta.seedCLI(t)
	id := ta.registerClient(t, "Claude Code")
	g := ta.grant(t, id)
	// dev holds keys:* but not admin.
	dev := ta.create(t, ta.admin, map[string]any{"name": "dev", "user": "alice", "roles": []string{"dev"}})
	const devChallenge = `Bearer error="insufficient_scope", scope="skills:read keys:read keys:write admin"`
	// A client secret pasted where the id goes: never repeated.
	const pasted = "Xk3pasted-secret-0123456789abcdefghijklmno"
	tests := []struct {
		name          string
		key           string // "" for the administrator's
		method, path  string
		body          any
		status        int
		wantCode      string
		wantChallenge string
	}{
		{"list without admin", dev.Secret, http.MethodGet, "/v1/oauth-clients", nil, http.StatusForbidden, "insufficient_scope", devChallenge},
		{"revoke without admin", dev.Secret, http.MethodPost, "/v1/oauth-clients/" + id + "/revoke-grants", nil, http.StatusForbidden, "insufficient_scope", devChallenge},
		{"delete without admin", dev.Secret, http.MethodDelete, "/v1/oauth-clients/" + id, nil, http.StatusForbidden, "insufficient_scope", devChallenge},
		// The scope is checked first: a stranger learns nothing of ids.
		{"unknown id without admin", dev.Secret, http.MethodDelete, "/v1/oauth-clients/cl_unknown", nil, http.StatusForbidden, "insufficient_scope", devChallenge},
		{"unknown id", "", http.MethodDelete, "/v1/oauth-clients/cl_unknown", nil, http.StatusNotFound, "not_found", ""},
		{"pasted secret", "", http.MethodPost, "/v1/oauth-clients/" + pasted + "/revoke-grants", nil, http.StatusNotFound, "not_found", ""},
		{"id too long", "", http.MethodDelete, "/v1/oauth-clients/" + strings.Repeat("a", 1025), nil, http.StatusNotFound, "not_found", ""},
		{"control character in id", "", http.MethodDelete, "/v1/oauth-clients/cl_%0Ax", nil, http.StatusNotFound, "not_found", ""},
		{"body on revoke", "", http.MethodPost, "/v1/oauth-clients/" + id + "/revoke-grants", `{"reason": "x"}`, http.StatusBadRequest, "invalid_request", ""},
		{"body not JSON", "", http.MethodDelete, "/v1/oauth-clients/" + id, "please", http.StatusBadRequest, "invalid_request", ""},
		{"wrong method", "", http.MethodPatch, "/v1/oauth-clients/" + id, nil, http.StatusMethodNotAllowed, "method_not_allowed", ""},
		{"no such route", "", http.MethodGet, "/v1/oauth-clients/" + id, nil, http.StatusMethodNotAllowed, "method_not_allowed", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			if key == "" {
				key = ta.admin
			}
			resp := ta.do(t, tc.method, tc.path, key, tc.body).want(t, tc.status)
			e := resp.apiError(t)
			if e.Error != tc.wantCode {
				t.Errorf("error = %q, want %q", e.Error, tc.wantCode)
			}
			if got := resp.header.Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantChallenge)
			}
			if tc.status == http.StatusNotFound && !strings.Contains(e.Suggestions[0], "/v1/oauth-clients") {
				t.Errorf("hint %q does not point to the client listing", e.Suggestions[0])
			}
			if strings.Contains(string(resp.body), pasted) || strings.Contains(string(resp.body), "api-keys") {
				t.Errorf("the answer repeats the id or talks of keys: %s", resp.body)
			}
			// Nothing changed.
			if _, err := ta.db.Client(context.Background(), id); err != nil {
				t.Errorf("client: %v", err)
			}
			if ta.revoked(t, g) {
				t.Fatal("the grant was revoked")
			}
		})
	}
	if got := ta.do(t, http.MethodPatch, "/v1/oauth-clients/"+id, ta.admin, nil).header.Get("Allow"); got != "DELETE" {
		t.Errorf("Allow = %q, want DELETE", got)
	}
}

// TestOAuthClientsDisabled: without an authorization server the routes
// exist but say that OAuth is off.
func TestOAuthClientsDisabled(t *testing.T) {
	ta := newTestAPI(t, func(o *api.Options) { o.Clients = nil })
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/v1/oauth-clients"},
		{http.MethodPost, "/v1/oauth-clients/cli/revoke-grants"},
		{http.MethodDelete, "/v1/oauth-clients/cli"},
	} {
		e := ta.do(t, r.method, r.path, ta.admin, nil).want(t, http.StatusNotFound).apiError(t)
		if !strings.Contains(e.Message, "OAuth is not enabled") {
			t.Errorf("%s %s: message %q", r.method, r.path, e.Message)
		}
	}
}

// TestUnknownRouteHint: the 404 for a path the API does not have names its
// resources.
func TestUnknownRouteHint(t *testing.T) {
	ta := newTestAPI(t)
	e := ta.do(t, http.MethodGet, "/v1/nothing", ta.admin, nil).want(t, http.StatusNotFound).apiError(t)
	for _, p := range []string{"/v1/api-keys", "/v1/oauth-clients", "/v1/audit"} {
		if !strings.Contains(e.Suggestions[0], p) {
			t.Errorf("hint %q does not name %s", e.Suggestions[0], p)
		}
	}
}
