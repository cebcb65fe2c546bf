package discovery_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/skillgate/skillgate/oauth/discovery"
)

const issuer = "https://skills.example.com"

var testScopes = []string{"skills:read", "skills:execute", "keys:read", "keys:write", "admin"}

type staticKeys struct {
	set jose.JSONWebKeySet
	err error
}

func (s staticKeys) PublicKeys(context.Context) (jose.JSONWebKeySet, error) { return s.set, s.err }

func newServer(t *testing.T, c discovery.Config) *httptest.Server {
	t.Helper()
	if c.Keys == nil {
		c.Keys = staticKeys{}
	}
	h, err := discovery.New(c)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	ts := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(ts.Close)
	return ts
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, method, url string, set func(*http.Request)) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if set != nil {
		set(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

// decode decodes a JSON body and fails if any value in it is null.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, body)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case nil:
			t.Errorf("%s is null in %s", path, body)
		case map[string]any:
			for k, e := range v {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range v {
				walk(path+"["+string(rune('0'+i))+"]", e)
			}
		}
	}
	walk("$", got)
	return got
}

func wantJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const scopesJSON = `["skills:read","skills:execute","keys:read","keys:write","admin"]`

func authorizationServerJSON(extra string) string {
	return `{
		"issuer": "https://skills.example.com",
		"authorization_endpoint": "https://skills.example.com/authorize",
		"token_endpoint": "https://skills.example.com/token",
		"registration_endpoint": "https://skills.example.com/register",
		"revocation_endpoint": "https://skills.example.com/revoke",
		"jwks_uri": "https://skills.example.com/.well-known/jwks.json",
		"scopes_supported": ` + scopesJSON + `,
		"response_types_supported": ["code"],
		"response_modes_supported": ["query"],
		"grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
		"code_challenge_methods_supported": ["S256"],
		"token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
		"revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
		"authorization_response_iss_parameter_supported": true` + extra + `
	}`
}

func protectedResourceJSON(resource string) string {
	return `{
		"resource": "` + resource + `",
		"authorization_servers": ["https://skills.example.com"],
		"scopes_supported": ` + scopesJSON + `,
		"bearer_methods_supported": ["header"],
		"resource_name": "skillgate"
	}`
}

var documents = []struct {
	path string
	want string
}{
	{"/.well-known/oauth-authorization-server", authorizationServerJSON("")},
	{"/.well-known/oauth-protected-resource/mcp", protectedResourceJSON("https://skills.example.com/mcp")},
	{"/.well-known/oauth-protected-resource/sse", protectedResourceJSON("https://skills.example.com/sse")},
	{"/.well-known/oauth-protected-resource", protectedResourceJSON("https://skills.example.com")},
}

func TestDocuments(t *testing.T) {
	ts := newServer(t, discovery.Config{Issuer: issuer, Scopes: testScopes})
	for _, tc := range documents {
		t.Run(tc.path, func(t *testing.T) {
			r := do(t, http.MethodGet, ts.URL+tc.path, nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
			}
			if got, want := decode(t, r.body), wantJSON(t, tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("document =\n%s\nwant\n%s", r.body, tc.want)
			}
			for k, want := range map[string]string{
				"Content-Type":                "application/json",
				"Cache-Control":               "public, max-age=3600",
				"Access-Control-Allow-Origin": "*",
			} {
				if got := r.header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}

			head := do(t, http.MethodHead, ts.URL+tc.path, nil)
			if head.status != http.StatusOK || len(head.body) != 0 || head.header.Get("Content-Type") != "application/json" {
				t.Errorf("HEAD = %d, %d bytes, Content-Type %q", head.status, len(head.body), head.header.Get("Content-Type"))
			}
		})
	}
}

func TestClientIDMetadataDocuments(t *testing.T) {
	ts := newServer(t, discovery.Config{Issuer: issuer, Scopes: testScopes, ClientIDMetadataDocuments: true})
	r := do(t, http.MethodGet, ts.URL+"/.well-known/oauth-authorization-server", nil)
	want := wantJSON(t, authorizationServerJSON(`, "client_id_metadata_document_supported": true`))
	if got := decode(t, r.body); !reflect.DeepEqual(got, want) {
		t.Errorf("document = %s", r.body)
	}
}

func TestNoScopes(t *testing.T) {
	ts := newServer(t, discovery.Config{Issuer: issuer})
	for _, tc := range documents {
		r := do(t, http.MethodGet, ts.URL+tc.path, nil)
		if got := decode(t, r.body); got["scopes_supported"] != nil || strings.Contains(string(r.body), "scopes_supported") {
			t.Errorf("%s: scopes_supported present without scopes: %s", tc.path, r.body)
		}
	}
}

