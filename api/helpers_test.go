package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/api"
	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/oauth"
	"github.com/skillgate/skillgate/ratelimit"
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
		case "reader":
			out = append(out, auth.ScopeKeysRead, auth.ScopeSkillsRead)
		case "runner":
			out = append(out, auth.ScopeSkillsExecute)
		}
	}
	return out
}

func effectiveScopes(p auth.Principal) []string { return auth.Effective(p.Scopes, roleScopes(p.Roles)) }

// testClock is the one clock of a test API: manager, verifier, limiter.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testAPI is the REST API over real HTTP on 127.0.0.1, with a real SQLite
// store, key manager, verifier and rate limiter, and an authorization
// server on the same store whose endpoints (/register...) are served
// alongside.
type testAPI struct {
	url   string
	db    *sqlite.DB
	mgr   *apikey.Manager
	as    *oauth.Server
	clock *testClock
	logs  *syncBuffer
	// admin is the plain secret of an administrator's key.
	admin string

	mu sync.Mutex
	// secrets are every plain key issued; leaks are the response bodies
	// that must not contain any of them (all but creations and
	// rotations).
	secrets []string
	bodies  []string
}

// newTestAPI starts a test API; each mod may change its Options before
// New.
func newTestAPI(t testing.TB, mods ...func(*api.Options)) *testAPI {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "skillgate.db"))
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &testClock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	recorder := audit.Sync{A: db, Logger: logger}
	mgr, err := apikey.NewManager(db, recorder, apikey.Policy{RoleScopes: roleScopes, RotationGrace: 24 * time.Hour}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	authn := &auth.Authenticator{Keys: []auth.Verifier{apikey.NewManaged(db, apikey.ManagedOptions{Now: clock.Now, Logger: logger})}}
	as, err := oauth.New(oauth.Options{
		Store: db, Versions: db, Issuer: "http://127.0.0.1:1", Credentials: authn,
		Scopes: effectiveScopes, SupportedScopes: []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute},
		Audit: recorder, Logger: logger, Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := api.Options{
		Auth:     authn,
		Keys:     mgr,
		Audit:    db,
		Clients:  as,
		AuditLog: recorder,
		Scopes:   effectiveScopes,
		Limiter:  ratelimit.New(ratelimit.WithClock(clock.Now)),
		Logger:   logger,
		Now:      clock.Now,
	}
	for _, mod := range mods {
		mod(&opts)
	}
	h, err := api.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	as.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	admin, err := mgr.Create(ctx, apikey.CLIActor("tester"), apikey.CreateParams{Name: "root", User: "root", Roles: []string{"admin"}})
	if err != nil {
		t.Fatalf("create admin key: %v", err)
	}
	ta := &testAPI{url: srv.URL, db: db, mgr: mgr, as: as, clock: clock, logs: logs, admin: admin.Secret, secrets: []string{admin.Secret}}
	t.Cleanup(func() { ta.assertNoLeaks(t) })
	return ta
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// decode decodes the body into v, failing the test if it cannot.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiError is the structured error body.
type apiError struct {
	Error       string   `json:"error"`
	Message     string   `json:"message"`
	Suggestions []string `json:"suggestions"`
}

func (r response) apiError(t *testing.T) apiError {
	t.Helper()
	var e apiError
	r.decode(t, &e)
	if e.Error == "" || e.Message == "" || len(e.Suggestions) == 0 {
		t.Errorf("error body %s lacks a code, message or hint", r.body)
	}
	return e
}

// do sends a request with key as bearer (none if empty). body is sent
// as is if a string, as JSON otherwise, with Content-Type
// application/json; nil sends none. edit may change the request.
func (ta *testAPI) do(t *testing.T, method, path, key string, body any, edit ...func(*http.Request)) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, ta.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for _, f := range edit {
		f(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s %s: Cache-Control = %q, want no-store", method, path, got)
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: raw}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	var c apikey.Created
	if resp.StatusCode == http.StatusCreated && json.Unmarshal(raw, &c) == nil && c.Secret != "" {
		ta.secrets = append(ta.secrets, c.Secret)
	} else {
		ta.bodies = append(ta.bodies, string(raw))
	}
	return r
}

// want fails the test unless the response has status.
func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// create creates a key as the caller key and returns the answer. It
// first moves the clock on a second, so that keys list in creation order
// (ties would be broken by their random ids).
func (ta *testAPI) create(t *testing.T, key string, body map[string]any) apikey.Created {
	t.Helper()
	ta.clock.Advance(time.Second)
	var c apikey.Created
	ta.do(t, http.MethodPost, "/v1/api-keys", key, body).want(t, http.StatusCreated).decode(t, &c)
	if c.Secret == "" || c.Key.ID == "" {
		t.Fatalf("creation answered %+v", c)
	}
	return c
}

// assertNoLeaks fails if a plain key appears in any response body other
// than the one that issued it, or in any log line.
func (ta *testAPI) assertNoLeaks(t testing.TB) {
	t.Helper()
	ta.mu.Lock()
	defer ta.mu.Unlock()
	logs := ta.logs.String()
	for _, s := range ta.secrets {
		for _, b := range ta.bodies {
			if strings.Contains(b, s) {
				t.Errorf("a plain key appears in a response body: %.200s", b)
			}
		}
		if strings.Contains(logs, s) {
			t.Errorf("a plain key appears in the logs")
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a server's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
