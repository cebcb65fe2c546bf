package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
)

// Actors of the administration tests.
var (
	adminActor = apikey.Actor{
		Principal:  auth.Principal{Source: auth.SourceManagedKey, CredentialID: "key_admin", User: "root"},
		Scopes:     []string{auth.ScopeAdmin},
		ClientAddr: "192.0.2.1:4000",
	}
	// keysAdmin may do anything with keys, which is not enough.
	keysAdmin = apikey.Actor{
		Principal: auth.Principal{Source: auth.SourceManagedKey, CredentialID: "key_dev", User: "dev"},
		Scopes:    []string{"keys:*", auth.ScopeSkillsRead, auth.ScopeSkillsExecute},
	}
)

// withAudit records the server's audit events in its own store.
func withAudit(o *Options) { o.Audit = audit.Sync{A: o.Store.(*sqlite.DB)} }

// configuredCLI is a configured public client the login flow can use.
var configuredCLI = ConfiguredClient{ID: "cli", Name: "Configured CLI", RedirectURIs: []string{testRedirect},
	GrantTypes: []string{"authorization_code", "refresh_token"}}

// seedCLI stores configuredCLI and returns it as a test client.
func (ts *testServer) seedCLI(t testing.TB) testClient {
	t.Helper()
	if err := ts.SeedClients(context.Background(), []ConfiguredClient{configuredCLI}); err != nil {
		t.Fatal(err)
	}
	return testClient{ID: configuredCLI.ID, RedirectURI: testRedirect, AuthMethod: "none"}
}