// The documents name the configured issuer whatever host the request says
// it was sent to.
func TestRequestHostIgnored(t *testing.T) {
	ts := newServer(t, discovery.Config{Issuer: issuer, Scopes: testScopes})
	for _, tc := range documents {
		t.Run(tc.path, func(t *testing.T) {
			r := do(t, http.MethodGet, ts.URL+tc.path, func(req *http.Request) {
				req.Host = "evil.example"
				req.Header.Set("X-Forwarded-Host", "evil.example")
				req.Header.Set("X-Forwarded-Proto", "http")
				req.Header.Set("X-Forwarded-Prefix", "/evil")
				req.Header.Set("Forwarded", "host=evil.example;proto=http")
			})
			if r.status != http.StatusOK {
				t.Fatalf("status = %d", r.status)
			}
			if strings.Contains(string(r.body), "evil") || strings.Contains(string(r.body), "127.0.0.1") {
				t.Errorf("document follows the request's host: %s", r.body)
			}
			if got, want := decode(t, r.body), wantJSON(t, tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("document = %s", r.body)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	ts := newServer(t, discovery.Config{Issuer: issuer, Scopes: testScopes})
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantCode           string
		wantAllow          string
	}{
		{"openid-configuration", http.MethodGet, "/.well-known/openid-configuration", 404, "not_found", ""},
		{"openid-configuration with a path", http.MethodGet, "/.well-known/openid-configuration/mcp", 404, "not_found", ""},
		{"unknown well-known", http.MethodGet, "/.well-known/security.txt", 404, "not_found", ""},
		{"unknown resource", http.MethodGet, "/.well-known/oauth-protected-resource/v1", 404, "not_found", ""},
		{"path-inserted authorization server", http.MethodGet, "/.well-known/oauth-authorization-server/mcp", 404, "not_found", ""},
		{"trailing slash", http.MethodGet, "/.well-known/oauth-protected-resource/mcp/", 404, "not_found", ""},
		{"POST unknown", http.MethodPost, "/.well-known/nope", 404, "not_found", ""},
		{"POST authorization server", http.MethodPost, "/.well-known/oauth-authorization-server", 405, "method_not_allowed", "GET, HEAD, OPTIONS"},
		{"PUT resource", http.MethodPut, "/.well-known/oauth-protected-resource/mcp", 405, "method_not_allowed", "GET, HEAD, OPTIONS"},
		{"DELETE resource", http.MethodDelete, "/.well-known/oauth-protected-resource", 405, "method_not_allowed", "GET, HEAD, OPTIONS"},
		{"POST jwks", http.MethodPost, "/.well-known/jwks.json", 405, "method_not_allowed", "GET, HEAD, OPTIONS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.method, ts.URL+tc.path, nil)
			if r.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tc.wantStatus, r.body)
			}
			got := decode(t, r.body)
			if got["error"] != tc.wantCode || got["message"] == "" {
				t.Errorf("body = %s, want error %q and a message", r.body, tc.wantCode)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cc := r.header.Get("Cache-Control"); strings.Contains(cc, "max-age") {
				t.Errorf("Cache-Control = %q on an error", cc)
			}
			if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q", got)
			}
			if got := r.header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tc.wantAllow)
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	ts := newServer(t, discovery.Config{Issuer: issuer, Scopes: testScopes})
	r := do(t, http.MethodOptions, ts.URL+"/.well-known/oauth-protected-resource/mcp", func(req *http.Request) {
		req.Header.Set("Origin", "http://localhost:6274")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "mcp-protocol-version")
	})
	if r.status != http.StatusNoContent {
		t.Fatalf("status = %d, want 204", r.status)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "MCP-Protocol-Version") {
		t.Errorf("preflight headers = %v", r.header)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		c    discovery.Config
		want string
	}{
		{"empty issuer", discovery.Config{}, "required"},
		{"trailing slash", discovery.Config{Issuer: issuer + "/"}, "trailing slash"},
		{"path", discovery.Config{Issuer: issuer + "/mcp"}, "no path"},
		{"query", discovery.Config{Issuer: issuer + "?a=b"}, "query"},
		{"empty query", discovery.Config{Issuer: issuer + "?"}, "query"},
		{"fragment", discovery.Config{Issuer: issuer + "#x"}, "fragment"},
		{"empty fragment", discovery.Config{Issuer: issuer + "#"}, "fragment"},
		{"no scheme", discovery.Config{Issuer: "skills.example.com"}, "scheme"},
		{"ftp", discovery.Config{Issuer: "ftp://skills.example.com"}, "scheme"},
		{"upper-case scheme", discovery.Config{Issuer: "HTTPS://skills.example.com"}, "scheme"},
		{"no host", discovery.Config{Issuer: "https://"}, "host"},
		{"port only", discovery.Config{Issuer: "https://:8080"}, "host"},
		{"user", discovery.Config{Issuer: "https://u:p@skills.example.com"}, "user"},
		{"bad port", discovery.Config{Issuer: "https://skills.example.com:99999"}, "port"},
		{"empty port", discovery.Config{Issuer: "https://skills.example.com:"}, "port"},
		{"quote", discovery.Config{Issuer: `https://skills.example.com"`}, "quote"},
		{"space", discovery.Config{Issuer: " https://skills.example.com"}, "space"},
		{"newline", discovery.Config{Issuer: "https://skills.example.com\n"}, "control"},
		{"opaque", discovery.Config{Issuer: "https:skills.example.com"}, "host"},
		{"bad scope", discovery.Config{Issuer: issuer, Scopes: []string{"skills:read", "a b"}}, "scope"},
		{"empty scope", discovery.Config{Issuer: issuer, Scopes: []string{""}}, "scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.c.Keys == nil && tc.name != "no keys" {
				tc.c.Keys = staticKeys{}
			}
			_, err := discovery.New(tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := discovery.New(discovery.Config{Issuer: issuer}); err == nil || !strings.Contains(err.Error(), "Keys") {
		t.Errorf("New without Keys = %v, want an error", err)
	}
	for _, ok := range []string{issuer, "http://127.0.0.1:8080", "http://localhost:8080", "https://[::1]:8443", "http://skills"} {
		if _, err := discovery.New(discovery.Config{Issuer: ok, Keys: staticKeys{}}); err != nil {
			t.Errorf("New(%q) = %v, want nil", ok, err)
		}
	}
}

func TestJWKS(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: rsaKey, KeyID: "rsa-private", Algorithm: "RS256", Use: "sig"},
		{Key: ecKey, KeyID: "ec-private", Algorithm: "ES256", Use: "sig"},
		{Key: &ecKey.PublicKey, KeyID: "ec-public", Algorithm: "ES256", Use: "sig"},
		{Key: []byte("a symmetric secret of 32 bytes!!"), KeyID: "hmac", Algorithm: "HS256"},
	}}
	tests := []struct {
		name    string
		keys    staticKeys
		wantIDs []string
	}{
		{"private keys are published as public", staticKeys{set: set}, []string{"rsa-private", "ec-private", "ec-public"}},
		{"empty set", staticKeys{}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newServer(t, discovery.Config{Issuer: issuer, Keys: tc.keys})
			r := do(t, http.MethodGet, ts.URL+"/.well-known/jwks.json", nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d; body %s", r.status, r.body)
			}
			if got := r.header.Get("Cache-Control"); got != "public, max-age=300" {
				t.Errorf("Cache-Control = %q", got)
			}
			if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q", got)
			}
			raw := decode(t, r.body)
			keys, ok := raw["keys"].([]any)
			if !ok {
				t.Fatalf("keys is not an array: %s", r.body)
			}
			ids := []string{}
			for _, k := range keys {
				m := k.(map[string]any)
				for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k", "oth"} {
					if _, ok := m[private]; ok {
						t.Errorf("key %v carries private member %q", m["kid"], private)
					}
				}
				ids = append(ids, m["kid"].(string))
			}
			if !slices.Equal(ids, tc.wantIDs) {
				t.Errorf("kids = %v, want %v", ids, tc.wantIDs)
			}
			var parsed jose.JSONWebKeySet
			if err := json.Unmarshal(r.body, &parsed); err != nil {
				t.Fatal(err)
			}
			for _, k := range parsed.Keys {
				if !k.IsPublic() {
					t.Errorf("key %s is not public", k.KeyID)
				}
			}
		})
	}
}

