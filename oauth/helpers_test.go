package oauth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store/sqlite"
)

// testIssuer is the issuer of every test server. It is not where the test
// server listens (that port is random): the authorization server never
// derives URLs from requests, so it need not be.
const testIssuer = "http://127.0.0.1:1"

// testAPIKey is the static API key the test servers' Credentials accept;
// it stands for the principal named testKeyName.
const (
	testAPIKey  = "sk_test_oauth_0123456789abcdefghijklmnopqrstuv"
	testKeyName = "tester"
)

// testServer is an authorization server on a real SQLite store, served by
// an httptest.Server.
type testServer struct {
	*Server
	// URL is where the httptest.Server listens.
	URL string
	// DB is the store, Path its file.
	DB   *sqlite.DB
	Path string
	// HTTP is a client of the server that does not follow redirects.
	HTTP *http.Client

	ts        *httptest.Server
	closeOnce sync.Once
}

// newTestServer starts a server on a new database; each mod may change the
// Options before New.
func newTestServer(t testing.TB, mods ...func(*Options)) *testServer {
	t.Helper()
	return newTestServerAt(t, filepath.Join(t.TempDir(), "db.sqlite"), mods...)
}

// newTestServerAt starts a server on the database at path, which may hold
// data from an earlier server.
func newTestServerAt(t testing.TB, path string, mods ...func(*Options)) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	keys, err := apikey.NewStatic([]apikey.StaticKey{{
		Key: testAPIKey, Name: testKeyName,
		Scopes: []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute},
	}})
	if err != nil {
		db.Close()
		t.Fatalf("static keys: %v", err)
	}
	opts := Options{
		Store:       db,
		Versions:    db,
		Issuer:      testIssuer,
		Credentials: &auth.Authenticator{Keys: []auth.Verifier{keys}},
		Scopes: func(auth.Principal) []string {
			return []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute}
		},
		SupportedScopes: []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute},
	}
	for _, mod := range mods {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		db.Close()
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	hs := httptest.NewServer(mux)
	client := hs.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ts := &testServer{Server: s, URL: hs.URL, DB: db, Path: path, HTTP: client, ts: hs}
	t.Cleanup(ts.Close)
	return ts
}

// Close stops the server and closes the store; later calls do nothing.
func (ts *testServer) Close() {
	ts.closeOnce.Do(func() {
		ts.ts.Close()
		ts.DB.Close()
	})
}

// do sends a request to path on the test server; header holds name, value
// pairs. It returns the response, its body read.
func (ts *testServer) do(t testing.TB, method, path string, body io.Reader, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := ts.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, b
}

// postJSON posts body as application/json to path.
func (ts *testServer) postJSON(t testing.TB, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return ts.do(t, http.MethodPost, path, strings.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
}

// decodeObject decodes a JSON object, keeping numbers as json.Number.
func decodeObject(t testing.TB, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		t.Fatalf("not a JSON object (%v): %s", err, b)
	}
	return m
}

// checkNoNull fails when any value anywhere in the JSON document b is
// null: clients written in typed languages choke on them.
func checkNoNull(t testing.TB, b []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON (%v): %s", err, b)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case nil:
			t.Errorf("%s is null in %s", path, b)
		case map[string]any:
			for k, e := range v {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range v {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		}
	}
	walk("$", v)
}

// checkError checks an OAuth error response.
func checkError(t testing.TB, resp *http.Response, body []byte, status int, code string) map[string]any {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	m := decodeObject(t, body)
	if m["error"] != code {
		t.Errorf("error = %v, want %s; body %s", m["error"], code, body)
	}
	if d, _ := m["error_description"].(string); d == "" {
		t.Errorf("no error_description: %s", body)
	}
	checkNoNull(t, body)
	return m
}
