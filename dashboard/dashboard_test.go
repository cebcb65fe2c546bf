package dashboard_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// Every page, signed in or not, carries the headers that keep it out of
// frames, caches and other origins' scripts.
func TestSecurityHeaders(t *testing.T) {
	d := newTestDashboard(t)
	b := d.browser(t)
	signedOut := b.get("/dashboard/signin")
	b.signIn(d.admin)
	for name, p := range map[string]page{"sign-in": signedOut, "keys": b.get("/dashboard/keys"), "unknown": b.get("/dashboard/nope")} {
		for header, want := range map[string]string{
			"X-Frame-Options":        "DENY",
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
		} {
			if got := p.header.Get(header); got != want {
				t.Errorf("%s page: %s = %q, want %q", name, header, got, want)
			}
		}
		csp := p.header.Get("Content-Security-Policy")
		for _, directive := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, directive) {
				t.Errorf("%s page: Content-Security-Policy %q lacks %q", name, csp, directive)
			}
		}
	}
}

func TestSignIn(t *testing.T) {
	d := newTestDashboard(t)
	agent := d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "agent", User: "ann", Roles: []string{"agent"}})
	tests := []struct {
		name       string
		key        string
		badCSRF    bool
		origin     string
		wantStatus int
		wantText   string
	}{
		{name: "admin key", key: d.admin, wantStatus: http.StatusSeeOther},
		{name: "keys:* key", key: d.dev, wantStatus: http.StatusSeeOther},
		{name: "key without keys:read", key: agent, wantStatus: http.StatusForbidden, wantText: "do not hold keys:read"},
		{name: "unknown key", key: "sk_live_" + strings.Repeat("x", 40), wantStatus: http.StatusUnauthorized, wantText: "not accepted"},
		{name: "empty key", key: " ", wantStatus: http.StatusBadRequest, wantText: "Enter an API key"},
		{name: "a JWT", key: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", wantStatus: http.StatusBadRequest, wantText: "not a token"},
		{name: "no csrf", key: d.admin, badCSRF: true, wantStatus: http.StatusForbidden, wantText: "expired or was not sent"},
		{name: "other origin", key: d.admin, origin: "https://evil.example", wantStatus: http.StatusForbidden, wantText: "expired or was not sent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := d.browser(t)
			token := b.csrf("/dashboard/signin")
			if tc.badCSRF {
				token = "forged"
			}
			req, _ := http.NewRequest(http.MethodPost, d.url+"/dashboard/signin",
				strings.NewReader(url.Values{"key": {tc.key}, "csrf": {token}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			before := signIns(t, d)
			p := b.do(req)
			if p.status != tc.wantStatus {
				t.Fatalf("status %d, want %d\n%s", p.status, tc.wantStatus, p.body)
			}
			if !strings.Contains(p.body, tc.wantText) {
				t.Errorf("page lacks %q:\n%s", tc.wantText, p.body)
			}
			if strings.Contains(p.body, tc.key) && strings.TrimSpace(tc.key) != "" {
				t.Error("the page shows the key typed in")
			}
			signedIn := b.get("/dashboard/keys").status == http.StatusOK
			if want := tc.wantStatus == http.StatusSeeOther; signedIn != want {
				t.Errorf("signed in afterwards: %v, want %v", signedIn, want)
			}
			// A key that was checked leaves an audit row, accepted or not.
			after := signIns(t, d)
			checked := tc.wantStatus == http.StatusSeeOther || tc.wantStatus == http.StatusUnauthorized ||
				tc.wantStatus == http.StatusForbidden && !tc.badCSRF && tc.origin == ""
			if !checked {
				if len(after) != len(before) {
					t.Errorf("%d new sign-in audit rows for a form refused up front, want 0", len(after)-len(before))
				}
				return
			}
			if len(after) != len(before)+1 {
				t.Fatalf("%d new sign-in audit rows, want 1", len(after)-len(before))
			}
			if want := map[bool]string{true: store.ResultOK, false: store.ResultDenied}[signedIn]; after[0].Result != want {
				t.Errorf("audit result %q, want %q", after[0].Result, want)
			}
		})
	}
}

// The session cookie is HttpOnly, SameSite=Lax and scoped to the
// dashboard, and the database keeps only its hash.
func TestSessionCookie(t *testing.T) {
	d := newTestDashboard(t)
	b := d.browser(t)
	token := b.csrf("/dashboard/signin")
	p := b.post("/dashboard/signin", url.Values{"key": {d.admin}, "csrf": {token}})
	var session *http.Cookie
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "skillgate_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session cookie set; headers %v", p.header)
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/dashboard" || session.MaxAge <= 0 || session.MaxAge > 3600 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/dashboard, MaxAge within an hour", session)
	}
	if session.Secure {
		t.Error("cookie is Secure over plain HTTP on loopback: the browser would drop it")
	}
	hash := sha256.Sum256([]byte(session.Value))
	s, err := d.db.WebSession(context.Background(), hash[:], time.Now())
	if err != nil {
		t.Fatalf("the session is not stored under the cookie's hash: %v", err)
	}
	if s.Identity.CredentialID == "" || strings.Contains(s.Identity.SecretID, session.Value) {
		t.Errorf("stored identity %+v", s.Identity)
	}
}