func TestJWKSUnavailable(t *testing.T) {
	ts := newServer(t, discovery.Config{Issuer: issuer, Keys: staticKeys{err: errors.New("vault sealed")}})
	r := do(t, http.MethodGet, ts.URL+"/.well-known/jwks.json", nil)
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", r.status)
	}
	if got := decode(t, r.body); got["error"] != "temporarily_unavailable" || strings.Contains(string(r.body), "vault") {
		t.Errorf("body = %s", r.body)
	}
	if cc := r.header.Get("Cache-Control"); strings.Contains(cc, "max-age") {
		t.Errorf("Cache-Control = %q on an error", cc)
	}
}

func TestHelpers(t *testing.T) {
	if got, want := discovery.Resources(issuer), []string{issuer + "/mcp", issuer + "/sse", issuer}; !slices.Equal(got, want) {
		t.Errorf("Resources = %v, want %v", got, want)
	}
	tests := []struct{ path, want string }{
		{"/mcp", issuer + "/.well-known/oauth-protected-resource/mcp"},
		{"/sse", issuer + "/.well-known/oauth-protected-resource/sse"},
		{"", issuer + "/.well-known/oauth-protected-resource"},
	}
	for _, tc := range tests {
		if got := discovery.ResourceMetadataURL(issuer, tc.path); got != tc.want {
			t.Errorf("ResourceMetadataURL(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