// auditOf returns the audit events of action, newest first.
func (ts *testServer) auditOf(t testing.TB, action string) []store.AuditEvent {
	t.Helper()
	events, err := ts.DB.ListAudit(context.Background(), store.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func TestListClients(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	ts := newTestServer(t, withClock(clock))
	ci := ConfiguredClient{ID: "ci", Name: "CI", SecretSHA256: make([]byte, 32), GrantTypes: []string{"client_credentials"}}
	if err := ts.SeedClients(ctx, []ConfiguredClient{configuredCLI, ci}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	idle := ts.confidentialClient(t, "client_secret_basic")
	clock.Advance(time.Minute)
	used, _ := loggedIn(t, ts, login{})
	tokenAt := clock.Now()
	// A name with a bidirectional override is shown without it.
	clock.Advance(time.Minute)
	spoof := ts.registerClient(t, map[string]any{"client_name": "Evil\u202eppA", "redirect_uris": []string{testRedirect},
		"token_endpoint_auth_method": "none"})

	views, err := ts.ListClients(ctx, adminActor)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range views {
		ids = append(ids, v.ID)
	}
	// Newest first; the configured ones share a creation time, then go by id.
	if want := []string{spoof.ID, used.ID, idle.ID, "ci", "cli"}; !slices.Equal(ids, want) {
		t.Fatalf("listed %v, want %v", ids, want)
	}
	byID := func(id string) ClientView { return views[slices.Index(ids, id)] }

	tests := []struct {
		name string
		got  ClientView
		want ClientView
	}{
		{"used dynamic client", byID(used.ID), ClientView{ID: used.ID, Name: "flow test client",
			RedirectURIs: []string{testRedirect}, GrantTypes: []string{"authorization_code", "refresh_token"},
			TokenEndpointAuthMethod: "none", RegisteredFrom: "127.0.0.1", LastUsedAt: &tokenAt}},
		{"idle confidential client", byID(idle.ID), ClientView{ID: idle.ID, Name: "confidential client_secret_basic",
			RedirectURIs: []string{testRedirect}, GrantTypes: []string{"authorization_code", "refresh_token"},
			TokenEndpointAuthMethod: "client_secret_basic", RegisteredFrom: "127.0.0.1"}},
		{"control characters dropped", byID(spoof.ID), ClientView{ID: spoof.ID, Name: "EvilppA",
			RedirectURIs: []string{testRedirect}, GrantTypes: []string{"authorization_code"},
			TokenEndpointAuthMethod: "none", RegisteredFrom: "127.0.0.1"}},
		{"configured client", byID("cli"), ClientView{ID: "cli", Name: "Configured CLI",
			RedirectURIs: []string{testRedirect}, GrantTypes: []string{"authorization_code", "refresh_token"},
			TokenEndpointAuthMethod: "none", Configured: true, RegisteredFrom: "config"}},
		// Guards JSON null for a client without redirect URIs.
		{"configured client credentials client", byID("ci"), ClientView{ID: "ci", Name: "CI",
			RedirectURIs: []string{}, GrantTypes: []string{"client_credentials"},
			TokenEndpointAuthMethod: "client_secret_basic", Configured: true, RegisteredFrom: "config"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.got
			if got.CreatedAt.IsZero() {
				t.Errorf("CreatedAt is zero")
			}
			got.CreatedAt = time.Time{}
			if (got.LastUsedAt == nil) != (tc.want.LastUsedAt == nil) ||
				got.LastUsedAt != nil && !got.LastUsedAt.Equal(*tc.want.LastUsedAt) {
				t.Errorf("LastUsedAt = %v, want %v", got.LastUsedAt, tc.want.LastUsedAt)
			}
			got.LastUsedAt, tc.want.LastUsedAt = nil, nil
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tc.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("view\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}

	raw, err := json.Marshal(views)
	if err != nil {
		t.Fatal(err)
	}
	checkNoNullExcept(t, raw, "last_used_at")
	if strings.Contains(string(raw), idle.Secret) {
		t.Errorf("the listing shows a client secret: %s", raw)
	}
	// Exactly these fields: a new one is a decision, not an accident.
	var objects []map[string]any
	if err := json.Unmarshal(raw, &objects); err != nil {
		t.Fatal(err)
	}
	fields := []string{"client_id", "client_name", "configured", "created_at", "grant_types", "last_used_at",
		"redirect_uris", "registered_from", "token_endpoint_auth_method"}
	for _, o := range objects {
		got := slices.Sorted(maps.Keys(o))
		if got = slices.DeleteFunc(got, func(k string) bool { return k == "scope" }); !slices.Equal(got, fields) {
			t.Errorf("fields %v, want %v (and scope when set)", got, fields)
		}
	}
}

// checkNoNullExcept fails when a JSON value other than the named field is
// null.
func checkNoNullExcept(t testing.TB, raw []byte, field string) {
	t.Helper()
	checkNoNull(t, []byte(strings.ReplaceAll(string(raw), `"`+field+`":null`, `"`+field+`":0`)))
}

func TestRevokeClientGrants(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		client func(*testServer, testing.TB) testClient
	}{
		{"dynamic client", func(ts *testServer, t testing.TB) testClient { return ts.publicClient(t) }},
		// A configured client cannot be deleted here, but its tokens can
		// be stopped.
		{"configured client", (*testServer).seedCLI},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, withAudit)
			c := tc.client(ts, t)
			_, first := loggedIn(t, ts, login{Client: c})
			_, second := loggedIn(t, ts, login{Client: c})
			other, otherTokens := loggedIn(t, ts, login{})
			// Verified once, so that the cache holds them: the revocation
			// must reach it.
			ts.mustVerify(t, first.AccessToken)
			ts.mustVerify(t, second.AccessToken)

			n, err := ts.RevokeClientGrants(ctx, adminActor, c.ID)
			if err != nil || n != 2 {
				t.Fatalf("RevokeClientGrants = %d, %v; want 2 grants", n, err)
			}
			for _, tokens := range []tokenSet{first, second} {
				ts.mustRefuse(t, tokens.AccessToken, "after revoking the client's grants")
				resp, body := ts.refresh(t, c, tokens.RefreshToken, nil)
				checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
			}
			// Another client's tokens still work, and the client stays.
			ts.mustVerify(t, otherTokens.AccessToken)
			resp, body := ts.refresh(t, other, otherTokens.RefreshToken, nil)
			checkTokens(t, resp, body)
			if _, err := ts.DB.Client(ctx, c.ID); err != nil {
				t.Errorf("the client is gone: %v", err)
			}

			if n, err := ts.RevokeClientGrants(ctx, adminActor, c.ID); err != nil || n != 0 {
				t.Errorf("revoking again = %d, %v; want 0 grants", n, err)
			}
			events := ts.auditOf(t, "oauth.client.revoke_grants")
			if len(events) != 2 {
				t.Fatalf("%d audit events, want 2", len(events))
			}
			e := events[1]
			if e.Target != c.ID || e.Result != store.ResultOK || e.Detail != "revoked 2 grants" ||
				e.Principal != adminActor.Identity() || e.KeyID != "key_admin" || e.ClientAddr != adminActor.ClientAddr {
				t.Errorf("audit event = %+v", e)
			}
		})
	}
}

func TestDeleteClient(t *testing.T) {
	ctx := context.Background()
	ts := newTestServer(t, withAudit)
	c, tokens := loggedIn(t, ts, login{})
	ts.mustVerify(t, tokens.AccessToken)

	if err := ts.DeleteClient(ctx, adminActor, c.ID); err != nil {
		t.Fatalf("DeleteClient: %v", err)
	}
	if _, err := ts.DB.Client(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("client after delete: %v, want ErrNotFound", err)
	}
	ts.mustRefuse(t, tokens.AccessToken, "after deleting the client")
	// The client is unknown now: invalid_client, which makes MCP clients
	// register again.
	resp, body := ts.refresh(t, c, tokens.RefreshToken, nil)
	checkError(t, resp, body, http.StatusUnauthorized, errInvalidClient)
	if views, err := ts.ListClients(ctx, adminActor); err != nil || len(views) != 0 {
		t.Errorf("ListClients after delete = %v, %v; want none", views, err)
	}

	events := ts.auditOf(t, "oauth.client.delete")
	if len(events) != 1 {
		t.Fatalf("%d audit events, want 1", len(events))
	}
	if e := events[0]; e.Target != c.ID || e.Result != store.ResultOK || e.Principal != adminActor.Identity() || e.Detail != "flow test client" {
		t.Errorf("audit event = %+v", e)
	}
	if err := ts.DeleteClient(ctx, adminActor, c.ID); apikey.KindOf(err) != apikey.KindNotFound {
		t.Errorf("deleting again = %v, want not found", err)
	}
}

// TestClientAdminRefusals: each refusal has its kind, changes nothing, and
// is audited without naming a client that does not exist.
func TestClientAdminRefusals(t *testing.T) {
	ctx := context.Background()
	// A client secret has the shape of an id; it must not reach the audit
	// log or a message.
	const pasted = "pasted-secret-0123456789abcdefghijklmnopq"
	type call func(ts *testServer, a apikey.Actor, id string) error
	list := func(ts *testServer, a apikey.Actor, _ string) error {
		_, err := ts.ListClients(ctx, a)
		return err
	}
	revoke := func(ts *testServer, a apikey.Actor, id string) error {
		_, err := ts.RevokeClientGrants(ctx, a, id)
		return err
	}
	del := func(ts *testServer, a apikey.Actor, id string) error { return ts.DeleteClient(ctx, a, id) }
	tests := []struct {
		name     string
		call     call
		actor    apikey.Actor
		id       string // "" for the dynamic client, "cli" the configured one
		wantKind apikey.Kind
		action   string // the audit action, "" when none is recorded
		target   string // of the audit event
	}{
		{"list without admin", list, keysAdmin, "", apikey.KindForbidden, "", ""},
		{"revoke without admin", revoke, keysAdmin, "", apikey.KindForbidden, "oauth.client.revoke_grants", ""},
		{"delete without admin", del, keysAdmin, "", apikey.KindForbidden, "oauth.client.delete", ""},
		{"no actor at all", del, apikey.Actor{}, "", apikey.KindForbidden, "oauth.client.delete", ""},
		{"revoke unknown", revoke, adminActor, pasted, apikey.KindNotFound, "oauth.client.revoke_grants", ""},
		{"delete unknown", del, adminActor, pasted, apikey.KindNotFound, "oauth.client.delete", ""},
		{"delete configured", del, adminActor, "cli", apikey.KindConflict, "oauth.client.delete", "cli"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, withAudit)
			cli := ts.seedCLI(t)
			c, tokens := loggedIn(t, ts, login{})
			_, cliTokens := loggedIn(t, ts, login{Client: cli})
			id := tc.id
			if id == "" {
				id = c.ID
			}

			err := tc.call(ts, tc.actor, id)
			e, ok := errors.AsType[*apikey.Error](err)
			if !ok || e.Kind != tc.wantKind {
				t.Fatalf("err = %v, want an *apikey.Error of kind %d", err, tc.wantKind)
			}
			if e.Hint == "" && e.Kind != apikey.KindForbidden {
				t.Errorf("%q has no hint", e.Message)
			}
			switch e.Kind {
			case apikey.KindForbidden:
				if e.Scope != auth.ScopeAdmin {
					t.Errorf("Scope = %q, want %q", e.Scope, auth.ScopeAdmin)
				}
			case apikey.KindConflict:
				if !strings.Contains(e.Hint, "platform.yaml") {
					t.Errorf("hint %q does not say to edit platform.yaml", e.Hint)
				}
			}
			if strings.Contains(e.Message+e.Hint, pasted) {
				t.Errorf("the error repeats the id given: %q %q", e.Message, e.Hint)
			}

			// Nothing changed.
			for _, id := range []string{c.ID, cli.ID} {
				if _, err := ts.DB.Client(ctx, id); err != nil {
					t.Errorf("client %s: %v", id, err)
				}
			}
			ts.mustVerify(t, tokens.AccessToken)
			ts.mustVerify(t, cliTokens.AccessToken)

			if tc.action == "" {
				return
			}
			events := ts.auditOf(t, tc.action)
			if len(events) != 1 {
				t.Fatalf("%d audit events %s, want 1", len(events), tc.action)
			}
			if ev := events[0]; ev.Result != store.ResultDenied || ev.Target != tc.target ||
				ev.Principal != tc.actor.Identity() || strings.Contains(ev.Detail, pasted) {
				t.Errorf("audit event = %+v, want denied, target %q", ev, tc.target)
			}
		})
	}
}
