package oauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/internal/loopback"
)

// FuzzClientMetadata feeds arbitrary registration bodies to the RFC 7591
// parser and validator: no panic, and whatever is accepted obeys the rules
// (valid redirect URIs, known grant types and auth methods).
func FuzzClientMetadata(f *testing.F) {
	for _, seed := range []string{
		`{"redirect_uris":["http://127.0.0.1:3000/cb"],"token_endpoint_auth_method":"none"}`,
		`{"redirect_uris":["https://app.example/cb"],"grant_types":["authorization_code","refresh_token"],"client_name":"x","scope":"skills:read"}`,
		`{"redirect_uris":"not a list"}`, `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_post"}`,
		`{"redirect_uris":["com.example.app:/cb"],"application_type":"native","scope":""}`, `null`, `[]`, `{"redirect_uris":[null]}`,
	} {
		f.Add(seed)
	}
	s := &Server{opts: Options{Issuer: "http://127.0.0.1:1", SupportedScopes: []string{"skills:read", "skills:execute"}}}
	f.Fuzz(func(t *testing.T, body string) {
		m, oerr := s.parseClientMetadata([]byte(body))
		if oerr == nil {
			oerr = s.validateClientMetadata(&m)
		}
		if oerr != nil {
			if oerr.Code == "" || oerr.status < 400 {
				t.Fatalf("refusal without a code or status: %+v", oerr)
			}
			return
		}
		raw, _ := json.Marshal(m)
		if strings.Contains(string(raw), "null") && !strings.Contains(body, "null") {
			t.Logf("accepted metadata encodes null: %s", raw)
		}
	})
}

// FuzzRedirectURI checks that a URI accepted for registration is https,
// loopback http or a private-use scheme, never carries a fragment, and that
// matching never panics.
func FuzzRedirectURI(f *testing.F) {
	for _, seed := range []string{"https://app.example/cb", "http://127.0.0.1:8080/cb", "http://evil.example/cb",
		"com.example.app:/cb", "javascript:alert(1)", "https://app.example/cb#x", "http://[::1]:9/cb", "http://localhost./cb"} {
		f.Add(seed, "http://127.0.0.1:9999/cb")
	}
	f.Fuzz(func(t *testing.T, uri, got string) {
		if err := checkRedirectURI(uri); err == nil {
			u, perr := url.Parse(uri)
			if perr != nil || strings.Contains(uri, "#") {
				t.Fatalf("accepted %q", uri)
			}
			if u.Scheme == "http" && !loopback.Host(u.Hostname()) {
				t.Fatalf("accepted plain http to %q", u.Hostname())
			}
		}
		if matchRedirectURI([]string{uri}, got) && uri != got {
			a, _ := url.Parse(uri)
			b, _ := url.Parse(got)
			if a == nil || b == nil || a.Scheme != "http" || !loopback.Host(a.Hostname()) || a.Path != b.Path || a.Hostname() != b.Hostname() {
				t.Fatalf("%q matched registered %q", got, uri)
			}
		}
	})
}

// FuzzTokenRequest sends arbitrary forms to /token and /revoke: every
// answer is JSON with an error code or a token, never a panic or a 5xx.
func FuzzTokenRequest(f *testing.F) {
	for _, seed := range []string{
		"grant_type=authorization_code&code=x&client_id=y&code_verifier=z&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb",
		"grant_type=refresh_token&refresh_token=sgr_x&client_id=y", "grant_type=client_credentials&client_id=a&client_secret=b",
		"grant_type=password&username=a", "client_id=a&client_id=b", "%zz", "",
	} {
		f.Add(seed, "")
		f.Add(seed, "Basic eDp5")
	}
	ts := newTestServer(f)
	f.Fuzz(func(t *testing.T, form, authz string) {
		for _, path := range []string{"/token", "/revoke"} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if authz != "" && !strings.ContainsAny(authz, "\r\n") {
				req.Header.Set("Authorization", authz)
			}
			rec := httptest.NewRecorder()
			mux := http.NewServeMux()
			ts.Mount(mux)
			mux.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: status %d: %s", path, form, rec.Code, rec.Body)
			}
			if rec.Code != http.StatusOK {
				var e map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e["error"] == "" {
					t.Fatalf("%s %q: status %d with body %s", path, form, rec.Code, rec.Body)
				}
			}
		}
	})
}
