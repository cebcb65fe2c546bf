package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/internal/browsertest"
	"github.com/skillgate/skillgate/internal/testidp"
)

// dashboardPage is a browser tab on a test server's dashboard.
type dashboardPage struct {
	*browsertest.Page
	ts *testServer
}

func openDashboard(t *testing.T, b *browsertest.Browser, ts *testServer) *dashboardPage {
	t.Helper()
	return &dashboardPage{Page: b.Page(t), ts: ts}
}

// signIn signs in through the form, as a person would.
func (p *dashboardPage) signIn(t *testing.T, key string) {
	t.Helper()
	p.Navigate(p.ts.baseURL + "/dashboard")
	if !strings.HasSuffix(p.URL(), "/dashboard/signin?next=%2Fdashboard%2Fkeys") && !strings.Contains(p.URL(), "/dashboard/signin") {
		t.Fatalf("the dashboard did not send a signed-out visitor to sign in: %s", p.URL())
	}
	p.SetValue("#key", key)
	p.Submit(`form[action="/dashboard/signin"]`)
	if !strings.HasSuffix(p.URL(), "/dashboard/keys") {
		t.Fatalf("after signing in: at %s, status %d: %s", p.URL(), p.Status(), p.Text("main"))
	}
}

// createKey fills in the new-key form and returns the plain key the page
// shows once.
func (p *dashboardPage) createKey(t *testing.T, fields map[string]string) string {
	t.Helper()
	p.Navigate(p.ts.baseURL + "/dashboard/keys")
	p.ClickAndWait("#new-key")
	for id, v := range fields {
		p.SetValue("#"+id, v)
	}
	p.Submit("#create-key")
	if p.Status() != http.StatusOK || !p.Exists("#secret") {
		t.Fatalf("create key: status %d: %s", p.Status(), p.Text("main"))
	}
	return strings.TrimSpace(p.Text("#secret"))
}

