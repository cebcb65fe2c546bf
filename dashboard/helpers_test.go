package dashboard_test

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/dashboard"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
)

// roleScopes is the test policy: what each role allows at most.
func roleScopes(roles []string) []string {
	out := []string{}
	for _, r := range roles {
		switch r {
		case "admin":
			out = append(out, auth.ScopeAdmin)
		case "dev":
			out = append(out, "keys:*", auth.ScopeSkillsRead)
		case "agent":
			out = append(out, auth.ScopeSkillsRead, auth.ScopeSkillsExecute)
		}
	}
	return out
}

func effectiveScopes(p auth.Principal) []string { return auth.Effective(p.Scopes, roleScopes(p.Roles)) }

// testDashboard is the dashboard over real HTTP on 127.0.0.1 with a real
// SQLite store, key manager and verifier.
type testDashboard struct {
	url string
	db  *sqlite.DB
	mgr *apikey.Manager
	// admin and dev are plain keys: an administrator's, and a developer's
	// holding keys:*.
	admin, dev string
}

func newTestDashboard(t testing.TB) *testDashboard {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "skillgate.db"))
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	recorder := audit.Sync{A: db, Logger: logger}
	mgr, err := apikey.NewManager(db, recorder, apikey.Policy{RoleScopes: roleScopes, RotationGrace: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	authn := &auth.Authenticator{Keys: []auth.Verifier{apikey.NewManaged(db, apikey.ManagedOptions{Logger: logger})}}
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	h, err := dashboard.New(dashboard.Options{
		Credentials: authn, Keys: mgr, Audit: audit.NewReader(db), Sessions: db, AuditLog: recorder, Limiter: ratelimit.New(),
		Scopes: effectiveScopes, BaseURL: srv.URL, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	srv.Config.Handler = mux
	d := &testDashboard{url: srv.URL, db: db, mgr: mgr}
	d.admin = d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "root", User: "root", Roles: []string{"admin"}})
	d.dev = d.create(t, apikey.CLIActor("tester"), apikey.CreateParams{Name: "dev", User: "dana", Roles: []string{"dev"}})
	return d
}

func (d *testDashboard) create(t testing.TB, a apikey.Actor, p apikey.CreateParams) string {
	t.Helper()
	c, err := d.mgr.Create(context.Background(), a, p)
	if err != nil {
		t.Fatalf("create key %s: %v", p.Name, err)
	}
	return c.Secret
}

// browser is an HTTP client that keeps cookies and does not follow
// redirects, so that tests see each answer.
type browser struct {
	t      testing.TB
	d      *testDashboard
	client *http.Client
}

func (d *testDashboard) browser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, d: d, client: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is an answer: status, headers and body.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.d.url+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.d.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the anti-forgery token of the forms of the page at path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	p := b.get(path)
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("GET %s (status %d): no csrf field in the page", path, p.status)
	}
	return m[1]
}

// signIn signs in with key and fails the test unless it works.
func (b *browser) signIn(key string) {
	b.t.Helper()
	p := b.post("/dashboard/signin", url.Values{"key": {key}, "csrf": {b.csrf("/dashboard/signin")}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/dashboard/keys" {
		b.t.Fatalf("sign in: status %d, Location %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
}

// keyIDOf returns the id of the key whose secret is plain.
func keyIDOf(t *testing.T, d *testDashboard, plain string) string {
	t.Helper()
	k, _, err := d.db.KeyBySecret(context.Background(), apikey.Hash(plain))
	if err != nil {
		t.Fatalf("look up key: %v", err)
	}
	return k.ID
}

// assertState fails unless the stored key id is in state want.
func assertState(t *testing.T, d *testDashboard, id string, want store.KeyState) {
	t.Helper()
	k, err := d.db.KeyByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.State(time.Now()); got != want {
		t.Errorf("key %s is %s, want %s", id, got, want)
	}
}

// signInWithSession signs in with key and returns the stored hash of the
// session cookie it got.
func (b *browser) signInWithSession(d *testDashboard, key string) []byte {
	b.t.Helper()
	b.signIn(key)
	u, err := url.Parse(d.url + "/dashboard/")
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "skillgate_session" {
			sum := sha256.Sum256([]byte(c.Value))
			return sum[:]
		}
	}
	b.t.Fatal("no session cookie after signing in")
	return nil
}