// A form posted without the session's anti-forgery token, or with another
// session's, is refused and changes nothing.
func TestCSRF(t *testing.T) {
	d := newTestDashboard(t)
	victim := d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "victim", User: "vic", Roles: []string{"dev"}})
	id := keyIDOf(t, d, victim)
	b := d.browser(t)
	b.signIn(d.admin)
	other := d.browser(t)
	other.signIn(d.admin)
	tests := []struct {
		name string
		csrf string
	}{
		{"no token", ""},
		{"forged token", "AAAA"},
		{"another session's token", other.csrf("/dashboard/keys")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := b.post("/dashboard/keys/"+id+"/revoke", url.Values{"csrf": {tc.csrf}})
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403\n%s", p.status, p.body)
			}
			if !strings.Contains(p.body, "Nothing was changed") {
				t.Errorf("page does not say nothing changed:\n%s", p.body)
			}
			assertState(t, d, id, store.StateActive)
		})
	}
	victimBrowser := d.browser(t)
	victimSession := victimBrowser.signInWithSession(d, victim)
	if p := b.post("/dashboard/keys/"+id+"/revoke", url.Values{"csrf": {b.csrf("/dashboard/keys")}}); p.status != http.StatusSeeOther {
		t.Fatalf("revoke with the right token: status %d\n%s", p.status, p.body)
	}
	assertState(t, d, id, store.StateRevoked)
	if _, err := d.db.WebSession(context.Background(), victimSession, time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the revoked key's dashboard session is still stored: %v", err)
	}
}

// Revoking the key a session signed in with ends the session at its next
// request, and so does disabling it.
func TestSessionEndsWithItsKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(ctx context.Context, m *apikey.Manager, id string) error
	}{
		{"revoked", func(ctx context.Context, m *apikey.Manager, id string) error {
			_, err := m.Revoke(ctx, apikey.CLIActor("tester"), id)
			return err
		}},
		{"disabled", func(ctx context.Context, m *apikey.Manager, id string) error {
			off := false
			_, err := m.Update(ctx, apikey.CLIActor("tester"), id, apikey.UpdateParams{Enabled: &off})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newTestDashboard(t)
			b := d.browser(t)
			b.signIn(d.dev)
			if err := tc.change(context.Background(), d.mgr, keyIDOf(t, d, d.dev)); err != nil {
				t.Fatal(err)
			}
			p := b.get("/dashboard/keys")
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/dashboard/signin?") ||
				!strings.Contains(p.header.Get("Location"), "reason=revoked") {
				t.Fatalf("status %d, Location %q; want a redirect to sign in", p.status, p.header.Get("Location"))
			}
		})
	}
}