// The dashboard end to end in a real browser: sign in with the admin key,
// create a key and use it over MCP, revoke it and see MCP refuse it, a
// form without its anti-forgery token refused, and a holder of keys:*
// who cannot see another owner's keys.
func TestDashboardInBrowser(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	b := browsertest.New(t)
	admin := openDashboard(t, b, ts)

	admin.Navigate(ts.baseURL + "/dashboard")
	admin.WaitVisible("#key")
	admin.Screenshot("01-signin")
	admin.signIn(t, testKeys["admin"])
	for _, c := range admin.Cookies() {
		if c.Name == "skillgate_session" && (!c.HTTPOnly || c.SameSite != "Lax") {
			t.Errorf("session cookie: HttpOnly %v, SameSite %q", c.HTTPOnly, c.SameSite)
		}
	}

	admin.Navigate(ts.baseURL + "/dashboard/keys/new")
	admin.Screenshot("01b-new-key-form")
	secret := admin.createKey(t, map[string]string{"name": "alice-agent", "roles": "analyst", "user": "alice", "rate_limit": "600", "monthly_quota": "100"})
	admin.Screenshot("02-key-created")
	if line := admin.Text("#claude-line"); !strings.Contains(line, "claude mcp add --transport http skillgate "+ts.baseURL+"/mcp") || !strings.Contains(line, secret) {
		t.Errorf("claude mcp add line: %q", line)
	}

	// The new key works over MCP at once.
	c := connect(t, ts, streamableLegacy, secret)
	if names := toolNames(t, c); len(names) == 0 {
		t.Fatal("the new key sees no tools")
	}
	if _, err := callTool(t, c, "list_skills", map[string]any{}); err != nil {
		t.Fatalf("list_skills with the new key: %v", err)
	}

	admin.ClickAndWait("#to-key")
	if got := admin.Text("h1"); !strings.Contains(got, "alice-agent") {
		t.Fatalf("key page heading %q", got)
	}
	admin.Screenshot("03-key")

	admin.Navigate(ts.baseURL + "/dashboard/keys")
	if rows := admin.Texts("table.keys tbody tr"); len(rows) < 1 || !strings.Contains(strings.Join(rows, "\n"), "alice-agent") {
		t.Fatalf("keys table rows: %q", rows)
	}
	admin.Screenshot("04-keys")
	aliceID := keyIDOf(t, admin, "alice-agent")

	// A form whose anti-forgery token was tampered with is refused, and
	// the key stays enabled.
	admin.Navigate(ts.baseURL + "/dashboard/keys/" + aliceID)
	admin.Eval(`document.querySelector('#disable-key input[name=csrf]').value = 'forged'; true`, nil)
	admin.Submit("#disable-key")
	if admin.Status() != http.StatusForbidden || !strings.Contains(admin.Text("main"), "Nothing was changed") {
		t.Fatalf("tampered form: status %d: %s", admin.Status(), admin.Text("main"))
	}
	admin.Screenshot("05-csrf-refused")
	if _, err := callTool(t, c, "list_skills", map[string]any{}); err != nil {
		t.Fatalf("the key stopped working after a refused form: %v", err)
	}

	// Revoke, with the confirmation page; the next MCP call fails.
	admin.Navigate(ts.baseURL + "/dashboard/keys/" + aliceID)
	admin.ClickAndWait("#revoke-key")
	admin.Screenshot("06-revoke-confirm")
	admin.ClickAndWait("#confirm")
	if !strings.Contains(admin.Text(".notice"), "revoked") || !strings.Contains(admin.Text("h1"), "revoked") {
		t.Fatalf("after revoking: %s", admin.Text("main"))
	}
	admin.Screenshot("07-revoked")
	if _, err := callTool(t, c, "list_skills", map[string]any{}); err == nil {
		t.Fatal("the revoked key's MCP session still works")
	}
	if err := listToolsErr(t, ts, secret); err == nil {
		t.Fatal("the revoked key opens a new MCP session")
	}

	// A holder of keys:* sees only its own keys.
	bobKey := admin.createKey(t, map[string]string{"name": "bob-lead", "roles": "analyst", "user": "bob"})
	carol := admin.createKey(t, map[string]string{"name": "carol-agent", "roles": "analyst", "user": "carol"})
	carolID := keyIDOf(t, admin, "carol-agent")
	bob := openDashboard(t, b, ts)
	bob.signIn(t, bobKey)
	rows := strings.Join(bob.Texts("table.keys tbody tr"), "\n")
	if !strings.Contains(rows, "bob-lead") || strings.Contains(rows, "carol-agent") || strings.Contains(rows, "alice-agent") {
		t.Errorf("bob's key list:\n%s", rows)
	}
	if bob.Exists(`a[href="/dashboard/audit"]`) {
		t.Error("a non-admin is offered the audit log")
	}
	bob.Screenshot("08-non-admin-keys")
	bob.Navigate(ts.baseURL + "/dashboard/keys/" + carolID)
	if bob.Status() != http.StatusNotFound {
		t.Errorf("bob opening carol's key: status %d", bob.Status())
	}
	bob.Navigate(ts.baseURL + "/dashboard/audit")
	if bob.Status() != http.StatusForbidden {
		t.Errorf("bob opening the audit log: status %d", bob.Status())
	}

	// The administrator's audit log shows what happened, newest first.
	admin.Navigate(ts.baseURL + "/dashboard/audit")
	log := admin.Text("table.audit")
	for _, want := range []string{"key.revoke", "key.create", "dashboard.signin", "tool.call"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
	admin.Screenshot("09-audit")
	admin.SetValue("#filter-result", "denied")
	admin.Submit("form.filters")
	admin.Screenshot("10-audit-denied")

	// OAuth clients: a registered client's grants revoked stop its
	// token; then the client is deleted.
	oc := newOAuthClient(t, ts.baseURL)
	tokens := oc.login(testKeys["admin"])
	if err := listToolsErr(t, ts, tokens.AccessToken); err != nil {
		t.Fatalf("the client's token does not work to begin with: %v", err)
	}
	row := `tr[data-client="` + oc.clientID + `"]`
	admin.Navigate(ts.baseURL + "/dashboard/clients")
	if got := admin.Text(row); !strings.Contains(got, "e2e test client") || !strings.Contains(got, oc.redirect) {
		t.Fatalf("client row: %q", got)
	}
	admin.Screenshot("11-clients")
	admin.Submit(row + ` form[action$="/revoke-grants"]`)
	if !strings.Contains(admin.Text(".notice"), "grants were revoked") {
		t.Fatalf("after revoking grants: %s", admin.Text("main"))
	}
	if err := listToolsErr(t, ts, tokens.AccessToken); err == nil {
		t.Fatal("the client's token works after its grants were revoked")
	}
	admin.ClickAndWait(row + ` a[href$="/delete"]`)
	admin.Screenshot("12-client-delete-confirm")
	admin.ClickAndWait("#confirm")
	if admin.Exists(row) || !strings.Contains(admin.Text(".notice"), "deleted") {
		t.Fatalf("after deleting the client: %s", admin.Text("main"))
	}

	ts.assertNoSecretsLogged(t, secret, bobKey, carol)
}

// keyIDOf returns the id of the key named name, from the keys table.
func keyIDOf(t *testing.T, p *dashboardPage, name string) string {
	t.Helper()
	p.Navigate(p.ts.baseURL + "/dashboard/keys")
	var id string
	p.Eval(`(() => { for (const row of document.querySelectorAll('table.keys tbody tr')) {
		if (row.querySelector('a').textContent === `+jsQuote(name)+`) return row.dataset.key; } return ''; })()`, &id)
	if id == "" {
		t.Fatalf("no key named %s in the table", name)
	}
	return id
}

func jsQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// Signing in to the dashboard at a real OpenID provider (oidc-provider on
// Node.js): a person whose roles hold keys:* gets a session; one without
// is refused; a callback carried to another browser does nothing.
func TestDashboardSignInWithIdentityProvider(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	callback := base + "/dashboard/signin/callback"
	node := testidp.StartNode(t, testidp.NodeConfig{
		Resource: oidcAudience,
		Clients: []testidp.NodeClient{{ID: "skillgate-login", Secret: "skillgate-login-secret-0123456789",
			GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{base + "/authorize/callback", callback}}},
		Accounts: map[string]map[string]any{
			"alice": {"email": "alice@example.test", "email_verified": true,
				"realm_access": map[string]any{"roles": []any{"skill-analyst"}}},
			"victor": {"email": "victor@example.test", "email_verified": true,
				"realm_access": map[string]any{"roles": []any{"skill-viewer"}}},
		},
	})
	login := "        login:\n          client_id: skillgate-login\n          client_secret: skillgate-login-secret-0123456789\n          name: Acme SSO\n"
	ts := newTestServer(t, testServerOptions{addr: addr, auth: oidcAuthConfig(node.Issuer()) + login})

	page := browsertest.New(t).Page(t)
	page.Navigate(ts.baseURL + "/dashboard/signin")
	if got := page.Text("a.provider"); got != "Sign in with Acme SSO" {
		t.Errorf("provider button %q", got)
	}
	page.Screenshot("signin-with-provider")

	tests := []struct {
		name, account string
		otherBrowser  bool
		// restarted starts a second sign-in in the same browser before the
		// first one's callback arrives.
		restarted  bool
		wantStatus int
		wantText   string
	}{
		{name: "analyst signs in", account: "alice", wantStatus: http.StatusSeeOther},
		{name: "viewer lacks keys:read", account: "victor", wantStatus: http.StatusForbidden, wantText: "do not hold keys:read"},
		{name: "callback in another browser", account: "alice", otherBrowser: true, wantStatus: http.StatusBadRequest, wantText: "started in another browser"},
		{name: "callback of an older sign-in", account: "alice", restarted: true, wantStatus: http.StatusBadRequest, wantText: "started in another browser"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newOAuthClient(t, ts.baseURL)
			_, page := b.do(http.MethodGet, "/dashboard/signin", "", "", http.StatusOK, nil)
			m := regexp.MustCompile(`href="(/dashboard/signin/provider/0)">Sign in with Acme SSO</a>`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("the sign-in page offers no identity provider:\n%s", page)
			}
			resp, _ := b.do(http.MethodGet, m[1], "", "", http.StatusFound, nil)
			back := node.SignIn(t, resp.Header.Get("Location"), callback, tc.account)
			if tc.otherBrowser {
				b = newOAuthClient(t, ts.baseURL)
			}
			if tc.restarted {
				b.do(http.MethodGet, m[1], "", "", http.StatusFound, nil)
			}
			resp, page = b.do(http.MethodGet, back.String(), "", "", tc.wantStatus, nil)
			if !strings.Contains(page, tc.wantText) {
				t.Errorf("page lacks %q:\n%s", tc.wantText, page)
			}
			signedIn := tc.wantStatus == http.StatusSeeOther
			want := http.StatusSeeOther
			if signedIn {
				want = http.StatusOK
			}
			_, page = b.do(http.MethodGet, "/dashboard/keys", "", "", want, nil)
			if signedIn && !strings.Contains(page, "Signed in as") {
				t.Errorf("keys page after signing in:\n%s", page)
			}
		})
	}
}