// A holder of keys:* sees its own key and the keys it minted, never
// another owner's: the list leaves them out and their pages are 404.
func TestNonAdminSeesOnlyItsKeys(t *testing.T) {
	d := newTestDashboard(t)
	other := keyIDOf(t, d, d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "someone-elses", User: "eve", Roles: []string{"agent"}}))
	b := d.browser(t)
	b.signIn(d.dev)
	child := b.post("/dashboard/keys", url.Values{"csrf": {b.csrf("/dashboard/keys/new")}, "name": {"my-child"},
		"parent_id": {keyIDOf(t, d, d.dev)}, "scopes": {"skills:read"}})
	if child.status != http.StatusOK || !strings.Contains(child.body, "shown only this once") {
		t.Fatalf("create child: status %d\n%s", child.status, child.body)
	}
	list := b.get("/dashboard/keys")
	for _, want := range []string{"my-child", ">dev<"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("the list lacks %s", want)
		}
	}
	if strings.Contains(list.body, other) || strings.Contains(list.body, "someone-elses") {
		t.Error("the list shows another owner's key")
	}
	for _, path := range []string{"/dashboard/keys/" + other, "/dashboard/keys/" + other + "/revoke"} {
		if p := b.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, p.status)
		}
	}
	if p := b.post("/dashboard/keys/"+other+"/revoke", url.Values{"csrf": {b.csrf("/dashboard/keys")}}); p.status != http.StatusNotFound {
		t.Errorf("revoke another's key: status %d, want 404", p.status)
	}
	assertState(t, d, other, store.StateActive)
	if p := b.get("/dashboard/audit"); p.status != http.StatusForbidden {
		t.Errorf("audit log for a non-admin: status %d, want 403", p.status)
	}
}

// A refused creation shows the form again, filled in, with the reason.
func TestCreateRefusedKeepsTheForm(t *testing.T) {
	d := newTestDashboard(t)
	b := d.browser(t)
	b.signIn(d.admin)
	p := b.post("/dashboard/keys", url.Values{"csrf": {b.csrf("/dashboard/keys/new")}, "name": {"no-owner"}, "roles": {"agent"}, "rate_limit": {"12"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "needs an owner") {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, `value="no-owner"`) || !strings.Contains(p.body, `value="12"`) {
		t.Errorf("the form is not filled in as sent:\n%s", p.body)
	}
	if p := b.post("/dashboard/keys", url.Values{"csrf": {b.csrf("/dashboard/keys/new")}, "name": {"x"}, "rate_limit": {"many"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Rate limit must be a whole number") {
		t.Errorf("a rate limit that is not a number: status %d\n%s", p.status, p.body)
	}
}

// Fields left empty in the new-key form mean the defaults (the roles'
// scopes, every skill), never "none".
func TestCreateKeyDefaults(t *testing.T) {
	d := newTestDashboard(t)
	b := d.browser(t)
	b.signIn(d.admin)
	p := b.post("/dashboard/keys", url.Values{"csrf": {b.csrf("/dashboard/keys/new")}, "name": {"defaults"},
		"user": {"ann"}, "roles": {"agent"}, "scopes": {" "}, "allowed_skills": {""}})
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	m := regexp.MustCompile(`<code id="secret">([^<]+)</code>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no secret in the page:\n%s", p.body)
	}
	k, _, err := d.db.KeyBySecret(context.Background(), apikey.Hash(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	if k.Scopes != nil || k.AllowedSkillIDs != nil {
		t.Errorf("stored scopes %#v and allowed skills %#v, want nil (the defaults)", k.Scopes, k.AllowedSkillIDs)
	}
}

// Rotating shows the new secret once and when the old one stops; both
// work until then.
func TestRotate(t *testing.T) {
	d := newTestDashboard(t)
	old := d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "rotating", User: "ann", Roles: []string{"agent"}})
	id := keyIDOf(t, d, old)
	b := d.browser(t)
	b.signIn(d.admin)
	p := b.post("/dashboard/keys/"+id+"/rotate", url.Values{"csrf": {b.csrf("/dashboard/keys/" + id)}, "grace_hours": {"0.5"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "keeps working until") {
		t.Fatalf("rotate: status %d\n%s", p.status, p.body)
	}
	m := regexp.MustCompile(`<code id="secret">([^<]+)</code>`).FindStringSubmatch(p.body)
	if m == nil || m[1] == old {
		t.Fatalf("no new secret in the page")
	}
	for name, secret := range map[string]string{"old": old, "new": m[1]} {
		if _, _, err := d.db.KeyBySecret(context.Background(), apikey.Hash(secret)); err != nil {
			t.Errorf("the %s secret is not stored: %v", name, err)
		}
	}
	if p := b.post("/dashboard/keys/"+id+"/rotate", url.Values{"csrf": {b.csrf("/dashboard/keys/" + id)}, "grace_hours": {"soon"}}); p.status != http.StatusBadRequest {
		t.Errorf("grace that is not a number: status %d", p.status)
	}
}

// The edit form changes only what was changed in it.
func TestUpdateChangesOnlyWhatChanged(t *testing.T) {
	d := newTestDashboard(t)
	plain := d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "limited", User: "ann", Roles: []string{"agent"},
		MonthlyQuota: 50, RateLimitPerMinute: 10, AllowedSkillIDs: []string{"a", "b"}})
	id := keyIDOf(t, d, plain)
	b := d.browser(t)
	b.signIn(d.admin)
	p := b.post("/dashboard/keys/"+id+"/update", url.Values{"csrf": {b.csrf("/dashboard/keys/" + id)},
		"name": {"limited"}, "monthly_quota": {"50"}, "rate_limit": {"20"}, "allowed_skills": {"a, b"}, "expires": {""}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("update: status %d\n%s", p.status, p.body)
	}
	k, err := d.db.KeyByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if k.RateLimitPerMinute != 20 || k.MonthlyQuota != 50 || strings.Join(k.AllowedSkillIDs, ",") != "a,b" {
		t.Errorf("after the update: rate %d, quota %d, skills %v", k.RateLimitPerMinute, k.MonthlyQuota, k.AllowedSkillIDs)
	}
	events, err := d.db.ListAudit(context.Background(), store.AuditFilter{Action: "key.update", Limit: 1})
	if err != nil || len(events) != 1 || !strings.Contains(events[0].Detail, "rate") || strings.Contains(events[0].Detail, "quota") {
		t.Errorf("audit of the update: %+v, %v", events, err)
	}
}

// A key's rate limit applies to its pages, and sign-in attempts are
// limited per address.
func TestRateLimits(t *testing.T) {
	d := newTestDashboard(t)
	limited := d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "limited", User: "lee", Roles: []string{"dev"}, RateLimitPerMinute: 3})
	b := d.browser(t)
	b.signIn(limited)
	var statuses []int
	for range 5 {
		statuses = append(statuses, b.get("/dashboard/keys").status)
	}
	if statuses[0] != http.StatusOK || statuses[4] != http.StatusTooManyRequests {
		t.Errorf("page statuses under a limit of 3 a minute: %v", statuses)
	}

	stranger := d.browser(t)
	var last page
	for range 11 {
		last = stranger.post("/dashboard/signin", url.Values{"key": {"sk_live_wrong"}, "csrf": {stranger.csrf("/dashboard/signin")}})
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Too many sign-in attempts") {
		t.Errorf("11th sign-in attempt: status %d", last.status)
	}
}

// signIns returns the dashboard.signin audit events, newest first.
func signIns(t *testing.T, d *testDashboard) []store.AuditEvent {
	t.Helper()
	events, err := d.db.ListAudit(context.Background(), store.AuditFilter{Action: "dashboard.signin"})
	if err != nil {
		t.Fatal(err)
	}
	return events
}
